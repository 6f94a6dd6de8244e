//! Minimal runtime for Rampart's Rust `no_std` MIPS64 guests: `_start`, Linux n64 syscalls, output, exit, a bump
//! allocator over anonymous `mmap` regions, and a panic handler that reports to fd 2 and exits with code 2.
//!
//! The same ELF runs in Rampart's VM and under `qemu-mips64-static`, so everything here uses only the Linux
//! syscall ABI (number in `$2`, arguments in `$4..$9`, result in `$2`, error flag in `$7`).
#![no_std]
#![feature(asm_experimental_arch)]

extern crate alloc;

use core::alloc::{GlobalAlloc, Layout};
use core::arch::{asm, global_asm};
use core::cell::UnsafeCell;

/// Linux MIPS n64 syscall numbers used by the guests.
pub mod nr {
    /// read(fd, buf, len)
    pub const READ: u64 = 5000;
    /// write(fd, buf, len)
    pub const WRITE: u64 = 5001;
    /// mmap(addr, len, prot, flags, fd, off)
    pub const MMAP: u64 = 5009;
    /// brk(addr)
    pub const BRK: u64 = 5012;
    /// exit_group(code)
    pub const EXIT_GROUP: u64 = 5205;
}

global_asm!(
    ".section .text._start,\"ax\",@progbits",
    ".globl _start",
    ".type _start,@function",
    "_start:",
    "  move $4, $29",
    "  daddiu $29, $29, -64",
    "  li $8, -16",
    "  and $29, $29, $8",
    "  jal __guest_start",
    "  nop",
    "1: b 1b",
    "  nop",
);

/// Raw 6-argument syscall: `Ok(v0)` on success, `Err(errno)` when `$a3` is set.
#[inline(always)]
pub fn syscall6(n: u64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64) -> Result<u64, u64> {
    let v0: u64;
    let err: u64;
    unsafe {
        asm!(
            "syscall",
            inlateout("$2") n => v0,
            in("$4") a0,
            in("$5") a1,
            in("$6") a2,
            inlateout("$7") a3 => err,
            in("$8") a4,
            in("$9") a5,
            lateout("$3") _,
            lateout("$10") _,
            lateout("$11") _,
            lateout("$12") _,
            lateout("$13") _,
            lateout("$14") _,
            lateout("$15") _,
            lateout("$24") _,
            lateout("$25") _,
            options(nostack)
        );
    }
    if err != 0 {
        Err(v0)
    } else {
        Ok(v0)
    }
}

/// Writes all of `buf` to `fd`; returns false on an error or a zero-length write.
pub fn write_all(fd: u64, mut buf: &[u8]) -> bool {
    while !buf.is_empty() {
        match syscall6(nr::WRITE, fd, buf.as_ptr() as u64, buf.len() as u64, 0, 0, 0) {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf = &buf[(n as usize).min(buf.len())..],
        }
    }
    true
}

/// Reads up to `buf.len()` bytes from `fd`.
pub fn read(fd: u64, buf: &mut [u8]) -> Result<usize, u64> {
    syscall6(nr::READ, fd, buf.as_mut_ptr() as u64, buf.len() as u64, 0, 0, 0).map(|n| n as usize)
}

/// Ends the program with `code` (exit_group).
pub fn exit(code: i32) -> ! {
    let _ = syscall6(nr::EXIT_GROUP, code as u64, 0, 0, 0, 0, 0);
    loop {}
}

/// Maps `len` bytes of fresh zeroed anonymous memory (MAP_PRIVATE | MAP_ANONYMOUS, read/write).
pub fn mmap_anon(len: u64) -> Result<*mut u8, u64> {
    syscall6(nr::MMAP, 0, len, 3, 0x802, u64::MAX, 0).map(|p| p as *mut u8)
}

/// A `core::fmt::Write` sink that writes straight to a file descriptor.
#[derive(Debug, Clone, Copy)]
pub struct Fd(pub u64);

impl core::fmt::Write for Fd {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        if write_all(self.0, s.as_bytes()) {
            Ok(())
        } else {
            Err(core::fmt::Error)
        }
    }
}

/// Prints to stdout (fd 1).
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => {{ let _ = core::fmt::Write::write_fmt(&mut $crate::Fd(1), format_args!($($arg)*)); }};
}

/// Prints a line to stdout (fd 1).
#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($arg:tt)*) => {{ $crate::print!($($arg)*); $crate::print!("\n"); }};
}

/// Prints a line to stderr (fd 2).
#[macro_export]
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        let _ = core::fmt::Write::write_fmt(&mut $crate::Fd(2), format_args!($($arg)*));
        let _ = core::fmt::Write::write_str(&mut $crate::Fd(2), "\n");
    }};
}

/// Declares the guest's `fn main(args: &Args) -> i32`; its return value is the exit code.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[no_mangle]
        extern "C" fn __guest_main(sp: *const u64) -> i32 {
            let args = unsafe { $crate::Args::from_stack(sp) };
            $main(&args)
        }
    };
}

extern "C" {
    fn __guest_main(sp: *const u64) -> i32;
}

#[no_mangle]
extern "C" fn __guest_start(sp: *const u64) -> ! {
    let code = unsafe { __guest_main(sp) };
    exit(code)
}

/// The process arguments as laid out on the initial stack (argc, argv[], NULL, envp[], NULL, auxv).
#[derive(Debug, Clone, Copy)]
pub struct Args {
    argc: u64,
}

impl Args {
    /// Reads argc/argv from the initial stack pointer.
    ///
    /// # Safety
    /// `sp` must be the stack pointer the kernel (or VM) started the program with.
    pub unsafe fn from_stack(sp: *const u64) -> Self {
        Args { argc: *sp }
    }

    /// Number of arguments.
    pub fn len(&self) -> usize {
        self.argc as usize
    }

    /// True when there are no arguments.
    pub fn is_empty(&self) -> bool {
        self.argc == 0
    }
}

struct Bump {
    inner: UnsafeCell<(usize, usize)>, // (next, end)
}

// The guests are single-threaded.
unsafe impl Sync for Bump {}

/// Size of each anonymous region the allocator maps.
const CHUNK: usize = 64 << 20;

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let st = &mut *self.inner.get();
        let align = layout.align().max(8);
        let start = (st.0 + align - 1) & !(align - 1);
        if st.0 != 0 && start + layout.size() <= st.1 {
            st.0 = start + layout.size();
            return start as *mut u8;
        }
        let len = (layout.size() + align).max(CHUNK);
        let len = (len + 4095) & !4095;
        match mmap_anon(len as u64) {
            Ok(p) => {
                let base = p as usize;
                let start = (base + align - 1) & !(align - 1);
                st.0 = start + layout.size();
                st.1 = base + len;
                start as *mut u8
            }
            Err(_) => core::ptr::null_mut(),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // Give back only the most recent allocation; everything else lives until exit.
        let st = &mut *self.inner.get();
        if ptr as usize + layout.size() == st.0 {
            st.0 = ptr as usize;
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let st = &mut *self.inner.get();
        // Grow in place when this is the most recent allocation and the region has room.
        if ptr as usize + layout.size() == st.0 && ptr as usize + new_size <= st.1 {
            st.0 = ptr as usize + new_size;
            return ptr;
        }
        let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
        if !new.is_null() {
            core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Bump = Bump { inner: UnsafeCell::new((0, 0)) };

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    eprintln!("guest panicked: {}", info);
    exit(2)
}

/// keccak256 of `data`.
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    use tiny_keccak::Hasher;
    let mut k = tiny_keccak::Keccak::v256();
    k.update(data);
    let mut out = [0u8; 32];
    k.finalize(&mut out);
    out
}

/// Lower-case hex of `bytes` into a fixed buffer-free display adapter.
#[derive(Debug)]
pub struct Hex<'a>(pub &'a [u8]);

impl core::fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Preimage oracle file descriptors as the guest sees them (Cannon §5.1): hints out on 4 (acks in on 3),
/// keys out on 6, preimage data in on 5.
pub mod fd {
    /// Reads hint acknowledgements.
    pub const HINT_READ: u64 = 3;
    /// Writes hints.
    pub const HINT_WRITE: u64 = 4;
    /// Reads preimage data.
    pub const PREIMAGE_READ: u64 = 5;
    /// Writes preimage keys.
    pub const PREIMAGE_WRITE: u64 = 6;
}

/// The 32-byte key of local input `ident` (key type 1).
pub fn local_key(ident: u64) -> [u8; 32] {
    let mut k = [0u8; 32];
    k[0] = 1;
    k[24..].copy_from_slice(&ident.to_be_bytes());
    k
}

fn read_exact(fd: u64, buf: &mut [u8]) -> bool {
    let mut done = 0;
    while done < buf.len() {
        match read(fd, &mut buf[done..]) {
            Ok(0) | Err(_) => return false,
            Ok(n) => done += n,
        }
    }
    true
}

/// Asks the preimage oracle for the value of `key` (write the key to fd 6, read the 8-byte big-endian length
/// and the data from fd 5). `None` if the oracle channel fails.
pub fn preimage(key: [u8; 32]) -> Option<alloc::vec::Vec<u8>> {
    if !write_all(fd::PREIMAGE_WRITE, &key) {
        return None;
    }
    let mut len = [0u8; 8];
    if !read_exact(fd::PREIMAGE_READ, &mut len) {
        return None;
    }
    let mut data = alloc::vec![0u8; u64::from_be_bytes(len) as usize];
    read_exact(fd::PREIMAGE_READ, &mut data).then_some(data)
}


