//! The smallest guest: one write to stdout, exit 0.
#![no_std]
#![no_main]

use guest_rt::{entry, println, Args};

fn main(args: &Args) -> i32 {
    println!("hello from a rust no_std mips64 guest ({} arg)", args.len());
    0
}

entry!(main);
