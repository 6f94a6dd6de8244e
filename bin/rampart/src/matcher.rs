//! Cannon's step matchers: `never`, `always`, `=N`, `%N`.

use std::fmt;

/// When a per-step action (proof, snapshot, stop, info) fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepMatcher {
    /// Never fires (`never` or empty).
    Never,
    /// Fires at every step.
    Always,
    /// Fires at exactly this step (`=N`).
    Exact(u64),
    /// Fires when step % N == 0 (`%N`).
    Every(u64),
}

/// Parses an unsigned integer like Go's `strconv.ParseUint(s, 0, 64)`: `0x`, `0o`, `0b`, leading-0 octal, `_`.
pub fn parse_uint_base0(s: &str) -> Option<u64> {
    let (digits, radix) = if let Some(r) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (r, 16)
    } else if let Some(r) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        (r, 2)
    } else if let Some(r) = s.strip_prefix("0o").or_else(|| s.strip_prefix("0O")) {
        (r, 8)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    // Go allows underscores only with a base prefix; keep it simple and strict otherwise.
    let cleaned: String = if radix != 10 { digits.replace('_', "") } else { digits.to_string() };
    if cleaned.is_empty() || cleaned.starts_with('+') || cleaned.starts_with('-') {
        return None;
    }
    u64::from_str_radix(&cleaned, radix).ok()
}

impl StepMatcher {
    /// Parses the flag syntax.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "" | "never" => Ok(Self::Never),
            "always" => Ok(Self::Always),
            _ => {
                if let Some(n) = s.strip_prefix('=') {
                    parse_uint_base0(n).map(Self::Exact).ok_or_else(|| format!("invalid step matcher {s:?}"))
                } else if let Some(n) = s.strip_prefix('%') {
                    match parse_uint_base0(n) {
                        Some(0) => Err(format!("invalid step matcher {s:?}: modulus must be > 0")),
                        Some(n) => Ok(Self::Every(n)),
                        None => Err(format!("invalid step matcher {s:?}")),
                    }
                } else {
                    Err(format!("invalid step matcher {s:?} (expected never, always, =N or %N)"))
                }
            }
        }
    }

    /// Whether it fires at `step`.
    #[inline]
    pub fn matches(&self, step: u64) -> bool {
        match *self {
            Self::Never => false,
            Self::Always => true,
            Self::Exact(n) => step == n,
            Self::Every(n) => step.is_multiple_of(n),
        }
    }

    /// The first step >= `step` at which it fires (u64::MAX if never).
    pub fn next_at_or_after(&self, step: u64) -> u64 {
        match *self {
            Self::Never => u64::MAX,
            Self::Always => step,
            Self::Exact(n) => {
                if n >= step {
                    n
                } else {
                    u64::MAX
                }
            }
            Self::Every(n) => {
                let r = step % n;
                if r == 0 {
                    step
                } else {
                    step.saturating_add(n - r)
                }
            }
        }
    }
}

impl fmt::Display for StepMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Never => write!(f, "never"),
            Self::Always => write!(f, "always"),
            Self::Exact(n) => write!(f, "={n}"),
            Self::Every(n) => write!(f, "%{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_cannon() {
        assert_eq!(StepMatcher::parse("").unwrap(), StepMatcher::Never);
        assert_eq!(StepMatcher::parse("never").unwrap(), StepMatcher::Never);
        assert_eq!(StepMatcher::parse("always").unwrap(), StepMatcher::Always);
        assert_eq!(StepMatcher::parse("=0x10").unwrap(), StepMatcher::Exact(16));
        assert_eq!(StepMatcher::parse("=010").unwrap(), StepMatcher::Exact(8));
        assert_eq!(StepMatcher::parse("%1000").unwrap(), StepMatcher::Every(1000));
        assert!(StepMatcher::parse("%0").is_err());
        assert!(StepMatcher::parse("=abc").is_err());
        assert!(StepMatcher::parse("12").is_err());
        assert!(StepMatcher::parse("=-1").is_err());
    }

    #[test]
    fn next_event() {
        assert_eq!(StepMatcher::Every(10).next_at_or_after(11), 20);
        assert_eq!(StepMatcher::Every(10).next_at_or_after(20), 20);
        assert_eq!(StepMatcher::Exact(5).next_at_or_after(6), u64::MAX);
        assert_eq!(StepMatcher::Every(u64::MAX).next_at_or_after(u64::MAX - 1), u64::MAX);
    }
}
