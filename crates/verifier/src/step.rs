//! `MIPS64.step`: one instruction (or one scheduling step) from a state witness and its proofs.
//!
//! The checks run in the contract's order (spec §3.5); every memory access is verified against the memory root
//! from the proofs and every write recomputes the root through the same siblings.

use crate::error::StepError;
use crate::memory::{read_checked, MemoryProof, MEMORY_PROOF_SIZE};
use crate::witness::{push_thread, state_hash, PackedState, Thread, EMPTY_THREAD_ROOT, STATE_SIZE, THREAD_SIZE};
use rampart_primitives::{keccak256 as keccak, sha256};

/// Steps a thread may run before it is preempted.
pub const SCHED_QUANTUM: u64 = 100_000;
/// Offset of the first memory proof in the proof bytes (thread witness 298 + inner root 32).
pub const MEM_PROOF_OFFSET: usize = THREAD_SIZE + 32;
/// Size of the proof the Go VM emits (thread witness, inner root, three memory proofs).
pub const PROOF_SIZE: usize = MEM_PROOF_OFFSET + 3 * MEMORY_PROOF_SIZE;

const HEAP_END: u64 = 0x0000_6000_0000_0000;
const BRK_START: u64 = 0x0000_4000_0000_0000;
const VALID_CLONE_FLAGS: u64 = 0x50F00;
const EBADF: u64 = 0x9;
const EAGAIN: u64 = 0xb;
const EINVAL: u64 = 0x16;
const SYS_ERROR: u64 = u64::MAX;
const FD_EVENT: u64 = 100;

/// The preimage part a step may read through fd 5, as the witness carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreimageInput {
    /// The raw key (as in the state; type-1 keys are not localized here).
    pub key: [u8; 32],
    /// The preimage with its 8-byte big-endian length prefix.
    pub value: Vec<u8>,
    /// Offset of the read into (prefix ‖ preimage); must equal the state's offset.
    pub offset: u64,
}

/// `PreimageOracle.readPreimage(key, offset)` as `MIPS64.sol` calls it while stepping: the 32-byte part stored at
/// `offset` of `u64 BE length ‖ preimage` (zero padded) and `datLen`, the number of its bytes that are inside
/// (`min(32, length + 8 − offset)`); `None` when the oracle holds no such part (the contract reverts
/// "pre-image must exist"). Keys arrive as `MIPS64.sol` asks for them: type-1 keys already localized.
pub trait PreimageOracle {
    /// The part and its length at `offset` of the preimage of `key`, if loaded.
    fn read_preimage(&self, key: [u8; 32], offset: u64) -> Option<([u8; 32], u64)>;
}

/// Where a step's preimage part comes from.
#[derive(Clone, Copy)]
enum PreimageSource<'a> {
    /// The whole preimage, carried by the witness and checked against its key here.
    Witness(Option<&'a PreimageInput>),
    /// The on-chain oracle, asked for the localized key (the contract's interface).
    Oracle { oracle: &'a dyn PreimageOracle, caller: [u8; 20], local_context: [u8; 32] },
}

/// The result of a verified step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepOutcome {
    /// The 188-byte post-state witness (what the contract logs).
    pub post_state: [u8; STATE_SIZE],
    /// The post-state hash with the status byte (what `step` returns).
    pub post_hash: [u8; 32],
}

/// Executes one step from `state_data` (188 bytes) and `proof` (thread witness, inner root, memory proofs), with
/// the preimage part the step may read. `local_context` is the game's local context; it only matters for the
/// localization of type-1 keys, which the caller applies when it fetches `preimage` (see
/// [`crate::localize_key`]). Never panics.
pub fn step(
    state_data: &[u8],
    proof: &[u8],
    preimage: Option<&PreimageInput>,
    local_context: [u8; 32],
) -> Result<StepOutcome, StepError> {
    let _ = local_context;
    let state = PackedState::decode(state_data)?;
    let mut s = Stepper { s: state, proof, inner_root: [0; 32], preimage: PreimageSource::Witness(preimage) };
    s.run()?;
    s.output()
}

/// `MIPS64.step(stateData, proof, localContext)` exactly as the contract is called by a dispute game at
/// `caller`: a step that reads fd 5 asks `oracle` for the part at the state's offset of the state's key, with
/// type-1 keys localized to `caller` and `local_context` first (`PreimageKeyLib.localize`, see
/// [`crate::localize_key`]), and copies at most `datLen` bytes of it; the preimage itself is never seen, so its
/// hash is whatever the oracle checked when the part was loaded. Never panics.
pub fn step_with_oracle(
    state_data: &[u8],
    proof: &[u8],
    local_context: [u8; 32],
    caller: [u8; 20],
    oracle: &dyn PreimageOracle,
) -> Result<StepOutcome, StepError> {
    let state = PackedState::decode(state_data)?;
    let source = PreimageSource::Oracle { oracle, caller, local_context };
    let mut s = Stepper { s: state, proof, inner_root: [0; 32], preimage: source };
    s.run()?;
    s.output()
}

fn se32(x: u64) -> u64 {
    x as u32 as i32 as i64 as u64
}

fn sign_extend(v: u64, bits: u32) -> u64 {
    let shift = 64 - bits;
    (((v << shift) as i64) >> shift) as u64
}

/// `(mem >> bitOffset) & mask(L)` for the L-byte lane of `vaddr`.
fn lane(mem: u64, vaddr: u64, size: u64) -> u64 {
    let byte_index = vaddr & 7 & !(size - 1);
    let bit_offset = (8 - size - byte_index) * 8;
    let mask = if size == 8 { u64::MAX } else { (1u64 << (size * 8)) - 1 };
    (mem >> bit_offset) & mask
}

/// Replaces the L-byte lane of `vaddr` in `mem` with the low bytes of `value`.
fn set_lane(mem: u64, vaddr: u64, size: u64, value: u64) -> u64 {
    let byte_index = vaddr & 7 & !(size - 1);
    let bit_offset = (8 - size - byte_index) * 8;
    let mask = if size == 8 { u64::MAX } else { (1u64 << (size * 8)) - 1 };
    (mem & !(mask << bit_offset)) | ((value & mask) << bit_offset)
}

fn shl(v: u64, n: u64) -> u64 {
    u32::try_from(n).ok().and_then(|n| v.checked_shl(n)).unwrap_or(0)
}

fn shr(v: u64, n: u64) -> u64 {
    u32::try_from(n).ok().and_then(|n| v.checked_shr(n)).unwrap_or(0)
}

/// splitmix64, the VM's getrandom source.
pub fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

struct Stepper<'a> {
    s: PackedState,
    proof: &'a [u8],
    inner_root: [u8; 32],
    preimage: PreimageSource<'a>,
}

impl<'a> Stepper<'a> {
    fn output(&self) -> Result<StepOutcome, StepError> {
        if self.s.active_root() == EMPTY_THREAD_ROOT {
            return Err(StepError::PostStateStackEmpty);
        }
        let post_state = self.s.encode();
        Ok(StepOutcome { post_hash: state_hash(&post_state), post_state })
    }

    fn mem_proof(&self, index: usize, what: &'static str) -> Result<MemoryProof<'a>, StepError> {
        let start = MEM_PROOF_OFFSET + index * MEMORY_PROOF_SIZE;
        let end = start + MEMORY_PROOF_SIZE;
        let bytes = self.proof.get(start..end).ok_or(StepError::InsufficientProof {
            what,
            needed: end,
            have: self.proof.len(),
        })?;
        MemoryProof::new(bytes).ok_or(StepError::InsufficientProof { what, needed: end, have: self.proof.len() })
    }

    /// Reads the word at `addr & !7` through memory proof #1.
    fn read_data(&self, addr: u64) -> Result<(MemoryProof<'a>, u64), StepError> {
        let p = self.mem_proof(1, "memory proof")?;
        let v = read_checked(p, addr, &self.s.mem_root, false)?;
        Ok((p, v))
    }

    /// Writes `value` at `addr & !7` through `proof` (already verified) and clears a matching reservation.
    fn write_data(&mut self, proof: MemoryProof<'_>, addr: u64, value: u64) {
        let aligned = addr & !7;
        self.s.mem_root = proof.root_after_write(aligned, value);
        self.s.note_write(aligned);
    }

    fn update_current(&mut self, thread: &Thread) {
        let root = push_thread(&self.inner_root, thread);
        self.s.set_active_root(root);
    }

    fn preempt(&mut self, thread: &Thread) {
        let other = push_thread(&self.s.inactive_root(), thread);
        self.s.set_active_root(self.inner_root);
        self.s.set_inactive_root(other);
        if self.s.active_root() == EMPTY_THREAD_ROOT {
            self.s.flip();
        }
        self.s.steps_since_context_switch = 0;
    }

    fn run(&mut self) -> Result<(), StepError> {
        if self.s.exited {
            return Ok(());
        }
        if self.s.active_root() == EMPTY_THREAD_ROOT {
            return Err(StepError::ActiveStackEmpty);
        }
        self.s.step = self.s.step.wrapping_add(1);

        let witness = self.proof.get(..MEM_PROOF_OFFSET).ok_or(StepError::InsufficientProof {
            what: "thread witness",
            needed: MEM_PROOF_OFFSET,
            have: self.proof.len(),
        })?;
        let mut enc = [0u8; THREAD_SIZE];
        enc.copy_from_slice(&witness[..THREAD_SIZE]);
        self.inner_root.copy_from_slice(&witness[THREAD_SIZE..]);
        let mut thread = Thread::decode(&enc);
        if push_thread(&self.inner_root, &thread) != self.s.active_root() {
            return Err(StepError::InvalidThreadWitness);
        }

        if thread.exited != 0 {
            // Pop the exited thread.
            self.s.set_active_root(self.inner_root);
            if self.inner_root == EMPTY_THREAD_ROOT {
                self.s.flip();
            }
            self.s.steps_since_context_switch = 0;
            return Ok(());
        }
        if self.s.steps_since_context_switch >= SCHED_QUANTUM {
            self.preempt(&thread);
            return Ok(());
        }
        self.s.steps_since_context_switch += 1;

        if thread.pc & 3 != 0 {
            return Err(StepError::InvalidPc(thread.pc));
        }
        let p0 = self.mem_proof(0, "instruction proof")?;
        let word = read_checked(p0, thread.pc, &self.s.mem_root, false)?;
        let insn = if thread.pc & 4 == 0 { (word >> 32) as u32 } else { word as u32 };
        let opcode = insn >> 26;
        let funct = insn & 0x3f;

        if opcode == 0 && funct == 0x0c {
            return self.syscall(thread);
        }
        if matches!(opcode, 0x30 | 0x34 | 0x38 | 0x3c) {
            return self.load_linked_store_conditional(thread, insn, opcode);
        }
        self.core(&mut thread, insn, opcode, funct)
    }

    fn core(&mut self, t: &mut Thread, insn: u32, opcode: u32, funct: u32) -> Result<(), StepError> {
        let rs = ((insn >> 21) & 31) as usize;
        let rt = ((insn >> 16) & 31) as usize;
        let rd = ((insn >> 11) & 31) as usize;
        let imm = (insn & 0xffff) as u64;
        let simm = imm as u16 as i16 as i64 as u64;

        if opcode == 2 || opcode == 3 {
            if t.next_pc != t.pc.wrapping_add(4) {
                return Err(StepError::JumpInDelaySlot);
            }
            let target = (t.next_pc & 0xFFFF_FFFF_F000_0000) | (((insn & 0x03FF_FFFF) as u64) << 2);
            let prev = t.pc;
            t.pc = t.next_pc;
            t.next_pc = target;
            if opcode == 3 {
                t.regs[31] = prev.wrapping_add(8);
            }
            self.update_current(t);
            return Ok(());
        }

        let mut rsv = t.regs[rs];
        let (rtv, mut dest) = if matches!(opcode, 0x27 | 0x1a | 0x1b) {
            (t.regs[rt], rt)
        } else if opcode == 0 || opcode == 0x1c {
            (t.regs[rt], rd)
        } else if opcode < 0x20 {
            (if matches!(opcode, 0x0c..=0x0e) { imm } else { simm }, rt)
        } else if opcode >= 0x28 || opcode == 0x22 || opcode == 0x26 {
            (t.regs[rt], rt)
        } else {
            (0, rt)
        };

        if (4..8).contains(&opcode) || opcode == 1 {
            if t.next_pc != t.pc.wrapping_add(4) {
                return Err(StepError::BranchInDelaySlot);
            }
            let taken = match opcode {
                4 => rsv == t.regs[rt],
                5 => rsv != t.regs[rt],
                6 => (rsv as i64) <= 0,
                7 => (rsv as i64) > 0,
                _ => match rt {
                    0x00 => (rsv as i64) < 0,
                    0x01 => (rsv as i64) >= 0,
                    0x10 => {
                        t.regs[31] = t.pc.wrapping_add(8);
                        (rsv as i64) < 0
                    }
                    0x11 => {
                        t.regs[31] = t.pc.wrapping_add(8);
                        (rsv as i64) >= 0
                    }
                    _ => false,
                },
            };
            let prev = t.pc;
            t.pc = t.next_pc;
            t.next_pc = if taken { prev.wrapping_add(4).wrapping_add(simm << 2) } else { t.next_pc.wrapping_add(4) };
            self.update_current(t);
            return Ok(());
        }

        let mut mem = 0u64;
        let mut store: Option<(MemoryProof<'a>, u64)> = None;
        if opcode >= 0x20 || opcode == 0x1a || opcode == 0x1b {
            rsv = rsv.wrapping_add(simm);
            let (p, m) = self.read_data(rsv)?;
            mem = m;
            if opcode >= 0x28 && opcode != 0x37 {
                store = Some((p, rsv & !7));
                dest = 0;
            }
        }

        let val = execute(insn, opcode, funct, rsv, rtv, mem)?;

        if opcode == 0 && (0x08..0x20).contains(&funct) {
            match funct {
                0x08 | 0x09 => {
                    if t.next_pc != t.pc.wrapping_add(4) {
                        return Err(StepError::JumpInDelaySlot);
                    }
                    let prev = t.pc;
                    t.pc = t.next_pc;
                    t.next_pc = rsv;
                    if funct == 0x09 && dest != 0 {
                        t.regs[dest] = prev.wrapping_add(8);
                    }
                    self.update_current(t);
                    return Ok(());
                }
                0x0a | 0x0b => {
                    let cond = if funct == 0x0a { rtv == 0 } else { rtv != 0 };
                    if cond && dest != 0 {
                        t.regs[dest] = rsv;
                    }
                    advance(t);
                    self.update_current(t);
                    return Ok(());
                }
                0x10..=0x1f => {
                    let v = hi_lo(t, funct, rsv, rtv)?;
                    if dest != 0 {
                        t.regs[dest] = v;
                    }
                    advance(t);
                    self.update_current(t);
                    return Ok(());
                }
                _ => {}
            }
        }

        if let Some((p, addr)) = store {
            self.s.mem_root = p.root_after_write(addr, val);
        }
        if dest != 0 {
            t.regs[dest] = val;
        }
        advance(t);
        self.update_current(t);
        if let Some((_, addr)) = store {
            self.s.note_write(addr);
        }
        Ok(())
    }

    fn load_linked_store_conditional(&mut self, mut t: Thread, insn: u32, opcode: u32) -> Result<(), StepError> {
        let rs = ((insn >> 21) & 31) as usize;
        let rt = ((insn >> 16) & 31) as usize;
        let simm = (insn & 0xffff) as u16 as i16 as i64 as u64;
        let addr = t.regs[rs].wrapping_add(simm);
        let mut ret = 0u64;
        match opcode {
            0x30 | 0x34 => {
                let (_, mem) = self.read_data(addr)?;
                if opcode == 0x30 {
                    ret = se32(lane(mem, addr, 4));
                    self.s.ll_reservation_status = 1;
                } else {
                    ret = mem;
                    self.s.ll_reservation_status = 2;
                }
                self.s.ll_address = addr;
                self.s.ll_owner_thread = t.id;
            }
            _ => {
                let target = if opcode == 0x38 { 1 } else { 2 };
                if self.s.ll_reservation_status == target && self.s.ll_owner_thread == t.id && self.s.ll_address == addr
                {
                    ret = 1;
                    let (p, mem) = self.read_data(addr)?;
                    let v = t.regs[rt];
                    let new = if opcode == 0x38 { set_lane(mem, addr, 4, v) } else { v };
                    self.s.mem_root = p.root_after_write(addr & !7, new);
                    self.s.clear_reservation();
                }
            }
        }
        if rt != 0 {
            t.regs[rt] = ret;
        }
        advance(&mut t);
        self.update_current(&t);
        Ok(())
    }

    /// The (at most 32-byte) part of (prefix ‖ preimage) at the state's offset, after checking the supplied
    /// preimage belongs to the state's key and offset and hashes to its key.
    fn preimage_part(&self) -> Result<([u8; 32], u64), StepError> {
        let key = self.s.preimage_key;
        let p = match self.preimage {
            PreimageSource::Witness(p) => p.ok_or(StepError::PreimageMissing(key))?,
            PreimageSource::Oracle { oracle, caller, local_context } => {
                let asked = crate::localize_key(key, caller, local_context);
                let (part, dat_len) =
                    oracle.read_preimage(asked, self.s.preimage_offset).ok_or(StepError::PreimageMissing(key))?;
                return Ok((part, dat_len.min(32)));
            }
        };
        if p.key != key {
            return Err(StepError::PreimageKeyMismatch { given: p.key, expected: key });
        }
        if p.offset != self.s.preimage_offset {
            return Err(StepError::PreimageOffsetMismatch { given: p.offset, expected: self.s.preimage_offset });
        }
        let prefix: [u8; 8] =
            p.value.get(..8).and_then(|b| b.try_into().ok()).ok_or(StepError::PreimageLengthPrefix)?;
        let len = u64::from_be_bytes(prefix);
        let data = &p.value[8..];
        if len != data.len() as u64 {
            return Err(StepError::PreimageLengthPrefix);
        }
        let digest = match key[0] {
            2 => Some(keccak(data)),
            4 => Some(sha256(data)),
            _ => None,
        };
        if let Some(mut d) = digest {
            d[0] = key[0];
            if d != key {
                return Err(StepError::PreimageHashMismatch(key));
            }
        }
        let offset = p.offset;
        if u128::from(offset) >= u128::from(len) + 8 {
            return Err(StepError::PreimageOutOfBounds { offset, len });
        }
        let dat_len = (len + 8 - offset).min(32);
        let mut part = [0u8; 32];
        part[..dat_len as usize].copy_from_slice(&p.value[offset as usize..(offset + dat_len) as usize]);
        Ok((part, dat_len))
    }

    fn syscall(&mut self, mut t: Thread) -> Result<(), StepError> {
        let num = t.regs[2];
        let (a0, a1, a2) = (t.regs[4], t.regs[5], t.regs[6]);
        let (mut v0, mut v1) = (0u64, 0u64);
        match num {
            5009 => {
                // mmap
                let mut sz = a1;
                if sz & 0xfff != 0 {
                    sz = sz.wrapping_add(0x1000 - (sz & 0xfff));
                }
                if a0 == 0 {
                    let heap = self.s.heap;
                    let new_heap = heap.wrapping_add(sz);
                    if new_heap > HEAP_END || new_heap < heap || sz < a1 {
                        v0 = EINVAL;
                        v1 = SYS_ERROR;
                    } else {
                        v0 = heap;
                        self.s.heap = new_heap;
                    }
                } else {
                    v0 = a0;
                }
            }
            5012 => v0 = BRK_START,
            5055 => {
                // clone
                if a0 != VALID_CLONE_FLAGS {
                    self.s.exited = true;
                    self.s.exit_code = 2;
                    return Ok(());
                }
                let mut child = t.clone();
                child.id = self.s.next_thread_id;
                child.exit_code = 0;
                child.exited = 0;
                child.pc = t.next_pc;
                child.next_pc = t.next_pc.wrapping_add(4);
                child.regs[29] = a1;
                child.regs[2] = 0;
                child.regs[7] = 0;
                self.s.next_thread_id = self.s.next_thread_id.wrapping_add(1);
                t.regs[2] = child.id;
                t.regs[7] = 0;
                advance(&mut t);
                self.update_current(&t);
                let root = push_thread(&self.s.active_root(), &child);
                self.s.set_active_root(root);
                self.s.steps_since_context_switch = 0;
                return Ok(());
            }
            5205 => {
                // exit_group
                self.s.exited = true;
                self.s.exit_code = a0 as u8;
                return Ok(());
            }
            5000 => match a0 {
                // read
                0 => {}
                5 => {
                    let (p, mem) = self.read_data(a1)?;
                    let (part, dat_len) = self.preimage_part()?;
                    let k = a1 & 7;
                    let cnt = dat_len.min(8 - k).min(a2);
                    let mut bytes = mem.to_be_bytes();
                    bytes[k as usize..(k + cnt) as usize].copy_from_slice(&part[..cnt as usize]);
                    self.write_data(p, a1, u64::from_be_bytes(bytes));
                    self.s.preimage_offset = self.s.preimage_offset.wrapping_add(cnt);
                    v0 = cnt;
                }
                3 => v0 = a2,
                FD_EVENT => (v0, v1) = (EAGAIN, SYS_ERROR),
                _ => (v0, v1) = (EBADF, SYS_ERROR),
            },
            5001 => match a0 {
                // write
                1 | 2 | 4 => v0 = a2,
                6 => {
                    let (_, mem) = self.read_data(a1)?;
                    let k = (a1 & 7) as usize;
                    let n = a2.min(8 - k as u64) as usize;
                    let bytes = mem.to_be_bytes();
                    let mut key = [0u8; 32];
                    key[..32 - n].copy_from_slice(&self.s.preimage_key[n..]);
                    key[32 - n..].copy_from_slice(&bytes[k..k + n]);
                    self.s.preimage_key = key;
                    self.s.preimage_offset = 0;
                    v0 = n as u64;
                }
                FD_EVENT => (v0, v1) = (EAGAIN, SYS_ERROR),
                _ => (v0, v1) = (EBADF, SYS_ERROR),
            },
            5070 => {
                // fcntl
                match a1 {
                    1 => {
                        if a0 <= 6 {
                            v0 = 0;
                        } else {
                            (v0, v1) = (EBADF, SYS_ERROR);
                        }
                    }
                    3 => match a0 {
                        0 | 3 | 5 => v0 = 0,
                        1 | 2 | 4 | 6 => v0 = 1,
                        _ => (v0, v1) = (EBADF, SYS_ERROR),
                    },
                    _ => (v0, v1) = (EINVAL, SYS_ERROR),
                }
            }
            5178 => v0 = t.id,
            5058 => {
                // exit (this thread)
                t.exited = 1;
                t.exit_code = a0 as u8;
                if self.inner_root == EMPTY_THREAD_ROOT && self.s.inactive_root() == EMPTY_THREAD_ROOT {
                    self.s.exited = true;
                    self.s.exit_code = t.exit_code;
                }
                self.update_current(&t);
                return Ok(());
            }
            5194 => {
                // futex
                if a1 == 128 {
                    let ea = a0 & !3;
                    let (_, mem) = self.read_data(ea)?;
                    let val = lane(mem, ea, 4);
                    if val != a2 & 0xffff_ffff {
                        (v0, v1) = (EAGAIN, SYS_ERROR);
                    } else {
                        return self.yield_thread(t);
                    }
                } else if a1 == 129 {
                    return self.yield_thread(t);
                } else {
                    (v0, v1) = (EINVAL, SYS_ERROR);
                }
            }
            5023 | 5034 => return self.yield_thread(t),
            5002 => (v0, v1) = (EBADF, SYS_ERROR),
            5222 => {
                // clock_gettime
                if a0 == 0 || a0 == 1 {
                    let (secs, nsecs) =
                        if a0 == 1 { (self.s.step / 10_000_000, (self.s.step % 10_000_000) * 100) } else { (0, 0) };
                    let ea = a1 & !7;
                    let (p1, _) = self.read_data(ea)?;
                    self.write_data(p1, ea, secs);
                    let ea2 = ea.wrapping_add(8);
                    let p2 = self.mem_proof(2, "second memory proof")?;
                    read_checked(p2, ea2, &self.s.mem_root, true)?;
                    self.write_data(p2, ea2, nsecs);
                } else {
                    (v0, v1) = (EINVAL, SYS_ERROR);
                }
            }
            5038 => v0 = 0,
            5313 => {
                // getrandom
                let ea = a0 & !7;
                let k = a0 & 7;
                let cnt = a1.min(8 - k);
                let (p, mem) = self.read_data(ea)?;
                let r = splitmix64(self.s.step);
                let mask = shr(u64::MAX, k * 8) & !shr(u64::MAX, (k + cnt) * 8);
                self.write_data(p, ea, (mem & !mask) | (r & mask));
                v0 = cnt;
            }
            5284 => {
                // eventfd2
                if a1 & 0x80 == 0 {
                    (v0, v1) = (EINVAL, SYS_ERROR);
                } else {
                    v0 = FD_EVENT;
                }
            }
            5011 | 5010 | 5196 | 5027 | 5014 | 5129 | 5013 | 5297 | 5003 | 5016 | 5004 | 5005 | 5247 | 5087 | 5257
            | 5015 | 5285 | 5287 | 5208 | 5272 | 5061 | 5100 | 5102 | 5026 | 5225 | 5095 | 5008 | 5036 | 5216
            | 5217 | 5220 => {}
            _ => return Err(StepError::UnimplementedSyscall(num)),
        }
        t.regs[2] = v0;
        t.regs[7] = v1;
        advance(&mut t);
        self.update_current(&t);
        Ok(())
    }

    fn yield_thread(&mut self, mut t: Thread) -> Result<(), StepError> {
        t.regs[2] = 0;
        t.regs[7] = 0;
        advance(&mut t);
        self.preempt(&t);
        Ok(())
    }
}

fn advance(t: &mut Thread) {
    t.pc = t.next_pc;
    t.next_pc = t.next_pc.wrapping_add(4);
}

/// HI/LO instructions and the variable 64-bit shifts; returns the value written to rd.
fn hi_lo(t: &mut Thread, funct: u32, rs: u64, rt: u64) -> Result<u64, StepError> {
    let mut val = 0u64;
    match funct {
        0x10 => val = t.hi,
        0x11 => t.hi = rs,
        0x12 => val = t.lo,
        0x13 => t.lo = rs,
        0x14 => val = rt << (rs & 63),
        0x16 => val = rt >> (rs & 63),
        0x17 => val = ((rt as i64) >> (rs & 63)) as u64,
        0x18 => {
            let p = (rs as u32 as i32 as i64).wrapping_mul(rt as u32 as i32 as i64);
            t.hi = se32((p >> 32) as u64);
            t.lo = se32(p as u64);
        }
        0x19 => {
            let p = (rs as u32 as u64) * (rt as u32 as u64);
            t.hi = se32(p >> 32);
            t.lo = se32(p);
        }
        0x1a => {
            if rt as u32 == 0 {
                return Err(StepError::DivisionByZero);
            }
            t.hi = se32((rs as u32 as i32).wrapping_rem(rt as u32 as i32) as u32 as u64);
            t.lo = se32((rs as u32 as i32).wrapping_div(rt as u32 as i32) as u32 as u64);
        }
        0x1b => {
            if rt as u32 == 0 {
                return Err(StepError::DivisionByZero);
            }
            t.hi = se32(((rs as u32) % (rt as u32)) as u64);
            t.lo = se32(((rs as u32) / (rt as u32)) as u64);
        }
        0x1c => {
            let p = (rs as i64 as i128).wrapping_mul(rt as i64 as i128);
            t.hi = (p >> 64) as u64;
            t.lo = p as u64;
        }
        0x1d => {
            let p = (rs as u128) * (rt as u128);
            t.hi = (p >> 64) as u64;
            t.lo = p as u64;
        }
        0x1e => {
            if rt == 0 {
                return Err(StepError::DivisionByZero);
            }
            t.hi = (rs as i64).wrapping_rem(rt as i64) as u64;
            t.lo = (rs as i64).wrapping_div(rt as i64) as u64;
        }
        0x1f => {
            if rt == 0 {
                return Err(StepError::DivisionByZero);
            }
            t.hi = rs % rt;
            t.lo = rs / rt;
        }
        _ => {}
    }
    Ok(val)
}

/// The ALU / load / store value of one instruction (MIPS64.sol `executeMipsInstruction`). For loads and stores
/// `rs` is the virtual address and `mem` the aligned word; stores return the new word.
fn execute(insn: u32, opcode: u32, funct: u32, rs: u64, rt: u64, mem: u64) -> Result<u64, StepError> {
    let invalid = Err(StepError::InvalidInstruction(insn));
    let sa = ((insn >> 6) & 31) as u64;
    Ok(match opcode {
        0x00 => match funct {
            0x00 => se32(((rt as u32) << sa) as u64),
            0x02 => se32(((rt as u32) >> sa) as u64),
            0x03 => sign_extend((rt & 0xffff_ffff) >> sa, 32 - sa as u32),
            0x04 => se32(((rt as u32) << (rs & 31)) as u64),
            0x06 => se32(((rt as u32) >> (rs & 31)) as u64),
            0x07 => sign_extend((rt & 0xffff_ffff) >> (rs & 31), 32 - (rs & 31) as u32),
            0x08..=0x0c | 0x0f => rs,
            0x10..=0x14 | 0x16..=0x1f => 0,
            0x20 | 0x21 => se32((rs as u32).wrapping_add(rt as u32) as u64),
            0x22 | 0x23 => se32((rs as u32).wrapping_sub(rt as u32) as u64),
            0x24 => rs & rt,
            0x25 => rs | rt,
            0x26 => rs ^ rt,
            0x27 => !(rs | rt),
            0x2a => ((rs as i64) < (rt as i64)) as u64,
            0x2b => (rs < rt) as u64,
            0x2c | 0x2d => rs.wrapping_add(rt),
            0x2e | 0x2f => rs.wrapping_sub(rt),
            0x38 => rt << sa,
            0x3a => rt >> sa,
            0x3b => ((rt as i64) >> sa) as u64,
            0x3c => rt << (sa + 32),
            0x3e => rt >> (sa + 32),
            0x3f => ((rt as i64) >> (sa + 32)) as u64,
            _ => return invalid,
        },
        0x1c => match funct {
            0x02 => se32((rs as u32 as i32).wrapping_mul(rt as u32 as i32) as u32 as u64),
            0x20 => (rs as u32).leading_zeros() as u64,
            0x21 => (!(rs as u32)).leading_zeros() as u64,
            0x24 => rs.leading_zeros() as u64,
            0x25 => (!rs).leading_zeros() as u64,
            _ => return invalid,
        },
        0x0f => se32(rt << 16),
        0x08 | 0x09 => se32((rs as u32).wrapping_add(rt as u32) as u64),
        0x0a => ((rs as i64) < (rt as i64)) as u64,
        0x0b => (rs < rt) as u64,
        0x0c => rs & rt,
        0x0d => rs | rt,
        0x0e => rs ^ rt,
        0x18 | 0x19 => rs.wrapping_add(rt),
        0x1a => {
            let sl = (rs & 7) * 8;
            (mem << sl) | (rt & !(u64::MAX << sl))
        }
        0x1b => {
            let sr = 56 - (rs & 7) * 8;
            (mem >> sr) | (rt & shl(u64::MAX, 64 - sr))
        }
        0x20 => lane(mem, rs, 1) as u8 as i8 as i64 as u64,
        0x21 => lane(mem, rs, 2) as u16 as i16 as i64 as u64,
        0x22 => {
            let w = lane(mem, rs, 4) as u32;
            let s = ((rs & 3) * 8) as u32;
            se32((((rt as u32) & !(u32::MAX << s)) | (w << s)) as u64)
        }
        0x23 => se32(lane(mem, rs, 4)),
        0x24 => lane(mem, rs, 1),
        0x25 => lane(mem, rs, 2),
        0x26 => {
            let w = lane(mem, rs, 4) as u32;
            let s = ((rs & 3) * 8) as u32;
            let r = ((rt as u32) & !(u32::MAX >> (24 - s))) | (w >> (24 - s));
            if rs & 3 == 3 {
                se32(r as u64)
            } else {
                (rt & 0xFFFF_FFFF_0000_0000) | r as u64
            }
        }
        0x27 => lane(mem, rs, 4),
        0x28 => set_lane(mem, rs, 1, rt),
        0x29 => set_lane(mem, rs, 2, rt),
        0x2a => {
            let sr = (rs & 3) * 8;
            let sh = 32 - (rs & 4) * 8;
            let val = ((rt & 0xffff_ffff) >> sr) << sh;
            let mask = (0xffff_ffffu64 >> sr) << sh;
            (mem & !mask) | val
        }
        0x2b => set_lane(mem, rs, 4, rt),
        0x2c => {
            let sr = (rs & 7) * 8;
            (rt >> sr) | (mem & !(u64::MAX >> sr))
        }
        0x2d => {
            let sl = 56 - (rs & 7) * 8;
            (rt << sl) | (mem & !(u64::MAX << sl))
        }
        0x2e => {
            let w = lane(mem, rs, 4);
            let s = (rs & 3) * 8;
            let mask = (0xffff_ffffu64 << (24 - s)) & 0xffff_ffff;
            let nw = (w & !mask) | ((rt << (24 - s)) & 0xffff_ffff);
            set_lane(mem, rs, 4, nw)
        }
        0x37 => mem,
        0x3f => rt,
        _ => return invalid,
    })
}
