//! Architecture constants of Cannon MT64 (state version 8): address-space layout, scheduling, syscalls.

/// The only state version this VM reads and writes ("multithreaded64-5").
pub const STATE_VERSION: u8 = 8;
/// The `--type` string for [`STATE_VERSION`].
pub const STATE_TYPE_NAME: &str = "multithreaded64-5";

/// Mask that aligns an address down to its 8-byte word.
pub const ADDRESS_MASK: u64 = 0xFFFF_FFFF_FFFF_FFF8;
/// Initial `heap`: where `mmap(addr = 0)` starts handing out memory.
pub const HEAP_START: u64 = 0x0000_1000_0000_0000;
/// Value returned by `brk`.
pub const PROGRAM_BREAK: u64 = 0x0000_4000_0000_0000;
/// Upper limit of the `mmap` bump allocator.
pub const HEAP_END: u64 = 0x0000_6000_0000_0000;
/// Initial stack pointer set by the ELF loader's stack patch.
pub const STACK_TOP: u64 = 0x0000_7FFF_FFFF_F000;
/// Number of instructions a thread runs before a forced preemption step.
pub const SCHED_QUANTUM: u64 = 100_000;
/// Steps per simulated second of the monotonic clock.
pub const HZ: u64 = 10_000_000;

/// Clone flags Cannon accepts (VM|FS|FILES|SIGHAND|SYSVSEM|THREAD).
pub const VALID_CLONE_FLAGS: u64 = 0x50F00;
/// `futex` op: wait, private.
pub const FUTEX_WAIT_PRIVATE: u64 = 128;
/// `futex` op: wake, private.
pub const FUTEX_WAKE_PRIVATE: u64 = 129;
/// `eventfd2` flag that Cannon requires.
pub const EFD_NONBLOCK: u64 = 0x80;
/// The file descriptor `eventfd2` always returns.
pub const FD_EVENTFD: u64 = 100;

/// Value written to `$a3` on a failed syscall.
pub const SYS_ERROR_SIGNAL: u64 = u64::MAX;
/// errno: bad file descriptor.
pub const EBADF: u64 = 0x9;
/// errno: try again.
pub const EAGAIN: u64 = 0xb;
/// errno: invalid argument.
pub const EINVAL: u64 = 0x16;

/// File descriptors the VM knows.
pub mod fd {
    /// Standard input (reads return EOF).
    pub const STDIN: u64 = 0;
    /// Standard output.
    pub const STDOUT: u64 = 1;
    /// Standard error.
    pub const STDERR: u64 = 2;
    /// Hint responses (guest reads the ack).
    pub const HINT_READ: u64 = 3;
    /// Hint requests (guest writes hints).
    pub const HINT_WRITE: u64 = 4;
    /// Preimage responses (guest reads preimage data).
    pub const PREIMAGE_READ: u64 = 5;
    /// Preimage requests (guest writes keys).
    pub const PREIMAGE_WRITE: u64 = 6;
}

/// Linux MIPS n64 syscall numbers Cannon implements.
pub mod sys {
    #![allow(missing_docs)]
    pub const READ: u64 = 5000;
    pub const WRITE: u64 = 5001;
    pub const OPEN: u64 = 5002;
    pub const CLOSE: u64 = 5003;
    pub const STAT: u64 = 5004;
    pub const FSTAT: u64 = 5005;
    pub const LSEEK: u64 = 5008;
    pub const MMAP: u64 = 5009;
    pub const MPROTECT: u64 = 5010;
    pub const MUNMAP: u64 = 5011;
    pub const BRK: u64 = 5012;
    pub const RT_SIGACTION: u64 = 5013;
    pub const RT_SIGPROCMASK: u64 = 5014;
    pub const IOCTL: u64 = 5015;
    pub const PREAD64: u64 = 5016;
    pub const SCHED_YIELD: u64 = 5023;
    pub const MINCORE: u64 = 5026;
    pub const MADVISE: u64 = 5027;
    pub const NANOSLEEP: u64 = 5034;
    pub const SETITIMER: u64 = 5036;
    pub const GETPID: u64 = 5038;
    pub const CLONE: u64 = 5055;
    pub const EXIT: u64 = 5058;
    pub const UNAME: u64 = 5061;
    pub const FCNTL: u64 = 5070;
    pub const READLINK: u64 = 5087;
    pub const GETRLIMIT: u64 = 5095;
    pub const GETUID: u64 = 5100;
    pub const GETGID: u64 = 5102;
    pub const SIGALTSTACK: u64 = 5129;
    pub const GETTID: u64 = 5178;
    pub const FUTEX: u64 = 5194;
    pub const SCHED_GETAFFINITY: u64 = 5196;
    pub const EXIT_GROUP: u64 = 5205;
    pub const EPOLL_CTL: u64 = 5208;
    pub const TIMER_CREATE: u64 = 5216;
    pub const TIMER_SETTIME: u64 = 5217;
    pub const TIMER_DELETE: u64 = 5220;
    pub const CLOCK_GETTIME: u64 = 5222;
    pub const TGKILL: u64 = 5225;
    pub const OPENAT: u64 = 5247;
    pub const READLINKAT: u64 = 5257;
    pub const EPOLL_PWAIT: u64 = 5272;
    pub const EVENTFD2: u64 = 5284;
    pub const EPOLL_CREATE1: u64 = 5285;
    pub const PIPE2: u64 = 5287;
    pub const PRLIMIT64: u64 = 5297;
    pub const GETRANDOM: u64 = 5313;

    /// Syscalls that succeed with `v0 = 0, v1 = 0` and do nothing else.
    pub const NOOPS: [u64; 31] = [
        MUNMAP,
        MPROTECT,
        SCHED_GETAFFINITY,
        MADVISE,
        RT_SIGPROCMASK,
        SIGALTSTACK,
        RT_SIGACTION,
        PRLIMIT64,
        CLOSE,
        PREAD64,
        STAT,
        FSTAT,
        OPENAT,
        READLINK,
        READLINKAT,
        IOCTL,
        EPOLL_CREATE1,
        PIPE2,
        EPOLL_CTL,
        EPOLL_PWAIT,
        UNAME,
        GETUID,
        GETGID,
        MINCORE,
        TGKILL,
        GETRLIMIT,
        LSEEK,
        SETITIMER,
        TIMER_CREATE,
        TIMER_SETTIME,
        TIMER_DELETE,
    ];
}

/// Cannon's deterministic `getrandom` source: one splitmix64 output per step.
pub const fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Sign-extends the low `bits` bits of `value` to 64 bits (`bits` in 1..=64).
#[inline(always)]
pub const fn sign_extend(value: u64, bits: u32) -> u64 {
    if bits >= 64 {
        return value;
    }
    let shift = 64 - bits;
    (((value << shift) as i64) >> shift) as u64
}

/// Sign-extends the low 32 bits of `value`.
#[inline(always)]
pub const fn se32(value: u64) -> u64 {
    value as u32 as i32 as i64 as u64
}
