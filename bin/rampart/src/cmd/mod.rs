//! One module per subcommand.

pub mod batch_decode;
pub mod bench;
pub mod demo;
pub mod devnet;
pub mod execute_block;
pub mod host;
pub mod load_elf;
pub mod prestate;
pub mod run;
pub mod verify;
pub mod withdrawal;
pub mod witness;

use std::path::Path;
use std::time::Duration;

/// Parses a duration flag: `30`, `30s`, `500ms`, `2m` (a bare number is seconds).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let v: f64 = num.trim().parse().map_err(|_| format!("invalid duration {s:?} (e.g. 30s, 500ms, 2m)"))?;
    let secs = v * scale;
    if !secs.is_finite() || secs <= 0.0 || secs > 1e9 {
        return Err(format!("invalid duration {s:?}: must be positive"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A duration as `1.5s` / `250ms`.
pub fn fmt_duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}s", d.as_secs_f64())
    }
}

/// Checks, before any work, that a file can be created at `path` (its directory is created if missing): a
/// throw-away probe file is created next to it and removed. `""` and `-` (stdout) always pass.
pub fn check_writable(flag: &str, path: &str) -> Result<(), crate::CliError> {
    if path.is_empty() || path == "-" {
        return Ok(());
    }
    let p = Path::new(path);
    let fail = |e: std::io::Error| crate::CliError::fail(format!("{flag} {path}: cannot write there: {e}"));
    if p.is_dir() {
        return Err(crate::CliError::fail(format!("{flag} {path}: is a directory")));
    }
    let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let probe = dir.join(format!(".rampart-write-probe-{}", std::process::id()));
    std::fs::OpenOptions::new().write(true).create_new(true).open(&probe).map_err(fail)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("0.5"), Ok(Duration::from_millis(500)));
        for bad in ["", "x", "-1", "0", "1h", "nan", "infs"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(fmt_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(fmt_duration(Duration::from_secs(2)), "2s");
    }

    #[test]
    fn writable_checks() {
        let d = std::env::temp_dir().join(format!("rampart-writable-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let out = d.join("sub/out.bin.gz");
        check_writable("--output", out.to_str().unwrap()).unwrap();
        assert!(d.join("sub").is_dir());
        assert_eq!(std::fs::read_dir(d.join("sub")).unwrap().count(), 0, "probe file left behind");
        assert!(check_writable("--output", d.to_str().unwrap()).is_err());
        assert!(check_writable("--output", "/proc/version/x.bin").is_err());
        check_writable("--output", "-").unwrap();
        let _ = std::fs::remove_dir_all(&d);
    }
}
