//! Shared by the random-program differentials (fast_vs_reference, jit_vs_interp): the splitmix64 stream the
//! VM's own getrandom uses, and the R-type/I-type instruction encoders.

/// Deterministic stream: each value is `splitmix64` of the previous one.
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = rampart_vm::arch::splitmix64(self.0);
        self.0
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// An R-type instruction word.
pub(crate) fn r(op: u32, rs: u32, rt: u32, rd: u32, sa: u32, funct: u32) -> u32 {
    (op << 26) | (rs << 21) | (rt << 16) | (rd << 11) | (sa << 6) | funct
}
/// An I-type instruction word.
pub(crate) fn i(op: u32, rs: u32, rt: u32, imm: u16) -> u32 {
    (op << 26) | (rs << 21) | (rt << 16) | u32::from(imm)
}
