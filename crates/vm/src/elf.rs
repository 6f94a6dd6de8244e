//! ELF loading as `cannon load-elf` does it: segments into memory, the Go-style stack patch, and symbols.

use crate::arch::{HEAP_START, STACK_TOP};
use crate::error::ElfError;
use crate::state::State;
use serde::Serialize;

const EM_MIPS: u16 = 8;
const PT_LOAD: u32 = 1;
const PT_MIPS_ABIFLAGS: u32 = 0x7000_0003;
const SHT_SYMTAB: u32 = 2;
/// Largest total of segment memory sizes we agree to load (guards against hostile ELFs).
pub const MAX_LOADED_BYTES: u64 = 1 << 30;

/// Largest ELF file read: [`MAX_LOADED_BYTES`] of segments plus 256 MiB for symbols and debug sections.
pub const MAX_ELF_FILE_LEN: u64 = MAX_LOADED_BYTES + (256 << 20);
/// Largest `meta.json` read (a symbol table; op-program's is a few MiB).
pub const MAX_META_LEN: u64 = 256 << 20;

/// Reads an ELF file: its first four bytes must be the ELF magic (so `/dev/zero` or a text file fails at once),
/// and the file is never read past [`MAX_ELF_FILE_LEN`].
pub fn read_elf_file(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut r = rampart_primitives::gz::CappedReader::new(std::fs::File::open(path)?, MAX_ELF_FILE_LEN, "an ELF file");
    let mut data = vec![0u8; 4];
    r.read_exact(&mut data).map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not an ELF file"))?;
    if data != b"\x7fELF" {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "not an ELF file (no ELF magic)"));
    }
    r.read_to_end(&mut data)?;
    Ok(data)
}

/// Reads a `meta.json`, parsing as it reads (a stream that is not JSON fails at its first byte) and never past
/// [`MAX_META_LEN`] bytes.
pub fn read_meta_file(path: &std::path::Path) -> Result<Metadata, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let r = rampart_primitives::gz::CappedReader::new(std::io::BufReader::new(file), MAX_META_LEN, "a meta.json");
    serde_json::from_reader(r).map_err(|e| e.to_string())
}

/// One program header.
#[derive(Clone, Copy, Debug)]
struct ProgramHeader {
    p_type: u32,
    offset: u64,
    vaddr: u64,
    filesz: u64,
    memsz: u64,
}

/// A parsed big-endian ELF64 MIPS file.
#[derive(Debug)]
pub struct Elf<'a> {
    data: &'a [u8],
    /// Entry point.
    pub entry: u64,
    phdrs: Vec<ProgramHeader>,
    shoff: u64,
    shentsize: u16,
    shnum: u16,
}

fn slice<'a>(data: &'a [u8], off: u64, len: u64, what: &str) -> Result<&'a [u8], ElfError> {
    let end = off.checked_add(len).ok_or_else(|| ElfError::Malformed(format!("{what} out of bounds")))?;
    if end > data.len() as u64 {
        return Err(ElfError::Malformed(format!(
            "{what} at [{off:#x}, {end:#x}) beyond end of file ({:#x})",
            data.len()
        )));
    }
    Ok(&data[off as usize..end as usize])
}

fn be16(b: &[u8], o: usize) -> u16 {
    u16::from_be_bytes([b[o], b[o + 1]])
}
fn be32(b: &[u8], o: usize) -> u32 {
    u32::from_be_bytes(b[o..o + 4].try_into().unwrap())
}
fn be64(b: &[u8], o: usize) -> u64 {
    u64::from_be_bytes(b[o..o + 8].try_into().unwrap())
}

impl<'a> Elf<'a> {
    /// Parses and validates the header and program headers.
    pub fn parse(data: &'a [u8]) -> Result<Self, ElfError> {
        if data.len() < 64 || &data[..4] != b"\x7fELF" {
            return Err(ElfError::Malformed("not an ELF file (bad magic or shorter than 64 bytes)".into()));
        }
        if data[4] != 2 {
            return Err(ElfError::Unsupported(format!(
                "class {} is not ELF64 (32-bit ELFs are not supported)",
                data[4]
            )));
        }
        if data[5] != 2 {
            return Err(ElfError::Unsupported("little-endian ELF (MIPS64 guests must be big-endian)".into()));
        }
        let machine = be16(data, 18);
        if machine != EM_MIPS {
            return Err(ElfError::Unsupported(format!("machine {machine} is not MIPS (8)")));
        }
        let entry = be64(data, 24);
        let phoff = be64(data, 32);
        let shoff = be64(data, 40);
        let phentsize = be16(data, 54);
        let phnum = be16(data, 56);
        let shentsize = be16(data, 58);
        let shnum = be16(data, 60);
        if phnum > 0 && phentsize < 56 {
            return Err(ElfError::Malformed(format!("program header entry size {phentsize} < 56")));
        }
        let mut phdrs = Vec::with_capacity(phnum as usize);
        for i in 0..phnum as u64 {
            let h = slice(data, phoff.saturating_add(i * phentsize as u64), 56, "program header")?;
            phdrs.push(ProgramHeader {
                p_type: be32(h, 0),
                offset: be64(h, 8),
                vaddr: be64(h, 16),
                filesz: be64(h, 32),
                memsz: be64(h, 40),
            });
        }
        Ok(Self { data, entry, phdrs, shoff, shentsize, shnum })
    }

    /// Builds the initial state: segments copied, stack patched.
    pub fn load(&self) -> Result<State, ElfError> {
        let mut state = State::new(self.entry);
        let mut total = 0u64;
        for (index, ph) in self.phdrs.iter().enumerate() {
            if ph.p_type == PT_MIPS_ABIFLAGS || ph.memsz == 0 {
                continue;
            }
            if ph.filesz != ph.memsz && !(ph.p_type == PT_LOAD && ph.filesz < ph.memsz) {
                return Err(ElfError::Malformed(format!(
                    "segment {index} (type {:#x}) has filesz {:#x} != memsz {:#x}",
                    ph.p_type, ph.filesz, ph.memsz
                )));
            }
            let end = ph.vaddr.checked_add(ph.memsz);
            match end {
                Some(end) if end < HEAP_START => {}
                _ => {
                    return Err(ElfError::SegmentOutOfRange {
                        index,
                        start: ph.vaddr,
                        end: ph.vaddr.wrapping_add(ph.memsz),
                    })
                }
            }
            total = total.saturating_add(ph.memsz);
            if total > MAX_LOADED_BYTES {
                return Err(ElfError::Unsupported(format!(
                    "segments total more than {MAX_LOADED_BYTES} bytes (oversize ELF)"
                )));
            }
            // An empty file part (a .bss-only segment) reads nothing, wherever its offset points: linkers may
            // put it past the end of the file, and Cannon and Linux accept that.
            let file = if ph.filesz == 0 { &[][..] } else { slice(self.data, ph.offset, ph.filesz, "segment data")? };
            let mut bytes = file.to_vec();
            bytes.resize(ph.memsz as usize, 0);
            state.memory.set_range(ph.vaddr, &bytes);
        }
        patch_stack(&mut state);
        Ok(state)
    }

    /// Symbols from `.symtab`, sorted by start address (empty if the ELF has none).
    pub fn symbols(&self) -> Result<Vec<Symbol>, ElfError> {
        let mut out = Vec::new();
        if self.shnum == 0 || self.shoff == 0 {
            return Ok(out);
        }
        if self.shentsize < 64 {
            return Err(ElfError::Malformed(format!("section header entry size {} < 64", self.shentsize)));
        }
        let sh = |i: u64| slice(self.data, self.shoff.saturating_add(i * self.shentsize as u64), 64, "section header");
        for i in 0..self.shnum as u64 {
            let h = sh(i)?;
            if be32(h, 4) != SHT_SYMTAB {
                continue;
            }
            let (off, size, link, entsize) = (be64(h, 24), be64(h, 32), be32(h, 40), be64(h, 56));
            if entsize < 24 {
                return Err(ElfError::Malformed("symbol entry size < 24".into()));
            }
            let strh = sh(link as u64)?;
            let strtab = slice(self.data, be64(strh, 24), be64(strh, 32), "string table")?;
            let syms = slice(self.data, off, size, "symbol table")?;
            for (n, s) in syms.chunks_exact(entsize as usize).enumerate() {
                if n == 0 {
                    continue;
                }
                let name_off = be32(s, 0) as usize;
                let name = match strtab.get(name_off..) {
                    Some(rest) => {
                        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
                        String::from_utf8_lossy(&rest[..end]).into_owned()
                    }
                    None => return Err(ElfError::Malformed(format!("symbol name offset {name_off} out of bounds"))),
                };
                out.push(Symbol { name, start: be64(s, 8), size: be64(s, 16) });
            }
        }
        out.sort_by_key(|s| s.start);
        Ok(out)
    }
}

/// Cannon's `PatchStack`: 5 zero pages around the stack top, argc/argv/envp/auxv, AT_RANDOM bytes.
pub fn patch_stack(state: &mut State) {
    let sp = STACK_TOP;
    state.memory.set_range(sp - 4 * 4096, &[0u8; 5 * 4096]);
    let t = state.active_stack_mut().last_mut().expect("initial thread");
    t.regs[29] = sp;
    let mut words = [0u8; 80];
    let vals: [u64; 10] = [1, sp + 128, 0, sp + 96, 0, 6, 4096, 25, sp + 80, 0];
    for (i, v) in vals.iter().enumerate() {
        words[i * 8..i * 8 + 8].copy_from_slice(&v.to_be_bytes());
    }
    state.memory.set_range(sp, &words);
    state.memory.set_range(sp + 80, b"4;byfairdiceroll");
    let mut env = [0u8; 32];
    env[..24].copy_from_slice(b"GODEBUG=memprofilerate=0");
    state.memory.set_range(sp + 96, &env);
    let mut arg = [0u8; 16];
    arg[..10].copy_from_slice(b"op-program");
    state.memory.set_range(sp + 128, &arg);
}

/// One entry of `meta.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Symbol {
    /// Symbol name.
    pub name: String,
    /// Start address.
    pub start: u64,
    /// Size in bytes.
    pub size: u64,
}

/// The `meta.json` document: symbols for debugging, never part of the state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Metadata {
    /// Symbols sorted by start.
    pub symbols: Vec<Symbol>,
}

impl Metadata {
    /// The name of the symbol containing `addr`, or `"!unknown"`.
    pub fn lookup(&self, addr: u64) -> &str {
        let i = self.symbols.partition_point(|s| s.start <= addr);
        if i == 0 {
            return "!unknown";
        }
        let s = &self.symbols[i - 1];
        if addr < s.start.saturating_add(s.size.max(1)) {
            &s.name
        } else {
            "!unknown"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_headers() {
        assert!(matches!(Elf::parse(b"hello"), Err(ElfError::Malformed(_))));
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 1;
        assert!(matches!(Elf::parse(&h), Err(ElfError::Unsupported(_))));
        h[4] = 2;
        h[5] = 1;
        assert!(matches!(Elf::parse(&h), Err(ElfError::Unsupported(_))));
        h[5] = 2;
        h[18..20].copy_from_slice(&62u16.to_be_bytes());
        assert!(matches!(Elf::parse(&h), Err(ElfError::Unsupported(_))));
        h[18..20].copy_from_slice(&8u16.to_be_bytes());
        // huge phnum pointing beyond the file
        h[54..56].copy_from_slice(&56u16.to_be_bytes());
        h[56..58].copy_from_slice(&100u16.to_be_bytes());
        h[32..40].copy_from_slice(&64u64.to_be_bytes());
        assert!(matches!(Elf::parse(&h), Err(ElfError::Malformed(_))));
    }

    /// A minimal big-endian ELF64 MIPS file with the given program headers (type, offset, vaddr, filesz, memsz).
    fn elf_with(phdrs: &[(u32, u64, u64, u64, u64)], file_len: usize) -> Vec<u8> {
        let mut h = vec![0u8; file_len.max(64 + 56 * phdrs.len())];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 2;
        h[5] = 2;
        h[18..20].copy_from_slice(&EM_MIPS.to_be_bytes());
        h[24..32].copy_from_slice(&0x1_0000u64.to_be_bytes());
        h[32..40].copy_from_slice(&64u64.to_be_bytes());
        h[54..56].copy_from_slice(&56u16.to_be_bytes());
        h[56..58].copy_from_slice(&(phdrs.len() as u16).to_be_bytes());
        for (i, &(t, off, vaddr, filesz, memsz)) in phdrs.iter().enumerate() {
            let p = 64 + 56 * i;
            h[p..p + 4].copy_from_slice(&t.to_be_bytes());
            h[p + 8..p + 16].copy_from_slice(&off.to_be_bytes());
            h[p + 16..p + 24].copy_from_slice(&vaddr.to_be_bytes());
            h[p + 32..p + 40].copy_from_slice(&filesz.to_be_bytes());
            h[p + 40..p + 48].copy_from_slice(&memsz.to_be_bytes());
        }
        h
    }

    #[test]
    fn empty_load_segment_with_offset_past_the_end_is_bss() {
        // A .bss-only PT_LOAD whose offset lies beyond the file (as linkers emit): zero-filled pages.
        let data = elf_with(&[(PT_LOAD, 0x10_0000, 0x20_0000, 0, 0x2000)], 256);
        let state = Elf::parse(&data).unwrap().load().unwrap();
        assert!(state.memory.has_page(0x200) && state.memory.has_page(0x201));
        assert_eq!(state.memory.peek_word(0x20_0ff8), 0);
        // With file bytes, an offset past the end is still an error.
        let data = elf_with(&[(PT_LOAD, 0x10_0000, 0x20_0000, 8, 0x2000)], 256);
        assert!(matches!(Elf::parse(&data).unwrap().load(), Err(ElfError::Malformed(_))));
    }

    #[test]
    fn stack_patch_layout() {
        let mut s = State::new(0x1000);
        patch_stack(&mut s);
        assert_eq!(s.memory.page_count(), 5);
        assert_eq!(s.memory.peek_word(STACK_TOP), 1);
        assert_eq!(s.memory.peek_word(STACK_TOP + 8), STACK_TOP + 128);
        assert_eq!(s.memory.read_range(STACK_TOP + 80, 16), b"4;byfairdiceroll");
        assert_eq!(s.current_thread().unwrap().regs[29], STACK_TOP);
    }
}
