//! Result rows of either dialect, read with better-auth's storage conventions (SQLite keeps
//! dates as ISO-8601 text and booleans as 0/1).

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;
use sqlx::Row as _;
use sqlx::postgres::PgRow;

use super::FieldType;
use super::sqlite::{LiteRow, convert};
use keyward_client::wire::time::{format_iso, parse_iso};

/// A result row from either dialect, read with better-auth's storage conventions.
#[derive(Debug)]
pub enum Row {
    /// From SQLite.
    Sqlite(LiteRow),
    /// From PostgreSQL.
    Postgres(PgRow),
}

/// Names a column of a [`Row`]: by its name (`"id"`) or by its position in the select
/// list (`0`), which costs no lookup.
pub trait Column: sqlx::ColumnIndex<PgRow> + Copy + std::fmt::Display {
    /// Where the column is in a SQLite row.
    fn position(self, row: &LiteRow) -> Option<usize>;
}

impl Column for &str {
    fn position(self, row: &LiteRow) -> Option<usize> {
        row.position(self)
    }
}

impl Column for usize {
    fn position(self, row: &LiteRow) -> Option<usize> {
        (self < row.len()).then_some(self)
    }
}

fn decode_error(column: impl std::fmt::Display, reason: impl Into<String>) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: reason.into().into(),
    }
}

/// Reads a timestamp stored as text: ISO-8601 (better-auth), SQLite's
/// `CURRENT_TIMESTAMP` form, or milliseconds since the epoch.
fn parse_stored_time(raw: &str) -> Option<DateTime<Utc>> {
    if let Some(time) = parse_iso(raw) {
        return Some(time);
    }
    if let Ok(naive) = NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f") {
        return Some(Utc.from_utc_datetime(&naive));
    }
    raw.parse::<i64>()
        .ok()
        .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
}

impl Row {
    fn lite_value<C: Column>(row: &LiteRow, column: C) -> Result<&rusqlite::types::Value, sqlx::Error> {
        column
            .position(row)
            .and_then(|index| row.get(index))
            .ok_or_else(|| sqlx::Error::ColumnNotFound(column.to_string()))
    }

    /// A non-null text column.
    pub fn text<C: Column>(&self, column: C) -> Result<String, sqlx::Error> {
        self.opt_text(column)?
            .ok_or_else(|| decode_error(column, "unexpected NULL"))
    }

    /// A nullable text column.
    pub fn opt_text<C: Column>(&self, column: C) -> Result<Option<String>, sqlx::Error> {
        match self {
            Row::Sqlite(row) => Ok(convert::text(Self::lite_value(row, column)?)),
            Row::Postgres(row) => row.try_get::<Option<String>, _>(column),
        }
    }

    /// A non-null boolean column.
    pub fn bool<C: Column>(&self, column: C) -> Result<bool, sqlx::Error> {
        self.opt_bool(column)?
            .ok_or_else(|| decode_error(column, "unexpected NULL"))
    }

    /// A nullable boolean column.
    pub fn opt_bool<C: Column>(&self, column: C) -> Result<Option<bool>, sqlx::Error> {
        match self {
            Row::Sqlite(row) => Ok(convert::int(Self::lite_value(row, column)?).map(|v| v != 0)),
            Row::Postgres(row) => row.try_get::<Option<bool>, _>(column),
        }
    }

    /// A nullable integer column (any integer width).
    pub fn opt_int<C: Column>(&self, column: C) -> Result<Option<i64>, sqlx::Error> {
        match self {
            Row::Sqlite(row) => Ok(convert::int(Self::lite_value(row, column)?)),
            Row::Postgres(row) => match row.try_get::<Option<i64>, _>(column) {
                Ok(value) => Ok(value),
                Err(_) => Ok(row.try_get::<Option<i32>, _>(column)?.map(i64::from)),
            },
        }
    }

    /// A non-null integer column.
    pub fn int<C: Column>(&self, column: C) -> Result<i64, sqlx::Error> {
        self.opt_int(column)?
            .ok_or_else(|| decode_error(column, "unexpected NULL"))
    }

    /// A nullable floating point column.
    pub fn opt_float<C: Column>(&self, column: C) -> Result<Option<f64>, sqlx::Error> {
        match self {
            Row::Sqlite(row) => Ok(convert::float(Self::lite_value(row, column)?)),
            Row::Postgres(row) => match row.try_get::<Option<f64>, _>(column) {
                Ok(value) => Ok(value),
                Err(_) => Ok(self.opt_int(column)?.map(|v| v as f64)),
            },
        }
    }

    /// A non-null timestamp column.
    pub fn time<C: Column>(&self, column: C) -> Result<DateTime<Utc>, sqlx::Error> {
        self.opt_time(column)?
            .ok_or_else(|| decode_error(column, "unexpected NULL"))
    }

    /// A nullable timestamp column.
    pub fn opt_time<C: Column>(&self, column: C) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        match self {
            Row::Sqlite(row) => {
                // Text (how better-auth stores dates) is read in place, anything else as
                // SQLite would convert it to text.
                let raw = match Self::lite_value(row, column)? {
                    rusqlite::types::Value::Text(raw) => std::borrow::Cow::Borrowed(raw.as_str()),
                    other => match convert::text(other) {
                        Some(raw) => std::borrow::Cow::Owned(raw),
                        None => return Ok(None),
                    },
                };
                parse_stored_time(&raw)
                    .map(Some)
                    .ok_or_else(|| decode_error(column, format!("unreadable timestamp `{raw}`")))
            }
            Row::Postgres(row) => match row.try_get::<Option<DateTime<Utc>>, _>(column) {
                Ok(value) => Ok(value),
                Err(_) => Ok(row
                    .try_get::<Option<NaiveDateTime>, _>(column)?
                    .map(|naive| Utc.from_utc_datetime(&naive))),
            },
        }
    }

    /// A column of a configured field type, as JSON (`null` for SQL `NULL`).
    pub fn json<C: Column>(&self, column: C, field_type: FieldType) -> Result<Value, sqlx::Error> {
        Ok(match field_type {
            FieldType::String => self.opt_text(column)?.map(Value::String).unwrap_or(Value::Null),
            FieldType::Boolean => self.opt_bool(column)?.map(Value::Bool).unwrap_or(Value::Null),
            FieldType::Number => match self.opt_float(column)? {
                Some(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => Value::from(v as i64),
                Some(v) => serde_json::Number::from_f64(v)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
                None => Value::Null,
            },
            FieldType::BigInt => self.opt_int(column)?.map(Value::from).unwrap_or(Value::Null),
            FieldType::Date => self
                .opt_time(column)?
                .map(|t| Value::String(format_iso(&t)))
                .unwrap_or(Value::Null),
        })
    }

    /// Reads columns in select-list order from position `start` on.
    pub fn columns_from(&self, start: usize) -> Columns<'_> {
        Columns { row: self, next: start }
    }
}

/// Reads a [`Row`]'s columns one after the other, by position (see [`Row::columns_from`]).
pub struct Columns<'r> {
    row: &'r Row,
    next: usize,
}

impl Columns<'_> {
    fn advance(&mut self) -> usize {
        self.next += 1;
        self.next - 1
    }

    /// The next column, non-null text.
    pub fn text(&mut self) -> Result<String, sqlx::Error> {
        let index = self.advance();
        self.row.text(index)
    }

    /// The next column, nullable text.
    pub fn opt_text(&mut self) -> Result<Option<String>, sqlx::Error> {
        let index = self.advance();
        self.row.opt_text(index)
    }

    /// The next column, a non-null boolean.
    pub fn bool(&mut self) -> Result<bool, sqlx::Error> {
        let index = self.advance();
        self.row.bool(index)
    }

    /// The next column, a non-null timestamp.
    pub fn time(&mut self) -> Result<DateTime<Utc>, sqlx::Error> {
        let index = self.advance();
        self.row.time(index)
    }

    /// The next column, as JSON of a configured field type.
    pub fn json(&mut self, field_type: FieldType) -> Result<Value, sqlx::Error> {
        let index = self.advance();
        self.row.json(index, field_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_stored_time_format() {
        let expected = parse_iso("2026-11-23T20:44:55.557Z").expect("valid");
        assert_eq!(parse_stored_time("2026-11-23T20:44:55.557Z"), Some(expected));
        assert_eq!(parse_stored_time("2026-11-23 20:44:55.557"), Some(expected));
        assert_eq!(parse_stored_time("1795466695557"), Some(expected));
        assert_eq!(parse_stored_time("tomorrow"), None);
    }
}
