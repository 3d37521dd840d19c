//! The `user` table.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{Arg, Exec, ModelFields};
use crate::config::AdditionalField;
use crate::crypto::generate_id;
use keyward_client::wire::User;

/// A user to create.
#[derive(Clone, Debug)]
pub struct NewUser {
    /// Display name.
    pub name: String,
    /// Email, already lowercased.
    pub email: String,
    /// Whether the email is verified.
    pub email_verified: bool,
    /// Avatar URL.
    pub image: Option<String>,
    /// Values of configured additional fields (already validated).
    pub additional: Map<String, Value>,
}

/// Columns to change on a user; `updatedAt` is always set.
#[derive(Clone, Debug, Default)]
pub struct UserChanges {
    /// Column name and new value.
    pub columns: Vec<(String, Arg)>,
}

impl UserChanges {
    /// Sets a column.
    pub fn set(mut self, column: &str, value: impl Into<Arg>) -> Self {
        self.columns.push((column.to_owned(), value.into()));
        self
    }
}

/// Converts a validated JSON value of an additional field into a query argument.
pub fn field_arg(field: &AdditionalField, value: &Value) -> Arg {
    use super::FieldType::*;
    match (field.field_type, value) {
        (String, Value::String(s)) => Arg::Text(Some(s.clone())),
        (String, _) => Arg::Text(None),
        (Boolean, Value::Bool(b)) => Arg::Bool(Some(*b)),
        (Boolean, _) => Arg::Bool(None),
        (Number | BigInt, Value::Number(n)) => match n.as_i64() {
            Some(i) => Arg::Int(Some(i)),
            None => Arg::Float(n.as_f64()),
        },
        (Number | BigInt, _) => Arg::Int(None),
        (Date, Value::String(s)) => Arg::Time(keyward_client::wire::time::parse_iso(s)),
        (Date, _) => Arg::Time(None),
    }
}

const COLUMNS: &[&str] = &[
    "id",
    "name",
    "email",
    "emailVerified",
    "image",
    "createdAt",
    "updatedAt",
];

/// The select list of users with these additional fields, columns of `table_alias`.
pub(crate) fn select_list_of(extra: &[AdditionalField], table_alias: &str) -> String {
    super::select_list(COLUMNS, extra, table_alias)
}

/// Reads a user from the columns of a row selected with [`select_list_of`], from
/// position `start` on.
pub fn from_row(row: &super::Row, fields: &ModelFields, start: usize) -> Result<User, sqlx::Error> {
    let mut columns = row.columns_from(start);
    // In the order of `COLUMNS`.
    let id = columns.text()?;
    let name = columns.text()?;
    let email = columns.text()?;
    let email_verified = columns.bool()?;
    let image = columns.opt_text()?;
    let created_at = columns.time()?;
    let updated_at = columns.time()?;
    let mut additional = Map::new();
    for field in fields.user.iter().filter(|f| f.returned) {
        additional.insert(field.name.clone(), columns.json(field.field_type)?);
    }
    Ok(User {
        id,
        name,
        email,
        email_verified,
        image,
        created_at,
        updated_at,
        additional,
    })
}

/// Inserts a user and returns it.
pub async fn insert(
    exec: &mut impl Exec,
    fields: &ModelFields,
    user: NewUser,
    now: DateTime<Utc>,
) -> Result<User, sqlx::Error> {
    // The values below follow `COLUMNS`.
    let mut columns = COLUMNS.to_vec();
    let mut args: Vec<Arg> = crate::args![
        generate_id(),
        user.name,
        user.email,
        user.email_verified,
        user.image,
        now,
        now
    ];
    for field in &fields.user {
        if let Some(value) = user.additional.get(&field.name) {
            columns.push(&field.name);
            args.push(field_arg(field, value));
        }
    }
    let sql = super::insert_sql("user", &columns, fields.user_select());
    let row = exec.fetch_optional(&sql, args).await?.ok_or(sqlx::Error::RowNotFound)?;
    from_row(&row, fields, 0)
}

/// Finds a user by (lowercase) email.
pub async fn find_by_email(
    exec: &mut impl Exec,
    fields: &ModelFields,
    email: &str,
) -> Result<Option<User>, sqlx::Error> {
    let sql = format!("select {} from \"user\" where \"email\" = $1", fields.user_select());
    exec.fetch_optional(&sql, crate::args![email])
        .await?
        .map(|row| from_row(&row, fields, 0))
        .transpose()
}

/// Finds a user by the value of one of its columns (a unique one, such as the username
/// plugin's `username`); `column` is a name the schema declares, never client input.
pub async fn find_by_column(
    exec: &mut impl Exec,
    fields: &ModelFields,
    column: &str,
    value: &str,
) -> Result<Option<User>, sqlx::Error> {
    let sql = format!(
        "select {} from \"user\" where \"{}\" = $1 limit 1",
        fields.user_select(),
        column.replace('"', "\"\"")
    );
    exec.fetch_optional(&sql, crate::args![value])
        .await?
        .map(|row| from_row(&row, fields, 0))
        .transpose()
}

/// Finds a user by id.
pub async fn find_by_id(exec: &mut impl Exec, fields: &ModelFields, id: &str) -> Result<Option<User>, sqlx::Error> {
    let sql = format!("select {} from \"user\" where \"id\" = $1", fields.user_select());
    exec.fetch_optional(&sql, crate::args![id])
        .await?
        .map(|row| from_row(&row, fields, 0))
        .transpose()
}

/// Updates a user and returns it (`None` when it no longer exists).
pub async fn update(
    exec: &mut impl Exec,
    fields: &ModelFields,
    id: &str,
    changes: UserChanges,
    now: DateTime<Utc>,
) -> Result<Option<User>, sqlx::Error> {
    let (sql, args) = super::update_sql("user", "id", id, changes.columns, now, fields.user_select());
    exec.fetch_optional(&sql, args)
        .await?
        .map(|row| from_row(&row, fields, 0))
        .transpose()
}

/// Deletes a user with their sessions and accounts (explicitly, not relying on
/// `on delete cascade`, which SQLite enforces only when foreign keys are on).
pub async fn delete(exec: &mut impl Exec, id: &str) -> Result<(), sqlx::Error> {
    exec.execute("delete from \"session\" where \"userId\" = $1", crate::args![id])
        .await?;
    exec.execute("delete from \"account\" where \"userId\" = $1", crate::args![id])
        .await?;
    exec.execute("delete from \"user\" where \"id\" = $1", crate::args![id])
        .await?;
    Ok(())
}

/// A page of users for the admin plugin's `list-users`.
#[derive(Clone, Debug, Default)]
pub struct UserListing {
    /// Page size (`None`: every user).
    pub limit: Option<i64>,
    /// Users skipped.
    pub offset: i64,
    /// Sort column (a checked user column) and descending flag.
    pub sort: Option<(String, bool)>,
    /// `where` fragments on user columns (placeholders numbered `$1`… in order across
    /// fragments) and their arguments.
    pub conditions: Vec<(String, Vec<Arg>)>,
}

/// A page of users, and how many match in all.
pub async fn list(
    exec: &mut impl Exec,
    fields: &ModelFields,
    listing: &UserListing,
) -> Result<(Vec<User>, u64), sqlx::Error> {
    let mut args = Vec::new();
    let mut condition = "1 = 1".to_owned();
    for (fragment, fragment_args) in &listing.conditions {
        condition.push_str(" and ");
        condition.push_str(fragment);
        args.extend(fragment_args.iter().cloned());
    }
    let total = exec
        .fetch_optional(
            &format!(r#"select count(*) as "n" from "user" where {condition}"#),
            args.clone(),
        )
        .await?
        .map(|row| row.int("n"))
        .transpose()?
        .unwrap_or(0);
    let order = match &listing.sort {
        Some((column, descending)) => format!(r#""{column}" {}, "id""#, if *descending { "desc" } else { "asc" }),
        None => r#""createdAt", "id""#.to_owned(),
    };
    let mut sql = format!(
        r#"select {} from "user" where {condition} order by {order}"#,
        fields.user_select()
    );
    // SQLite needs a limit before an offset; -1 is "no limit" there and PostgreSQL takes
    // `limit all`.
    match (listing.limit, exec.dialect()) {
        (Some(limit), _) => {
            args.push(Arg::Int(Some(limit)));
            sql.push_str(&format!(" limit ${}", args.len()));
        }
        (None, super::Dialect::Sqlite) => sql.push_str(" limit -1"),
        (None, super::Dialect::Postgres) => sql.push_str(" limit all"),
    }
    args.push(Arg::Int(Some(listing.offset)));
    sql.push_str(&format!(" offset ${}", args.len()));
    let users = exec
        .fetch_all(&sql, args)
        .await?
        .iter()
        .map(|row| from_row(row, fields, 0))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((users, total.max(0) as u64))
}
