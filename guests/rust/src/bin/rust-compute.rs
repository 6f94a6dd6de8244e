//! A compute-heavy guest: a keccak256 hash chain, sorting pseudo-random data, and big-integer arithmetic
//! (3^N, decimal conversion, Fibonacci). Prints one digest per part so any wrong instruction shows up in stdout.
#![no_std]
#![no_main]

extern crate alloc;
use alloc::vec;
use alloc::vec::Vec;
use guest_rt::{entry, keccak256, println, Args, Hex};

/// Rounds of the keccak hash chain.
const HASH_ROUNDS: usize = 4_000;
/// Number of values sorted.
const SORT_LEN: usize = 60_000;
/// Exponent of 3^N.
const POW_EXP: u32 = 6_000;
/// Index of the Fibonacci number.
const FIB_N: usize = 12_000;

fn xorshift(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}

/// Multiplies a little-endian base-2^32 big integer in place by a small factor.
fn mul_small(n: &mut Vec<u32>, f: u32) {
    let mut carry = 0u64;
    for limb in n.iter_mut() {
        let p = *limb as u64 * f as u64 + carry;
        *limb = p as u32;
        carry = p >> 32;
    }
    if carry != 0 {
        n.push(carry as u32);
    }
}

/// Divides in place by a small divisor and returns the remainder.
fn div_small(n: &mut Vec<u32>, d: u32) -> u32 {
    let mut rem = 0u64;
    for limb in n.iter_mut().rev() {
        let cur = (rem << 32) | *limb as u64;
        *limb = (cur / d as u64) as u32;
        rem = cur % d as u64;
    }
    while n.len() > 1 && *n.last().unwrap() == 0 {
        n.pop();
    }
    rem as u32
}

fn add(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    let mut out = Vec::with_capacity(long.len() + 1);
    let mut carry = 0u64;
    for i in 0..long.len() {
        let s = long[i] as u64 + *short.get(i).unwrap_or(&0) as u64 + carry;
        out.push(s as u32);
        carry = s >> 32;
    }
    if carry != 0 {
        out.push(carry as u32);
    }
    out
}

fn limbs_be_bytes(n: &[u32]) -> Vec<u8> {
    n.iter().rev().flat_map(|l| l.to_be_bytes()).collect()
}

fn main(_args: &Args) -> i32 {
    // 1. keccak256 hash chain.
    let mut h = [0u8; 32];
    for i in 0..HASH_ROUNDS {
        let mut buf = [0u8; 40];
        buf[..32].copy_from_slice(&h);
        buf[32..].copy_from_slice(&(i as u64).to_be_bytes());
        h = keccak256(&buf);
    }
    println!("keccak chain x{HASH_ROUNDS}: {}", Hex(&h));

    // 2. Sort pseudo-random values (unstable and stable sorts) and digest the result.
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut v: Vec<u64> = (0..SORT_LEN).map(|_| xorshift(&mut seed) % 1_000_003).collect();
    let mut w = v.clone();
    v.sort_unstable();
    w.sort_by_key(|x| core::cmp::Reverse(*x));
    w.reverse();
    assert!(v == w, "sorts disagree");
    assert!(v.windows(2).all(|p| p[0] <= p[1]), "not sorted");
    let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_be_bytes()).collect();
    println!("sorted {SORT_LEN}: min {} max {} median {} digest {}", v[0], v[SORT_LEN - 1], v[SORT_LEN / 2], Hex(&keccak256(&bytes)));

    // 3. Big integers: 3^N, its decimal digits, Fibonacci(N).
    let mut p = vec![1u32];
    for _ in 0..POW_EXP {
        mul_small(&mut p, 3);
    }
    let pow_digest = keccak256(&limbs_be_bytes(&p));
    let mut digits = Vec::new();
    let mut q = p.clone();
    while q.len() > 1 || q[0] != 0 {
        let r = div_small(&mut q, 1_000_000_000);
        digits.push(r);
    }
    let mut dec_len = (digits.len() - 1) * 9;
    let mut top = *digits.last().unwrap();
    while top > 0 {
        dec_len += 1;
        top /= 10;
    }
    println!("3^{POW_EXP}: {} decimal digits, leading {}, trailing {:09}, digest {}", dec_len, digits.last().unwrap(), digits[0], Hex(&pow_digest));
    let (mut a, mut b) = (vec![0u32], vec![1u32]);
    for _ in 0..FIB_N {
        let c = add(&a, &b);
        a = b;
        b = c;
    }
    println!("fib({FIB_N}): {} bits, digest {}", a.len() * 32 - a.last().unwrap().leading_zeros() as usize, Hex(&keccak256(&limbs_be_bytes(&a))));
    0
}

entry!(main);
