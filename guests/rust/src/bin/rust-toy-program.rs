//! The dispute game's toy fault-proof program (rampart-game's `toy` module) compiled for MIPS64, so the demo
//! can play a real MIPS64 execution game: reads local keys 2 (starting output root), 3 (disputed output root)
//! and 4 (disputed L2 block number) from the preimage oracle, recomputes the disputed block's output root
//! (`WORK` rounds of `acc = keccak256(acc ‖ block ‖ round)` from the starting output, block number in the top 8
//! bytes), and exits 0 if it matches the disputed output root, 1 otherwise (trace extension: a disputed block
//! equal to the starting block is valid iff the two roots are equal).
#![no_std]
#![no_main]

use guest_rt::{entry, keccak256, local_key, preimage, println, Args, Hex};

/// Work rounds per block (the toy chain must use the same number).
const WORK: u32 = 3;

fn local32(ident: u64) -> Option<[u8; 32]> {
    let v = preimage(local_key(ident))?;
    v.try_into().ok()
}

fn main(_args: &Args) -> i32 {
    let (Some(starting), Some(disputed), Some(block)) = (local32(2), local32(3), preimage(local_key(4))) else {
        println!("toy program: missing or malformed local inputs");
        return 1;
    };
    let Ok(block) = <[u8; 8]>::try_from(block.as_slice()).map(u64::from_be_bytes) else {
        println!("toy program: block number must be 8 bytes");
        return 1;
    };
    let starting_block = u64::from_be_bytes(starting[..8].try_into().unwrap_or_default());
    let valid = if block == starting_block {
        disputed == starting
    } else if starting_block.checked_add(1) != Some(block) {
        false
    } else {
        let mut acc = starting;
        for round in 0..WORK {
            let mut b = [0u8; 44];
            b[..32].copy_from_slice(&acc);
            b[32..40].copy_from_slice(&block.to_be_bytes());
            b[40..].copy_from_slice(&round.to_be_bytes());
            acc = keccak256(&b);
        }
        acc[..8].copy_from_slice(&block.to_be_bytes());
        acc == disputed
    };
    println!("toy program: block {block} output {} is {}", Hex(&disputed[..8]), if valid { "valid" } else { "invalid" });
    (!valid) as i32
}

entry!(main);
