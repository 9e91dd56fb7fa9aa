//! The tables of `mlflow.db` by column name, so any MLflow 2.x/3.x schema reads: a
//! column a table must have is checked once (naming table and column when missing);
//! one that came in a later MLflow version reads as absent; values are converted as
//! SQLAlchemy's column types read them, naming table, row and column when they
//! cannot be.

use sqlite_reader::wire::Bundle;
use sqlite_reader::{Table, Value};

use crate::core::interchange::mlruns::{ImportError, ImportErrorKind};

/// One table of the answer, with its columns looked up by name.
pub(super) struct Rows<'b> {
    table: Option<&'b Table>,
    db_name: &'b str,
}

impl<'b> Rows<'b> {
    /// The table `name` (empty when the database lacks it, as a 2.x store lacks the
    /// logged-model tables), which must have the `required` columns.
    pub fn of(
        bundle: &'b Bundle,
        db_name: &'b str,
        name: &str,
        required: &[&str],
    ) -> Result<Rows<'b>, ImportError> {
        let table = bundle.table(name);
        if let Some(t) = table {
            if let Some(missing) = required.iter().find(|c| t.column(c).is_none()) {
                return Err(ImportError::at(
                    ImportErrorKind::Invalid,
                    db_name,
                    format!(
                        "table {name} has no column '{missing}' (it has {}); this is not a \
                         schema MLflow 2.x or 3.x writes",
                        t.columns.join(", ")
                    ),
                ));
            }
        }
        Ok(Rows { table, db_name })
    }

    /// Whether the database has the table.
    pub fn exists(&self) -> bool {
        self.table.is_some()
    }

    /// Rows in rowid order (none when the table is missing).
    pub fn iter(&self) -> impl Iterator<Item = Row<'b>> + '_ {
        let table = self.table;
        let db_name = self.db_name;
        table.into_iter().flat_map(move |t| {
            t.rows.iter().enumerate().map(move |(i, values)| Row {
                table: t,
                values,
                index: i,
                db_name,
            })
        })
    }
}

/// One row, read by column name.
#[derive(Clone, Copy)]
pub(super) struct Row<'b> {
    table: &'b Table,
    values: &'b [Value],
    index: usize,
    db_name: &'b str,
}

impl<'b> Row<'b> {
    fn get(&self, column: &str) -> &'b Value {
        self.table
            .column(column)
            .and_then(|i| self.values.get(i))
            .unwrap_or(&Value::Null)
    }

    /// An error about this row's `column`, for a person.
    pub fn invalid(&self, column: &str, detail: impl std::fmt::Display) -> ImportError {
        ImportError::at(
            ImportErrorKind::Invalid,
            self.db_name,
            format!(
                "table {} row {}, column {column}: {detail}",
                self.table.name,
                self.index + 1
            ),
        )
    }

    fn shown(v: &Value) -> String {
        match v {
            Value::Text(s) if s.chars().count() > 40 => {
                format!("text '{}…'", s.chars().take(40).collect::<String>())
            }
            Value::Text(s) => format!("text '{s}'"),
            Value::Integer(i) => format!("the integer {i}"),
            Value::Real(r) => format!("the number {r}"),
            Value::Blob(b) => format!("a {}-byte blob", b.len()),
            Value::Null => "NULL".into(),
        }
    }

    /// Text, or `None` for NULL (and for a column the schema lacks). Numbers read as
    /// their text, as SQLAlchemy's `String` reads an integer-typed id.
    pub fn text(&self, column: &str) -> Result<Option<&'b str>, ImportError> {
        match self.get(column) {
            Value::Null => Ok(None),
            Value::Text(s) => Ok(Some(s)),
            v => Err(self.invalid(column, format!("{}, not text", Self::shown(v)))),
        }
    }

    /// Text or a number as text (ids: `experiments.experiment_id` is an INTEGER).
    pub fn id(&self, column: &str) -> Result<String, ImportError> {
        match self.get(column) {
            Value::Text(s) => Ok(s.clone()),
            Value::Integer(i) => Ok(i.to_string()),
            v => Err(self.invalid(column, format!("{}, not an id", Self::shown(v)))),
        }
    }

    /// Text that must be there.
    pub fn required_text(&self, column: &str) -> Result<&'b str, ImportError> {
        self.text(column)?
            .ok_or_else(|| self.invalid(column, "NULL where MLflow always writes a value"))
    }

    /// An integer (a float holding one reads as it), or `None` for NULL.
    pub fn int(&self, column: &str) -> Result<Option<i64>, ImportError> {
        match self.get(column) {
            Value::Null => Ok(None),
            Value::Integer(i) => Ok(Some(*i)),
            Value::Real(r) if r.fract() == 0.0 && r.abs() < 9.0e18 => Ok(Some(*r as i64)),
            v => Err(self.invalid(column, format!("{}, not an integer", Self::shown(v)))),
        }
    }

    /// A float (integers read as floats), or `None` for NULL.
    pub fn float(&self, column: &str) -> Result<Option<f64>, ImportError> {
        match self.get(column) {
            Value::Null => Ok(None),
            Value::Real(r) => Ok(Some(*r)),
            Value::Integer(i) => Ok(Some(*i as f64)),
            v => Err(self.invalid(column, format!("{}, not a number", Self::shown(v)))),
        }
    }

    /// A BOOLEAN column (`is_nan`): 0 or 1; NULL and a missing column read as false.
    pub fn flag(&self, column: &str) -> Result<bool, ImportError> {
        match self.get(column) {
            Value::Null | Value::Integer(0) => Ok(false),
            Value::Integer(1) => Ok(true),
            v => Err(self.invalid(column, format!("{}, not 0 or 1", Self::shown(v)))),
        }
    }
}
