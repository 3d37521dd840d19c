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

/// The select list for users, each column aliased `<prefix><name>`.
pub fn select_list(fields: &ModelFields, table_alias: &str, prefix: &str) -> String {
    super::select_list(COLUMNS, &fields.user, table_alias, prefix)
}

/// Reads a user from a row selected with [`select_list`].
pub fn from_row(row: &super::Row, fields: &ModelFields, prefix: &str) -> Result<User, sqlx::Error> {
    let col = |name: &str| format!("{prefix}{name}");
    let mut additional = Map::new();
    for field in fields.user.iter().filter(|f| f.returned) {
        additional.insert(field.name.clone(), row.json(&col(&field.name), field.field_type)?);
    }
    Ok(User {
        id: row.text(&col("id"))?,
        name: row.text(&col("name"))?,
        email: row.text(&col("email"))?,
        email_verified: row.bool(&col("emailVerified"))?,
        image: row.opt_text(&col("image"))?,
        created_at: row.time(&col("createdAt"))?,
        updated_at: row.time(&col("updatedAt"))?,
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
    let sql = super::insert_sql("user", &columns, &select_list(fields, "", ""));
    let row = exec.fetch_optional(&sql, args).await?.ok_or(sqlx::Error::RowNotFound)?;
    from_row(&row, fields, "")
}

/// Finds a user by (lowercase) email.
pub async fn find_by_email(
    exec: &mut impl Exec,
    fields: &ModelFields,
    email: &str,
) -> Result<Option<User>, sqlx::Error> {
    let sql = format!(
        "select {} from \"user\" where \"email\" = $1",
        select_list(fields, "", "")
    );
    exec.fetch_optional(&sql, crate::args![email])
        .await?
        .map(|row| from_row(&row, fields, ""))
        .transpose()
}

/// Finds a user by id.
pub async fn find_by_id(exec: &mut impl Exec, fields: &ModelFields, id: &str) -> Result<Option<User>, sqlx::Error> {
    let sql = format!("select {} from \"user\" where \"id\" = $1", select_list(fields, "", ""));
    exec.fetch_optional(&sql, crate::args![id])
        .await?
        .map(|row| from_row(&row, fields, ""))
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
    let (sql, args) = super::update_sql("user", "id", id, changes.columns, now, &select_list(fields, "", ""));
    exec.fetch_optional(&sql, args)
        .await?
        .map(|row| from_row(&row, fields, ""))
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
        select_list(fields, "", "")
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
        .map(|row| from_row(row, fields, ""))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((users, total.max(0) as u64))
}
