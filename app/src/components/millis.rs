//! Millisecond figures for people, printed from integers: `{:.0}` or `{:.1}` on
//! an `f64` would pull core's float formatting (≈ 10 KB) into the wasm for four
//! figures.

/// `ms` rounded to whole milliseconds, ties to even as `{:.0}` rounds.
pub fn whole(ms: f64) -> i64 {
    ms.round_ties_even() as i64
}

/// `ms` to a tenth of a millisecond, e.g. `345.7`.
pub fn to_tenth(ms: f64) -> String {
    let tenths = (ms * 10.0).round_ties_even() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    format!("{sign}{}.{}", (tenths / 10).abs(), (tenths % 10).abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_milliseconds_round_like_the_float_formatter() {
        for ms in [0.0, 0.4, 0.5, 1.5, 2.5, 345.67, 999.5, 1e6 + 0.49, 12.0] {
            assert_eq!(whole(ms).to_string(), format!("{ms:.0}"), "{ms}");
        }
        assert_eq!(whole(-3.6), -4);
    }

    #[test]
    fn tenths_keep_one_decimal() {
        assert_eq!(to_tenth(0.0), "0.0");
        assert_eq!(to_tenth(345.67), "345.7");
        assert_eq!(to_tenth(1234.04), "1234.0");
        assert_eq!(to_tenth(9.96), "10.0");
        assert_eq!(to_tenth(-2.34), "-2.3");
        assert_eq!(to_tenth(-0.04), "0.0");
    }
}
