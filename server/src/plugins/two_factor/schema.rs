//! The two-factor plugin's table.

use crate::db::schema::{Column, FieldType, Table};

/// The two-factor plugin's table (`user.twoFactorEnabled` is an additional user field).
pub fn two_factor_table() -> Table {
    use FieldType::*;
    Table {
        name: "twoFactor",
        columns: vec![
            Column::new("secret", String, true),
            Column::new("backupCodes", String, true),
            Column::new("userId", String, true).references("user"),
            Column::new("verified", Boolean, false),
            Column::new("failedVerificationCount", Number, false),
            Column::new("lockedUntil", Date, false),
        ],
        indexes: vec!["secret", "userId"],
        unique_indexes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AdditionalField;
    use crate::db::Dialect;
    use crate::db::schema::core_tables;

    #[test]
    fn two_factor_ddl_matches_better_auth() {
        // better-auth 1.7.25's own migration with the twoFactor plugin, as sqlite_master
        // and pg_dump show it.
        let enabled = [AdditionalField::new("twoFactorEnabled", FieldType::Boolean)
            .server_only()
            .default_value(serde_json::Value::Bool(false))];
        let sqlite = core_tables(&enabled, &[], Dialect::Sqlite);
        assert_eq!(
            sqlite[0].create_sql(Dialect::Sqlite),
            r#"create table "user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" integer not null, "image" text, "createdAt" date not null, "updatedAt" date not null, "twoFactorEnabled" integer)"#
        );
        assert_eq!(
            two_factor_table().create_sql(Dialect::Sqlite),
            r#"create table "twoFactor" ("id" text not null primary key, "secret" text not null, "backupCodes" text not null, "userId" text not null references "user" ("id") on delete cascade, "verified" integer, "failedVerificationCount" integer, "lockedUntil" date)"#
        );
        assert_eq!(
            two_factor_table().create_sql(Dialect::Postgres),
            r#"create table "twoFactor" ("id" text not null primary key, "secret" text not null, "backupCodes" text not null, "userId" text not null references "user" ("id") on delete cascade, "verified" boolean, "failedVerificationCount" integer, "lockedUntil" timestamptz)"#
        );
        assert_eq!(
            sqlite[0].columns.last().map(|c| c.definition(Dialect::Sqlite, true)),
            Some(r#""twoFactorEnabled" integer default 0"#.to_owned())
        );
    }
}
