//! A guest that panics after some output: the panic handler reports to stderr and exits with code 2
//! (the "panic" status byte of a Cannon state).
#![no_std]
#![no_main]

extern crate alloc;
use alloc::vec::Vec;
use guest_rt::{entry, println, Args};

fn main(_args: &Args) -> i32 {
    let v: Vec<u64> = (1..=10).collect();
    println!("sum before the panic: {}", v.iter().sum::<u64>());
    let missing = v.iter().position(|&x| x == 11);
    let idx: usize = missing.expect("11 is not in 1..=10");
    println!("unreachable {idx}");
    0
}

entry!(main);
