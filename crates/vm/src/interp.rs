//! The fast interpreter for plain instructions: a flat `match` over pre-classified operations.
//!
//! Semantics are exactly those of [`crate::vm`]'s reference path (`exec_core`, used for proofs); the
//! differential tests run both on the same programs and compare every state hash. Syscalls and LL/SC never
//! reach this module.

use crate::alu;
use crate::arch::{se32, sign_extend, ADDRESS_MASK};
use crate::error::VmError;
use crate::memory::Memory;
use crate::state::ThreadState;

/// Operation classes: one arm each in [`exec`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Op {
    /// Syscall: handled by the slow path.
    Slow,
    /// ll / lld / sc / scd: handled inline by the hot loop (it owns the reservation fields).
    Rmw,
    /// Invalid instruction.
    Invalid,
    /// j / jal.
    J,
    /// jal.
    Jal,
    /// beq/bne/blez/bgtz/REGIMM: branch logic shared with the reference path.
    Branch,
    /// jr.
    Jr,
    /// jalr.
    Jalr,
    /// movz.
    Movz,
    /// movn.
    Movn,
    /// HI/LO family and dsllv/dsrlv/dsrav.
    HiLo,
    /// Other SPECIAL / SPECIAL2 / immediate ALU ops (rd or rt destination, no memory).
    AluR,
    /// I-type ALU with zero-extended immediate (andi/ori/xori).
    AluIz,
    /// ld.
    Ld,
    /// lw.
    Lw,
    /// lwu.
    Lwu,
    /// lb.
    Lb,
    /// lbu.
    Lbu,
    /// lh.
    Lh,
    /// lhu.
    Lhu,
    /// sd.
    Sd,
    /// sw.
    Sw,
    /// sb.
    Sb,
    /// sh.
    Sh,
    /// Partial loads (lwl/lwr/ldl/ldr): through the generic ALU.
    LoadPartial,
    /// Partial stores (swl/swr/sdl/sdr): through the generic ALU.
    StorePartial,
    /// addu / add.
    Addu,
    /// daddu / dadd.
    Daddu,
    /// subu / sub.
    Subu,
    /// dsubu / dsub.
    Dsubu,
    /// and.
    And,
    /// or.
    Or,
    /// xor.
    Xor,
    /// nor.
    Nor,
    /// slt.
    Slt,
    /// sltu.
    Sltu,
    /// sll.
    Sll,
    /// srl.
    Srl,
    /// dsll.
    Dsll,
    /// dsrl.
    Dsrl,
    /// dsra.
    Dsra,
    /// dsll32.
    Dsll32,
    /// dsrl32.
    Dsrl32,
    /// dsra32.
    Dsra32,
    /// addiu / addi.
    Addiu,
    /// daddiu / daddi.
    Daddiu,
    /// andi.
    Andi,
    /// ori.
    Ori,
    /// lui.
    Lui,
    /// sltiu.
    Sltiu,
    /// slti.
    Slti,
    /// beq.
    Beq,
    /// bne.
    Bne,
    /// sra.
    Sra,
    /// sllv.
    Sllv,
    /// srlv.
    Srlv,
    /// srav.
    Srav,
    /// dsllv.
    Dsllv,
    /// dsrlv.
    Dsrlv,
    /// dsrav.
    Dsrav,
    /// mfhi.
    Mfhi,
    /// mflo.
    Mflo,
    /// multu.
    Multu,
    /// dmultu.
    Dmultu,
    /// An instruction whose only effect is writing r0 (e.g. `sll $0, $0, 0`): just advances the pc.
    Nop,
}

const fn opcode_table() -> [Op; 64] {
    let mut t = [Op::Invalid; 64];
    t[0x01] = Op::Branch;
    t[0x02] = Op::J;
    t[0x03] = Op::Jal;
    t[0x06] = Op::Branch;
    t[0x07] = Op::Branch;
    t[0x04] = Op::Beq;
    t[0x05] = Op::Bne;
    t[0x08] = Op::Addiu;
    t[0x09] = Op::Addiu;
    t[0x0A] = Op::Slti;
    t[0x0B] = Op::Sltiu;
    t[0x0C] = Op::Andi;
    t[0x0D] = Op::Ori;
    t[0x0E] = Op::AluIz;
    t[0x0F] = Op::Lui;
    t[0x18] = Op::Daddiu;
    t[0x19] = Op::Daddiu;
    t[0x1A] = Op::LoadPartial;
    t[0x1B] = Op::LoadPartial;
    t[0x1C] = Op::AluR;
    t[0x20] = Op::Lb;
    t[0x21] = Op::Lh;
    t[0x22] = Op::LoadPartial;
    t[0x23] = Op::Lw;
    t[0x24] = Op::Lbu;
    t[0x25] = Op::Lhu;
    t[0x26] = Op::LoadPartial;
    t[0x27] = Op::Lwu;
    t[0x28] = Op::Sb;
    t[0x29] = Op::Sh;
    t[0x2A] = Op::StorePartial;
    t[0x2B] = Op::Sw;
    t[0x2C] = Op::StorePartial;
    t[0x2D] = Op::StorePartial;
    t[0x2E] = Op::StorePartial;
    t[0x30] = Op::Rmw;
    t[0x34] = Op::Rmw;
    t[0x37] = Op::Ld;
    t[0x38] = Op::Rmw;
    t[0x3C] = Op::Rmw;
    t[0x3F] = Op::Sd;
    t
}

const fn special_table() -> [Op; 64] {
    let mut t = [Op::AluR; 64];
    t[0x08] = Op::Jr;
    t[0x09] = Op::Jalr;
    t[0x0A] = Op::Movz;
    t[0x0B] = Op::Movn;
    t[0x0C] = Op::Slow;
    t[0x00] = Op::Sll;
    t[0x02] = Op::Srl;
    t[0x20] = Op::Addu;
    t[0x21] = Op::Addu;
    t[0x22] = Op::Subu;
    t[0x23] = Op::Subu;
    t[0x24] = Op::And;
    t[0x25] = Op::Or;
    t[0x26] = Op::Xor;
    t[0x27] = Op::Nor;
    t[0x2A] = Op::Slt;
    t[0x2B] = Op::Sltu;
    t[0x2C] = Op::Daddu;
    t[0x2D] = Op::Daddu;
    t[0x2E] = Op::Dsubu;
    t[0x2F] = Op::Dsubu;
    t[0x38] = Op::Dsll;
    t[0x3A] = Op::Dsrl;
    t[0x3B] = Op::Dsra;
    t[0x3C] = Op::Dsll32;
    t[0x3E] = Op::Dsrl32;
    t[0x3F] = Op::Dsra32;
    let mut f = 0x10;
    while f < 0x20 {
        t[f] = Op::HiLo;
        f += 1;
    }
    t[0x03] = Op::Sra;
    t[0x04] = Op::Sllv;
    t[0x06] = Op::Srlv;
    t[0x07] = Op::Srav;
    t[0x14] = Op::Dsllv;
    t[0x16] = Op::Dsrlv;
    t[0x17] = Op::Dsrav;
    t[0x10] = Op::Mfhi;
    t[0x12] = Op::Mflo;
    t[0x19] = Op::Multu;
    t[0x1D] = Op::Dmultu;
    // Invalid functs are rejected by `alu::execute` inside the AluR / HiLo arms (0x15 included).
    t
}

static OPCODES: [Op; 64] = opcode_table();
static SPECIAL: [Op; 64] = special_table();

/// Classifies an instruction word.
#[inline(always)]
pub(crate) fn classify(insn: u32) -> Op {
    let opcode = (insn >> 26) as usize;
    if opcode == 0 {
        SPECIAL[(insn & 0x3F) as usize]
    } else {
        OPCODES[opcode]
    }
}

/// The shift amount field (`sa`), decoded only by the shift arms.
#[inline(always)]
fn shamt(insn: u32) -> u32 {
    (insn >> 6) & 31
}

#[inline(always)]
fn advance(t: &mut ThreadState) {
    t.pc = t.next_pc;
    t.next_pc = t.next_pc.wrapping_add(4);
}

/// Writes a register that the decoder guarantees is not r0 (see [`Decoded`]'s `op`).
#[inline(always)]
fn put(t: &mut ThreadState, r: usize, v: u64) {
    debug_assert!(r != 0);
    t.regs[r] = v;
}

#[inline(always)]
fn set(t: &mut ThreadState, r: usize, v: u64) {
    if r != 0 {
        t.regs[r] = v;
    }
}

/// One pre-decoded instruction: its class and register fields, so the hot loop neither fetches bytes nor
/// decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decoded {
    /// Operation class. Invariant (made by [`Decoded::new`], the only constructor): the classes that write
    /// rd or rt are only given when that register is not r0 (otherwise the class is `Nop`), so their arms
    /// write the register file without the r0 guard.
    op: Op,
    /// rs field.
    rs: u8,
    /// rt field.
    rt: u8,
    /// rd field.
    rd: u8,
    /// The raw instruction word.
    insn: u32,
    /// Sign-extended 16-bit immediate.
    simm: u64,
}

impl Decoded {
    /// The operation class.
    #[inline(always)]
    pub(crate) fn op(&self) -> Op {
        self.op
    }

    /// The raw instruction word.
    #[inline(always)]
    pub(crate) fn insn(&self) -> u32 {
        self.insn
    }

    /// The rs field.
    #[inline(always)]
    pub(crate) fn rs(&self) -> usize {
        usize::from(self.rs & 31)
    }

    /// The rt field.
    #[inline(always)]
    pub(crate) fn rt(&self) -> usize {
        usize::from(self.rt & 31)
    }

    /// The rd field.
    #[inline(always)]
    pub(crate) fn rd(&self) -> usize {
        usize::from(self.rd & 31)
    }

    /// The sign-extended 16-bit immediate.
    #[inline(always)]
    pub(crate) fn simm(&self) -> u64 {
        self.simm
    }

    /// The shift amount field.
    #[inline(always)]
    pub(crate) fn sa(&self) -> u32 {
        shamt(self.insn)
    }

    /// Decodes an instruction word.
    #[inline(always)]
    pub(crate) fn new(insn: u32) -> Self {
        let rt = (insn >> 16) & 31;
        let rd = (insn >> 11) & 31;
        let op = match classify(insn) {
            Op::Sll
            | Op::Srl
            | Op::Addu
            | Op::Subu
            | Op::And
            | Op::Or
            | Op::Xor
            | Op::Nor
            | Op::Slt
            | Op::Sltu
            | Op::Daddu
            | Op::Dsubu
            | Op::Dsll
            | Op::Dsrl
            | Op::Dsra
            | Op::Dsll32
            | Op::Dsrl32
            | Op::Dsra32
            | Op::Movz
            | Op::Movn
            | Op::Sra
            | Op::Sllv
            | Op::Srlv
            | Op::Srav
            | Op::Dsllv
            | Op::Dsrlv
            | Op::Dsrav
            | Op::Mfhi
            | Op::Mflo
                if rd == 0 =>
            {
                Op::Nop
            }
            Op::Addiu
            | Op::Daddiu
            | Op::Slti
            | Op::Sltiu
            | Op::Andi
            | Op::Ori
            | Op::Lui
            | Op::Ld
            | Op::Lw
            | Op::Lwu
            | Op::Lb
            | Op::Lbu
            | Op::Lh
            | Op::Lhu
                if rt == 0 =>
            {
                Op::Nop
            }
            op => op,
        };
        Decoded {
            op,
            rs: ((insn >> 21) & 31) as u8,
            rt: ((insn >> 16) & 31) as u8,
            rd: ((insn >> 11) & 31) as u8,
            insn,
            simm: sign_extend(u64::from(insn & 0xFFFF), 16),
        }
    }
}

/// Instructions per 4 KiB page.
pub(crate) const PAGE_INSNS: usize = 1024;

/// Bit of a [`CodePage::blocks`] entry: the block ends with a branch or jump and its delay slot.
pub(crate) const BLOCK_ENDS_IN_CONTROL: u16 = 0x8000;

/// One decoded code page: its instructions and, per instruction, the basic block starting there.
#[derive(Debug, Clone)]
pub(crate) struct CodePage {
    /// The page's 1024 instructions, decoded.
    pub(crate) insns: [Decoded; PAGE_INSNS],
    /// Per start index: the number of instructions of the block that starts there (low 15 bits; 0 = run it
    /// step by step), ORed with [`BLOCK_ENDS_IN_CONTROL`] when its last two are a branch/jump and its delay
    /// slot. A block is straight-line instructions (no syscall, LL/SC or invalid word), optionally closed by a
    /// control transfer whose delay slot is a straight-line instruction of the same page.
    pub(crate) blocks: [u16; PAGE_INSNS],
    /// Per start index: the entry point of the block's translation to host code (0: not translated).
    pub(crate) native: [usize; PAGE_INSNS],
    /// Per start index: how many times the block ran interpreted while translation was on (saturating; the
    /// block is translated once this reaches the VM's translation threshold).
    pub(crate) heat: [u8; PAGE_INSNS],
}

impl CodePage {
    fn decode(data: &[u8; 4096]) -> Box<Self> {
        // Built in place: a `Box::new` of the 35 KiB literal is copied through the stack.
        // SAFETY: all-zero bytes are a valid `CodePage`: its fields are integers, arrays of integers and
        // `Decoded`s, whose `op` is a `#[repr(u8)]` enum with a variant of discriminant 0 (`Op::Slow`); every
        // instruction is then overwritten below.
        // (`Box::new_zeroed` is stable only from Rust 1.92; the workspace's MSRV is 1.89.)
        let layout = std::alloc::Layout::new::<CodePage>();
        // SAFETY: `CodePage` is not zero-sized; a null result is handled; the zeroed allocation is a valid
        // `CodePage` (above) with the layout `Box` frees it with.
        let mut page: Box<CodePage> = unsafe {
            let raw = std::alloc::alloc_zeroed(layout).cast::<CodePage>();
            if raw.is_null() {
                std::alloc::handle_alloc_error(layout);
            }
            Box::from_raw(raw)
        };
        for (i, d) in page.insns.iter_mut().enumerate() {
            *d = Decoded::new(u32::from_be_bytes(data[i * 4..i * 4 + 4].try_into().expect("4 bytes")));
        }
        // Backwards: a straight instruction extends the block that starts after it.
        for i in (0..PAGE_INSNS).rev() {
            let op = page.insns[i].op;
            page.blocks[i] = if is_straight(op) {
                let next = if i + 1 < PAGE_INSNS { page.blocks[i + 1] } else { 0 };
                (next & BLOCK_ENDS_IN_CONTROL) | ((next & !BLOCK_ENDS_IN_CONTROL) + 1)
            } else if is_control(op) && i + 1 < PAGE_INSNS && is_straight(page.insns[i + 1].op) {
                BLOCK_ENDS_IN_CONTROL | 2
            } else {
                0
            };
        }
        page
    }
}

/// Pre-decoded instructions per code page, dropped when [`Memory`] reports a write to the page.
#[derive(Debug, Clone)]
pub(crate) struct CodeCache {
    /// Page index -> slot in `pages` (lookups only; never iterated).
    map: std::collections::HashMap<u64, u32, std::hash::BuildHasherDefault<crate::memory::PageIndexHasher>>,
    pages: Vec<Box<CodePage>>,
    free: Vec<u32>,
    /// Direct-mapped front of `map`: (page index + 1, slot); 0 marks an empty entry.
    recent: [(u64, u32); RECENT],
}

/// Entries of [`CodeCache`]'s direct-mapped front.
const RECENT: usize = 512;

impl Default for CodeCache {
    fn default() -> Self {
        CodeCache { map: Default::default(), pages: Vec::new(), free: Vec::new(), recent: [(0, 0); RECENT] }
    }
}

impl CodeCache {
    /// Returns the slot of the decoded page, decoding it first if needed; `None` for an unallocated page
    /// (executed through the slow path, which never allocates on fetch).
    #[inline(always)]
    pub(crate) fn page(&mut self, mem: &mut Memory, page_index: u64) -> Option<usize> {
        let e = self.recent[page_index as usize % RECENT];
        if e.0 == page_index.wrapping_add(1) {
            return Some(e.1 as usize);
        }
        self.page_slow(mem, page_index)
    }

    #[inline(never)]
    fn page_slow(&mut self, mem: &mut Memory, page_index: u64) -> Option<usize> {
        if let Some(&slot) = self.map.get(&page_index) {
            self.recent[page_index as usize % RECENT] = (page_index.wrapping_add(1), slot);
            return Some(slot as usize);
        }
        let decoded = CodePage::decode(mem.mark_code_page(page_index)?);
        let slot = match self.free.pop() {
            Some(s) => {
                self.pages[s as usize] = decoded;
                s
            }
            None => {
                self.pages.push(decoded);
                (self.pages.len() - 1) as u32
            }
        };
        self.map.insert(page_index, slot);
        self.recent[page_index as usize % RECENT] = (page_index.wrapping_add(1), slot);
        Some(slot as usize)
    }

    /// The decoded instruction at `pc` in a slot returned by [`CodeCache::page`].
    #[inline(always)]
    pub(crate) fn get(&self, slot: usize, pc: u64) -> Decoded {
        self.pages[slot].insns[((pc >> 2) as usize) & (PAGE_INSNS - 1)]
    }

    /// The decoded page in a slot returned by [`CodeCache::page`].
    #[inline(always)]
    pub(crate) fn page_at(&self, slot: usize) -> &CodePage {
        &self.pages[slot]
    }

    /// The decoded page in a slot returned by [`CodeCache::page`], mutably (to record translations).
    #[inline(always)]
    pub(crate) fn page_at_mut(&mut self, slot: usize) -> &mut CodePage {
        &mut self.pages[slot]
    }

    /// Forgets every translation entry point (the translator dropped its code).
    pub(crate) fn clear_native(&mut self) {
        for p in &mut self.pages {
            p.native = [0; PAGE_INSNS];
        }
    }

    /// Drops these decoded pages (written since they were decoded).
    pub(crate) fn invalidate_pages(&mut self, pages: &[u64]) {
        for &page_index in pages {
            if let Some(slot) = self.map.remove(&page_index) {
                self.free.push(slot);
            }
            let e = &mut self.recent[page_index as usize % RECENT];
            if e.0 == page_index.wrapping_add(1) {
                *e = (0, 0);
            }
        }
    }
}

/// Executes one plain pre-decoded instruction (pc and next_pc included); returns the aligned address of a
/// store, if any. `Op::Slow` and `Op::Rmw` must not be passed.
#[inline(always)]
pub(crate) fn exec(t: &mut ThreadState, mem: &mut Memory, d: Decoded) -> Result<Option<u64>, VmError> {
    if is_control(d.op) {
        exec_control(t, d)?;
        return Ok(None);
    }
    let r = exec_straight(t, mem, d)?;
    advance(t);
    Ok(r)
}

/// Whether `op` transfers control (a branch or jump with a delay slot).
#[inline(always)]
pub(crate) fn is_control(op: Op) -> bool {
    matches!(op, Op::J | Op::Jal | Op::Jr | Op::Jalr | Op::Branch | Op::Beq | Op::Bne)
}

/// Whether `op` runs inside a basic block: neither a control transfer nor a slow-path or invalid instruction.
#[inline(always)]
pub(crate) fn is_straight(op: Op) -> bool {
    !is_control(op) && !matches!(op, Op::Slow | Op::Rmw | Op::Invalid)
}

/// Executes a straight-line instruction's effect on registers and memory, leaving pc and next_pc alone (the
/// caller advances them); returns the aligned address of a store, if any. On an error nothing has changed.
#[inline(always)]
pub(crate) fn exec_straight(t: &mut ThreadState, mem: &mut Memory, d: Decoded) -> Result<Option<u64>, VmError> {
    let (rs, rt, rd, simm, insn, op) =
        (d.rs as usize & 31, d.rt as usize & 31, d.rd as usize & 31, d.simm, d.insn, d.op);
    match op {
        Op::Nop => {}
        Op::Addu => {
            put(t, rd, se32((t.regs[rs] as u32).wrapping_add(t.regs[rt] as u32) as u64));
        }
        Op::Daddu => {
            put(t, rd, t.regs[rs].wrapping_add(t.regs[rt]));
        }
        Op::Subu => {
            put(t, rd, se32((t.regs[rs] as u32).wrapping_sub(t.regs[rt] as u32) as u64));
        }
        Op::Dsubu => {
            put(t, rd, t.regs[rs].wrapping_sub(t.regs[rt]));
        }
        Op::And => {
            put(t, rd, t.regs[rs] & t.regs[rt]);
        }
        Op::Or => {
            put(t, rd, t.regs[rs] | t.regs[rt]);
        }
        Op::Xor => {
            put(t, rd, t.regs[rs] ^ t.regs[rt]);
        }
        Op::Nor => {
            put(t, rd, !(t.regs[rs] | t.regs[rt]));
        }
        Op::Slt => {
            put(t, rd, ((t.regs[rs] as i64) < (t.regs[rt] as i64)) as u64);
        }
        Op::Sltu => {
            put(t, rd, (t.regs[rs] < t.regs[rt]) as u64);
        }
        Op::Sll => {
            put(t, rd, se32((t.regs[rt] << shamt(insn)) & 0xFFFF_FFFF));
        }
        Op::Srl => {
            put(t, rd, se32((t.regs[rt] & 0xFFFF_FFFF) >> shamt(insn)));
        }
        Op::Dsll => {
            put(t, rd, t.regs[rt] << shamt(insn));
        }
        Op::Dsrl => {
            put(t, rd, t.regs[rt] >> shamt(insn));
        }
        Op::Dsra => {
            put(t, rd, ((t.regs[rt] as i64) >> shamt(insn)) as u64);
        }
        Op::Dsll32 => {
            put(t, rd, t.regs[rt] << (shamt(insn) + 32));
        }
        Op::Dsrl32 => {
            put(t, rd, t.regs[rt] >> (shamt(insn) + 32));
        }
        Op::Dsra32 => {
            put(t, rd, ((t.regs[rt] as i64) >> (shamt(insn) + 32)) as u64);
        }
        Op::Sra => {
            let sa = shamt(insn);
            put(t, rd, sign_extend((t.regs[rt] & 0xFFFF_FFFF) >> sa, 32 - sa));
        }
        Op::Sllv => {
            put(t, rd, se32((t.regs[rt] << (t.regs[rs] & 0x1F)) & 0xFFFF_FFFF));
        }
        Op::Srlv => {
            put(t, rd, se32((t.regs[rt] & 0xFFFF_FFFF) >> (t.regs[rs] & 0x1F)));
        }
        Op::Srav => {
            let sa = (t.regs[rs] & 0x1F) as u32;
            put(t, rd, sign_extend((t.regs[rt] & 0xFFFF_FFFF) >> sa, 32 - sa));
        }
        Op::Dsllv => {
            put(t, rd, t.regs[rt] << (t.regs[rs] & 0x3F));
        }
        Op::Dsrlv => {
            put(t, rd, t.regs[rt] >> (t.regs[rs] & 0x3F));
        }
        Op::Dsrav => {
            put(t, rd, ((t.regs[rt] as i64) >> (t.regs[rs] & 0x3F)) as u64);
        }
        Op::Mfhi => {
            put(t, rd, t.hi);
        }
        Op::Mflo => {
            put(t, rd, t.lo);
        }
        Op::Multu => {
            let acc = (t.regs[rs] as u32 as u64).wrapping_mul(t.regs[rt] as u32 as u64);
            t.hi = se32(acc >> 32);
            t.lo = se32(acc & 0xFFFF_FFFF);
            // As every HI/LO instruction, it writes rd (with 0) when the encoding names one.
            set(t, rd, 0);
        }
        Op::Dmultu => {
            let p = u128::from(t.regs[rs]) * u128::from(t.regs[rt]);
            t.hi = (p >> 64) as u64;
            t.lo = p as u64;
            set(t, rd, 0);
        }
        Op::Addiu => {
            put(t, rt, se32((t.regs[rs] as u32).wrapping_add(simm as u32) as u64));
        }
        Op::Daddiu => {
            put(t, rt, t.regs[rs].wrapping_add(simm));
        }
        Op::Andi => {
            put(t, rt, t.regs[rs] & u64::from(insn & 0xFFFF));
        }
        Op::Ori => {
            put(t, rt, t.regs[rs] | u64::from(insn & 0xFFFF));
        }
        Op::Lui => {
            put(t, rt, se32((simm << 16) & 0xFFFF_FFFF));
        }
        Op::Sltiu => {
            put(t, rt, (t.regs[rs] < simm) as u64);
        }
        Op::Slti => {
            put(t, rt, ((t.regs[rs] as i64) < (simm as i64)) as u64);
        }
        Op::AluR => {
            let v = alu::execute(insn, insn >> 26, insn & 0x3F, t.regs[rs], t.regs[rt], 0)?;
            set(t, rd, v);
        }
        Op::AluIz => {
            let v = alu::execute(insn, insn >> 26, 0, t.regs[rs], u64::from(insn & 0xFFFF), 0)?;
            set(t, rt, v);
        }
        Op::Ld | Op::Lw | Op::Lwu | Op::Lb | Op::Lbu | Op::Lh | Op::Lhu => {
            let addr = t.regs[rs].wrapping_add(simm);
            let m = mem.read_word(addr & ADDRESS_MASK);
            let v = match op {
                Op::Ld => m,
                Op::Lw => alu::select_sub_word(addr, m, 4, true),
                Op::Lwu => alu::select_sub_word(addr, m, 4, false),
                Op::Lb => alu::select_sub_word(addr, m, 1, true),
                Op::Lbu => alu::select_sub_word(addr, m, 1, false),
                Op::Lh => alu::select_sub_word(addr, m, 2, true),
                _ => alu::select_sub_word(addr, m, 2, false),
            };
            put(t, rt, v);
        }
        Op::Sd | Op::Sw | Op::Sb | Op::Sh => {
            let addr = t.regs[rs].wrapping_add(simm);
            let ea = addr & ADDRESS_MASK;
            let v = t.regs[rt];
            let new = match op {
                Op::Sd => v,
                _ => {
                    let m = mem.read_word(ea);
                    let bytes = match op {
                        Op::Sw => 4,
                        Op::Sh => 2,
                        _ => 1,
                    };
                    alu::update_sub_word(addr, m, bytes, v)
                }
            };
            mem.write_word(ea, new);
            return Ok(Some(ea));
        }
        Op::LoadPartial => {
            let addr = t.regs[rs].wrapping_add(simm);
            let m = mem.read_word(addr & ADDRESS_MASK);
            let v = alu::execute(insn, insn >> 26, 0, addr, t.regs[rt], m)?;
            set(t, rt, v);
        }
        Op::StorePartial => {
            let addr = t.regs[rs].wrapping_add(simm);
            let ea = addr & ADDRESS_MASK;
            let m = mem.read_word(ea);
            let v = alu::execute(insn, insn >> 26, 0, addr, t.regs[rt], m)?;
            mem.write_word(ea, v);
            return Ok(Some(ea));
        }
        Op::Movz => {
            if t.regs[rt] == 0 {
                put(t, rd, t.regs[rs]);
            }
        }
        Op::Movn => {
            if t.regs[rt] != 0 {
                put(t, rd, t.regs[rs]);
            }
        }
        Op::HiLo => {
            let funct = insn & 0x3F;
            if funct == 0x15 {
                return Err(VmError::InvalidInstruction(insn));
            }
            let r = alu::hi_lo(funct, t.regs[rs], t.regs[rt], t.hi, t.lo)?;
            t.hi = r.hi;
            t.lo = r.lo;
            set(t, rd, r.rd_value);
        }
        Op::Invalid | Op::Slow | Op::Rmw | Op::J | Op::Jal | Op::Jr | Op::Jalr | Op::Branch | Op::Beq | Op::Bne => {
            return Err(VmError::InvalidInstruction(insn))
        }
    }
    Ok(None)
}

/// Executes a branch or jump: sets pc to the delay slot and next_pc to the target (links written first).
#[inline(always)]
pub(crate) fn exec_control(t: &mut ThreadState, d: Decoded) -> Result<(), VmError> {
    let (rs, rt, rd, simm, insn, op) =
        (d.rs as usize & 31, d.rt as usize & 31, d.rd as usize & 31, d.simm, d.insn, d.op);
    match op {
        Op::Beq | Op::Bne => {
            if t.next_pc != t.pc.wrapping_add(4) {
                return Err(VmError::BranchInDelaySlot);
            }
            let taken = (t.regs[rs] == t.regs[rt]) == (op == Op::Beq);
            let prev = t.pc;
            t.pc = t.next_pc;
            t.next_pc = if taken { prev.wrapping_add(4).wrapping_add(simm << 2) } else { t.next_pc.wrapping_add(4) };
        }
        Op::Branch => {
            if t.next_pc != t.pc.wrapping_add(4) {
                return Err(VmError::BranchInDelaySlot);
            }
            let a = t.regs[rs];
            let taken = match insn >> 26 {
                4 => a == t.regs[rt],
                5 => a != t.regs[rt],
                6 => (a as i64) <= 0,
                7 => (a as i64) > 0,
                _ => match rt {
                    0x00 => (a as i64) < 0,
                    0x01 => (a as i64) >= 0,
                    0x10 => {
                        t.regs[31] = t.pc.wrapping_add(8);
                        (a as i64) < 0
                    }
                    0x11 => {
                        t.regs[31] = t.pc.wrapping_add(8);
                        (a as i64) >= 0
                    }
                    _ => false,
                },
            };
            let prev = t.pc;
            t.pc = t.next_pc;
            t.next_pc = if taken { prev.wrapping_add(4).wrapping_add(simm << 2) } else { t.next_pc.wrapping_add(4) };
        }
        Op::J | Op::Jal | Op::Jr | Op::Jalr => {
            if t.next_pc != t.pc.wrapping_add(4) {
                return Err(VmError::JumpInDelaySlot);
            }
            let (dest, link) = match op {
                Op::J => ((t.next_pc & 0xFFFF_FFFF_F000_0000) | (u64::from(insn & 0x03FF_FFFF) << 2), 0),
                Op::Jal => ((t.next_pc & 0xFFFF_FFFF_F000_0000) | (u64::from(insn & 0x03FF_FFFF) << 2), 31),
                Op::Jr => (t.regs[rs], 0),
                _ => (t.regs[rs], rd),
            };
            let prev = t.pc;
            t.pc = t.next_pc;
            t.next_pc = dest;
            if link != 0 {
                t.regs[link] = prev.wrapping_add(8);
            }
        }
        _ => return Err(VmError::InvalidInstruction(insn)),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(classify(0x0000_000C), Op::Slow);
        assert_eq!(classify(0xC000_0000), Op::Rmw);
        assert_eq!(classify(0x4600_0000), Op::Invalid);
        assert_eq!(classify(0x0000_0015), Op::HiLo);
    }
}
