//! The PostgreSQL connection pool: connections are reused without a check per query, yet
//! a statement cut short, a transaction left open or a connection the server dropped
//! never leaks into the next query.

use crate::common;

use std::time::Duration;

use common::{Backend, fresh_database};
use keyward_server::db::{Db, Exec};

async fn database() -> (Db, Option<common::SchemaGuard>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (url, guard) = fresh_database(Backend::Postgres, dir.path()).await;
    let db = Db::connect(&url).await.expect("connects");
    (db, guard)
}

async fn backend_pid(db: &mut Db) -> i64 {
    let row = db
        .fetch_optional("select pg_backend_pid()::bigint as pid", vec![])
        .await
        .expect("queries")
        .expect("a row");
    row.int("pid").expect("pid")
}

#[tokio::test]
async fn a_connection_is_reused_between_queries() {
    let (mut db, _guard) = database().await;
    let first = backend_pid(&mut db).await;
    for _ in 0..5 {
        assert_eq!(
            backend_pid(&mut db).await,
            first,
            "one idle connection serves queries in turn"
        );
    }
}

#[tokio::test]
async fn a_query_cut_short_does_not_answer_the_next_one() {
    let (mut db, _guard) = database().await;
    let before = backend_pid(&mut db).await;
    let slow = tokio::time::timeout(
        Duration::from_millis(50),
        db.fetch_optional("select 1::bigint as answer from pg_sleep(0.3)", vec![]),
    )
    .await;
    assert!(slow.is_err(), "the slow query was cancelled");
    for expected in [2i64, 3] {
        let row = db
            .fetch_optional(&format!("select {expected}::bigint as answer"), vec![])
            .await
            .expect("queries")
            .expect("a row");
        assert_eq!(row.int("answer").expect("answer"), expected);
    }
    assert_ne!(
        backend_pid(&mut db).await,
        before,
        "the connection left mid-statement was closed, not reused"
    );
}

#[tokio::test]
async fn a_transaction_dropped_without_commit_rolls_back() {
    let (mut db, _guard) = database().await;
    db.execute("create table pool_probe (n bigint)", vec![])
        .await
        .expect("creates");
    {
        let mut tx = db.begin().await.expect("begins");
        tx.execute("insert into pool_probe values (1)", vec![])
            .await
            .expect("inserts");
    }
    let mut tx = db.begin().await.expect("begins");
    tx.execute("insert into pool_probe values (2)", vec![])
        .await
        .expect("inserts");
    tx.commit().await.expect("commits");
    // The dropped transaction's rollback runs in the background; right away, the next
    // queries see only the committed row, and none runs inside a transaction.
    for _ in 0..3 {
        let rows = db
            .fetch_all("select n from pool_probe order by n", vec![])
            .await
            .expect("reads");
        let values: Vec<i64> = rows.iter().map(|row| row.int("n").expect("n")).collect();
        assert_eq!(values, vec![2]);
        let row = db
            .fetch_optional("select pg_current_xact_id_if_assigned() is null as outside", vec![])
            .await
            .expect("reads")
            .expect("a row");
        assert!(
            row.bool("outside").expect("flag"),
            "ran outside the dropped transaction"
        );
    }
}

#[tokio::test]
async fn a_failed_statement_keeps_the_connection_usable() {
    let (mut db, _guard) = database().await;
    let before = backend_pid(&mut db).await;
    let error = db
        .execute("insert into no_such_table values (1)", vec![])
        .await
        .expect_err("fails");
    assert!(error.as_database_error().is_some(), "a database error: {error}");
    assert_eq!(backend_pid(&mut db).await, before, "the connection is still reused");
}

#[tokio::test]
async fn a_connection_the_server_dropped_fails_once_then_the_pool_recovers() {
    let (mut db, _guard) = database().await;
    let pid = backend_pid(&mut db).await;
    let (mut admin, _admin_guard) = database().await;
    admin
        .execute("select pg_terminate_backend(($1::bigint)::int)", vec![pid.into()])
        .await
        .expect("terminates");
    // Once the backend is gone from the server's list, the pool's connection is dead.
    loop {
        let gone = admin
            .fetch_optional(
                "select count(*) = 0 as gone from pg_stat_activity where pid = ($1::bigint)::int",
                vec![pid.into()],
            )
            .await
            .expect("reads")
            .expect("a row");
        if gone.bool("gone").expect("flag") {
            break;
        }
        tokio::task::yield_now().await;
    }
    let first = db.fetch_optional("select 1::bigint as one", vec![]).await;
    if let Err(error) = &first {
        assert!(error.as_database_error().is_none() || error.to_string().contains("terminat"));
    }
    let after = backend_pid(&mut db).await;
    assert_ne!(after, pid, "a new connection replaced the dropped one");
}
