//! URL query strings read and written exactly.
//!
//! leptos_router's `use_query_map` decodes values twice (`URLSearchParams`, then
//! `decodeURIComponent`), which mangles a filter such as `params.x LIKE '%20%'`.
//! The runs table reads the raw `location.search` with [`parse`] instead, and writes
//! with [`encode`], so whatever the user typed comes back byte for byte.
//! ([`crate::core::table::state::RunsTableState`] turns the pairs into the table's
//! state.)

/// `a=1&b=x%20y&b=z` (with or without the leading `?`) → pairs in order, decoded as
/// `application/x-www-form-urlencoded` (`+` is a space; bad escapes stay as they are).
pub fn parse(search: &str) -> Vec<(String, String)> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// One `application/x-www-form-urlencoded` component decoded.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len()
                && hex(bytes[i + 1]).is_some()
                && hex(bytes[i + 2]).is_some() =>
            {
                out.push(hex(bytes[i + 1]).unwrap_or(0) << 4 | hex(bytes[i + 2]).unwrap_or(0));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of one hex digit.
fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Pairs → `?k=v&…` (empty when there are none), every byte but `A-Z a-z 0-9 - _ . ~`
/// percent-encoded.
pub fn encode(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        encode_into(&mut out, k);
        out.push('=');
        encode_into(&mut out, v);
    }
    out
}

/// The site path an MLflow UI link's hash route names: MLflow routes by hash
/// (`http://host/#/compare-runs?runs=[…]`), Ferroflow by path, with the same route
/// names (`/experiments/1/runs/<id>`, `/compare-runs?…`, `/models/<name>`), so the
/// part after `#` is the path, query included, kept byte for byte. `None` for any
/// other fragment (none, an anchor such as `#section`).
pub fn mlflow_hash_route(hash: &str) -> Option<String> {
    let rest = hash.strip_prefix("#/")?;
    Some(format!("/{rest}"))
}

/// One query value percent-encoded (for links built by hand).
pub fn encode_component(s: &str) -> String {
    let mut out = String::new();
    encode_into(&mut out, s);
    out
}

/// Appends `s` percent-encoded (see [`encode`]).
fn encode_into(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parse_decodes_once() {
        assert_eq!(
            parse("?a=1&b=x%20y&b=z+w&flag"),
            pairs(&[("a", "1"), ("b", "x y"), ("b", "z w"), ("flag", "")])
        );
        assert_eq!(parse(""), vec![]);
        assert_eq!(parse("?"), vec![]);
        assert_eq!(parse("a=1&&b=2"), pairs(&[("a", "1"), ("b", "2")]));
        // A value holding an escaped escape stays escaped once (no double decoding).
        assert_eq!(
            parse("filter=params.x%20LIKE%20%27%2520%25%27"),
            pairs(&[("filter", "params.x LIKE '%20%'")])
        );
    }

    #[test]
    fn bad_escapes_are_kept_as_written() {
        assert_eq!(
            parse("a=100%&b=%zz&c=%4"),
            pairs(&[("a", "100%"), ("b", "%zz"), ("c", "%4")])
        );
        assert_eq!(parse("a=%e2%9c%93"), pairs(&[("a", "✓")]));
        // Invalid UTF-8 becomes the replacement character rather than an error.
        assert_eq!(parse("a=%ff"), pairs(&[("a", "\u{fffd}")]));
    }

    #[test]
    fn encode_escapes_everything_but_unreserved_characters() {
        assert_eq!(encode(&[]), "");
        assert_eq!(
            encode(&pairs(&[
                ("filter", "metrics.acc > 0.9"),
                ("orderBy", "a.b-c_d~e")
            ])),
            "?filter=metrics.acc%20%3E%200.9&orderBy=a.b-c_d~e"
        );
        assert_eq!(encode_component("a+b&c=d/é"), "a%2Bb%26c%3Dd%2F%C3%A9");
    }

    #[test]
    fn anything_typed_round_trips() {
        let awkward = pairs(&[
            ("filter", "params.`a,b` LIKE '%20%' and tags.x = 'a+b&c=d'"),
            ("columns", "tags.😀 x"),
            ("orderBy", "metrics.val loss DESC"),
            ("expanded", "%"),
            ("k=v", "?#"),
        ]);
        assert_eq!(parse(&encode(&awkward)), awkward);
    }
}
