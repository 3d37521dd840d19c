//! The organization plugin's tables.

use crate::db::schema::{Column, FieldType, Table};

/// The organization plugin's tables, in the order better-auth creates them.
pub fn organization_tables(teams: bool, dynamic_roles: bool) -> Vec<Table> {
    use FieldType::*;
    let mut tables = vec![Table {
        name: "organization",
        columns: vec![
            Column::new("name", String, true),
            Column::new("slug", String, true).unique(),
            Column::new("logo", String, false),
            Column::new("createdAt", Date, true),
            Column::new("metadata", String, false),
        ],
        indexes: vec![],
        unique_indexes: Vec::new(),
    }];
    if dynamic_roles {
        tables.push(Table {
            name: "organizationRole",
            columns: vec![
                Column::new("organizationId", String, true).references("organization"),
                Column::new("role", String, true),
                Column::new("permission", String, true),
                Column::new("createdAt", Date, true).default_now(),
                Column::new("updatedAt", Date, false),
            ],
            indexes: vec!["organizationId", "role"],
            unique_indexes: Vec::new(),
        });
    }
    if teams {
        tables.push(Table {
            name: "team",
            columns: vec![
                Column::new("name", String, true),
                Column::new("memberCount", Number, true),
                Column::new("organizationId", String, true).references("organization"),
                Column::new("createdAt", Date, true),
                Column::new("updatedAt", Date, false),
            ],
            indexes: vec!["organizationId"],
            unique_indexes: Vec::new(),
        });
        tables.push(Table {
            name: "teamMember",
            columns: vec![
                Column::new("teamId", String, true).references("team"),
                Column::new("userId", String, true).references("user"),
                Column::new("membershipKey", String, false).unique(),
                Column::new("createdAt", Date, false),
            ],
            indexes: vec!["teamId", "userId"],
            unique_indexes: Vec::new(),
        });
    }
    tables.push(Table {
        name: "member",
        columns: vec![
            Column::new("organizationId", String, true).references("organization"),
            Column::new("userId", String, true).references("user"),
            Column::new("role", String, true),
            Column::new("createdAt", Date, true),
        ],
        indexes: vec!["organizationId", "userId"],
        unique_indexes: Vec::new(),
    });
    let mut invitation = vec![
        Column::new("organizationId", String, true).references("organization"),
        Column::new("email", String, true),
        Column::new("role", String, false),
    ];
    if teams {
        invitation.push(Column::new("teamId", String, false));
    }
    invitation.extend([
        Column::new("status", String, true),
        Column::new("expiresAt", Date, true),
        Column::new("createdAt", Date, true).default_now(),
        Column::new("inviterId", String, true).references("user"),
    ]);
    tables.push(Table {
        name: "invitation",
        columns: invitation,
        indexes: vec!["organizationId", "email"],
        unique_indexes: Vec::new(),
    });
    tables
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Dialect;

    #[test]
    fn organization_ddl_matches_better_auth() {
        // better-auth 1.7.25's own migration (teams and dynamic access control on), as
        // sqlite_master shows it.
        let expected = [
            r#"create table "organization" ("id" text not null primary key, "name" text not null, "slug" text not null unique, "logo" text, "createdAt" date not null, "metadata" text)"#,
            r#"create table "organizationRole" ("id" text not null primary key, "organizationId" text not null references "organization" ("id") on delete cascade, "role" text not null, "permission" text not null, "createdAt" date not null, "updatedAt" date)"#,
            r#"create table "team" ("id" text not null primary key, "name" text not null, "memberCount" integer not null, "organizationId" text not null references "organization" ("id") on delete cascade, "createdAt" date not null, "updatedAt" date)"#,
            r#"create table "teamMember" ("id" text not null primary key, "teamId" text not null references "team" ("id") on delete cascade, "userId" text not null references "user" ("id") on delete cascade, "membershipKey" text unique, "createdAt" date)"#,
            r#"create table "member" ("id" text not null primary key, "organizationId" text not null references "organization" ("id") on delete cascade, "userId" text not null references "user" ("id") on delete cascade, "role" text not null, "createdAt" date not null)"#,
            r#"create table "invitation" ("id" text not null primary key, "organizationId" text not null references "organization" ("id") on delete cascade, "email" text not null, "role" text, "teamId" text, "status" text not null, "expiresAt" date not null, "createdAt" date not null, "inviterId" text not null references "user" ("id") on delete cascade)"#,
        ];
        let tables = organization_tables(true, true);
        let actual: Vec<String> = tables.iter().map(|t| t.create_sql(Dialect::Sqlite)).collect();
        assert_eq!(actual, expected);
        let postgres = organization_tables(true, true);
        assert!(
            postgres[5]
                .create_sql(Dialect::Postgres)
                .contains(r#""createdAt" timestamptz default CURRENT_TIMESTAMP not null, "inviterId" text not null"#)
        );
        assert!(
            postgres[4]
                .create_sql(Dialect::Postgres)
                .contains(r#""createdAt" timestamptz not null)"#)
        );
        let plain = organization_tables(false, false);
        assert_eq!(
            plain.iter().map(|t| t.name).collect::<Vec<_>>(),
            ["organization", "member", "invitation"]
        );
        assert!(!plain[2].create_sql(Dialect::Sqlite).contains("teamId"));
    }
}
