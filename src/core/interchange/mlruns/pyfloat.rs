//! Numbers as MLflow's Python writes and reads them in metric files: `repr(float)` out,
//! `float()` / `int()` in.

/// Python's `repr(f)` (= `str(f)`) for a float: the shortest digits that round-trip,
/// fixed notation for exponents -4..=15 (`0.0001`, `42.0`, `9007199254740992.0`),
/// scientific outside (`1e-05`, `1e+16`, `5e-324`), and `nan`, `inf`, `-inf`.
pub fn python_float_repr(v: f64) -> String {
    let mut out = Vec::with_capacity(24);
    push_python_float(&mut out, v);
    // Only ASCII was written.
    String::from_utf8_lossy(&out).into_owned()
}

/// Appends [`python_float_repr`] of `v` to `out` without allocating.
pub(crate) fn push_python_float(out: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        out.extend_from_slice(b"nan");
        return;
    }
    if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 { b"inf" } else { b"-inf" });
        return;
    }
    // Ryu gives the shortest round-trip digits (ties to even), like Python's repr; it
    // lays them out its own way ("1e16", "0.0001", "1200.0"), so take digits and
    // exponent back out of its text.
    let mut ryu_buf = ryu::Buffer::new();
    let text = ryu_buf.format_finite(v.abs()).as_bytes();
    let (mantissa, exp_text) = match text.iter().position(|&c| c == b'e') {
        Some(e) => (&text[..e], &text[e + 1..]),
        None => (text, &b"0"[..]),
    };
    let shift: i32 = std::str::from_utf8(exp_text)
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let point = mantissa
        .iter()
        .position(|&c| c == b'.')
        .unwrap_or(mantissa.len());
    let mut digits = [0u8; 24];
    let mut n = 0;
    let mut first_at = None; // index in `mantissa` of the first significant digit
    for (i, &c) in mantissa.iter().enumerate() {
        if !c.is_ascii_digit() || (n == 0 && c == b'0') || n == digits.len() {
            continue;
        }
        first_at.get_or_insert(i);
        digits[n] = c;
        n += 1;
    }
    while n > 1 && digits[n - 1] == b'0' {
        n -= 1;
    }
    let exp = match first_at {
        None => {
            digits[0] = b'0';
            n = 1;
            0
        }
        Some(i) if i < point => (point - i) as i32 - 1 + shift,
        Some(i) => point as i32 - i as i32 + shift,
    };
    let neg = v.is_sign_negative();
    round_half_even(v.abs(), &mut digits[..n], exp);
    let digits = &digits[..n];
    if neg {
        out.push(b'-');
    }
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.extend_from_slice(digits);
                out.resize(out.len() + int_len - digits.len(), b'0');
                out.extend_from_slice(b".0");
            } else {
                out.extend_from_slice(&digits[..int_len]);
                out.push(b'.');
                out.extend_from_slice(&digits[int_len..]);
            }
        } else {
            out.extend_from_slice(b"0.");
            out.resize(out.len() + (-exp - 1) as usize, b'0');
            out.extend_from_slice(digits);
        }
    } else {
        out.push(digits.first().copied().unwrap_or(b'0'));
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        let a = exp.unsigned_abs();
        if a < 10 {
            out.push(b'0');
        }
        push_u64(out, u64::from(a));
    }
}

/// Python breaks exact ties between two shortest candidates towards the even digit
/// (`233115890514796.125` → `…796.12`); Rust's own formatter rounds those up. Ryu
/// already picks the even one; this guard keeps the text Python's should it not.
fn round_half_even(v: f64, digits: &mut [u8], exp: i32) {
    let n = digits.len();
    let last = digits[n - 1];
    if (last - b'0') % 2 == 0 || !tie_possible(v) {
        return;
    }
    // All the digits of v: a tie means they read `digits` minus one, then 5, then zeros.
    let precision = if v >= 9007199254740992.0 { 330 } else { n + 40 };
    let exact = format!("{v:.precision$e}");
    let Some((mantissa, exact_exp)) = exact.split_once('e') else {
        return;
    };
    let x: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let tie = exact_exp.parse() == Ok(exp)
        && x.len() > n
        && x[..n - 1] == digits[..n - 1]
        && x[n - 1] == last - 1
        && x[n] == b'5'
        && x[n + 1..].iter().all(|&c| c == b'0');
    if !tie {
        return;
    }
    digits[n - 1] = last - 1;
    let candidate = format!(
        "{}.{}e{exp}",
        digits[0] as char,
        std::str::from_utf8(&digits[1..]).unwrap_or("0")
    );
    if candidate.parse::<f64>() != Ok(v) {
        digits[n - 1] = last; // the even neighbour does not round-trip: keep Rust's
    }
}

/// A tie needs an exact decimal expansion only one digit longer than the shortest
/// form: impossible for doubles with more than 26 fractional bits (most values) and
/// for integers below 2^53 (printed exactly).
fn tie_possible(v: f64) -> bool {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let mut mantissa = bits & ((1 << 52) - 1);
    let mut e = if biased == 0 {
        -1074
    } else {
        mantissa |= 1 << 52;
        biased - 1075
    };
    if mantissa == 0 {
        return false;
    }
    let tz = mantissa.trailing_zeros() as i32;
    e += tz;
    e > -27 && !(e >= 0 && v < 9007199254740992.0)
}

/// Appends the decimal digits of `v`.
pub(crate) fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends the decimal form of `v`.
pub(crate) fn push_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    push_u64(out, v.unsigned_abs());
}

/// Python's `int(s)` for the integers MLflow writes: optional sign, ASCII digits,
/// single `_` between digits, surrounding whitespace. `None` if Python would refuse it
/// or it does not fit an i64.
pub(crate) fn parse_python_int(s: &[u8]) -> Option<i64> {
    // Fast path: what MLflow writes.
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    if !digits.is_empty() && digits.len() <= 18 && digits.iter().all(u8::is_ascii_digit) {
        let v = digits
            .iter()
            .fold(0i64, |acc, &c| acc * 10 + i64::from(c - b'0'));
        return Some(if neg { -v } else { v });
    }
    let t = std::str::from_utf8(s).ok()?.trim();
    let t = without_underscores(t)?;
    t.parse::<i64>().ok()
}

/// Python's `float(s)`: also `nan`, `inf`, `infinity` in any case, `1e400` (→ inf),
/// `+1`, `1_0.5`, surrounding whitespace.
pub(crate) fn parse_python_float(s: &[u8]) -> Option<f64> {
    let t = std::str::from_utf8(s).ok()?;
    if let Ok(v) = t.parse::<f64>() {
        return Some(v);
    }
    let t = without_underscores(t.trim())?;
    t.parse::<f64>().ok()
}

/// Removes `_` separators when each sits between two digits, as Python allows.
fn without_underscores(t: &str) -> Option<std::borrow::Cow<'_, str>> {
    if !t.contains('_') {
        return Some(t.into());
    }
    let b = t.as_bytes();
    let ok = b.iter().enumerate().all(|(i, &c)| {
        c != b'_'
            || (i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit))
    });
    ok.then(|| t.replace('_', "").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_matches_python() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (42.0, "42.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (9007199254740992.0, "9007199254740992.0"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.000123, "0.000123"),
            (1.5e-7, "1.5e-07"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (-123.456, "-123.456"),
            (1.3333333333333333, "1.3333333333333333"),
            (1e22, "1e+22"),
            (1e100, "1e+100"),
            (233115890514796.12, "233115890514796.12"),
            (-2020163013628192.2, "-2020163013628192.2"),
            (0.125, "0.125"),
            (2.5, "2.5"),
            (f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (v, want) in cases {
            assert_eq!(python_float_repr(*v), *want, "{v:?}");
        }
    }

    #[test]
    fn float_reads_like_python() {
        let cases: &[(&str, f64)] = &[
            ("1.0", 1.0),
            ("42", 42.0),
            ("+1", 1.0),
            ("1e400", f64::INFINITY),
            ("-1e400", f64::NEG_INFINITY),
            ("Infinity", f64::INFINITY),
            ("-infinity", f64::NEG_INFINITY),
            ("inf", f64::INFINITY),
            ("1_000.5", 1000.5),
            (" 2.5\t", 2.5),
            ("5e-324", 5e-324),
        ];
        for (s, want) in cases {
            assert_eq!(parse_python_float(s.as_bytes()), Some(*want), "{s}");
        }
        assert!(parse_python_float(b"NaN").unwrap().is_nan());
        assert!(parse_python_float(b"nan").unwrap().is_nan());
        for bad in ["abc", "", "1_", "_1", "1__0", "0x10", "1.0.0"] {
            assert_eq!(parse_python_float(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn int_reads_like_python() {
        assert_eq!(parse_python_int(b"-5"), Some(-5));
        assert_eq!(parse_python_int(b"+7"), Some(7));
        assert_eq!(parse_python_int(b"1099511627776"), Some(1099511627776));
        assert_eq!(parse_python_int(b"1_000"), Some(1000));
        assert_eq!(parse_python_int(b"9223372036854775807"), Some(i64::MAX));
        for bad in ["1.0", "", "abc", "1e3", "-", "9223372036854775808"] {
            assert_eq!(parse_python_int(bad.as_bytes()), None, "{bad}");
        }
    }
}
