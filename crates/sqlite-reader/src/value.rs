//! What a table read gives: rows of SQLite's five storage classes.

/// One value, in SQLite's storage classes.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// A 64-bit signed integer.
    Integer(i64),
    /// An IEEE 754 double (a `REAL` column's integral values included).
    Real(f64),
    /// Text, decoded from the database's encoding.
    Text(String),
    /// Bytes as stored.
    Blob(Vec<u8>),
}

impl Value {
    /// The text, if this is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// SQLite's name of the storage class (`typeof()`), for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Integer(_) => "integer",
            Value::Real(_) => "real",
            Value::Text(_) => "text",
            Value::Blob(_) => "blob",
        }
    }
}

/// A table's rows in rowid order, each with one value per column.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// The table's name as the schema spells it.
    pub name: String,
    /// Column names in declaration order.
    pub columns: Vec<String>,
    /// Rows; every row has `columns.len()` values.
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    /// The position of a column, found as SQLite finds it (ASCII case-insensitively).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
    }
}
