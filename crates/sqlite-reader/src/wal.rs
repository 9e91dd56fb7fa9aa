//! A `-wal` file's committed frames, as SQLite recovers them without the `-shm`
//! index: frames are valid while their salts match the header's and their cumulative
//! checksums hold; the last valid commit frame ends the log, and its page count is
//! the database's size.

use std::collections::HashMap;

const MAGIC_LE: u32 = 0x377f_0682;
const MAGIC_BE: u32 = 0x377f_0683;
const VERSION: u32 = 3_007_000;
const HEADER: usize = 32;
const FRAME_HEADER: usize = 24;

/// The newest committed image of every page the WAL holds.
pub(crate) struct Overlay<'a> {
    /// Page number → page bytes.
    pub pages: HashMap<u32, &'a [u8]>,
    /// The database's size in pages after the last commit.
    pub db_size: u32,
}

fn be32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

fn checksum(data: &[u8], big_endian: bool, (mut s0, mut s1): (u32, u32)) -> (u32, u32) {
    for w in data.chunks_exact(8) {
        let word = |s: &[u8]| {
            let b = [s[0], s[1], s[2], s[3]];
            if big_endian {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        };
        s0 = s0.wrapping_add(word(&w[..4])).wrapping_add(s1);
        s1 = s1.wrapping_add(word(&w[4..])).wrapping_add(s0);
    }
    (s0, s1)
}

/// Reads `wal` for a database of `page_size`-byte pages. `None` when it holds no
/// committed transaction (SQLite then ignores it too); `notes` say why, or what was
/// left out.
pub(crate) fn read<'a>(
    wal: &'a [u8],
    page_size: usize,
    notes: &mut Vec<String>,
) -> Option<Overlay<'a>> {
    if wal.is_empty() {
        return None;
    }
    let ignored = |notes: &mut Vec<String>, why: &str| {
        notes.push(format!(
            "the -wal file was ignored, as SQLite ignores it: {why}"
        ));
        None
    };
    if wal.len() < HEADER {
        return ignored(notes, "it is shorter than a WAL header");
    }
    let big_endian = match be32(wal, 0) {
        MAGIC_LE => false,
        MAGIC_BE => true,
        _ => return ignored(notes, "it does not start with a WAL header"),
    };
    if be32(wal, 4) != VERSION {
        return ignored(notes, "its format version is not 3007000");
    }
    if be32(wal, 8) as usize != page_size {
        return ignored(notes, "its page size differs from the database's");
    }
    let salts = (be32(wal, 16), be32(wal, 20));
    let mut sum = checksum(&wal[..24], big_endian, (0, 0));
    if sum != (be32(wal, 24), be32(wal, 28)) {
        return ignored(notes, "its header checksum does not match");
    }
    let mut committed: HashMap<u32, &'a [u8]> = HashMap::new();
    let mut pending: Vec<(u32, &'a [u8])> = Vec::new();
    let mut db_size = None;
    let mut at = HEADER;
    while let Some(frame) = wal.get(at..at + FRAME_HEADER + page_size) {
        let (head, page) = frame.split_at(FRAME_HEADER);
        let pgno = be32(head, 0);
        if pgno == 0 || (be32(head, 8), be32(head, 12)) != salts {
            break;
        }
        sum = checksum(&head[..8], big_endian, sum);
        sum = checksum(page, big_endian, sum);
        if sum != (be32(head, 16), be32(head, 20)) {
            break;
        }
        pending.push((pgno, page));
        let commit = be32(head, 4);
        if commit != 0 {
            committed.extend(pending.drain(..));
            db_size = Some(commit);
        }
        at += FRAME_HEADER + page_size;
    }
    if !pending.is_empty() {
        notes.push(format!(
            "{} page(s) at the end of the -wal file belong to a transaction that never \
             committed; left out, as SQLite leaves them out",
            pending.len()
        ));
    }
    match db_size {
        Some(db_size) => Some(Overlay {
            pages: committed,
            db_size,
        }),
        None => ignored(notes, "it holds no committed transaction"),
    }
}
