//! An allocation-heavy guest: one raw 64 MiB anonymous `mmap` touched on every page, then many heap
//! allocations (vectors, a B-tree map, strings) through the bump allocator, which itself grows by `mmap`.
#![no_std]
#![no_main]

extern crate alloc;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use guest_rt::{entry, keccak256, mmap_anon, println, Args, Hex};

/// Size of the raw region.
const RAW_LEN: usize = 64 << 20;

fn main(_args: &Args) -> i32 {
    let raw = match mmap_anon(RAW_LEN as u64) {
        Ok(p) => p,
        Err(e) => {
            println!("mmap failed: errno {e}");
            return 1;
        }
    };
    // Fresh memory must read as zero; then write one word per page and read them all back.
    let words = raw as *mut u64;
    let pages = RAW_LEN / 4096;
    let mut zero_ok = true;
    for i in 0..pages {
        let p = unsafe { words.add(i * 512 + (i % 512)) };
        unsafe {
            zero_ok &= p.read_volatile() == 0;
            p.write_volatile((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        }
    }
    let mut sum = 0u64;
    for i in 0..pages {
        sum = sum.wrapping_add(unsafe { words.add(i * 512 + (i % 512)).read_volatile() } ^ i as u64);
    }
    println!("raw mmap: {} pages touched, zero-filled {}, checksum {:016x}", pages, zero_ok, sum);

    // Heap: growing vectors, a map, strings.
    let mut vecs: Vec<Vec<u32>> = Vec::new();
    for i in 0..2_000u32 {
        let v: Vec<u32> = (0..(i % 97) + 1).map(|x| x.wrapping_mul(i) ^ 0xA5A5).collect();
        vecs.push(v);
    }
    let total: u64 = vecs.iter().map(|v| v.iter().map(|&x| x as u64).sum::<u64>()).sum();
    let mut map = BTreeMap::new();
    for i in 0..20_000u64 {
        *map.entry(i.wrapping_mul(2_654_435_761) % 5_003).or_insert(0u64) += i;
    }
    let mut s = String::new();
    for (k, v) in map.iter().take(2_000) {
        let _ = write!(s, "{k}:{v};");
    }
    println!("heap: {} vectors total {}, map {} keys, text {} bytes digest {}", vecs.len(), total, map.len(), s.len(), Hex(&keccak256(s.as_bytes())));
    0
}

entry!(main);
