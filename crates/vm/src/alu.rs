//! Pure instruction semantics: the ALU, sub-word lanes and HI/LO operations of Cannon MT64 (§4 of the spec).

use crate::arch::{se32, sign_extend};
use crate::error::VmError;

/// Mask of the low `bytes` bytes (`bytes` = 1, 2, 4 or 8).
#[inline(always)]
const fn data_mask(bytes: u64) -> u64 {
    if bytes >= 8 {
        u64::MAX
    } else {
        (1u64 << (bytes * 8)) - 1
    }
}

/// Bit offset of the `bytes`-sized lane containing `addr` within its big-endian 8-byte word.
#[inline(always)]
const fn lane_offset(addr: u64, bytes: u64) -> u64 {
    let byte_index = addr & 7 & !(bytes - 1);
    (8 - bytes - byte_index) * 8
}

/// Reads the `bytes`-sized lane of `mem` selected by `addr`, optionally sign-extended.
#[inline(always)]
pub(crate) fn select_sub_word(addr: u64, mem: u64, bytes: u64, signed: bool) -> u64 {
    let v = (mem >> lane_offset(addr, bytes)) & data_mask(bytes);
    if signed {
        sign_extend(v, (bytes * 8) as u32)
    } else {
        v
    }
}

/// Replaces the `bytes`-sized lane of `mem` selected by `addr` with the low bits of `value`.
#[inline(always)]
pub(crate) fn update_sub_word(addr: u64, mem: u64, bytes: u64, value: u64) -> u64 {
    let off = lane_offset(addr, bytes);
    let mask = data_mask(bytes) << off;
    (mem & !mask) | ((value & data_mask(bytes)) << off)
}

#[inline(always)]
fn shl(v: u64, s: u64) -> u64 {
    v.checked_shl(s as u32).unwrap_or(0)
}

#[inline(always)]
fn shr(v: u64, s: u64) -> u64 {
    v.checked_shr(s as u32).unwrap_or(0)
}

/// Computes the value of a non-control instruction: `rs` is the (address-adjusted for memory ops) first
/// operand, `rt` the second operand as selected by the decoder, `mem` the loaded word. For stores the result
/// is the new memory word.
#[inline(always)]
pub(crate) fn execute(insn: u32, opcode: u32, funct: u32, rs: u64, rt: u64, mem: u64) -> Result<u64, VmError> {
    let invalid = || Err(VmError::InvalidInstruction(insn));
    match opcode {
        0x00 => {
            let sa = u64::from((insn >> 6) & 0x1F);
            Ok(match funct {
                0x00 => se32((rt << sa) & 0xFFFF_FFFF),
                0x02 => se32((rt & 0xFFFF_FFFF) >> sa),
                0x03 => sign_extend((rt & 0xFFFF_FFFF) >> sa, 32 - sa as u32),
                0x04 => se32((rt << (rs & 0x1F)) & 0xFFFF_FFFF),
                0x06 => se32((rt & 0xFFFF_FFFF) >> (rs & 0x1F)),
                0x07 => {
                    let s = rs & 0x1F;
                    sign_extend((rt & 0xFFFF_FFFF) >> s, 32 - s as u32)
                }
                0x08 | 0x09 | 0x0A | 0x0B | 0x0F => rs,
                0x10..=0x13 => rs,
                0x14 | 0x16 | 0x17 => rt,
                0x18..=0x1F => rs,
                0x20 | 0x21 => se32((rs as u32).wrapping_add(rt as u32) as u64),
                0x22 | 0x23 => se32((rs as u32).wrapping_sub(rt as u32) as u64),
                0x24 => rs & rt,
                0x25 => rs | rt,
                0x26 => rs ^ rt,
                0x27 => !(rs | rt),
                0x2A => ((rs as i64) < (rt as i64)) as u64,
                0x2B => (rs < rt) as u64,
                0x2C | 0x2D => rs.wrapping_add(rt),
                0x2E | 0x2F => rs.wrapping_sub(rt),
                0x38 => rt << sa,
                0x3A => rt >> sa,
                0x3B => ((rt as i64) >> sa) as u64,
                0x3C => rt << (sa + 32),
                0x3E => rt >> (sa + 32),
                0x3F => ((rt as i64) >> (sa + 32)) as u64,
                _ => return invalid(),
            })
        }
        0x1C => Ok(match funct {
            0x02 => se32((rs as i32).wrapping_mul(rt as i32) as u32 as u64),
            0x20 => u64::from((rs as u32).leading_zeros()),
            0x21 => u64::from((rs as u32).leading_ones()),
            0x24 => u64::from(rs.leading_zeros()),
            0x25 => u64::from(rs.leading_ones()),
            _ => return invalid(),
        }),
        0x08 | 0x09 => Ok(se32((rs as u32).wrapping_add(rt as u32) as u64)),
        0x0A => Ok(((rs as i64) < (rt as i64)) as u64),
        0x0B => Ok((rs < rt) as u64),
        0x0C => Ok(rs & rt),
        0x0D => Ok(rs | rt),
        0x0E => Ok(rs ^ rt),
        0x0F => Ok(se32((rt << 16) & 0xFFFF_FFFF)),
        0x18 | 0x19 => Ok(rs.wrapping_add(rt)),
        0x1A => {
            // ldl
            let sl = (rs & 7) << 3;
            Ok(shl(mem, sl) | (rt & !shl(u64::MAX, sl)))
        }
        0x1B => {
            // ldr
            let sr = 56 - ((rs & 7) << 3);
            Ok(shr(mem, sr) | (rt & shl(u64::MAX, 64 - sr)))
        }
        0x20 => Ok(select_sub_word(rs, mem, 1, true)),
        0x21 => Ok(select_sub_word(rs, mem, 2, true)),
        0x22 => {
            // lwl
            let w = select_sub_word(rs, mem, 4, false) as u32;
            let s = ((rs & 3) * 8) as u32;
            let val = w << s;
            let mask = 0xFFFF_FFFFu32 << s;
            Ok(se32(((rt as u32) & !mask | val) as u64))
        }
        0x23 => Ok(select_sub_word(rs, mem, 4, true)),
        0x24 => Ok(select_sub_word(rs, mem, 1, false)),
        0x25 => Ok(select_sub_word(rs, mem, 2, false)),
        0x26 => {
            // lwr
            let w = select_sub_word(rs, mem, 4, false) as u32;
            let s = (24 - (rs & 3) * 8) as u32;
            let val = w >> s;
            let mask = 0xFFFF_FFFFu32 >> s;
            let r = ((rt as u32) & !mask) | val;
            if rs & 3 == 3 {
                Ok(se32(r as u64))
            } else {
                Ok((rt & 0xFFFF_FFFF_0000_0000) | r as u64)
            }
        }
        0x27 => Ok(select_sub_word(rs, mem, 4, false)),
        0x28 => Ok(update_sub_word(rs, mem, 1, rt)),
        0x29 => Ok(update_sub_word(rs, mem, 2, rt)),
        0x2A => {
            // swl
            let sr = (rs & 3) << 3;
            let sh = 32 - ((rs & 4) << 3);
            let val = ((rt & 0xFFFF_FFFF) >> sr) << sh;
            let mask = (0xFFFF_FFFFu64 >> sr) << sh;
            Ok((mem & !mask) | val)
        }
        0x2B => Ok(update_sub_word(rs, mem, 4, rt)),
        0x2C => {
            // sdl
            let sr = (rs & 7) << 3;
            Ok(shr(rt, sr) | (mem & !shr(u64::MAX, sr)))
        }
        0x2D => {
            // sdr
            let sl = 56 - ((rs & 7) << 3);
            Ok(shl(rt, sl) | (mem & !shl(u64::MAX, sl)))
        }
        0x2E => {
            // swr
            let w = select_sub_word(rs, mem, 4, false) as u32;
            let s = (24 - (rs & 3) * 8) as u32;
            let val = (rt << s) as u32;
            let mask = 0xFFFF_FFFFu32 << s;
            let r = (w & !mask) | val;
            Ok(update_sub_word(rs, mem, 4, r as u64))
        }
        0x37 => Ok(mem),
        0x3F => Ok(rt),
        _ => invalid(),
    }
}

/// Result of a HI/LO-family instruction: new HI, new LO and the value written to rd.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HiLo {
    /// New HI.
    pub(crate) hi: u64,
    /// New LO.
    pub(crate) lo: u64,
    /// Value for rd (written only when rd != 0).
    pub(crate) rd_value: u64,
}

/// Executes SPECIAL functs 0x10..=0x1F (HI/LO moves, multiplies, divides, and the dshiftv ops).
#[inline(always)]
pub(crate) fn hi_lo(funct: u32, rs: u64, rt: u64, hi: u64, lo: u64) -> Result<HiLo, VmError> {
    let mut r = HiLo { hi, lo, rd_value: 0 };
    match funct {
        0x10 => r.rd_value = hi,
        0x11 => r.hi = rs,
        0x12 => r.rd_value = lo,
        0x13 => r.lo = rs,
        0x14 => r.rd_value = rt << (rs & 0x3F),
        0x16 => r.rd_value = rt >> (rs & 0x3F),
        0x17 => r.rd_value = ((rt as i64) >> (rs & 0x3F)) as u64,
        0x18 => {
            let acc = ((rs as i32 as i64).wrapping_mul(rt as i32 as i64)) as u64;
            r.hi = se32(acc >> 32);
            r.lo = se32(acc & 0xFFFF_FFFF);
        }
        0x19 => {
            let acc = (rs as u32 as u64).wrapping_mul(rt as u32 as u64);
            r.hi = se32(acc >> 32);
            r.lo = se32(acc & 0xFFFF_FFFF);
        }
        0x1A => {
            if rt as u32 == 0 {
                return Err(VmError::DivideByZero);
            }
            r.hi = se32((rs as i32).wrapping_rem(rt as i32) as u32 as u64);
            r.lo = se32((rs as i32).wrapping_div(rt as i32) as u32 as u64);
        }
        0x1B => {
            if rt as u32 == 0 {
                return Err(VmError::DivideByZero);
            }
            r.hi = se32(((rs as u32) % (rt as u32)) as u64);
            r.lo = se32(((rs as u32) / (rt as u32)) as u64);
        }
        0x1C => {
            let p = (rs as i64 as i128).wrapping_mul(rt as i64 as i128) as u128;
            r.hi = (p >> 64) as u64;
            r.lo = p as u64;
        }
        0x1D => {
            let p = (rs as u128) * (rt as u128);
            r.hi = (p >> 64) as u64;
            r.lo = p as u64;
        }
        0x1E => {
            if rt == 0 {
                return Err(VmError::DivideByZero);
            }
            r.hi = (rs as i64).wrapping_rem(rt as i64) as u64;
            r.lo = (rs as i64).wrapping_div(rt as i64) as u64;
        }
        0x1F => {
            if rt == 0 {
                return Err(VmError::DivideByZero);
            }
            r.hi = rs % rt;
            r.lo = rs / rt;
        }
        // 0x15 never gets here: `execute` rejects it first.
        _ => {}
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(opcode: u32, funct: u32, sa: u32) -> u32 {
        (opcode << 26) | (sa << 6) | funct
    }

    #[test]
    fn shifts_sign_extend_from_bit_31() {
        assert_eq!(execute(r(0, 0, 1), 0, 0, 0, 0x4000_0000, 0).unwrap(), 0xFFFF_FFFF_8000_0000);
        assert_eq!(execute(r(0, 2, 0), 0, 2, 0, 0xFFFF_FFFF_8000_0000, 0).unwrap(), 0xFFFF_FFFF_8000_0000);
        assert_eq!(execute(r(0, 3, 4), 0, 3, 0, 0x0000_0000_8000_0000, 0).unwrap(), 0xFFFF_FFFF_F800_0000);
        // sra ignores the upper word of rt
        assert_eq!(execute(r(0, 3, 0), 0, 3, 0, 0x1234_5678_0000_0001, 0).unwrap(), 1);
        assert_eq!(execute(r(0, 0x3F, 31), 0, 0x3F, 0, 0x8000_0000_0000_0000, 0).unwrap(), u64::MAX);
    }

    #[test]
    fn ldr_and_ldl_edge_lanes() {
        let mem = 0x0102_0304_0506_0708;
        // ldr at lane 7 loads the whole word (mask shift of 64 must be zero)
        assert_eq!(execute(0, 0x1B, 0, 7, 0xAAAA_AAAA_AAAA_AAAA, mem).unwrap(), mem);
        assert_eq!(execute(0, 0x1B, 0, 0, 0xAAAA_AAAA_AAAA_AAAA, mem).unwrap(), 0xAAAA_AAAA_AAAA_AA01);
        assert_eq!(execute(0, 0x1A, 0, 0, 0xAAAA_AAAA_AAAA_AAAA, mem).unwrap(), mem);
        assert_eq!(execute(0, 0x1A, 0, 7, 0xAAAA_AAAA_AAAA_AAAA, mem).unwrap(), 0x08AA_AAAA_AAAA_AAAA);
    }

    #[test]
    fn lwr_keeps_upper_word_unless_lane_3() {
        let mem = 0x0102_0304_8506_0708;
        let rt = 0x1111_1111_2222_2222;
        assert_eq!(execute(0, 0x26, 0, 4, rt, mem).unwrap(), 0x1111_1111_2222_2285);
        assert_eq!(execute(0, 0x26, 0, 7, rt, mem).unwrap(), 0xFFFF_FFFF_8506_0708);
    }

    #[test]
    fn division_edge_cases() {
        let r = hi_lo(0x1A, 0x8000_0000, 0xFFFF_FFFF, 0, 0).unwrap();
        assert_eq!((r.hi, r.lo), (0, 0xFFFF_FFFF_8000_0000));
        let r = hi_lo(0x1E, 1 << 63, u64::MAX, 0, 0).unwrap();
        assert_eq!((r.hi, r.lo), (0, 1 << 63));
        assert_eq!(hi_lo(0x1A, 5, 0x1_0000_0000, 0, 0), Err(VmError::DivideByZero));
        let r = hi_lo(0x19, 0xFFFF_FFFF, 0xFFFF_FFFF, 0, 0).unwrap();
        assert_eq!((r.hi, r.lo), (0xFFFF_FFFF_FFFF_FFFE, 1));
    }
}
