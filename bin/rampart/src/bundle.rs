//! Files built into the binary, so an installed `rampart` (`cargo install --path bin/rampart`) runs `demo`
//! anywhere, without the source tree.
//!
//! To bundle another file (a bigger fault-proof program, recorded chain data for the demo), add one line to
//! [`FILES`] naming it by its path under the repository root; `rampart` finds it with [`get`].

/// One bundled file: its path under the repository root and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct Bundled {
    /// Path relative to the repository root, e.g. `guests/bin/rampart-program.elf`.
    pub path: &'static str,
    /// The file's bytes, as committed when the binary was built.
    pub bytes: &'static [u8],
}

macro_rules! bundle {
    ($($path:literal),* $(,)?) => {
        &[$(Bundled { path: $path, bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../", $path)) }),*]
    };
}

/// Every bundled file: the demo's fault-proof program (the devnet dataset is compiled into `rampart-agent`:
/// `DevnetData::bundled`).
pub static FILES: &[Bundled] = bundle!["guests/bin/rampart-program.elf"];

/// The bundled file at `path` (relative to the repository root).
pub fn get(path: &str) -> Option<&'static Bundled> {
    FILES.iter().find(|f| f.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_program_is_bundled() {
        let g = get("guests/bin/rampart-program.elf").expect("bundled");
        assert_eq!(
            g.bytes,
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../guests/bin/rampart-program.elf")).unwrap()
        );
        assert!(get("guests/bin/no-such-guest.elf").is_none());
    }
}
