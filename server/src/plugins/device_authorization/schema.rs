//! The device-authorization plugin's table.

use crate::db::schema::{Column, FieldType, Table};

/// The `deviceCode` table, as better-auth's migrations create it: no timestamps, no
/// foreign key on `userId`, the codes unique (`deviceCode_deviceCode_uidx`,
/// `deviceCode_userCode_uidx`).
pub(super) fn device_code_table() -> Table {
    use FieldType::*;
    Table::new(
        "deviceCode",
        vec![
            Column::new("deviceCode", String, true),
            Column::new("userCode", String, true),
            Column::new("userId", String, false),
            Column::new("expiresAt", Date, true),
            Column::new("status", String, true),
            Column::new("lastPolledAt", Date, false),
            Column::new("pollingInterval", Number, false),
            Column::new("clientId", String, false),
            Column::new("scope", String, false),
        ],
    )
    .unique_index(&["deviceCode"])
    .unique_index(&["userCode"])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Dialect;

    #[test]
    fn ddl_is_better_auths() {
        assert_eq!(
            device_code_table().create_sql(Dialect::Sqlite),
            r#"create table "deviceCode" ("id" text not null primary key, "deviceCode" text not null, "userCode" text not null, "userId" text, "expiresAt" date not null, "status" text not null, "lastPolledAt" date, "pollingInterval" integer, "clientId" text, "scope" text)"#
        );
        assert_eq!(
            device_code_table().create_sql(Dialect::Postgres),
            r#"create table "deviceCode" ("id" text not null primary key, "deviceCode" text not null, "userCode" text not null, "userId" text, "expiresAt" timestamptz not null, "status" text not null, "lastPolledAt" timestamptz, "pollingInterval" integer, "clientId" text, "scope" text)"#
        );
    }
}
