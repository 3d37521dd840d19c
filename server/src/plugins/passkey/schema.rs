//! The passkey plugin's table.

use crate::db::schema::{Column, FieldType, Table};

/// The passkey plugin's table, as `@better-auth/passkey` creates it.
pub fn passkey_table() -> Table {
    use FieldType::*;
    Table {
        name: "passkey",
        columns: vec![
            Column::new("name", String, false),
            Column::new("publicKey", String, true),
            Column::new("userId", String, true).references("user"),
            Column::new("credentialID", String, true),
            Column::new("counter", Number, true),
            Column::new("deviceType", String, true),
            Column::new("backedUp", Boolean, true),
            Column::new("transports", String, false),
            Column::new("createdAt", Date, false),
            Column::new("aaguid", String, false),
        ],
        indexes: vec!["userId", "credentialID"],
        unique_indexes: Vec::new(),
    }
}
