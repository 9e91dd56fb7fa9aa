//! CSV and TSV artifacts as rows of fields, for the artifact preview's table.

/// Splits delimited text (RFC 4180 quoting: `"a ""quoted"" field"`) into rows; at
/// most `max_rows` rows after the header. The flag says whether rows were left out.
pub fn parse_delimited(text: &str, delim: char, max_rows: usize) -> (Vec<Vec<String>>, bool) {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let (mut quoted, mut field_started) = (false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if !field_started => {
                quoted = true;
                field_started = true;
            }
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                field_started = false;
                if rows.len() > max_rows + 1 {
                    rows.truncate(max_rows + 1);
                    return (rows, true);
                }
            }
            c if c == delim => {
                row.push(std::mem::take(&mut field));
                field_started = false;
            }
            c => {
                field.push(c);
                field_started = true;
            }
        }
    }
    if field_started || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    let more = rows.len() > max_rows + 1;
    rows.truncate(max_rows + 1);
    (rows, more)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(items: &[&[&str]]) -> Vec<Vec<String>> {
        items
            .iter()
            .map(|r| r.iter().map(|f| f.to_string()).collect())
            .collect()
    }

    #[test]
    fn fields_split_on_the_delimiter() {
        let (r, more) = parse_delimited("a,b,c\n1,2,3\n", ',', 10);
        assert_eq!(r, rows(&[&["a", "b", "c"], &["1", "2", "3"]]));
        assert!(!more);
        let (r, _) = parse_delimited("a\tb,c\n1\t2,3", '\t', 10);
        assert_eq!(r, rows(&[&["a", "b,c"], &["1", "2,3"]]));
    }

    #[test]
    fn quotes_hold_delimiters_newlines_and_doubled_quotes() {
        let (r, _) = parse_delimited("name,note\n\"a, b\",\"say \"\"hi\"\"\nagain\"\n", ',', 10);
        assert_eq!(
            r,
            rows(&[&["name", "note"], &["a, b", "say \"hi\"\nagain"]])
        );
        // A quote inside an unquoted field is kept as written.
        let (r, _) = parse_delimited("5\" disk,x", ',', 10);
        assert_eq!(r, rows(&[&["5\" disk", "x"]]));
    }

    #[test]
    fn crlf_line_ends_and_a_missing_last_newline() {
        let (r, _) = parse_delimited("a,b\r\n1,2\r\n3,4", ',', 10);
        assert_eq!(r, rows(&[&["a", "b"], &["1", "2"], &["3", "4"]]));
        let (r, _) = parse_delimited("a,\n,\n", ',', 10);
        assert_eq!(r, rows(&[&["a", ""], &["", ""]]));
        assert_eq!(parse_delimited("", ',', 10), (vec![], false));
    }

    #[test]
    fn rows_beyond_the_limit_are_left_out_and_flagged() {
        let text: String = (0..10).map(|i| format!("{i},x\n")).collect();
        let (r, more) = parse_delimited(&text, ',', 3);
        assert_eq!(r.len(), 4, "header and 3 rows");
        assert_eq!(r[3], vec!["3".to_string(), "x".to_string()]);
        assert!(more);
        let (r, more) = parse_delimited("h\n1\n2\n3\n", ',', 3);
        assert_eq!(r.len(), 4);
        assert!(!more, "exactly the limit is not more");
        let (_, more) = parse_delimited("h\n1\n2\n3\n4", ',', 3);
        assert!(more, "a last row without newline counts");
    }
}
