//! Tar and tar.gz archives, read entry by entry into the [`Collector`]: only regular
//! files and directories are accepted, and gzip output is capped so a small archive
//! cannot inflate without bound.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use flate2::read::MultiGzDecoder;

use super::archive::Collector;
use super::error::{ImportError, ImportErrorKind};

/// Whether `b` starts with a tar header: the POSIX/GNU magic, or failing that (old
/// tar) a valid header checksum.
pub(super) fn is_tar_header(b: &[u8]) -> bool {
    let Some(block) = b.get(..512) else {
        return false;
    };
    if &block[257..262] == b"ustar" {
        return true;
    }
    // Pre-POSIX tar: no magic, but the header checksum (spaces in its own field) holds.
    let stored = std::str::from_utf8(&block[148..156])
        .ok()
        .map(|s| s.trim_matches(|c: char| c == '\0' || c == ' '))
        .and_then(|s| u32::from_str_radix(s, 8).ok());
    let sum: u32 = block
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(c)
            }
        })
        .sum();
    block[0] != 0 && stored == Some(sum)
}

/// A reader that stops at a byte cap and remembers that it did.
struct CappedReader<R> {
    inner: R,
    left: u64,
    hit: Rc<Cell<bool>>,
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            self.hit.set(true);
            return Err(io::Error::other("decompressed size limit reached"));
        }
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let got = self.inner.read(&mut buf[..n])?;
        self.left -= got as u64;
        Ok(got)
    }
}

pub(super) fn read_tar_gz(bytes: &[u8], out: &mut Collector) -> Result<(), ImportError> {
    let hit = Rc::new(Cell::new(false));
    // Headers and padding cost bytes too: allow them on top of the file budget.
    let cap = out
        .limits
        .max_total_bytes
        .saturating_mul(2)
        .saturating_add(1 << 20);
    let mut gz = CappedReader {
        inner: MultiGzDecoder::new(bytes),
        left: cap,
        hit: hit.clone(),
    };
    let mut first = Vec::with_capacity(512);
    let peek = (&mut gz).take(512).read_to_end(&mut first);
    if peek.is_err() || !is_tar_header(&first) {
        let detail = match peek {
            Err(e) => format!("truncated or corrupt gzip data: {e}"),
            Ok(_) => {
                "gzip data that is not a tar archive; not a zip, tar or tar.gz archive".to_string()
            }
        };
        return Err(ImportError::new(ImportErrorKind::NotAnArchive, detail));
    }
    let result = read_tar(io::Cursor::new(first).chain(gz), out, "tar.gz");
    if hit.get() {
        return Err(ImportError::new(
            ImportErrorKind::TooLarge,
            format!(
                "the tar.gz archive expands past the {} byte limit",
                out.limits.max_total_bytes
            ),
        ));
    }
    result
}

pub(super) fn read_tar(
    reader: impl Read,
    out: &mut Collector,
    what: &str,
) -> Result<(), ImportError> {
    let mut archive = tar::Archive::new(reader);
    let mut last = String::new();
    let broken = |last: &str, e: io::Error| {
        let after = if last.is_empty() {
            String::new()
        } else {
            format!(" after entry '{last}'")
        };
        ImportError::new(
            ImportErrorKind::Corrupt,
            format!("truncated or corrupt {what} archive{after}: {e}"),
        )
    };
    let entries = archive.entries().map_err(|e| broken("", e))?;
    let mut count = 0u64;
    for entry in entries {
        let mut entry = entry.map_err(|e| broken(&last, e))?;
        count += 1;
        out.check_entry_count(count)?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        use tar::EntryType as T;
        match entry.header().entry_type() {
            T::Regular | T::Continuous => {
                let path = out.check_path(&name)?;
                let declared = entry.size();
                let data = out.read_capped(&name, &mut entry, declared)?;
                if data.len() as u64 != declared {
                    return Err(ImportError::at(
                        ImportErrorKind::Corrupt,
                        &name,
                        format!(
                            "truncated {what} entry: {declared} bytes declared, {} found",
                            data.len()
                        ),
                    ));
                }
                out.add_file(&name, path, data)?;
            }
            T::Directory => {
                let path = out.check_path(&name)?;
                out.add_dir(&name, path)?;
            }
            T::Symlink => return Err(out.link_error(&name, "symlink")),
            T::Link => return Err(out.link_error(&name, "hard link")),
            T::XGlobalHeader => {}
            other => {
                return Err(ImportError::at(
                    ImportErrorKind::UnsafeEntry,
                    &name,
                    format!("unsupported archive entry ({other:?}); only files and directories"),
                ))
            }
        }
        last = name;
    }
    Ok(())
}
