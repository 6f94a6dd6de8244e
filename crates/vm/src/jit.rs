//! Translation of basic blocks to x86-64 host code (a template JIT on `dynasmrt`).
//!
//! A translated block is exactly one of the interpreter's basic blocks ([`crate::interp::CodePage`]'s `blocks`):
//! straight-line instructions, optionally closed by a branch or jump and its delay slot on the same page. The
//! dispatcher in [`crate::vm`] only enters it when the interpreter would run the same block (the whole block fits
//! in the step budget, the thread is not in a delay slot, the last step did not fault), so step accounting, the
//! preemption quantum and every `--*-at` matcher stay exact. A block is translated once it has run
//! [`crate::vm::Vm::set_translation_threshold`] times through the interpreter (most blocks of a short run are
//! first-time code, cheaper to interpret a few times than to translate). Inside, guest registers stay in the
//! [`ThreadState`]; every instruction loads its operands from it and stores its result back, with the pc values
//! known at translation time folded into constants; pc and next_pc are written only when leaving translated
//! code. A block goes on to the next through the jump cache, at an entry known at translation time for static
//! targets (fall-through, j/jal, both sides of a conditional branch).
//!
//! Leaving early: a store into a decoded code page stops the block right after the store (the dispatcher then
//! drops the stale translations); an instruction that faults (an invalid funct, a division by zero) stops it
//! just before, with nothing changed, and the dispatcher re-runs that instruction through the interpreter, which
//! reports the error at the same step. Loads and stores call small helpers over [`Memory`] (page lookup,
//! page allocation, dirty and code-page tracking, the LL reservation check), as do the few instructions without
//! a template (partial loads and stores, invalid functs). Multiplies, divides and SPECIAL2 have templates;
//! a division by zero leaves before the instruction as any fault does.
//!
//! Syscalls, LL/SC, thread switches and exited threads never appear in a block: they stay in the interpreter.

use crate::alu;
use crate::arch::ADDRESS_MASK;
use crate::interp::{self, Decoded, Op};
use crate::memory::{HostTlb, Memory, HOST_TLB_SIZE};
use crate::state::ThreadState;
use crate::vm::DebugStats;
use dynasmrt::{dynasm, DynasmApi, DynasmLabelApi, VecAssembler};
use std::mem::offset_of;

/// Bit of a block's result: it stopped before an instruction that faults (run it through the interpreter).
pub(crate) const EXIT_FAULT: u64 = 1 << 32;
/// Bit of a block's result: a store hit a decoded code page (drop stale translations before going on).
pub(crate) const EXIT_CODE_WRITTEN: u64 = 1 << 33;

/// Helper status: go on.
const ST_OK: u64 = 0;
/// Helper status: the instruction stored into a code page; stop after it.
const ST_CODE: u64 = 1;
/// Helper status: the instruction faults; stop before it (nothing changed).
const ST_FAULT: u64 = 2;

/// Size of the executable arena; when full, every translation is dropped and translation starts over.
const ARENA_SIZE: usize = 32 << 20;

/// What translated code and its helpers reach besides the thread: memory and the LL reservation.
#[repr(C)]
#[derive(Debug)]
pub(crate) struct JitCtx {
    /// The VM memory.
    pub(crate) memory: *mut Memory,
    /// `State::ll_address`.
    pub(crate) ll_address: *mut u64,
    /// `State::ll_reservation_status`.
    pub(crate) ll_status: *mut u8,
    /// `State::ll_owner_thread`.
    pub(crate) ll_owner: *mut u64,
    /// The debug counters.
    pub(crate) stats: *mut DebugStats,
    /// The memory's page lookups for inline loads and stores.
    pub(crate) tlb: *mut HostTlb,
    /// The translator's jump cache (guest pc -> entry point), for going from block to block without returning.
    pub(crate) jump_cache: *const JumpEntry,
}

/// Signature of the entry trampoline: runs the block at `entry` and the blocks it chains to, within `budget`
/// steps; returns the steps executed, ORed with [`EXIT_FAULT`] / [`EXIT_CODE_WRITTEN`].
type EnterFn = unsafe extern "sysv64" fn(thread: *mut ThreadState, ctx: *mut JitCtx, budget: u64, entry: usize) -> u64;

/// One jump cache entry: a guest pc (`u64::MAX`: empty) and the entry point of its block's translation.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct JumpEntry {
    pc: u64,
    entry: usize,
}

/// Entries of the jump cache (direct-mapped on `pc >> 2`).
const JUMP_CACHE_SIZE: usize = 4096;

/// Executable memory without a writable and executable page: one shared memory object mapped twice, read +
/// write (where code is copied in) and read + execute (where it runs), so no `mprotect` per translation.
struct Arena {
    rw: *mut u8,
    rx: *const u8,
    fd: libc::c_int,
}

impl Arena {
    fn new() -> Option<Self> {
        // SAFETY: plain libc calls on a memory object this function creates; each result is checked, and what was
        // made before a failure is released.
        unsafe {
            let fd = libc::memfd_create(c"rampart-jit".as_ptr(), libc::MFD_CLOEXEC);
            if fd < 0 {
                return None;
            }
            if libc::ftruncate(fd, ARENA_SIZE as libc::off_t) != 0 {
                libc::close(fd);
                return None;
            }
            let map = |prot| libc::mmap(std::ptr::null_mut(), ARENA_SIZE, prot, libc::MAP_SHARED, fd, 0);
            let rw = map(libc::PROT_READ | libc::PROT_WRITE);
            if rw == libc::MAP_FAILED {
                libc::close(fd);
                return None;
            }
            let rx = map(libc::PROT_READ | libc::PROT_EXEC);
            if rx == libc::MAP_FAILED {
                libc::munmap(rw, ARENA_SIZE);
                libc::close(fd);
                return None;
            }
            Some(Arena { rw: rw.cast(), rx: rx.cast(), fd })
        }
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        // SAFETY: both mappings and the descriptor were made by `Arena::new` and are released once.
        unsafe {
            libc::munmap(self.rw.cast(), ARENA_SIZE);
            libc::munmap(self.rx.cast_mut().cast(), ARENA_SIZE);
            libc::close(self.fd);
        }
    }
}

/// The translator and its executable arena.
pub(crate) struct Jit {
    /// Where translations live.
    arena: Arena,
    /// Bytes of `arena` in use.
    used: usize,
    /// Bytes of the shared trampolines at the start of `arena` (kept across resets).
    base_len: usize,
    /// Entry trampoline: saves registers, sets them up, jumps to a block.
    enter: usize,
    /// Exit trampoline (flags in rdx): restores registers, returns the steps executed.
    exit: usize,
    /// `exit` with no flags (the target of empty jump cache entries).
    exit0: usize,
    /// Guest pc -> translated block, read by translated code to chain blocks.
    jump_cache: Box<[JumpEntry; JUMP_CACHE_SIZE]>,
    /// Blocks translated since the last reset (for `--debug-info`-style reporting and tests).
    pub(crate) blocks_translated: u64,
}

impl std::fmt::Debug for Jit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jit").field("used", &self.used).field("blocks_translated", &self.blocks_translated).finish()
    }
}

/// Why a block could not be translated.
#[derive(Debug)]
pub(crate) enum TranslateError {
    /// The arena is full: reset and translate again.
    Full,
}

const fn reg_off(r: usize) -> i32 {
    (offset_of!(ThreadState, regs) + 8 * r) as i32
}
const PC: i32 = offset_of!(ThreadState, pc) as i32;
const NEXT_PC: i32 = offset_of!(ThreadState, next_pc) as i32;
const HI: i32 = offset_of!(ThreadState, hi) as i32;
const LO: i32 = offset_of!(ThreadState, lo) as i32;
const CTX_LL_ADDRESS: i32 = offset_of!(JitCtx, ll_address) as i32;
const CTX_TLB: i32 = offset_of!(JitCtx, tlb) as i32;
const CTX_STATS: i32 = offset_of!(JitCtx, stats) as i32;
const STATS_MISSES: i32 = offset_of!(DebugStats, instruction_cache_miss_count) as i32;
const STATS_HIGHEST_MISS: i32 = offset_of!(DebugStats, highest_icache_miss_pc) as i32;
const CTX_JUMP_CACHE: i32 = offset_of!(JitCtx, jump_cache) as i32;
const TLB_WRITE: i32 = offset_of!(HostTlb, write) as i32;

impl Jit {
    /// A translator with an empty arena; `None` if the host gives no executable memory.
    pub(crate) fn new() -> Option<Self> {
        let arena = Arena::new()?;
        // Register use in translated code: rbx = thread, r13 = ctx, r14 = host TLB, rbp = jump cache, r15 = steps
        // left in the budget, r12 = branch target; [rsp] = the budget (six pushes and 8 bytes keep rsp aligned).
        let mut a = Asm::new(0);
        dynasm!(a
            ; .arch x64
            ; push rbx
            ; push rbp
            ; push r12
            ; push r13
            ; push r14
            ; push r15
            ; sub rsp, 8
            ; mov [rsp], rdx
            ; mov rbx, rdi
            ; mov r13, rsi
            ; mov r15, rdx
            ; mov r14, [rsi + CTX_TLB]
            ; mov rbp, [rsi + CTX_JUMP_CACHE]
            ; jmp rcx
        );
        let exit0_off = a.offset().0;
        dynasm!(a ; .arch x64 ; xor edx, edx);
        let exit_off = a.offset().0;
        dynasm!(a
            ; .arch x64
            ; mov rax, [rsp]
            ; sub rax, r15
            ; or rax, rdx
            ; add rsp, 8
            ; pop r15
            ; pop r14
            ; pop r13
            ; pop r12
            ; pop rbp
            ; pop rbx
            ; ret
        );
        let code = a.finalize().expect("no unresolved labels");
        // SAFETY: the trampolines are far smaller than the arena and nothing runs from it yet.
        unsafe { std::ptr::copy_nonoverlapping(code.as_ptr(), arena.rw, code.len()) };
        let rx = arena.rx as usize;
        let base_len = (code.len() + 15) & !15;
        let exit0 = rx + exit0_off;
        Some(Jit {
            arena,
            used: base_len,
            base_len,
            enter: rx,
            exit: rx + exit_off,
            exit0,
            jump_cache: Box::new([JumpEntry { pc: u64::MAX, entry: exit0 }; JUMP_CACHE_SIZE]),
            blocks_translated: 0,
        })
    }

    /// Drops every translation (the caller clears the entry points it holds).
    pub(crate) fn reset(&mut self) {
        self.used = self.base_len;
        self.jump_cache.fill(JumpEntry { pc: u64::MAX, entry: self.exit0 });
    }

    /// Lets translated code chain to the block at `pc` translated at `entry`.
    #[inline(always)]
    pub(crate) fn link(&mut self, pc: u64, entry: usize) {
        self.jump_cache[(pc >> 2) as usize % JUMP_CACHE_SIZE] = JumpEntry { pc, entry };
    }

    /// Forgets the jump cache entries of blocks on these pages (their decoded page was dropped).
    pub(crate) fn unlink_pages(&mut self, pages: &[u64]) {
        for e in self.jump_cache.iter_mut() {
            if e.pc != u64::MAX && pages.contains(&(e.pc >> 12)) {
                *e = JumpEntry { pc: u64::MAX, entry: self.exit0 };
            }
        }
    }

    /// The jump cache, for [`JitCtx::jump_cache`].
    pub(crate) fn jump_cache(&self) -> *const JumpEntry {
        self.jump_cache.as_ptr()
    }

    /// Translates the block `insns` (a straight run, plus branch and delay slot when `ends_in_control`) that
    /// starts at guest address `pc`; returns its entry point.
    pub(crate) fn translate(
        &mut self,
        insns: &[Decoded],
        ends_in_control: bool,
        pc: u64,
    ) -> Result<usize, TranslateError> {
        let code = emit_block(insns, ends_in_control, pc, self.exit);
        if self.used + code.len() > ARENA_SIZE {
            return Err(TranslateError::Full);
        }
        let start = self.used;
        // SAFETY: `start + code.len() <= ARENA_SIZE` (checked above), so the copy stays inside the writable
        // mapping; no translated code runs while we write, and these bytes belong to no live translation.
        unsafe { std::ptr::copy_nonoverlapping(code.as_ptr(), self.arena.rw.add(start), code.len()) };
        let entry = self.arena.rx as usize + start;
        // 16-byte aligned entries.
        self.used = (start + code.len() + 15) & !15;
        self.blocks_translated += 1;
        Ok(entry)
    }
}

/// Runs the translated block at `entry` on `thread`, then the blocks it chains to through the jump cache, as
/// long as each whole block fits in what is left of `budget` steps (at least the first block must fit).
///
/// # Safety
/// `entry` must come from [`Jit::translate`] of this [`Jit`] with no [`Jit::reset`] since, its code page must
/// still be decoded (no store to it since the translation), and so must the page of every jump cache entry
/// (the caller unlinks dropped pages). Every pointer in `ctx` must be valid and unaliased for the call, and
/// `ctx.jump_cache` must be this translator's.
#[inline(always)]
pub(crate) unsafe fn call(jit: &Jit, entry: usize, thread: &mut ThreadState, ctx: &mut JitCtx, budget: u64) -> u64 {
    // SAFETY: `jit.enter` is the entry trampoline emitted by `Jit::new` with the `EnterFn` ABI, in an executable
    // mapping that lives as long as `jit`.
    let f: EnterFn = unsafe { std::mem::transmute::<usize, EnterFn>(jit.enter) };
    // SAFETY: translated code only touches `thread` (through the register offsets computed from its layout),
    // what `ctx` points at (inline, through the host TLB's page addresses, and through the helpers below), and
    // jumps only to translations that are alive (the caller's contract).
    unsafe { f(thread, ctx, budget, entry) }
}

// ---- helpers called from translated code ----------------------------------------------------------------------

/// # Safety
/// `ctx` must be a valid, unaliased [`JitCtx`] (translated code passes the pointer it was called with).
unsafe fn ctx_mut<'a>(ctx: *mut JitCtx) -> &'a mut JitCtx {
    // SAFETY: the caller's contract.
    unsafe { &mut *ctx }
}

/// Aligned load of the word at `addr`, then the lane of load kind `K` (the order of [`LOADS`]).
unsafe extern "sysv64" fn h_load<const K: u8>(ctx: *mut JitCtx, addr: u64) -> u64 {
    // SAFETY: called by translated code with its `ctx` argument, valid for the block's run.
    let ctx = unsafe { ctx_mut(ctx) };
    // SAFETY: `ctx.memory` points at the VM's memory, not otherwise borrowed during the block.
    let mem = unsafe { &mut *ctx.memory };
    let m = mem.read_word(addr & ADDRESS_MASK);
    mem.fill_host_tlb(addr);
    match K {
        0 => m,
        1 => alu::select_sub_word(addr, m, 4, true),
        2 => alu::select_sub_word(addr, m, 4, false),
        3 => alu::select_sub_word(addr, m, 1, true),
        4 => alu::select_sub_word(addr, m, 1, false),
        5 => alu::select_sub_word(addr, m, 2, true),
        _ => alu::select_sub_word(addr, m, 2, false),
    }
}

/// After a store to the aligned word `ea`: the reservation rule, and whether a code page was written.
fn after_store(ctx: &mut JitCtx, ea: u64) -> u64 {
    // SAFETY (all derefs below): the pointers of a `JitCtx` are valid and unaliased during the block.
    let (ll_address, ll_status, ll_owner, stats) =
        unsafe { (&mut *ctx.ll_address, &mut *ctx.ll_status, &mut *ctx.ll_owner, &mut *ctx.stats) };
    crate::vm::clear_reservation_on_store(ea, ll_address, ll_status, ll_owner, stats);
    // SAFETY: as above.
    if unsafe { &*ctx.memory }.code_written() {
        ST_CODE
    } else {
        ST_OK
    }
}

/// Store of kind `K` (0 sd, 1 sw, 2 sh, 3 sb) of `value` at `addr`; returns a helper status.
unsafe extern "sysv64" fn h_store<const K: u8>(ctx: *mut JitCtx, addr: u64, value: u64) -> u64 {
    // SAFETY: called by translated code with its `ctx` argument, valid for the block's run.
    let ctx = unsafe { ctx_mut(ctx) };
    // SAFETY: `ctx.memory` points at the VM's memory, not otherwise borrowed during the block.
    let mem = unsafe { &mut *ctx.memory };
    let ea = addr & ADDRESS_MASK;
    let new = match K {
        0 => value,
        1 => alu::update_sub_word(addr, mem.read_word(ea), 4, value),
        2 => alu::update_sub_word(addr, mem.read_word(ea), 2, value),
        _ => alu::update_sub_word(addr, mem.read_word(ea), 1, value),
    };
    mem.write_word(ea, new);
    mem.fill_host_tlb(ea);
    after_store(ctx, ea)
}

/// Any other straight-line instruction, through the interpreter; returns a helper status.
unsafe extern "sysv64" fn h_exec(ctx: *mut JitCtx, thread: *mut ThreadState, insn: u32) -> u64 {
    // SAFETY: called by translated code with its arguments, valid for the block's run.
    let (ctx, t) = unsafe { (ctx_mut(ctx), &mut *thread) };
    // SAFETY: `ctx.memory` points at the VM's memory, not otherwise borrowed during the block.
    let mem = unsafe { &mut *ctx.memory };
    match interp::exec_straight(t, mem, Decoded::new(insn)) {
        Ok(None) => ST_OK,
        Ok(Some(ea)) => after_store(ctx, ea),
        Err(_) => ST_FAULT,
    }
}

/// Load ops in the order of `h_load`'s kinds.
const LOADS: [Op; 7] = [Op::Ld, Op::Lw, Op::Lwu, Op::Lb, Op::Lbu, Op::Lh, Op::Lhu];

fn load_helper(op: Op) -> Option<usize> {
    let helpers: [unsafe extern "sysv64" fn(*mut JitCtx, u64) -> u64; 7] =
        [h_load::<0>, h_load::<1>, h_load::<2>, h_load::<3>, h_load::<4>, h_load::<5>, h_load::<6>];
    LOADS.iter().position(|&o| o == op).map(|i| helpers[i] as *const () as usize)
}

fn store_helper(op: Op) -> Option<usize> {
    let f: unsafe extern "sysv64" fn(*mut JitCtx, u64, u64) -> u64 = match op {
        Op::Sd => h_store::<0>,
        Op::Sw => h_store::<1>,
        Op::Sh => h_store::<2>,
        Op::Sb => h_store::<3>,
        _ => return None,
    };
    Some(f as *const () as usize)
}

// ---- code generation ---------------------------------------------------------------------------------------------

type Asm = VecAssembler<dynasmrt::x64::X64Relocation>;

/// Where an instruction that may stop the block leaves to.
struct Exits {
    /// Stubs to emit after the body for helper calls: (label, instruction index in the block); the helper's
    /// status in rax says whether to stop after the instruction (code written) or before it (a fault).
    stubs: Vec<(dynasmrt::DynamicLabel, usize)>,
    /// Stubs for inline checks that fault: (label, instruction index); they stop before the instruction.
    faults: Vec<(dynasmrt::DynamicLabel, usize)>,
}

/// Emits one block. Entry: leave (nothing done) unless the whole block fits in the steps left (r15). Exit:
/// pc and next_pc set, r15 lowered by the steps done, then on to the next block through the jump cache, or out
/// through the exit trampoline at `exit` (flags in rdx) when it has no translation or stopped early.
fn emit_block(insns: &[Decoded], ends_in_control: bool, pc: u64, exit: usize) -> Vec<u8> {
    // Room for the longest templates (an inline store with its helper call is about 110 bytes).
    let n = insns.len();
    let mut a = Asm::new_with_capacity(0, 128 * n + 128, 0, 0, 4 * n + 4, 0, 4 * n + 4);
    let len = insns.len();
    let straight = if ends_in_control { len - 2 } else { len };
    let short = a.new_dynamic_label();
    // pc and next_pc are only written when leaving translated code: a block entered from another one (through
    // the jump cache) finds them stale, so every way out of a block writes them.
    dynasm!(a
        ; .arch x64
        ; cmp r15, len as i32
        ; jb =>short
    );
    let mut exits = Exits { stubs: Vec::new(), faults: Vec::new() };
    for (k, d) in insns[..straight].iter().enumerate() {
        emit_straight(&mut a, d, k, &mut exits);
    }
    let miss = a.new_dynamic_label();
    let target = if ends_in_control {
        let bpc = pc.wrapping_add(4 * straight as u64);
        let target = emit_control(&mut a, &insns[straight], bpc);
        emit_straight(&mut a, &insns[straight + 1], straight + 1, &mut exits);
        target
    } else {
        Target::Static(pc.wrapping_add(4 * len as u64))
    };
    // On to the target (taken or not, pc = target, next_pc = target + 4) through the jump cache.
    emit_icache_misses(&mut a, pc, len);
    dynasm!(a ; .arch x64 ; sub r15, len as i32);
    match target {
        Target::Static(to) => emit_chain_static(&mut a, to, miss),
        Target::Cond { taken, fallthrough } => {
            let t = a.new_dynamic_label();
            dynasm!(a ; .arch x64 ; test r12d, r12d ; jnz =>t);
            emit_chain_static(&mut a, fallthrough, miss);
            dynasm!(a ; .arch x64 ; =>t);
            emit_chain_static(&mut a, taken, miss);
        }
        Target::Dynamic => dynasm!(a
            ; .arch x64
            ; mov rax, r12
            ; mov rcx, rax
            ; shr rcx, 2
            ; and ecx, (JUMP_CACHE_SIZE - 1) as i32
            ; shl ecx, 4
            ; cmp [rbp + rcx], rax
            ; jne =>miss
            ; jmp QWORD [rbp + rcx + 8]
        ),
    }
    // The target has no translation: leave with pc = rax.
    dynasm!(a
        ; .arch x64
        ; =>miss
        ; mov [rbx + PC], rax
        ; lea rcx, [rax + 4]
        ; mov [rbx + NEXT_PC], rcx
        ; xor edx, edx
    );
    emit_exit(&mut a, exit);
    // Not enough steps left for the whole block: leave before it.
    dynasm!(a ; .arch x64 ; =>short);
    emit_set_pc(&mut a, pc);
    dynasm!(a ; .arch x64 ; xor edx, edx);
    emit_exit(&mut a, exit);
    // Exit stubs: `rax` holds the helper status (ST_CODE: stop after the instruction, ST_FAULT: before it).
    for (label, k) in std::mem::take(&mut exits.stubs) {
        let in_delay_slot = ends_in_control && k == straight + 1;
        dynasm!(a ; .arch x64 ; =>label ; cmp eax, ST_FAULT as i32);
        let fault = a.new_dynamic_label();
        dynasm!(a ; .arch x64 ; je =>fault);
        // Code written, stop after instruction k.
        if in_delay_slot {
            emit_target_to_rax(&mut a, target);
            dynasm!(a
                ; .arch x64
                ; mov [rbx + PC], rax
                ; lea rax, [rax + 4]
                ; mov [rbx + NEXT_PC], rax
            );
        } else {
            emit_set_pc(&mut a, pc.wrapping_add(4 * (k as u64 + 1)));
        }
        emit_icache_misses(&mut a, pc, k + 1);
        dynasm!(a
            ; .arch x64
            ; sub r15, (k + 1) as i32
            ; mov rdx, QWORD EXIT_CODE_WRITTEN as i64
        );
        emit_exit(&mut a, exit);
        dynasm!(a ; .arch x64 ; =>fault);
        emit_fault_exit(&mut a, pc, k, in_delay_slot.then_some(target), exit);
    }
    for (label, k) in std::mem::take(&mut exits.faults) {
        let in_delay_slot = ends_in_control && k == straight + 1;
        dynasm!(a ; .arch x64 ; =>label);
        emit_fault_exit(&mut a, pc, k, in_delay_slot.then_some(target), exit);
    }
    a.finalize().expect("no unresolved labels")
}

/// Leaves the block starting at `pc` before its instruction `k`, which faults (nothing of it happened).
/// `delay_slot_of`: the closing branch's target when instruction `k` is its delay slot.
fn emit_fault_exit(a: &mut Asm, pc: u64, k: usize, delay_slot_of: Option<Target>, exit: usize) {
    if let Some(target) = delay_slot_of {
        // The branch ran: pc is the delay slot, next_pc the target.
        let dpc = pc.wrapping_add(4 * k as u64);
        emit_target_to_rax(a, target);
        dynasm!(a
            ; .arch x64
            ; mov [rbx + NEXT_PC], rax
            ; mov rax, QWORD dpc as i64
            ; mov [rbx + PC], rax
        );
    } else {
        emit_set_pc(a, pc.wrapping_add(4 * k as u64));
    }
    emit_icache_misses(a, pc, k);
    dynasm!(a
        ; .arch x64
        ; sub r15, k as i32
        ; mov rdx, QWORD EXIT_FAULT as i64
    );
    emit_exit(a, exit);
}

/// `--debug-info`'s instruction cache misses for a block at `pc` that fetched its first `fetched` instructions:
/// counted (and the highest pc kept) when the block lies above Cannon's eager cache, as the interpreter does.
/// Keeps rax.
fn emit_icache_misses(a: &mut Asm, pc: u64, fetched: usize) {
    if pc < crate::vm::ICACHE_LIMIT || fetched == 0 {
        return;
    }
    let last = pc.wrapping_add(4 * (fetched as u64 - 1));
    let skip = a.new_dynamic_label();
    dynasm!(a
        ; .arch x64
        ; mov rdx, [r13 + CTX_STATS]
        ; add QWORD [rdx + STATS_MISSES], fetched as i32
        ; mov rcx, QWORD last as i64
        ; cmp [rdx + STATS_HIGHEST_MISS], rcx
        ; jae =>skip
        ; mov [rdx + STATS_HIGHEST_MISS], rcx
        ; =>skip
    );
}

/// Where a block's closing branch or jump goes.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// A known address (no control transfer, j, jal, a never-taken branch).
    Static(u64),
    /// A conditional branch: r12 is nonzero iff taken.
    Cond { taken: u64, fallthrough: u64 },
    /// jr / jalr: the address is in r12.
    Dynamic,
}

/// rax = the address `target` goes to (r12 read, nothing else changed but rcx).
fn emit_target_to_rax(a: &mut Asm, target: Target) {
    match target {
        Target::Static(to) => dynasm!(a ; .arch x64 ; mov rax, QWORD to as i64),
        Target::Cond { taken, fallthrough } => dynasm!(a
            ; .arch x64
            ; mov rax, QWORD fallthrough as i64
            ; mov rcx, QWORD taken as i64
            ; test r12d, r12d
            ; cmovnz rax, rcx
        ),
        Target::Dynamic => dynasm!(a ; .arch x64 ; mov rax, r12),
    }
}

/// Chains to the translation of `to` through its jump cache entry (known at translation time), else jumps to
/// `miss` with rax = `to`.
fn emit_chain_static(a: &mut Asm, to: u64, miss: dynasmrt::DynamicLabel) {
    let slot = (((to >> 2) as usize % JUMP_CACHE_SIZE) * std::mem::size_of::<JumpEntry>()) as i32;
    dynasm!(a
        ; .arch x64
        ; mov rax, QWORD to as i64
        ; cmp [rbp + slot], rax
        ; jne =>miss
        ; jmp QWORD [rbp + slot + 8]
    );
}

/// Leaves through the exit trampoline (flags already in rdx).
fn emit_exit(a: &mut Asm, exit: usize) {
    dynasm!(a
        ; .arch x64
        ; mov rax, QWORD exit as i64
        ; jmp rax
    );
}

/// pc = `to`, next_pc = `to` + 4.
fn emit_set_pc(a: &mut Asm, to: u64) {
    dynasm!(a
        ; .arch x64
        ; mov rax, QWORD to as i64
        ; mov [rbx + PC], rax
        ; add rax, 4
        ; mov [rbx + NEXT_PC], rax
    );
}

/// Calls the helper at `f` (arguments already in rdi, rsi, rdx); its status in rax.
fn emit_call(a: &mut Asm, f: usize) {
    dynasm!(a
        ; .arch x64
        ; mov rax, QWORD f as i64
        ; call rax
    );
}

/// After a helper that returns a status: leave through a stub unless it is ST_OK.
fn emit_status_check(a: &mut Asm, k: usize, exits: &mut Exits) {
    let label = a.new_dynamic_label();
    dynasm!(a ; .arch x64 ; test eax, eax ; jnz =>label);
    exits.stubs.push((label, k));
}

/// rsi = R[rs] + simm; rax = its page index; rcx = the offset of its entry in the host TLB table at `table`;
/// flags: equal iff that entry holds the page.
fn emit_tlb_probe(a: &mut Asm, rs: i32, simm: i32, table: i32) {
    dynasm!(a
        ; .arch x64
        ; mov rsi, [rbx + rs]
        ; add rsi, simm
        ; mov rax, rsi
        ; shr rax, 12
        ; mov ecx, eax
        ; and ecx, (HOST_TLB_SIZE - 1) as i32
        ; shl ecx, 4
        ; cmp [r14 + rcx + table], rax
    );
}

/// One straight-line instruction (index `k` in the block).
fn emit_straight(a: &mut Asm, d: &Decoded, k: usize, exits: &mut Exits) {
    let (rs, rt, rd) = (reg_off(d.rs()), reg_off(d.rt()), reg_off(d.rd()));
    let simm = d.simm() as i64 as i32; // a sign-extended 16-bit value: fits an imm32 exactly
    let uimm = (d.insn() & 0xFFFF) as i32;
    let sa = d.sa() as i8;
    macro_rules! rrr64 {
        ($($op:tt)*) => { dynasm!(a ; .arch x64 ; mov rax, [rbx + rs] ; $($op)* rax, [rbx + rt] ; mov [rbx + rd], rax) };
    }
    macro_rules! rrr32 {
        ($($op:tt)*) => {
            dynasm!(a ; .arch x64 ; mov eax, [rbx + rs] ; $($op)* eax, [rbx + rt] ; movsxd rax, eax ; mov [rbx + rd], rax)
        };
    }
    match d.op() {
        Op::Nop => {}
        Op::Addu => rrr32!(add),
        Op::Subu => rrr32!(sub),
        Op::Daddu => rrr64!(add),
        Op::Dsubu => rrr64!(sub),
        Op::And => rrr64!(and),
        Op::Or => rrr64!(or),
        Op::Xor => rrr64!(xor),
        Op::Nor => dynasm!(a
            ; .arch x64
            ; mov rax, [rbx + rs]
            ; or rax, [rbx + rt]
            ; not rax
            ; mov [rbx + rd], rax
        ),
        Op::Slt | Op::Sltu => {
            dynasm!(a ; .arch x64 ; xor ecx, ecx ; mov rax, [rbx + rs] ; cmp rax, [rbx + rt]);
            if d.op() == Op::Slt {
                dynasm!(a ; .arch x64 ; setl cl);
            } else {
                dynasm!(a ; .arch x64 ; setb cl);
            }
            dynasm!(a ; .arch x64 ; mov [rbx + rd], rcx);
        }
        Op::Sll => dynasm!(a ; .arch x64 ; mov eax, [rbx + rt] ; shl eax, sa ; movsxd rax, eax ; mov [rbx + rd], rax),
        Op::Srl => dynasm!(a ; .arch x64 ; mov eax, [rbx + rt] ; shr eax, sa ; movsxd rax, eax ; mov [rbx + rd], rax),
        // sign_extend((rt & 0xFFFF_FFFF) >> sa, 32 - sa) is the 32-bit arithmetic shift, sign-extended.
        Op::Sra => dynasm!(a ; .arch x64 ; mov eax, [rbx + rt] ; sar eax, sa ; movsxd rax, eax ; mov [rbx + rd], rax),
        Op::Dsll => dynasm!(a ; .arch x64 ; mov rax, [rbx + rt] ; shl rax, sa ; mov [rbx + rd], rax),
        Op::Dsrl => dynasm!(a ; .arch x64 ; mov rax, [rbx + rt] ; shr rax, sa ; mov [rbx + rd], rax),
        Op::Dsra => dynasm!(a ; .arch x64 ; mov rax, [rbx + rt] ; sar rax, sa ; mov [rbx + rd], rax),
        Op::Dsll32 => dynasm!(a ; .arch x64 ; mov rax, [rbx + rt] ; shl rax, sa + 32 ; mov [rbx + rd], rax),
        Op::Dsrl32 => dynasm!(a ; .arch x64 ; mov rax, [rbx + rt] ; shr rax, sa + 32 ; mov [rbx + rd], rax),
        Op::Dsra32 => dynasm!(a ; .arch x64 ; mov rax, [rbx + rt] ; sar rax, sa + 32 ; mov [rbx + rd], rax),
        // Variable shifts: x86 masks cl to 5 bits for 32-bit and 6 bits for 64-bit operands, as MIPS does.
        Op::Sllv => dynasm!(a
            ; .arch x64
            ; mov ecx, [rbx + rs]
            ; mov eax, [rbx + rt]
            ; shl eax, cl
            ; movsxd rax, eax
            ; mov [rbx + rd], rax
        ),
        Op::Srlv => dynasm!(a
            ; .arch x64
            ; mov ecx, [rbx + rs]
            ; mov eax, [rbx + rt]
            ; shr eax, cl
            ; movsxd rax, eax
            ; mov [rbx + rd], rax
        ),
        Op::Srav => dynasm!(a
            ; .arch x64
            ; mov ecx, [rbx + rs]
            ; mov eax, [rbx + rt]
            ; sar eax, cl
            ; movsxd rax, eax
            ; mov [rbx + rd], rax
        ),
        Op::Dsllv => {
            dynasm!(a ; .arch x64 ; mov rcx, [rbx + rs] ; mov rax, [rbx + rt] ; shl rax, cl ; mov [rbx + rd], rax)
        }
        Op::Dsrlv => {
            dynasm!(a ; .arch x64 ; mov rcx, [rbx + rs] ; mov rax, [rbx + rt] ; shr rax, cl ; mov [rbx + rd], rax)
        }
        Op::Dsrav => {
            dynasm!(a ; .arch x64 ; mov rcx, [rbx + rs] ; mov rax, [rbx + rt] ; sar rax, cl ; mov [rbx + rd], rax)
        }
        Op::Mfhi => dynasm!(a ; .arch x64 ; mov rax, [rbx + HI] ; mov [rbx + rd], rax),
        Op::Mflo => dynasm!(a ; .arch x64 ; mov rax, [rbx + LO] ; mov [rbx + rd], rax),
        Op::Multu => {
            // Both operands zero-extended from 32 bits: the 64-bit product is exact; HI and LO sign-extended.
            dynasm!(a
                ; .arch x64
                ; mov eax, [rbx + rs]
                ; mov ecx, [rbx + rt]
                ; imul rax, rcx
                ; movsxd rcx, eax
                ; mov [rbx + LO], rcx
                ; shr rax, 32
                ; movsxd rax, eax
                ; mov [rbx + HI], rax
            );
            if d.rd() != 0 {
                dynasm!(a ; .arch x64 ; mov QWORD [rbx + rd], 0);
            }
        }
        Op::Dmultu => {
            dynasm!(a
                ; .arch x64
                ; mov rax, [rbx + rs]
                ; mul QWORD [rbx + rt]
                ; mov [rbx + LO], rax
                ; mov [rbx + HI], rdx
            );
            if d.rd() != 0 {
                dynasm!(a ; .arch x64 ; mov QWORD [rbx + rd], 0);
            }
        }
        Op::Addiu => dynasm!(a
            ; .arch x64
            ; mov eax, [rbx + rs]
            ; add eax, simm
            ; movsxd rax, eax
            ; mov [rbx + rt], rax
        ),
        Op::Daddiu => dynasm!(a ; .arch x64 ; mov rax, [rbx + rs] ; add rax, simm ; mov [rbx + rt], rax),
        Op::Andi => dynasm!(a ; .arch x64 ; mov rax, [rbx + rs] ; and rax, uimm ; mov [rbx + rt], rax),
        Op::Ori => dynasm!(a ; .arch x64 ; mov rax, [rbx + rs] ; or rax, uimm ; mov [rbx + rt], rax),
        Op::AluIz => {
            // xori: the decoder does not exclude rt = 0 for this class.
            if d.rt() != 0 {
                dynasm!(a ; .arch x64 ; mov rax, [rbx + rs] ; xor rax, uimm ; mov [rbx + rt], rax);
            }
        }
        Op::Lui => {
            let v = ((d.simm() << 16) as u32 as i32) as i64;
            dynasm!(a ; .arch x64 ; mov rax, QWORD v ; mov [rbx + rt], rax);
        }
        Op::Slti | Op::Sltiu => {
            dynasm!(a ; .arch x64 ; xor ecx, ecx ; mov rax, [rbx + rs] ; cmp rax, simm);
            if d.op() == Op::Slti {
                dynasm!(a ; .arch x64 ; setl cl);
            } else {
                dynasm!(a ; .arch x64 ; setb cl);
            }
            dynasm!(a ; .arch x64 ; mov [rbx + rt], rcx);
        }
        Op::Movz | Op::Movn => {
            dynasm!(a ; .arch x64 ; mov rcx, [rbx + rd] ; mov rax, [rbx + rs] ; cmp QWORD [rbx + rt], 0);
            if d.op() == Op::Movz {
                dynasm!(a ; .arch x64 ; cmove rcx, rax);
            } else {
                dynasm!(a ; .arch x64 ; cmovne rcx, rax);
            }
            dynasm!(a ; .arch x64 ; mov [rbx + rd], rcx);
        }
        op @ (Op::Ld | Op::Lw | Op::Lwu | Op::Lb | Op::Lbu | Op::Lh | Op::Lhu) => {
            // rsi = vaddr; the page through the read table (rcx = its entry's offset), else the helper.
            emit_tlb_probe(a, rs, simm, 0);
            let slow = a.new_dynamic_label();
            let done = a.new_dynamic_label();
            let lane_mask = match op {
                Op::Ld => 0xFF8,
                Op::Lw | Op::Lwu => 0xFFC,
                Op::Lh | Op::Lhu => 0xFFE,
                _ => 0xFFF,
            };
            dynasm!(a
                ; .arch x64
                ; jne =>slow
                ; mov rdx, [r14 + rcx + 8]
                ; mov eax, esi
                ; and eax, lane_mask
            );
            match op {
                Op::Ld => dynasm!(a ; .arch x64 ; mov rax, [rdx + rax] ; bswap rax),
                Op::Lw => dynasm!(a ; .arch x64 ; mov eax, [rdx + rax] ; bswap eax ; movsxd rax, eax),
                Op::Lwu => dynasm!(a ; .arch x64 ; mov eax, [rdx + rax] ; bswap eax),
                Op::Lh => dynasm!(a ; .arch x64 ; movzx eax, WORD [rdx + rax] ; rol ax, 8 ; movsx rax, ax),
                Op::Lhu => dynasm!(a ; .arch x64 ; movzx eax, WORD [rdx + rax] ; rol ax, 8 ; movzx eax, ax),
                Op::Lb => dynasm!(a ; .arch x64 ; movsx rax, BYTE [rdx + rax]),
                _ => dynasm!(a ; .arch x64 ; movzx eax, BYTE [rdx + rax]),
            }
            dynasm!(a ; .arch x64 ; jmp =>done ; =>slow ; mov rdi, r13);
            emit_call(a, load_helper(op).expect("a load"));
            dynasm!(a ; .arch x64 ; =>done ; mov [rbx + rt], rax);
        }
        op @ (Op::Sd | Op::Sw | Op::Sh | Op::Sb) => {
            // rsi = vaddr, rdx = value; inline only on a page of the write table and off the reserved word.
            dynasm!(a ; .arch x64 ; mov rdx, [rbx + rt]);
            emit_tlb_probe(a, rs, simm, TLB_WRITE);
            let slow = a.new_dynamic_label();
            let done = a.new_dynamic_label();
            let lane_mask = match op {
                Op::Sd => 0xFF8,
                Op::Sw => 0xFFC,
                Op::Sh => 0xFFE,
                _ => 0xFFF,
            };
            dynasm!(a
                ; .arch x64
                ; jne =>slow
                ; mov r8, [r14 + rcx + TLB_WRITE + 8]
                ; mov rax, [r13 + CTX_LL_ADDRESS]
                ; mov rax, [rax]
                ; xor rax, rsi
                ; and rax, -8
                ; jz =>slow
                ; mov eax, esi
                ; and eax, lane_mask
            );
            match op {
                Op::Sd => dynasm!(a ; .arch x64 ; bswap rdx ; mov [r8 + rax], rdx),
                Op::Sw => dynasm!(a ; .arch x64 ; bswap edx ; mov [r8 + rax], edx),
                Op::Sh => dynasm!(a ; .arch x64 ; rol dx, 8 ; mov [r8 + rax], dx),
                _ => dynasm!(a ; .arch x64 ; mov [r8 + rax], dl),
            }
            dynasm!(a ; .arch x64 ; jmp =>done ; =>slow ; mov rdi, r13);
            emit_call(a, store_helper(op).expect("a store"));
            emit_status_check(a, k, exits);
            dynasm!(a ; .arch x64 ; =>done);
        }
        Op::HiLo if hi_lo_template(d.insn() & 0x3F) => emit_hi_lo(a, d, k, exits),
        // sync (the one valid SPECIAL funct left in AluR): rd = rs, as `alu::execute` (a no-op for rd = 0).
        Op::AluR if d.insn() >> 26 == 0 && d.insn() & 0x3F == 0x0F => {
            if d.rd() != 0 {
                dynasm!(a ; .arch x64 ; mov rax, [rbx + rs] ; mov [rbx + rd], rax);
            }
        }
        Op::AluR if d.insn() >> 26 == 0x1C && matches!(d.insn() & 0x3F, 0x02 | 0x20 | 0x21 | 0x24 | 0x25) => {
            if d.rd() != 0 {
                emit_special2(a, d);
            }
        }
        _ => {
            // AluR's invalid SPECIAL / SPECIAL2 functs, the HI/LO family's invalid funct, partial loads and stores.
            dynasm!(a ; .arch x64 ; mov rdi, r13 ; mov rsi, rbx ; mov edx, d.insn() as i32);
            emit_call(a, h_exec as *const () as usize);
            emit_status_check(a, k, exits);
        }
    }
}

/// SPECIAL2 mul / clz / clo / dclz / dclo into rd (not r0), as [`alu::execute`].
fn emit_special2(a: &mut Asm, d: &Decoded) {
    let (rs, rt, rd) = (reg_off(d.rs()), reg_off(d.rt()), reg_off(d.rd()));
    match d.insn() & 0x3F {
        // mul: the low 32 bits of the product, sign-extended.
        0x02 => dynasm!(a ; .arch x64 ; mov eax, [rbx + rs] ; imul eax, [rbx + rt] ; movsxd rax, eax),
        // clz / clo of the low word: 31 - (index of the highest set bit), 32 for no set bit (bsr sets ZF then).
        f @ (0x20 | 0x21) => {
            dynasm!(a ; .arch x64 ; mov eax, [rbx + rs]);
            if f == 0x21 {
                dynasm!(a ; .arch x64 ; not eax);
            }
            dynasm!(a ; .arch x64 ; mov ecx, -1 ; bsr eax, eax ; cmovz eax, ecx ; neg eax ; add eax, 31);
        }
        // dclz / dclo: the same over 64 bits.
        f => {
            dynasm!(a ; .arch x64 ; mov rax, [rbx + rs]);
            if f == 0x25 {
                dynasm!(a ; .arch x64 ; not rax);
            }
            dynasm!(a ; .arch x64 ; mov rcx, -1 ; bsr rax, rax ; cmovz rax, rcx ; neg rax ; add rax, 63);
        }
    }
    dynasm!(a ; .arch x64 ; mov [rbx + rd], rax);
}

/// Whether the HI/LO-family funct has a template in [`emit_hi_lo`] (the others go through `h_exec`).
fn hi_lo_template(funct: u32) -> bool {
    matches!(funct, 0x11 | 0x13 | 0x18 | 0x1A | 0x1B | 0x1C | 0x1E | 0x1F)
}

/// mthi / mtlo / mult / div / divu / dmult / ddiv / ddivu (as [`alu::hi_lo`]); a division by zero leaves the
/// block before the instruction (the interpreter reports the fault). Like every HI/LO instruction, each writes 0
/// to rd when the encoding names one.
fn emit_hi_lo(a: &mut Asm, d: &Decoded, k: usize, exits: &mut Exits) {
    let (rs, rt, rd) = (reg_off(d.rs()), reg_off(d.rt()), reg_off(d.rd()));
    let funct = d.insn() & 0x3F;
    match funct {
        0x11 => dynasm!(a ; .arch x64 ; mov rax, [rbx + rs] ; mov [rbx + HI], rax),
        0x13 => dynasm!(a ; .arch x64 ; mov rax, [rbx + rs] ; mov [rbx + LO], rax),
        0x18 => {
            // The 64-bit product of the sign-extended words: HI its high word, LO its low word, sign-extended.
            dynasm!(a
                ; .arch x64
                ; movsxd rax, DWORD [rbx + rs]
                ; movsxd rcx, DWORD [rbx + rt]
                ; imul rax, rcx
                ; movsxd rcx, eax
                ; mov [rbx + LO], rcx
                ; sar rax, 32
                ; mov [rbx + HI], rax
            );
        }
        0x1C => dynasm!(a
            ; .arch x64
            ; mov rax, [rbx + rs]
            ; imul QWORD [rbx + rt]
            ; mov [rbx + LO], rax
            ; mov [rbx + HI], rdx
        ),
        0x1A | 0x1B => {
            emit_div(a, rs, rt, k, exits, false, funct == 0x1A);
            dynasm!(a
                ; .arch x64
                ; movsxd rax, eax
                ; mov [rbx + LO], rax
                ; movsxd rdx, edx
                ; mov [rbx + HI], rdx
            );
        }
        _ => {
            // 0x1E ddiv / 0x1F ddivu.
            emit_div(a, rs, rt, k, exits, true, funct == 0x1E);
            dynasm!(a ; .arch x64 ; mov [rbx + LO], rax ; mov [rbx + HI], rdx);
        }
    }
    if d.rd() != 0 {
        dynasm!(a ; .arch x64 ; mov QWORD [rbx + rd], 0);
    }
}

/// The division of `rs` by `rt`: 32-bit (div/divu, ecx/eax/edx) or `wide` 64-bit (ddiv/ddivu, rcx/rax/rdx),
/// `signed` or not. A zero divisor leaves through the fault exit of instruction `k`; the signed MIN / -1 traps on
/// x86, so a divisor of -1 is taken apart (MIPS wraps: quotient MIN, remainder 0). Leaves the quotient in
/// eax/rax and the remainder in edx/rdx.
fn emit_div(a: &mut Asm, rs: i32, rt: i32, k: usize, exits: &mut Exits, wide: bool, signed: bool) {
    let fault = a.new_dynamic_label();
    exits.faults.push((fault, k));
    if wide {
        dynasm!(a ; .arch x64 ; mov rcx, [rbx + rt] ; test rcx, rcx ; jz =>fault ; mov rax, [rbx + rs]);
    } else {
        dynasm!(a ; .arch x64 ; mov ecx, [rbx + rt] ; test ecx, ecx ; jz =>fault ; mov eax, [rbx + rs]);
    }
    match (signed, wide) {
        (false, false) => dynasm!(a ; .arch x64 ; xor edx, edx ; div ecx),
        (false, true) => dynasm!(a ; .arch x64 ; xor edx, edx ; div rcx),
        (true, _) => {
            let general = a.new_dynamic_label();
            let done = a.new_dynamic_label();
            if wide {
                dynasm!(a ; .arch x64 ; cmp rcx, -1 ; jne =>general ; neg rax);
            } else {
                dynasm!(a ; .arch x64 ; cmp ecx, -1 ; jne =>general ; neg eax);
            }
            dynasm!(a ; .arch x64 ; xor edx, edx ; jmp =>done ; =>general);
            if wide {
                dynasm!(a ; .arch x64 ; cqo ; idiv rcx);
            } else {
                dynasm!(a ; .arch x64 ; cdq ; idiv ecx);
            }
            dynasm!(a ; .arch x64 ; =>done);
        }
    }
}

/// The block's closing branch or jump at `bpc`: writes links and leaves the target in r12.
fn emit_control(a: &mut Asm, d: &Decoded, bpc: u64) -> Target {
    let (rs, rt) = (reg_off(d.rs()), reg_off(d.rt()));
    let fallthrough = bpc.wrapping_add(8);
    let taken = bpc.wrapping_add(4).wrapping_add(d.simm() << 2);
    let link = bpc.wrapping_add(8) as i64;
    let cond = Target::Cond { taken, fallthrough };
    match d.op() {
        Op::Beq | Op::Bne => {
            // r12 = 1 iff taken.
            dynasm!(a ; .arch x64 ; xor r12d, r12d ; mov rax, [rbx + rs] ; cmp rax, [rbx + rt]);
            if d.op() == Op::Beq {
                dynasm!(a ; .arch x64 ; sete r12b);
            } else {
                dynasm!(a ; .arch x64 ; setne r12b);
            }
            cond
        }
        Op::Branch => {
            // blez / bgtz / REGIMM; the operand is read before any link is written (rs may be r31).
            let opcode = d.insn() >> 26;
            let regimm = (d.insn() >> 16) & 31;
            dynasm!(a ; .arch x64 ; mov rax, [rbx + rs]);
            if opcode == 1 && (regimm == 0x10 || regimm == 0x11) {
                dynasm!(a ; .arch x64 ; mov rcx, QWORD link ; mov [rbx + reg_off(31)], rcx);
            }
            dynasm!(a ; .arch x64 ; xor r12d, r12d ; cmp rax, 0);
            match (opcode, regimm) {
                (6, _) => dynasm!(a ; .arch x64 ; setle r12b),
                (7, _) => dynasm!(a ; .arch x64 ; setg r12b),
                (1, 0x00 | 0x10) => dynasm!(a ; .arch x64 ; setl r12b),
                (1, 0x01 | 0x11) => dynasm!(a ; .arch x64 ; setge r12b),
                // Any other REGIMM rt: a never-taken branch (Cannon's decoding).
                _ => return Target::Static(fallthrough),
            }
            cond
        }
        Op::J | Op::Jal => {
            let next = bpc.wrapping_add(4);
            let target = (next & 0xFFFF_FFFF_F000_0000) | (u64::from(d.insn() & 0x03FF_FFFF) << 2);
            if d.op() == Op::Jal {
                dynasm!(a ; .arch x64 ; mov rax, QWORD link ; mov [rbx + reg_off(31)], rax);
            }
            Target::Static(target)
        }
        Op::Jr | Op::Jalr => {
            dynasm!(a ; .arch x64 ; mov r12, [rbx + rs]);
            if d.op() == Op::Jalr && d.rd() != 0 {
                dynasm!(a ; .arch x64 ; mov rax, QWORD link ; mov [rbx + reg_off(d.rd())], rax);
            }
            Target::Dynamic
        }
        other => unreachable!("not a control transfer: {other:?}"),
    }
}
