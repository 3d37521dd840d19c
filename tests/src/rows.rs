//! Direct reads and writes of a Keyward database, for tests that need a state no request
//! can reach (an expired OAuth state, a forged PKCE verifier, a verified address).

use keyward_server::db::{Arg, Db, Exec};
use serde_json::Value;

/// Rewrites the JSON of the newest OAuth state (`auth-state:*` verification row).
pub async fn rewrite_state(db: &Db, change: impl FnOnce(&mut Value)) {
    let mut db = db.clone();
    let row = db
        .fetch_optional(
            r#"select "id", "value" from "verification" where "identifier" like 'auth-state:%' order by "createdAt" desc limit 1"#,
            vec![],
        )
        .await
        .expect("reads")
        .expect("a stored OAuth state");
    let id = row.text("id").expect("id");
    let mut value: Value = serde_json::from_str(&row.text("value").expect("value")).expect("state JSON");
    change(&mut value);
    db.execute(
        r#"update "verification" set "value" = $1 where "id" = $2"#,
        vec![Arg::from(value.to_string()), Arg::from(id)],
    )
    .await
    .expect("writes");
}

/// The stored access and refresh tokens of an account row (as stored: encrypted or not).
pub async fn account_tokens(db: &Db, account_id: &str) -> (String, Option<String>) {
    let mut db = db.clone();
    let row = db
        .fetch_optional(
            r#"select "accessToken", "refreshToken" from "account" where "id" = $1"#,
            vec![Arg::from(account_id)],
        )
        .await
        .expect("reads")
        .expect("the account");
    (
        row.opt_text("accessToken").expect("column").unwrap_or_default(),
        row.opt_text("refreshToken").expect("column"),
    )
}

/// Marks a user's address verified.
pub async fn mark_email_verified(db: &Db, email: &str) {
    let mut db = db.clone();
    let changed = db
        .execute(
            r#"update "user" set "emailVerified" = $1 where "email" = $2"#,
            vec![Arg::from(true), Arg::from(email)],
        )
        .await
        .expect("writes");
    assert_eq!(changed, 1, "no user {email}");
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}
