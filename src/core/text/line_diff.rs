//! A line diff of two texts as aligned rows for a side-by-side table (Myers' O(ND)
//! algorithm after trimming the common head and tail).
//!
//! Lines keep their terminators, so `a\r\n` and `a\n` differ and the row says how
//! each side ends ([`line_ending`]); joining a side's row texts gives that text back
//! exactly.

/// Texts larger than this are not diffed.
pub const MAX_DIFF_BYTES: usize = 1 << 20;
/// Texts with more lines than this are not diffed.
pub const MAX_DIFF_LINES: usize = 20_000;
/// Texts that differ in more lines than this are not diffed (the search's memory
/// grows with the square of it).
pub const MAX_EDITS: usize = 2_000;

/// What a row shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// The same line on both sides.
    Same,
    /// A line only on the left.
    Removed,
    /// A line only on the right.
    Added,
    /// A left line replaced by a right one.
    Changed,
}

/// One line of one side: its number (from 1) and text, terminator included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Line number, from 1.
    pub number: usize,
    /// The line with its `\n` or `\r\n` (none on a last line without one).
    pub text: String,
}

/// One row of the side-by-side table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffRow {
    /// The left line (none for [`RowKind::Added`]).
    pub left: Option<Line>,
    /// The right line (none for [`RowKind::Removed`]).
    pub right: Option<Line>,
    /// How the sides relate.
    pub kind: RowKind,
}

/// Why two texts were not diffed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffError {
    /// A side is over [`MAX_DIFF_BYTES`] or [`MAX_DIFF_LINES`].
    TooLarge,
    /// They differ in more than [`MAX_EDITS`] lines.
    TooDifferent,
}

impl std::fmt::Display for DiffError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiffError::TooLarge => write!(
                f,
                "Too large to diff (over 1 MB or {MAX_DIFF_LINES} lines): download the files to compare them."
            ),
            DiffError::TooDifferent => write!(
                f,
                "The files differ in more than {MAX_EDITS} lines: too different to diff here."
            ),
        }
    }
}

/// `text` split after each `\n`, terminators kept (no empty last line).
pub fn split_lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// A line without its terminator, and how it ended: `"\n"`, `"\r\n"` or `""`.
pub fn line_ending(line: &str) -> (&str, &'static str) {
    if let Some(s) = line.strip_suffix("\r\n") {
        (s, "\r\n")
    } else if let Some(s) = line.strip_suffix('\n') {
        (s, "\n")
    } else {
        (line, "")
    }
}

/// The rows of `left` against `right`.
pub fn diff_lines(left: &str, right: &str) -> Result<Vec<DiffRow>, DiffError> {
    if left.len() > MAX_DIFF_BYTES || right.len() > MAX_DIFF_BYTES {
        return Err(DiffError::TooLarge);
    }
    let (a, b) = (split_lines(left), split_lines(right));
    if a.len() > MAX_DIFF_LINES || b.len() > MAX_DIFF_LINES {
        return Err(DiffError::TooLarge);
    }
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (mid_a, mid_b) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let mut ops = Vec::with_capacity(a.len() + b.len());
    ops.extend(std::iter::repeat_n(Op::Same, head));
    ops.extend(myers(mid_a, mid_b).ok_or(DiffError::TooDifferent)?);
    ops.extend(std::iter::repeat_n(Op::Same, tail));
    Ok(rows(&a, &b, &ops))
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Same,
    Delete,
    Insert,
}

/// The shortest edit script from `a` to `b`, `None` past [`MAX_EDITS`].
fn myers(a: &[&str], b: &[&str]) -> Option<Vec<Op>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    let offset = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    // trace[d]: v for k in -(d+1)..=(d+1) as it was before step d.
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let mut done = None;
    for d in 0..=max as isize {
        if d as usize > MAX_EDITS {
            return None;
        }
        trace.push(v[(offset - d - 1) as usize..=(offset + d + 1) as usize].to_vec());
        let mut k = -d;
        while k <= d {
            let at = |k: isize| v[(offset + k) as usize];
            let mut x = if k == -d || (k != d && at(k - 1) < at(k + 1)) {
                at(k + 1)
            } else {
                at(k - 1) + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[(offset + k) as usize] = x;
            if x >= n && y >= m {
                done = Some(d);
                break;
            }
            k += 2;
        }
        if done.is_some() {
            break;
        }
    }
    let last = done?;
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..=last).rev() {
        let saved = &trace[d as usize];
        let at = |k: isize| saved[(k + d + 1) as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && at(k - 1) < at(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = at(prev_k);
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            ops.push(Op::Same);
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            ops.push(if x == prev_x { Op::Insert } else { Op::Delete });
        }
        x = prev_x;
        y = prev_y;
    }
    ops.reverse();
    Some(ops)
}

/// Rows from the edit script: between two unchanged lines, removed and added lines
/// pair up as changed rows, the rest stay removed or added.
fn rows(a: &[&str], b: &[&str], ops: &[Op]) -> Vec<DiffRow> {
    let line = |lines: &[&str], i: usize| Line {
        number: i + 1,
        text: lines[i].to_owned(),
    };
    let mut out = Vec::with_capacity(ops.len());
    let (mut i, mut j) = (0, 0);
    let mut k = 0;
    while k < ops.len() {
        if ops[k] == Op::Same {
            out.push(DiffRow {
                left: Some(line(a, i)),
                right: Some(line(b, j)),
                kind: RowKind::Same,
            });
            i += 1;
            j += 1;
            k += 1;
            continue;
        }
        let end = ops[k..]
            .iter()
            .position(|o| *o == Op::Same)
            .map_or(ops.len(), |p| k + p);
        let dels = ops[k..end].iter().filter(|o| **o == Op::Delete).count();
        let ins = end - k - dels;
        for r in 0..dels.max(ins) {
            let left = (r < dels).then(|| line(a, i + r));
            let right = (r < ins).then(|| line(b, j + r));
            let kind = match (&left, &right) {
                (Some(_), Some(_)) => RowKind::Changed,
                (Some(_), None) => RowKind::Removed,
                _ => RowKind::Added,
            };
            out.push(DiffRow { left, right, kind });
        }
        i += dels;
        j += ins;
        k = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::IdGen;

    /// Each side joined back from its rows, with line numbers checked in order.
    fn sides(rows: &[DiffRow]) -> (String, String) {
        let (mut l, mut r) = (String::new(), String::new());
        let (mut nl, mut nr) = (0, 0);
        for row in rows {
            if let Some(x) = &row.left {
                nl += 1;
                assert_eq!(x.number, nl);
                l.push_str(&x.text);
            }
            if let Some(x) = &row.right {
                nr += 1;
                assert_eq!(x.number, nr);
                r.push_str(&x.text);
            }
            match row.kind {
                RowKind::Same => assert_eq!(
                    row.left.as_ref().unwrap().text,
                    row.right.as_ref().unwrap().text
                ),
                RowKind::Changed => assert_ne!(row.left, None),
                RowKind::Removed => assert_eq!(row.right, None),
                RowKind::Added => assert_eq!(row.left, None),
            }
        }
        (l, r)
    }

    fn kinds(rows: &[DiffRow]) -> Vec<RowKind> {
        rows.iter().map(|r| r.kind).collect()
    }

    #[test]
    fn one_changed_line_is_one_changed_row() {
        let rows = diff_lines("a\nb\nc\n", "a\nB\nc\n").unwrap();
        use RowKind::*;
        assert_eq!(kinds(&rows), [Same, Changed, Same]);
        assert_eq!(rows[1].left.as_ref().unwrap().text, "b\n");
        assert_eq!(rows[1].right.as_ref().unwrap().text, "B\n");
        let rows = diff_lines("a\nc\n", "a\nb\nc\nd").unwrap();
        assert_eq!(kinds(&rows), [Same, Added, Same, Added]);
        let rows = diff_lines("x\ny\nz\n", "y\n").unwrap();
        assert_eq!(kinds(&rows), [Removed, Same, Removed]);
    }

    #[test]
    fn empty_files_and_line_endings() {
        assert_eq!(diff_lines("", "").unwrap(), []);
        use RowKind::*;
        assert_eq!(kinds(&diff_lines("", "a\nb").unwrap()), [Added, Added]);
        assert_eq!(kinds(&diff_lines("a\n", "").unwrap()), [Removed]);
        // CRLF against LF is a change, and the row says so
        let rows = diff_lines("a\r\nb\r\n", "a\nb\r\n").unwrap();
        assert_eq!(kinds(&rows), [Changed, Same]);
        let left = rows[0].left.as_ref().unwrap();
        let right = rows[0].right.as_ref().unwrap();
        assert_eq!(line_ending(&left.text), ("a", "\r\n"));
        assert_eq!(line_ending(&right.text), ("a", "\n"));
        // so is a missing newline at the end
        assert_eq!(kinds(&diff_lines("a\n", "a").unwrap()), [Changed]);
        assert_eq!(line_ending("a"), ("a", ""));
    }

    #[test]
    fn too_large_or_too_different_is_said_not_tried() {
        let big = "x\n".repeat(MAX_DIFF_LINES + 1);
        assert_eq!(diff_lines(&big, "x\n"), Err(DiffError::TooLarge));
        let huge = "y".repeat(MAX_DIFF_BYTES + 1);
        assert_eq!(diff_lines("", &huge), Err(DiffError::TooLarge));
        let a: String = (0..MAX_EDITS).map(|i| format!("a{i}\n")).collect();
        let b: String = (0..MAX_EDITS).map(|i| format!("b{i}\n")).collect();
        assert_eq!(diff_lines(&a, &b), Err(DiffError::TooDifferent));
        // large but alike is fine
        let mut c = a.clone();
        c.push_str("end\n");
        assert_eq!(diff_lines(&a, &c).unwrap().len(), MAX_EDITS + 1);
    }

    #[test]
    fn property_rows_give_back_both_texts_and_the_diff_is_minimal() {
        let mut rng = IdGen::new(13);
        let words = ["a\n", "b\n", "c\n", "a\r\n", "", "b"];
        let text = |rng: &mut IdGen| -> String {
            let n = rng.next_u64() % 12;
            let mut s = String::new();
            for _ in 0..n {
                s.push_str(words[(rng.next_u64() % 4) as usize]);
            }
            // sometimes no newline at the end
            s.push_str(words[4 + (rng.next_u64() % 2) as usize]);
            s
        };
        for _ in 0..3000 {
            let (l, r) = (text(&mut rng), text(&mut rng));
            let rows = diff_lines(&l, &r).unwrap();
            assert_eq!(sides(&rows), (l.clone(), r.clone()), "{l:?} vs {r:?}");
            // minimal: unchanged rows are a longest common subsequence
            let same = rows.iter().filter(|r| r.kind == RowKind::Same).count();
            assert_eq!(
                same,
                lcs(&split_lines(&l), &split_lines(&r)),
                "{l:?} vs {r:?}"
            );
        }
    }

    fn lcs(a: &[&str], b: &[&str]) -> usize {
        let mut t = vec![vec![0; b.len() + 1]; a.len() + 1];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                t[i][j] = if a[i] == b[j] {
                    t[i + 1][j + 1] + 1
                } else {
                    t[i + 1][j].max(t[i][j + 1])
                };
            }
        }
        t[0][0]
    }
}
