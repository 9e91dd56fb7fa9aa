//! SQLite's varints and its record format (a header of serial types, then the values).

use crate::file::TextEncoding;
use crate::Value;

/// A SQLite varint at the start of `bytes`: its value and length, or `None` when the
/// bytes end first. Up to 9 bytes, big-endian, 7 bits each but the 9th (all 8).
pub(crate) fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for i in 0..9 {
        let b = *bytes.get(i)?;
        if i == 8 {
            return Some(((v << 8) | u64::from(b), 9));
        }
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// Why a record did not decode (the caller names the table and row).
pub(crate) type RecordError = String;

/// Decodes a record into its values (as stored: no affinity applied).
pub(crate) fn decode(payload: &[u8], text: TextEncoding) -> Result<Vec<Value>, RecordError> {
    let mut values = Vec::new();
    decode_into(payload, text, &mut values)?;
    Ok(values)
}

/// Decodes a record, appending its values to `values` (one allocation per row).
pub(crate) fn decode_into(
    payload: &[u8],
    text: TextEncoding,
    values: &mut Vec<Value>,
) -> Result<(), RecordError> {
    let (header_len, n) = varint(payload).ok_or("record header cut short")?;
    let header_len = usize::try_from(header_len).map_err(|_| "record header too long")?;
    if header_len < n || header_len > payload.len() {
        return Err(format!(
            "record header of {header_len} bytes in a {}-byte record",
            payload.len()
        ));
    }
    let mut types = Vec::new();
    let mut at = n;
    while at < header_len {
        let (t, n) = varint(&payload[at..header_len]).ok_or("serial type cut short")?;
        types.push(t);
        at += n;
    }
    let mut body = &payload[header_len..];
    values.reserve(types.len());
    for t in types {
        let size = match t {
            0 | 8 | 9 => 0,
            1..=4 => t as usize,
            5 => 6,
            6 | 7 => 8,
            10 | 11 => return Err(format!("reserved serial type {t}")),
            _ => usize::try_from((t - 12) / 2).map_err(|_| "value too long")?,
        };
        if size > body.len() {
            return Err(format!(
                "a {size}-byte value where {} bytes are left",
                body.len()
            ));
        }
        let (data, rest) = body.split_at(size);
        body = rest;
        values.push(match t {
            0 => Value::Null,
            8 => Value::Integer(0),
            9 => Value::Integer(1),
            1..=6 => Value::Integer(signed_be(data)),
            7 => Value::Real(f64::from_bits(signed_be(data) as u64)),
            t if t % 2 == 0 => Value::Blob(data.to_vec()),
            _ => Value::Text(text.decode(data)),
        });
    }
    Ok(())
}

/// A big-endian two's-complement integer of 1 to 8 bytes.
fn signed_be(data: &[u8]) -> i64 {
    let mut v: i64 = if data.first().is_some_and(|b| b & 0x80 != 0) {
        -1
    } else {
        0
    };
    for &b in data {
        v = (v << 8) | i64::from(b);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_of_every_length() {
        assert_eq!(varint(&[0x00]), Some((0, 1)));
        assert_eq!(varint(&[0x7f]), Some((127, 1)));
        assert_eq!(varint(&[0x81, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9]), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81]), None);
        assert_eq!(varint(&[]), None);
    }

    #[test]
    fn integers_of_every_width_keep_their_sign() {
        assert_eq!(signed_be(&[0xff]), -1);
        assert_eq!(signed_be(&[0x7f, 0xff]), 32767);
        assert_eq!(signed_be(&[0xff, 0xff, 0xfe]), -2);
        assert_eq!(signed_be(&[0x80, 0, 0, 0, 0, 0, 0, 0]), i64::MIN);
    }

    #[test]
    fn a_record_with_every_serial_type() {
        // header: len 8; types NULL, int8, 0, 1, float, text "hi", blob [1,2]
        let mut rec = vec![8, 0, 1, 8, 9, 7, 17, 16];
        rec.push(0xfe);
        rec.extend_from_slice(&1.5f64.to_bits().to_be_bytes());
        rec.extend_from_slice(b"hi");
        rec.extend_from_slice(&[1, 2]);
        let v = decode(&rec, TextEncoding::Utf8).unwrap();
        assert_eq!(
            v,
            vec![
                Value::Null,
                Value::Integer(-2),
                Value::Integer(0),
                Value::Integer(1),
                Value::Real(1.5),
                Value::Text("hi".into()),
                Value::Blob(vec![1, 2]),
            ]
        );
        assert!(decode(&rec[..rec.len() - 1], TextEncoding::Utf8).is_err());
        assert!(decode(&[3, 10, 0], TextEncoding::Utf8).is_err());
        assert!(decode(&[9, 0], TextEncoding::Utf8).is_err());
    }
}
