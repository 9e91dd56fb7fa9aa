//! Walking b-trees (file format §1.6): pages and their cells, payloads with their
//! overflow chains, every page reported to the caller so it can account for it.

use std::borrow::Cow;

use crate::file::{corrupt, Error, Pages};
use crate::record::varint;

/// Deeper than any real tree (SQLite's cursors stop at 20 levels).
const MAX_DEPTH: usize = 40;

/// Which kind of b-tree: a rowid table's or an index's (also a `WITHOUT ROWID` table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Table,
    Index,
}

impl Kind {
    /// The kind a root page's type byte announces.
    pub fn of_page(flag: u8) -> Option<Kind> {
        match flag {
            0x05 | 0x0d => Some(Kind::Table),
            0x02 | 0x0a => Some(Kind::Index),
            _ => None,
        }
    }
}

/// A cell that carries a payload: a table leaf's row (with its rowid) or an index
/// entry (rowid 0).
pub(crate) struct Cell<'a> {
    pub rowid: i64,
    pub payload: Cow<'a, [u8]>,
}

pub(crate) fn be16(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 2)
        .map(|s| usize::from(u16::from_be_bytes([s[0], s[1]])))
}

pub(crate) fn be32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// Walks the b-tree rooted at `root`, leaves left to right: `mark` hears of every page
/// (tree and overflow) before it is read, `cell` gets every payload-carrying cell, and
/// a table's rowids must ascend. `what` names the tree in messages.
pub(crate) fn walk<'a>(
    pages: &Pages<'a>,
    root: u32,
    kind: Kind,
    what: &str,
    mark: &mut dyn FnMut(u32) -> Result<(), Error>,
    cell: &mut dyn FnMut(Cell<'a>) -> Result<(), Error>,
) -> Result<(), Error> {
    let usable = pages.usable();
    let mut stack = vec![(root, 0usize)];
    let mut last_rowid: Option<i64> = None;
    while let Some((pgno, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(corrupt(format!(
                "{what} is more than {MAX_DEPTH} levels deep"
            )));
        }
        mark(pgno)?;
        let page = pages.get(pgno)?;
        let bad = |detail: String| corrupt(format!("page {pgno} of {what}: {detail}"));
        let h = if pgno == 1 { 100 } else { 0 };
        let flag = *page.get(h).ok_or_else(|| bad("no header".into()))?;
        let interior = match (kind, flag) {
            (Kind::Table, 0x05) | (Kind::Index, 0x02) => true,
            (Kind::Table, 0x0d) | (Kind::Index, 0x0a) => false,
            _ => {
                return Err(bad(format!(
                    "type byte {flag:#04x} is not a {kind:?} b-tree page's"
                )))
            }
        };
        let ncells = be16(page, h + 3).ok_or_else(|| bad("no header".into()))?;
        let ptrs = h + if interior { 12 } else { 8 };
        let ptrs_end = ptrs + 2 * ncells;
        if ptrs_end > usable {
            return Err(bad(format!("{ncells} cells do not fit the page")));
        }
        let mut children = Vec::with_capacity(if interior { ncells + 1 } else { 0 });
        for i in 0..ncells {
            let off = be16(page, ptrs + 2 * i).unwrap_or(0);
            if off < ptrs_end || off >= usable {
                return Err(bad(format!("cell {i} points outside the cell area")));
            }
            let c = &page[off..usable];
            let short = || bad(format!("cell {i} is cut short"));
            match (kind, interior) {
                (Kind::Table, true) => {
                    children.push(be32(c, 0).ok_or_else(short)?);
                    varint(c.get(4..).unwrap_or(&[])).ok_or_else(short)?;
                }
                (Kind::Table, false) => {
                    let (size, n1) = varint(c).ok_or_else(short)?;
                    let (rowid, n2) = varint(&c[n1..]).ok_or_else(short)?;
                    let rowid = rowid as i64;
                    if last_rowid.is_some_and(|last| rowid <= last) {
                        return Err(bad(format!("rowid {rowid} is out of order")));
                    }
                    last_rowid = Some(rowid);
                    let max_local = usable - 35;
                    let payload = payload(pages, &c[n1 + n2..], size, max_local, what, mark)?;
                    cell(Cell { rowid, payload })?;
                }
                (Kind::Index, _) => {
                    let at = if interior {
                        children.push(be32(c, 0).ok_or_else(short)?);
                        4
                    } else {
                        0
                    };
                    let (size, n) = varint(c.get(at..).unwrap_or(&[])).ok_or_else(short)?;
                    let max_local = (usable - 12) * 64 / 255 - 23;
                    let payload = payload(pages, &c[at + n..], size, max_local, what, mark)?;
                    cell(Cell { rowid: 0, payload })?;
                }
            }
        }
        if interior {
            children.push(be32(page, h + 8).ok_or_else(|| bad("no right child".into()))?);
        }
        stack.extend(children.into_iter().rev().map(|c| (c, depth + 1)));
    }
    Ok(())
}

/// A cell's payload of `size` bytes: what fits locally (`max_local`, else the minimum
/// the format keeps), then the overflow chain whose first page number follows it.
fn payload<'a>(
    pages: &Pages<'a>,
    local: &'a [u8],
    size: u64,
    max_local: usize,
    what: &str,
    mark: &mut dyn FnMut(u32) -> Result<(), Error>,
) -> Result<Cow<'a, [u8]>, Error> {
    let usable = pages.usable();
    let size = usize::try_from(size)
        .ok()
        .filter(|&s| s <= pages.total_bytes())
        .ok_or_else(|| {
            corrupt(format!(
                "{what}: a cell claims {size} bytes, more than the file"
            ))
        })?;
    if size <= max_local {
        return local
            .get(..size)
            .map(Cow::Borrowed)
            .ok_or_else(|| corrupt(format!("{what}: a cell's payload runs off its page")));
    }
    let min_local = (usable - 12) * 32 / 255 - 23;
    let k = min_local + (size - min_local) % (usable - 4);
    let here = if k <= max_local { k } else { min_local };
    let (Some(head), Some(mut next)) = (local.get(..here), be32(local, here)) else {
        return Err(corrupt(format!(
            "{what}: a cell's payload runs off its page"
        )));
    };
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(head);
    while out.len() < size {
        if next == 0 {
            return Err(corrupt(format!(
                "{what}: an overflow chain ends {} bytes early",
                size - out.len()
            )));
        }
        mark(next)?;
        let page = pages.get(next)?;
        let take = (size - out.len()).min(usable - 4);
        out.extend_from_slice(&page[4..4 + take]);
        next = be32(page, 0).unwrap_or(0);
    }
    if next != 0 {
        return Err(corrupt(format!(
            "{what}: an overflow chain goes on past its payload (to page {next})"
        )));
    }
    Ok(Cow::Owned(out))
}
