//! `getRequiredBond`: a bit-exact port of the on-chain fixed-point arithmetic (`dispute-game.md` §2.4).
//!
//! The contract uses solady's `lnWad`/`expWad`/`powWad` (`FixedPointMathLib`); they are ported here on
//! 256-bit EVM words: two's-complement `int256` held in a `U256`, wrapping `mul`/`shl`, arithmetic `sar`,
//! `sdiv` truncating toward zero.

use alloy_primitives::U256;

use crate::errors::GameError;
use crate::position::Position;

/// Fixed-point scale (1e18).
const WAD: u64 = 1_000_000_000_000_000_000;
/// Assumed base fee of the bond formula (200 gwei).
const ASSUMED_BASE_FEE: u64 = 200_000_000_000;
/// Gas charged at depth 0.
const BASE_GAS_CHARGED: u64 = 400_000;
/// Gas charged at `MAX_GAME_DEPTH`.
const HIGH_GAS_CHARGED: u64 = 300_000_000;

/// Overflow/domain failures of the fixed-point functions (the contract would revert).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FixedPointError {
    /// `expWad` input too large.
    #[error("ExpOverflow")]
    ExpOverflow,
    /// `lnWad` of a non-positive number.
    #[error("LnWadUndefined")]
    LnWadUndefined,
    /// `mulWad` overflow.
    #[error("MulWadFailed")]
    MulWadFailed,
    /// `divWad` overflow or division by zero.
    #[error("DivWadFailed")]
    DivWadFailed,
    /// Checked signed multiplication overflowed.
    #[error("arithmetic overflow")]
    Overflow,
}

fn u(v: u64) -> U256 {
    U256::from(v)
}

fn dec(s: &str) -> U256 {
    // Constants below are literal decimal strings from the reference; parsing cannot fail.
    U256::from_str_radix(s, 10).unwrap_or(U256::ZERO)
}

fn is_neg(x: U256) -> bool {
    x.bit(255)
}

fn neg(x: U256) -> U256 {
    (!x).wrapping_add(U256::from(1u8))
}

/// Two's-complement encoding of an `i128`.
fn from_i128(v: i128) -> U256 {
    if v < 0 {
        neg(U256::from(v.unsigned_abs()))
    } else {
        U256::from(v as u128)
    }
}

/// EVM `sar(shift, x)`.
fn sar(shift: usize, x: U256) -> U256 {
    if !is_neg(x) {
        return if shift >= 256 { U256::ZERO } else { x >> shift };
    }
    if shift >= 256 {
        return U256::MAX;
    }
    !((!x) >> shift)
}

/// EVM `sdiv(a, b)`: truncates toward zero; division by zero gives zero.
fn sdiv(a: U256, b: U256) -> U256 {
    if b.is_zero() {
        return U256::ZERO;
    }
    let (na, nb) = (is_neg(a), is_neg(b));
    let ua = if na { neg(a) } else { a };
    let ub = if nb { neg(b) } else { b };
    let q = ua / ub;
    if na != nb {
        neg(q)
    } else {
        q
    }
}

/// EVM `slt(a, b)`.
fn slt(a: U256, b: U256) -> bool {
    match (is_neg(a), is_neg(b)) {
        (true, false) => true,
        (false, true) => false,
        _ => a < b,
    }
}

/// EVM `sgt(a, b)`.
fn sgt(a: U256, b: U256) -> bool {
    slt(b, a)
}

/// `x << n` on a word (bits shifted out are lost).
fn shl(n: usize, x: U256) -> U256 {
    if n >= 256 {
        U256::ZERO
    } else {
        x << n
    }
}

/// solady `mulWad`: `x * y / WAD` rounded down, reverting on overflow.
pub fn mul_wad(x: U256, y: U256) -> Result<U256, FixedPointError> {
    x.checked_mul(y).map(|p| p / u(WAD)).ok_or(FixedPointError::MulWadFailed)
}

/// solady `divWad`: `x * WAD / y` rounded down, reverting on overflow or zero `y`.
pub fn div_wad(x: U256, y: U256) -> Result<U256, FixedPointError> {
    if y.is_zero() {
        return Err(FixedPointError::DivWadFailed);
    }
    x.checked_mul(u(WAD)).map(|p| p / y).ok_or(FixedPointError::DivWadFailed)
}

/// solady `lnWad(x)`: natural logarithm in WAD, input and output as two's-complement words.
pub fn ln_wad(x: U256) -> Result<U256, FixedPointError> {
    // r = 255 ^ log2(x) computed by the branchless msb search.
    let mut r = shl(7, U256::from((dec("340282366920938463463374607431768211455") < x) as u8));
    let rs = |r: U256| r.to::<usize>();
    r |= shl(6, U256::from((U256::from(u64::MAX) < (x >> rs(r))) as u8));
    r |= shl(5, U256::from((U256::from(0xffff_ffffu64) < (x >> rs(r))) as u8));
    r |= shl(4, U256::from((U256::from(0xffffu64) < (x >> rs(r))) as u8));
    r |= shl(3, U256::from((U256::from(0xffu64) < (x >> rs(r))) as u8));
    if !sgt(x, U256::ZERO) {
        return Err(FixedPointError::LnWadUndefined);
    }
    let magic = U256::from_str_radix("8421084210842108cc6318c6db6d54be", 16).unwrap_or_default();
    let table = U256::from_str_radix("f8f9f9faf9fdfafbf9fdfcfdfafbfcfef9fafdfafcfcfbfefafafcfbffffffff", 16)
        .unwrap_or_default();
    let sh = x >> rs(r);
    let idx = if sh >= U256::from(256u32) { U256::ZERO } else { magic >> sh.to::<usize>() } & U256::from(0x1fu8);
    // EVM `byte(i, w)`: the i-th byte from the most significant end.
    let byte = (table >> (8 * (31 - idx.to::<usize>()))) & U256::from(0xffu8);
    r ^= byte;
    let x = shl(rs(r), x) >> 159;

    let mul = |a: U256, b: U256| a.wrapping_mul(b);
    let add = |a: U256, b: U256| a.wrapping_add(b);
    let sub = |a: U256, b: U256| a.wrapping_sub(b);

    let mut p = add(dec("3273285459638523848632254066296"), x);
    p = add(dec("24828157081833163892658089445524"), sar(96, mul(p, x)));
    p = add(dec("43456485725739037958740375743393"), sar(96, mul(p, x)));
    p = sub(sar(96, mul(p, x)), dec("11111509109440967052023855526967"));
    p = sub(sar(96, mul(p, x)), dec("45023709667254063763336534515857"));
    p = sub(sar(96, mul(p, x)), dec("14706773417378608786704636184526"));
    p = sub(mul(p, x), shl(96, dec("795164235651350426258249787498")));

    let mut q = add(dec("5573035233440673466300451813936"), x);
    q = add(dec("71694874799317883764090561454958"), sar(96, mul(x, q)));
    q = add(dec("283447036172924575727196451306956"), sar(96, mul(x, q)));
    q = add(dec("401686690394027663651624208769553"), sar(96, mul(x, q)));
    q = add(dec("204048457590392012362485061816622"), sar(96, mul(x, q)));
    q = add(dec("31853899698501571402653359427138"), sar(96, mul(x, q)));
    q = add(dec("909429971244387300277376558375"), sar(96, mul(x, q)));

    let mut p = sdiv(p, q);
    p = mul(dec("1677202110996718588342820967067443963516166"), p);
    p = add(
        mul(dec("16597577552685614221487285958193947469193820559219878177908093499208371"), sub(U256::from(159u8), r)),
        p,
    );
    p = add(dec("600920179829731861736702779321621459595472258049074101567377883020018308"), p);
    Ok(sar(174, p))
}

/// solady `expWad(x)`: `e^x` in WAD, input and output as two's-complement words.
pub fn exp_wad(x: U256) -> Result<U256, FixedPointError> {
    if !sgt(x, neg(dec("41446531673892822313"))) {
        return Ok(U256::ZERO);
    }
    if !slt(x, dec("135305999368893231589")) {
        return Err(FixedPointError::ExpOverflow);
    }
    let five18 = dec("3814697265625");
    let x = sdiv(shl(78, x), five18);
    let ln2 = dec("54916777467707473351141471128");
    let k = sar(96, sdiv(shl(96, x), ln2).wrapping_add(shl(95, U256::from(1u8))));
    let x = x.wrapping_sub(k.wrapping_mul(ln2));

    let mul = |a: U256, b: U256| a.wrapping_mul(b);
    let add = |a: U256, b: U256| a.wrapping_add(b);
    let sub = |a: U256, b: U256| a.wrapping_sub(b);

    let mut y = add(x, dec("1346386616545796478920950773328"));
    y = add(sar(96, mul(y, x)), dec("57155421227552351082224309758442"));
    let mut p = sub(add(y, x), dec("94201549194550492254356042504812"));
    p = add(sar(96, mul(p, y)), dec("28719021644029726153956944680412240"));
    p = add(mul(p, x), shl(96, dec("4385272521454847904659076985693276")));

    let mut q = sub(x, dec("2855989394907223263936484059900"));
    q = add(sar(96, mul(q, x)), dec("50020603652535783019961831881945"));
    q = sub(sar(96, mul(q, x)), dec("533845033583426703283633433725380"));
    q = add(sar(96, mul(q, x)), dec("3604857256930695427073651918091429"));
    q = sub(sar(96, mul(q, x)), dec("14423608567350463180887372962807573"));
    q = add(sar(96, mul(q, x)), dec("26449188498355588339934803723976023"));

    let r = sdiv(p, q);
    // `uint256(195 - k)`: k is in [-61, 195], so the shift is in [0, 256].
    let shift = U256::from(195u8).wrapping_sub(k);
    let prod = r.wrapping_mul(dec("3822833074963236453042738258902158003155416615667"));
    Ok(if shift >= U256::from(256u32) { U256::ZERO } else { prod >> shift.to::<usize>() })
}

/// Checked signed multiplication of two's-complement words (Solidity 0.8 `int256 *`).
fn checked_smul(a: U256, b: U256) -> Result<U256, FixedPointError> {
    let (na, nb) = (is_neg(a), is_neg(b));
    let ua = if na { neg(a) } else { a };
    let ub = if nb { neg(b) } else { b };
    let m = ua.checked_mul(ub).ok_or(FixedPointError::Overflow)?;
    if na != nb {
        if m > (U256::from(1u8) << 255) {
            return Err(FixedPointError::Overflow);
        }
        Ok(neg(m))
    } else {
        if m.bit(255) {
            return Err(FixedPointError::Overflow);
        }
        Ok(m)
    }
}

/// solady `powWad(x, y) = expWad(lnWad(x) * y / WAD)` (checked `int256` arithmetic).
pub fn pow_wad(x: U256, y: U256) -> Result<U256, FixedPointError> {
    let l = ln_wad(x)?;
    exp_wad(sdiv(checked_smul(l, y)?, u(WAD)))
}

/// Gas the bond formula charges for a claim at `depth` in a game of `max_game_depth` (`requiredGas`).
pub fn required_gas(depth: u8, max_game_depth: u8) -> Result<U256, GameError> {
    if depth > max_game_depth {
        return Err(GameError::GameDepthExceeded);
    }
    let fp = |r: Result<U256, FixedPointError>| r.map_err(|e| GameError::VmStep(format!("bond math: {e}")));
    let a = HIGH_GAS_CHARGED / BASE_GAS_CHARGED;
    let b = u(WAD);
    let c = U256::from(max_game_depth) * u(WAD);
    let ln_a = fp(ln_wad(u(a) * u(WAD)))?;
    let b_over_c = fp(div_wad(b, c))?;
    let numerator = fp(mul_wad(ln_a, b_over_c))?;
    let base = fp(exp_wad(numerator))?;
    let raw_gas = fp(pow_wad(base, U256::from(depth) * u(WAD)))?;
    fp(mul_wad(u(BASE_GAS_CHARGED), raw_gas))
}

/// `getRequiredBond(position)` in wei: `200 gwei × requiredGas`.
pub fn required_bond(position: Position, max_game_depth: u8) -> Result<U256, GameError> {
    Ok(u(ASSUMED_BASE_FEE) * required_gas(position.depth(), max_game_depth)?)
}

/// Two's-complement helper for tests and callers that hold signed values.
pub fn int_word(v: i128) -> U256 {
    from_i128(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// vectors.md §3.2: `requiredGas` per depth for MAX_GAME_DEPTH = 73.
    const GAS_73: [u64; 74] = [
        400_000,
        437_970,
        479_544,
        525_065,
        574_906,
        629_480,
        689_233,
        754_659,
        826_295,
        904_731,
        990_612,
        1_084_646,
        1_187_607,
        1_300_340,
        1_423_775,
        1_558_927,
        1_706_909,
        1_868_937,
        2_046_346,
        2_240_596,
        2_453_285,
        2_686_163,
        2_941_147,
        3_220_336,
        3_526_026,
        3_860_735,
        4_227_215,
        4_628_484,
        5_067_843,
        5_548_909,
        6_075_639,
        6_652_370,
        7_283_847,
        7_975_266,
        8_732_319,
        9_561_235,
        10_468_836,
        11_462_591,
        12_550_679,
        13_742_053,
        15_046_518,
        16_474_810,
        18_038_683,
        19_751_006,
        21_625_872,
        23_678_709,
        25_926_412,
        28_387_479,
        31_082_162,
        34_032_639,
        37_263_190,
        40_800_401,
        44_673_382,
        48_914_006,
        53_557_172,
        58_641_090,
        64_207_600,
        70_302_511,
        76_975_982,
        84_282_933,
        92_283_497,
        101_043_514,
        110_635_077,
        121_137_120,
        132_636_070,
        145_226_559,
        159_012_200,
        174_106_445,
        190_633_512,
        208_729_412,
        228_543_067,
        250_237_534,
        273_991_351,
        299_999_999,
    ];

    #[test]
    fn ln_750() {
        assert_eq!(ln_wad(U256::from(750u64) * u(WAD)).unwrap(), U256::from(6_620_073_206_530_356_124u64));
    }

    #[test]
    fn ln_and_exp_basics() {
        assert_eq!(ln_wad(u(WAD)).unwrap(), U256::ZERO);
        assert_eq!(exp_wad(U256::ZERO).unwrap(), u(WAD));
        assert_eq!(ln_wad(U256::ZERO), Err(FixedPointError::LnWadUndefined));
        assert_eq!(ln_wad(int_word(-5)), Err(FixedPointError::LnWadUndefined));
        // ln(0.5) is negative; exp of a very negative number is 0.
        assert!(is_neg(ln_wad(u(WAD / 2)).unwrap()));
        assert_eq!(exp_wad(int_word(-42_000_000_000_000_000_000)).unwrap(), U256::ZERO);
        assert_eq!(exp_wad(dec("135305999368893231589")), Err(FixedPointError::ExpOverflow));
    }

    #[test]
    fn bonds_depths_0_30_73() {
        let wei = |s: &str| dec(s);
        assert_eq!(required_bond(Position::ROOT, 73).unwrap(), wei("80000000000000000"));
        assert_eq!(required_bond(Position::new(30, 0), 73).unwrap(), wei("1215127800000000000"));
        assert_eq!(required_bond(Position::new(73, 0), 73).unwrap(), wei("59999999800000000000"));
        assert_eq!(required_bond(Position::new(74, 0), 73), Err(GameError::GameDepthExceeded));
    }

    #[test]
    fn real_game_depths_0_to_4() {
        let expect =
            ["80000000000000000", "87594000000000000", "95908800000000000", "105013000000000000", "114981200000000000"];
        for (d, e) in expect.iter().enumerate() {
            assert_eq!(required_bond(Position::new(d as u8, 0), 73).unwrap(), dec(e), "depth {d}");
        }
    }

    #[test]
    fn full_table_max_73() {
        let mut sum = U256::ZERO;
        for (d, g) in GAS_73.iter().enumerate() {
            let gas = required_gas(d as u8, 73).unwrap();
            assert_eq!(gas, U256::from(*g), "gas at depth {d}");
            assert_eq!(required_bond(Position::new(d as u8, 0), 73).unwrap(), U256::from(*g) * u(ASSUMED_BASE_FEE));
            sum += gas;
        }
        assert_eq!(sum, U256::from(3_456_173_470u64));
        // 691.234694 ETH.
        assert_eq!(sum * u(ASSUMED_BASE_FEE), dec("691234694000000000000"));
    }

    #[test]
    fn op_e2e_max_50() {
        assert_eq!(required_bond(Position::new(49, 0), 50).unwrap(), dec("52559354600000000000"));
        assert_eq!(required_bond(Position::new(50, 0), 50).unwrap(), dec("59999999800000000000"));
    }
}
