//! The zip format, read and written over byte slices (APPNOTE 6.3, with zip64).
//!
//! Hand-written rather than the `zip` crate because import must see what that crate
//! hides: it keys entries by decoded name (duplicates collapse silently) and decodes
//! names without the UTF-8 flag as CP437, while Info-ZIP writes UTF-8 without the flag.
//! Reading never trusts a declared size: data is inflated through the collector's
//! byte budget and then checked against the declared size and CRC-32.

use flate2::read::DeflateDecoder;
use flate2::{Compress, Compression, FlushCompress, Status};

use super::archive::Collector;
use super::error::{ImportError, ImportErrorKind};

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const FLAG_ENCRYPTED: u16 = 1;
const FLAG_UTF8: u16 = 1 << 11;
const S_IFMT: u32 = 0o170_000;
const S_IFLNK: u32 = 0o120_000;
/// DOS date 1980-01-01: every written entry gets it, so exports are reproducible.
const DOS_DATE_1980: u16 = (1 << 5) | 1;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn corrupt(detail: impl Into<String>) -> ImportError {
    ImportError::new(
        ImportErrorKind::Corrupt,
        format!("truncated or corrupt zip archive: {}", detail.into()),
    )
}

fn corrupt_entry(name: &str, detail: impl Into<String>) -> ImportError {
    ImportError::at(
        ImportErrorKind::Corrupt,
        name,
        format!("truncated or corrupt zip entry: {}", detail.into()),
    )
}

/// Where the central directory is and how many entries it lists.
struct Directory {
    entries: u64,
    offset: u64,
    size: u64,
    /// Bytes before the archive proper (self-extracting stubs): added to every offset.
    base: u64,
}

fn find_directory(b: &[u8]) -> Result<Directory, ImportError> {
    let lowest = b.len().saturating_sub(22 + 0xFFFF);
    let mut pos = b
        .len()
        .checked_sub(22)
        .ok_or_else(|| corrupt("too short"))?;
    let eocd = loop {
        if u32_at(b, pos) == Some(EOCD_SIG) {
            let comment = u16_at(b, pos + 20).unwrap_or(0) as usize;
            if pos + 22 + comment <= b.len() {
                break pos;
            }
        }
        if pos == lowest {
            return Err(corrupt(last_local_entry(b).map_or_else(
                || "no central directory found".to_string(),
                |n| format!("no central directory; the data ends at or after entry '{n}'"),
            )));
        }
        pos -= 1;
    };
    let get16 = |at| u16_at(b, eocd + at).map(u64::from).unwrap_or(0);
    let get32 = |at| u32_at(b, eocd + at).map(u64::from).unwrap_or(0);
    let (mut entries, mut size, mut offset, mut end) = (get16(10), get32(12), get32(16), eocd);
    if entries == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
        // zip64: a locator right before the EOCD points at the zip64 EOCD record.
        let loc = eocd
            .checked_sub(20)
            .filter(|&l| u32_at(b, l) == Some(ZIP64_LOCATOR_SIG));
        if let Some(loc) = loc {
            let rec = u64_at(b, loc + 8).ok_or_else(|| corrupt("zip64 locator"))?;
            // The record may be shifted by a prepended stub: look just before the locator.
            let rec = [rec as usize, loc.saturating_sub(56)]
                .into_iter()
                .find(|&r| u32_at(b, r) == Some(ZIP64_EOCD_SIG))
                .ok_or_else(|| corrupt("zip64 end of central directory not found"))?;
            entries = u64_at(b, rec + 32).ok_or_else(|| corrupt("zip64 record"))?;
            size = u64_at(b, rec + 40).ok_or_else(|| corrupt("zip64 record"))?;
            offset = u64_at(b, rec + 48).ok_or_else(|| corrupt("zip64 record"))?;
            end = rec;
        }
    }
    let base = (end as u64)
        .checked_sub(size)
        .and_then(|v| v.checked_sub(offset))
        .ok_or_else(|| corrupt("central directory offsets point outside the file"))?;
    Ok(Directory {
        entries,
        offset,
        size,
        base,
    })
}

/// The name of the last local entry reachable from the start, to say where a zip
/// without central directory (a truncated download) stops.
fn last_local_entry(b: &[u8]) -> Option<String> {
    let (mut pos, mut last) = (0usize, None);
    while u32_at(b, pos) == Some(LOCAL_SIG) {
        let nlen = u16_at(b, pos + 26)? as usize;
        let elen = u16_at(b, pos + 28)? as usize;
        let name = b.get(pos + 30..pos + 30 + nlen)?;
        last = Some(String::from_utf8_lossy(name).into_owned());
        let flags = u16_at(b, pos + 6)?;
        let csize = u32_at(b, pos + 18)? as usize;
        if flags & 8 != 0 {
            break; // sizes follow the data; cannot skip reliably
        }
        pos += 30 + nlen + elen + csize;
    }
    last
}

/// One central-directory record, decoded.
struct CentralEntry {
    name: String,
    flags: u16,
    method: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    local_offset: u64,
    mode: u32,
}

fn decode_name(raw: &[u8], flags: u16, extra: &[u8]) -> String {
    if flags & FLAG_UTF8 == 0 {
        // Info-ZIP Unicode Path extra field (0x7075): version 1, CRC of the raw name, UTF-8.
        let mut i = 0;
        while i + 4 <= extra.len() {
            let id = u16_at(extra, i).unwrap_or(0);
            let len = u16_at(extra, i + 2).unwrap_or(0) as usize;
            let data = extra.get(i + 4..i + 4 + len).unwrap_or(&[]);
            if id == 0x7075 && data.len() >= 5 && data[0] == 1 {
                if let Ok(s) = std::str::from_utf8(&data[5..]) {
                    return s.to_string();
                }
            }
            i += 4 + len;
        }
    }
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => raw.iter().map(|&c| cp437(c)).collect(),
    }
}

/// CP437, the zip default for names without the UTF-8 flag that are not valid UTF-8.
fn cp437(c: u8) -> char {
    const HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";
    if c < 0x80 {
        c as char
    } else {
        HIGH.chars().nth(c as usize - 0x80).unwrap_or('?')
    }
}

fn read_central(b: &[u8], at: usize) -> Option<(CentralEntry, usize)> {
    if u32_at(b, at)? != CENTRAL_SIG {
        return None;
    }
    let flags = u16_at(b, at + 8)?;
    let nlen = u16_at(b, at + 28)? as usize;
    let elen = u16_at(b, at + 30)? as usize;
    let clen = u16_at(b, at + 32)? as usize;
    let raw = b.get(at + 46..at + 46 + nlen)?;
    let extra = b.get(at + 46 + nlen..at + 46 + nlen + elen)?;
    let mut size = u64::from(u32_at(b, at + 24)?);
    let mut compressed = u64::from(u32_at(b, at + 20)?);
    let mut local_offset = u64::from(u32_at(b, at + 42)?);
    // zip64 extended information (0x0001): present fields replace the saturated ones.
    let mut i = 0;
    while i + 4 <= extra.len() {
        let id = u16_at(extra, i)?;
        let len = u16_at(extra, i + 2)? as usize;
        if id == 0x0001 {
            let mut p = i + 4;
            for field in [&mut size, &mut compressed, &mut local_offset] {
                if *field == 0xFFFF_FFFF {
                    *field = u64_at(extra, p)?;
                    p += 8;
                }
            }
        }
        i += 4 + len;
    }
    let entry = CentralEntry {
        name: decode_name(raw, flags, extra),
        flags,
        method: u16_at(b, at + 10)?,
        crc: u32_at(b, at + 16)?,
        compressed,
        size,
        local_offset,
        mode: u32_at(b, at + 38)? >> 16,
    };
    Some((entry, at + 46 + nlen + elen + clen))
}

/// Reads every entry of the zip in `b` into `out`.
pub(super) fn read_zip(b: &[u8], out: &mut Collector) -> Result<(), ImportError> {
    let dir = find_directory(b)?;
    out.check_entry_count(dir.entries)?;
    let start = dir.base + dir.offset;
    if start
        .checked_add(dir.size)
        .is_none_or(|end| end > b.len() as u64)
    {
        return Err(corrupt("central directory lies outside the file"));
    }
    // Pass 1: names, kinds and paths, so an unsafe entry is reported before any data
    // is inflated.
    let mut entries = Vec::with_capacity(dir.entries.min(1 << 20) as usize);
    let mut pos = start as usize;
    for n in 0..dir.entries {
        let (e, next) = read_central(b, pos)
            .ok_or_else(|| corrupt(format!("central directory record {} is damaged", n + 1)))?;
        if e.mode & S_IFMT == S_IFLNK {
            return Err(out.link_error(&e.name, "symlink"));
        }
        let path = out.check_path(&e.name)?;
        entries.push((e, path));
        pos = next;
    }
    // Pass 2: data.
    for (e, path) in entries {
        if e.name.ends_with('/') || e.name.ends_with('\\') {
            out.add_dir(&e.name, path)?;
            continue;
        }
        if e.flags & FLAG_ENCRYPTED != 0 {
            return Err(corrupt_entry(
                &e.name,
                "encrypted entries are not supported",
            ));
        }
        let local = usize::try_from(dir.base + e.local_offset).unwrap_or(usize::MAX);
        if u32_at(b, local) != Some(LOCAL_SIG) {
            return Err(corrupt_entry(&e.name, "local header missing"));
        }
        let nlen = u16_at(b, local + 26).unwrap_or(0) as usize;
        let elen = u16_at(b, local + 28).unwrap_or(0) as usize;
        let data_start = local + 30 + nlen + elen;
        let data = usize::try_from(e.compressed)
            .ok()
            .and_then(|c| b.get(data_start..data_start.checked_add(c)?))
            .ok_or_else(|| corrupt_entry(&e.name, "data runs past the end of the file"))?;
        let bytes = match e.method {
            0 => out.read_capped(&e.name, data, e.size)?,
            8 => out
                .read_capped(&e.name, DeflateDecoder::new(data), e.size)
                .map_err(|err| match err.kind {
                    ImportErrorKind::TooLarge => err,
                    _ => corrupt_entry(&e.name, err.detail),
                })?,
            m => {
                return Err(corrupt_entry(
                    &e.name,
                    format!("compression method {m} is not supported (only stored and deflate)"),
                ))
            }
        };
        if bytes.len() as u64 != e.size {
            return Err(corrupt_entry(
                &e.name,
                format!("{} bytes declared, {} found", e.size, bytes.len()),
            ));
        }
        if crc32fast::hash(&bytes) != e.crc {
            return Err(corrupt_entry(&e.name, "CRC-32 mismatch"));
        }
        out.add_file(&e.name, path, bytes)?;
    }
    Ok(())
}

/// One entry to write: a directory (`None`) or a file's bytes.
pub(super) struct ZipItem<'a> {
    /// Path inside the archive, without a trailing `/` for directories.
    pub name: &'a str,
    /// File content; `None` for a directory.
    pub data: Option<&'a [u8]>,
}

/// Zip64 is needed from here on (sizes, offsets).
const ZIP64_AT: u64 = 0xFFFF_0000;

/// Writes `items` in the given order as a deflated zip with UTF-8 names.
pub(super) fn write_zip<'a>(
    items: impl IntoIterator<Item = ZipItem<'a>>,
    size_hint: usize,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(size_hint / 4 + 4096);
    // One compressor for all entries: its tables are large, and a store has many files.
    let mut compressor = Compress::new(Compression::new(COMPRESSION_LEVEL), false);
    let mut central = Vec::new();
    let mut count: u64 = 0;
    for item in items {
        let name = match item.data {
            Some(_) => item.name.to_string(),
            None => format!("{}/", item.name),
        };
        let data = item.data.unwrap_or(&[]);
        let offset = out.len() as u64;
        let crc = crc32fast::hash(data);
        let method: u16 = if data.is_empty() { 0 } else { 8 };
        let big = data.len() as u64 >= ZIP64_AT;
        // Local header; sizes are patched once the data is compressed.
        put32(&mut out, LOCAL_SIG);
        put16(&mut out, if big { 45 } else { 20 });
        put16(&mut out, FLAG_UTF8);
        put16(&mut out, method);
        put16(&mut out, 0);
        put16(&mut out, DOS_DATE_1980);
        put32(&mut out, crc);
        let sizes_at = out.len();
        put32(&mut out, 0);
        put32(&mut out, 0);
        put16(&mut out, name.len() as u16);
        put16(&mut out, if big { 20 } else { 0 });
        out.extend_from_slice(name.as_bytes());
        let extra_at = out.len();
        if big {
            put16(&mut out, 1);
            put16(&mut out, 16);
            put64(&mut out, 0);
            put64(&mut out, 0);
        }
        let data_at = out.len();
        if method == 8 {
            deflate_into(&mut compressor, data, &mut out);
        }
        let compressed = (out.len() - data_at) as u64;
        let size = data.len() as u64;
        if big {
            out[sizes_at..sizes_at + 8].copy_from_slice(&[0xFF; 8]);
            out[extra_at + 4..extra_at + 12].copy_from_slice(&size.to_le_bytes());
            out[extra_at + 12..extra_at + 20].copy_from_slice(&compressed.to_le_bytes());
        } else {
            out[sizes_at..sizes_at + 4].copy_from_slice(&(compressed as u32).to_le_bytes());
            out[sizes_at + 4..sizes_at + 8].copy_from_slice(&(size as u32).to_le_bytes());
        }
        // Central record.
        let far = offset >= ZIP64_AT;
        let mut extra = Vec::new();
        if big || far {
            let mut fields = Vec::new();
            if big {
                fields.extend_from_slice(&size.to_le_bytes());
                fields.extend_from_slice(&compressed.to_le_bytes());
            }
            if far {
                fields.extend_from_slice(&offset.to_le_bytes());
            }
            put16(&mut extra, 1);
            put16(&mut extra, fields.len() as u16);
            extra.extend_from_slice(&fields);
        }
        let unix_mode: u32 = if item.data.is_some() {
            0o100_644
        } else {
            0o040_755
        };
        put32(&mut central, CENTRAL_SIG);
        put16(&mut central, (3 << 8) | 45); // made by Unix, spec 4.5
        put16(&mut central, if big || far { 45 } else { 20 });
        put16(&mut central, FLAG_UTF8);
        put16(&mut central, method);
        put16(&mut central, 0);
        put16(&mut central, DOS_DATE_1980);
        put32(&mut central, crc);
        put32(&mut central, if big { u32::MAX } else { compressed as u32 });
        put32(&mut central, if big { u32::MAX } else { size as u32 });
        put16(&mut central, name.len() as u16);
        put16(&mut central, extra.len() as u16);
        put16(&mut central, 0); // comment
        put16(&mut central, 0); // disk
        put16(&mut central, 0); // internal attributes
        let dos_dir = if item.data.is_some() { 0 } else { 0x10 };
        put32(&mut central, (unix_mode << 16) | dos_dir);
        put32(&mut central, if far { u32::MAX } else { offset as u32 });
        central.extend_from_slice(name.as_bytes());
        central.extend_from_slice(&extra);
        count += 1;
    }
    let cd_offset = out.len() as u64;
    let cd_size = central.len() as u64;
    out.extend_from_slice(&central);
    let zip64 = count >= 0xFFFF || cd_offset >= ZIP64_AT || cd_size >= ZIP64_AT;
    if zip64 {
        let rec_at = out.len() as u64;
        put32(&mut out, ZIP64_EOCD_SIG);
        put64(&mut out, 44);
        put16(&mut out, (3 << 8) | 45);
        put16(&mut out, 45);
        put32(&mut out, 0);
        put32(&mut out, 0);
        put64(&mut out, count);
        put64(&mut out, count);
        put64(&mut out, cd_size);
        put64(&mut out, cd_offset);
        put32(&mut out, ZIP64_LOCATOR_SIG);
        put32(&mut out, 0);
        put64(&mut out, rec_at);
        put32(&mut out, 1);
    }
    put32(&mut out, EOCD_SIG);
    put16(&mut out, 0);
    put16(&mut out, 0);
    let short_count = if zip64 { 0xFFFF } else { count as u16 };
    put16(&mut out, short_count);
    put16(&mut out, short_count);
    put32(&mut out, if zip64 { u32::MAX } else { cd_size as u32 });
    put32(&mut out, if zip64 { u32::MAX } else { cd_offset as u32 });
    put16(&mut out, 0);
    out
}

/// Deflate level for exports. 1 (fastest): on a 1,000,000-point store it deflates
/// twice as fast as level 6 for a zip only ~7% larger (metric text compresses well).
const COMPRESSION_LEVEL: u32 = 1;

/// Appends the raw deflate stream of `data` to `out`.
fn deflate_into(c: &mut Compress, data: &[u8], out: &mut Vec<u8>) {
    c.reset();
    loop {
        out.reserve(data.len() / 4 + 1024);
        let consumed = usize::try_from(c.total_in())
            .unwrap_or(data.len())
            .min(data.len());
        match c.compress_vec(&data[consumed..], out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) | Err(_) => break, // no error is possible in memory
            Ok(_) => {}
        }
    }
}

fn put16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn put32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn put64(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}
