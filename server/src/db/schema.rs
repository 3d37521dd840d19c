//! better-auth's tables, and migrations that create them the way better-auth's own
//! `getMigrations` does: missing tables are created, missing columns are added, existing
//! data is never rewritten. Running them again changes nothing.

use super::{Dialect, Exec};
use crate::config::AdditionalField;

/// A column's generic type, mapped per dialect as better-auth maps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// `text`.
    String,
    /// `integer` on SQLite, `boolean` on PostgreSQL.
    Boolean,
    /// `integer`.
    Number,
    /// `bigint`.
    BigInt,
    /// `date` (ISO-8601 text) on SQLite, `timestamptz` on PostgreSQL.
    Date,
}

impl FieldType {
    fn sql(self, dialect: Dialect) -> &'static str {
        match (self, dialect) {
            (FieldType::String, _) => "text",
            (FieldType::Boolean, Dialect::Sqlite) => "integer",
            (FieldType::Boolean, Dialect::Postgres) => "boolean",
            (FieldType::Number, _) => "integer",
            (FieldType::BigInt, _) => "bigint",
            (FieldType::Date, Dialect::Sqlite) => "date",
            (FieldType::Date, Dialect::Postgres) => "timestamptz",
        }
    }
}

/// One column.
#[derive(Clone, Debug)]
pub struct Column {
    /// Name.
    pub name: String,
    /// Type.
    pub field_type: FieldType,
    /// `not null`.
    pub required: bool,
    /// `unique`.
    pub unique: bool,
    /// `references "table" ("id") on delete cascade`.
    pub references: Option<&'static str>,
    /// PostgreSQL only: `default CURRENT_TIMESTAMP` (better-auth emits it for date fields
    /// with a default value).
    pub default_now: bool,
    /// Literal default for added columns (`default false`).
    pub default_sql: Option<String>,
}

impl Column {
    /// A column; `required` makes it `not null`.
    pub fn new(name: &str, field_type: FieldType, required: bool) -> Self {
        Self {
            name: name.to_owned(),
            field_type,
            required,
            unique: false,
            references: None,
            default_now: false,
            default_sql: None,
        }
    }

    /// Makes it `unique`.
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// Makes it a foreign key to `table`'s `id`, deleted with the referenced row.
    pub fn references(mut self, table: &'static str) -> Self {
        self.references = Some(table);
        self
    }

    /// PostgreSQL: defaults to the current time.
    pub fn default_now(mut self) -> Self {
        self.default_now = true;
        self
    }

    /// The column's DDL. better-auth writes literal defaults only when it adds a column to
    /// an existing table (to fill the rows already there), never in `create table`.
    pub(crate) fn definition(&self, dialect: Dialect, adding: bool) -> String {
        let mut sql = format!("\"{}\" {}", self.name, self.field_type.sql(dialect));
        if let (Some(default), true) = (&self.default_sql, adding) {
            sql.push_str(&format!(" default {default}"));
        } else if self.default_now && dialect == Dialect::Postgres {
            sql.push_str(" default CURRENT_TIMESTAMP");
        }
        if self.required {
            sql.push_str(" not null");
        }
        if self.unique {
            sql.push_str(" unique");
        }
        if let Some(table) = self.references {
            sql.push_str(&format!(" references \"{table}\" (\"id\") on delete cascade"));
        }
        sql
    }
}

/// One table.
#[derive(Clone, Debug)]
pub struct Table {
    /// Name.
    pub name: &'static str,
    /// Columns after `id`.
    pub columns: Vec<Column>,
    /// Indexed columns (`<table>_<column>_idx`).
    pub indexes: Vec<&'static str>,
    /// Columns or column groups unique together (`<table>_<column>_<column>_uidx`, as
    /// better-auth names its table indexes).
    pub unique_indexes: Vec<Vec<&'static str>>,
}

impl Table {
    /// A table with an `id` text primary key and `columns`.
    pub fn new(name: &'static str, columns: Vec<Column>) -> Self {
        Self {
            name,
            columns,
            indexes: Vec::new(),
            unique_indexes: Vec::new(),
        }
    }

    /// Adds an index on `column`.
    pub fn index(mut self, column: &'static str) -> Self {
        self.indexes.push(column);
        self
    }

    /// Makes `columns` unique together: two rows may share some of them, not all. On a
    /// table that exists already the index is added by the next migration, which fails
    /// (and the server does not start) if stored rows break it.
    pub fn unique_index(mut self, columns: &[&'static str]) -> Self {
        self.unique_indexes.push(columns.to_vec());
        self
    }

    pub(crate) fn create_sql(&self, dialect: Dialect) -> String {
        let mut parts = vec!["\"id\" text not null primary key".to_owned()];
        parts.extend(self.columns.iter().map(|c| c.definition(dialect, false)));
        format!("create table \"{}\" ({})", self.name, parts.join(", "))
    }
}

fn additional_column(field: &AdditionalField, dialect: Dialect) -> Column {
    let mut column = Column::new(&field.name, field.field_type, field.required);
    column.unique = field.unique;
    column.default_sql = field.default.as_ref().and_then(|value| match (value, dialect) {
        (serde_json::Value::Bool(b), Dialect::Sqlite) => Some(if *b { "1" } else { "0" }.to_owned()),
        (serde_json::Value::Bool(b), Dialect::Postgres) => Some(b.to_string()),
        (serde_json::Value::Number(n), _) => Some(n.to_string()),
        (serde_json::Value::String(s), _) => Some(format!("'{}'", s.replace('\'', "''"))),
        _ => None,
    });
    column
}

/// The tables Keyward uses, with the configured additional fields.
pub fn core_tables(
    user_fields: &[AdditionalField],
    session_fields: &[AdditionalField],
    dialect: Dialect,
) -> Vec<Table> {
    use FieldType::*;
    let mut user = Table {
        name: "user",
        columns: vec![
            Column::new("name", String, true),
            Column::new("email", String, true).unique(),
            Column::new("emailVerified", Boolean, true),
            Column::new("image", String, false),
            Column::new("createdAt", Date, true).default_now(),
            Column::new("updatedAt", Date, true).default_now(),
        ],
        indexes: vec![],
        unique_indexes: Vec::new(),
    };
    user.columns
        .extend(user_fields.iter().map(|f| additional_column(f, dialect)));
    let mut session = Table {
        name: "session",
        columns: vec![
            Column::new("expiresAt", Date, true),
            Column::new("token", String, true).unique(),
            Column::new("createdAt", Date, true).default_now(),
            Column::new("updatedAt", Date, true),
            Column::new("ipAddress", String, false),
            Column::new("userAgent", String, false),
            Column::new("userId", String, true).references("user"),
        ],
        indexes: vec!["userId"],
        unique_indexes: Vec::new(),
    };
    session
        .columns
        .extend(session_fields.iter().map(|f| additional_column(f, dialect)));
    let account = Table {
        name: "account",
        columns: vec![
            Column::new("accountId", String, true),
            Column::new("providerId", String, true),
            Column::new("userId", String, true).references("user"),
            Column::new("accessToken", String, false),
            Column::new("refreshToken", String, false),
            Column::new("idToken", String, false),
            Column::new("accessTokenExpiresAt", Date, false),
            Column::new("refreshTokenExpiresAt", Date, false),
            Column::new("scope", String, false),
            Column::new("password", String, false),
            Column::new("createdAt", Date, true).default_now(),
            Column::new("updatedAt", Date, true),
        ],
        indexes: vec!["userId"],
        unique_indexes: Vec::new(),
    };
    let verification = Table {
        name: "verification",
        columns: vec![
            Column::new("identifier", String, true),
            Column::new("value", String, true),
            Column::new("expiresAt", Date, true),
            Column::new("createdAt", Date, true).default_now(),
            Column::new("updatedAt", Date, true).default_now(),
        ],
        indexes: vec!["identifier"],
        unique_indexes: Vec::new(),
    };
    vec![user, session, account, verification]
}

/// What a migration run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MigrationReport {
    /// Tables created.
    pub created_tables: Vec<String>,
    /// Columns added, as `table.column`.
    pub added_columns: Vec<String>,
}

impl MigrationReport {
    /// Whether the database was already up to date.
    pub fn is_empty(&self) -> bool {
        self.created_tables.is_empty() && self.added_columns.is_empty()
    }
}

async fn existing_columns(exec: &mut impl Exec, table: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows = match exec.dialect() {
        Dialect::Sqlite => {
            let sql = format!("select \"name\" from pragma_table_info('{table}')");
            exec.fetch_all(&sql, vec![]).await?
        }
        Dialect::Postgres => {
            exec.fetch_all(
                "select column_name::text as \"name\" from information_schema.columns \
                 where table_schema = current_schema() and table_name = $1",
                crate::args![table],
            )
            .await?
        }
    };
    rows.iter().map(|row| row.text("name")).collect()
}

/// Brings the database up to `tables`, inside one transaction.
pub async fn migrate(db: &super::Db, tables: &[Table]) -> Result<MigrationReport, sqlx::Error> {
    let mut tx = db.begin().await?;
    let dialect = tx.dialect();
    if dialect == Dialect::Postgres {
        // One migrating process at a time (two servers starting together).
        tx.execute("select pg_advisory_xact_lock(7206553011)", vec![]).await?;
    }
    let mut report = MigrationReport::default();
    for table in tables {
        let existing = existing_columns(&mut tx, table.name).await?;
        if existing.is_empty() {
            tx.execute(&table.create_sql(dialect), vec![]).await?;
            report.created_tables.push(table.name.to_owned());
        } else {
            for column in &table.columns {
                if !existing.iter().any(|name| name == &column.name) {
                    let mut column = column.clone();
                    // SQLite cannot add a NOT NULL column without a default; better-auth
                    // adds such columns as nullable too.
                    if column.default_sql.is_none() {
                        column.required = false;
                    }
                    // Neither can it add a unique column: better-auth adds the column and
                    // then a unique index named as its field indexes are.
                    let unique = std::mem::replace(&mut column.unique, false);
                    let sql = format!(
                        "alter table \"{}\" add column {}",
                        table.name,
                        column.definition(dialect, true)
                    );
                    tx.execute(&sql, vec![]).await?;
                    if unique {
                        let sql = format!(
                            "create unique index if not exists \"{0}_{1}_uidx\" on \"{0}\" (\"{1}\")",
                            table.name, column.name
                        );
                        tx.execute(&sql, vec![]).await?;
                    }
                    report.added_columns.push(format!("{}.{}", table.name, column.name));
                }
            }
        }
        for column in &table.indexes {
            let sql = format!(
                "create index if not exists \"{0}_{1}_idx\" on \"{0}\" (\"{1}\")",
                table.name, column
            );
            tx.execute(&sql, vec![]).await?;
        }
        for columns in &table.unique_indexes {
            let quoted: Vec<String> = columns.iter().map(|column| format!("\"{column}\"")).collect();
            let sql = format!(
                "create unique index if not exists \"{}_{}_uidx\" on \"{}\" ({})",
                table.name,
                columns.join("_"),
                table.name,
                quoted.join(", ")
            );
            tx.execute(&sql, vec![]).await?;
        }
    }
    tx.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ddl_matches_better_auth() {
        let sqlite = core_tables(&[], &[], Dialect::Sqlite);
        assert_eq!(
            sqlite[0].create_sql(Dialect::Sqlite),
            r#"create table "user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" integer not null, "image" text, "createdAt" date not null, "updatedAt" date not null)"#
        );
        assert_eq!(
            sqlite[1].create_sql(Dialect::Sqlite),
            r#"create table "session" ("id" text not null primary key, "expiresAt" date not null, "token" text not null unique, "createdAt" date not null, "updatedAt" date not null, "ipAddress" text, "userAgent" text, "userId" text not null references "user" ("id") on delete cascade)"#
        );
        let postgres = core_tables(&[], &[], Dialect::Postgres);
        assert_eq!(
            postgres[0].create_sql(Dialect::Postgres),
            r#"create table "user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" boolean not null, "image" text, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz default CURRENT_TIMESTAMP not null)"#
        );
        assert_eq!(
            postgres[2].create_sql(Dialect::Postgres),
            r#"create table "account" ("id" text not null primary key, "accountId" text not null, "providerId" text not null, "userId" text not null references "user" ("id") on delete cascade, "accessToken" text, "refreshToken" text, "idToken" text, "accessTokenExpiresAt" timestamptz, "refreshTokenExpiresAt" timestamptz, "scope" text, "password" text, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz not null)"#
        );
        assert_eq!(
            postgres[3].create_sql(Dialect::Postgres),
            r#"create table "verification" ("id" text not null primary key, "identifier" text not null, "value" text not null, "expiresAt" timestamptz not null, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz default CURRENT_TIMESTAMP not null)"#
        );
    }

    #[tokio::test]
    async fn migrations_are_idempotent_and_add_columns() {
        let db = super::super::Db::connect("sqlite::memory:").await.expect("connects");
        let first = migrate(&db, &core_tables(&[], &[], Dialect::Sqlite))
            .await
            .expect("migrates");
        assert_eq!(first.created_tables, ["user", "session", "account", "verification"]);
        let again = migrate(&db, &core_tables(&[], &[], Dialect::Sqlite))
            .await
            .expect("migrates");
        assert!(again.is_empty());
        let extra = [AdditionalField::new("favoriteColor", FieldType::String)];
        let added = migrate(&db, &core_tables(&extra, &[], Dialect::Sqlite))
            .await
            .expect("migrates");
        assert_eq!(added.added_columns, ["user.favoriteColor"]);
    }

    #[tokio::test]
    async fn a_unique_index_spans_its_columns_and_is_added_to_an_existing_table() {
        use super::super::Arg;
        let db = super::super::Db::connect("sqlite::memory:").await.expect("connects");
        let columns = vec![
            Column::new("owner", FieldType::String, true),
            Column::new("name", FieldType::String, true),
        ];
        migrate(&db, &[Table::new("thing", columns.clone())])
            .await
            .expect("migrates");
        let keyed = Table::new("thing", columns).unique_index(&["owner", "name"]);
        migrate(&db, std::slice::from_ref(&keyed))
            .await
            .expect("adds the index");
        migrate(&db, &[keyed]).await.expect("runs again");
        let mut exec = db.clone();
        let insert = r#"insert into "thing" ("id", "owner", "name") values ($1, $2, $3)"#;
        let row = |id: &str, owner: &str, name: &str| {
            vec![
                Arg::from(id.to_owned()),
                Arg::from(owner.to_owned()),
                Arg::from(name.to_owned()),
            ]
        };
        exec.execute(insert, row("1", "ada", "a")).await.expect("first");
        exec.execute(insert, row("2", "grace", "a"))
            .await
            .expect("another owner");
        exec.execute(insert, row("3", "ada", "b")).await.expect("another name");
        let duplicate = exec
            .execute(insert, row("4", "ada", "a"))
            .await
            .expect_err("both taken");
        assert!(super::super::is_unique_violation(&duplicate), "{duplicate}");
    }
}
