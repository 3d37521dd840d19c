//! Transactions: the connection they hold, the locks they serialise on, and the work
//! queued to run once they commit.

use std::future::Future;
use std::pin::Pin;

use super::postgres::PgTx;
use super::sqlite::LiteTx;
use super::{Arg, DbFuture, Dialect, Exec, Row};

/// Work to run once a transaction has committed (an `after` database hook).
pub type AfterCommit = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A transaction. Dropped without [`Tx::commit`], it rolls back, and the work queued with
/// [`Exec::after_commit`] is dropped with it.
pub struct Tx {
    conn: Conn,
    after_commit: Vec<AfterCommit>,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx")
            .field("conn", &self.conn)
            .field("after_commit", &self.after_commit.len())
            .finish()
    }
}

/// The transaction's connection.
#[derive(Debug)]
enum Conn {
    Sqlite(LiteTx),
    Postgres(PgTx),
}

/// What a transaction serialises on with [`Tx::lock`]: the scope of a check that an insert
/// relies on ("no pending invitation for this address", "fewer teams than the limit").
/// better-auth's schema has no unique index for these (and must stay as it is), so two
/// requests that check at the same time would both insert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock<'a> {
    /// An organization's members, invitations, teams and stored roles (by organization id).
    Organization(&'a str),
    /// The organizations a user creates, for the organization limit (by user id).
    UserOrganizations(&'a str),
    /// A passkey credential id (base64url).
    PasskeyCredential(&'a str),
    /// A user's TOTP row (by user id).
    TwoFactor(&'a str),
    /// A user's credential (password) account (by user id).
    UserCredential(&'a str),
}

impl Lock<'_> {
    /// The text the lock is taken on.
    fn key(self) -> String {
        match self {
            Lock::Organization(id) => format!("keyward:organization:{id}"),
            Lock::UserOrganizations(id) => format!("keyward:user-organizations:{id}"),
            Lock::PasskeyCredential(id) => format!("keyward:passkey-credential:{id}"),
            Lock::TwoFactor(id) => format!("keyward:two-factor:{id}"),
            Lock::UserCredential(id) => format!("keyward:user-credential:{id}"),
        }
    }
}

impl Tx {
    fn new(conn: Conn) -> Self {
        Self {
            conn,
            after_commit: Vec::new(),
        }
    }

    /// Begins on SQLite.
    pub(super) fn sqlite(tx: LiteTx) -> Self {
        Self::new(Conn::Sqlite(tx))
    }

    /// Begins on PostgreSQL.
    pub(super) fn postgres(tx: PgTx) -> Self {
        Self::new(Conn::Postgres(tx))
    }

    /// Commits, then runs the work queued with [`Exec::after_commit`], in order.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.conn {
            Conn::Sqlite(tx) => tx.commit()?,
            Conn::Postgres(tx) => tx.commit().await?,
        }
        for work in self.after_commit {
            work.await;
        }
        Ok(())
    }

    /// Serialises the rest of this transaction with every other transaction that takes
    /// the same `lock`, until it commits or rolls back: a check made after this call and
    /// the insert that relies on it cannot interleave with another request's. Take it
    /// first, then check and write on this transaction. One lock per transaction (two,
    /// taken in different orders elsewhere, could deadlock).
    ///
    /// On PostgreSQL it is a transaction-scoped advisory lock on a 64-bit hash of the
    /// scope (`pg_advisory_xact_lock(hashtextextended(key, 0))`). It waits only for
    /// transactions on the same scope (or, very rarely, on a colliding hash: they wait too,
    /// nothing breaks), needs no row to exist (a credential id not stored yet), and takes no
    /// row lock. `select … for update` on the organization row would also serialise every
    /// insert into `member`, `invitation` and `team` behind it, because their foreign-key
    /// checks take a share lock on that row. Statements after the lock see every write
    /// committed before it was granted (read committed: a snapshot per statement).
    ///
    /// On SQLite there is nothing more to take: a transaction holds the database's write
    /// lock from `BEGIN IMMEDIATE` on (and this process's writer mutex), so no other
    /// writer runs until it ends and its reads see every committed write.
    pub async fn lock(&mut self, lock: Lock<'_>) -> Result<(), sqlx::Error> {
        match &mut self.conn {
            Conn::Sqlite(_) => Ok(()),
            Conn::Postgres(tx) => {
                tx.lease()
                    .execute(
                        "select pg_advisory_xact_lock(hashtextextended($1, 0))",
                        crate::args![lock.key()],
                    )
                    .await?;
                Ok(())
            }
        }
    }
}

impl Exec for Tx {
    fn dialect(&self) -> Dialect {
        match self.conn {
            Conn::Sqlite(_) => Dialect::Sqlite,
            Conn::Postgres(_) => Dialect::Postgres,
        }
    }

    fn in_transaction(&self) -> bool {
        true
    }

    fn after_commit(&mut self, work: AfterCommit) -> Option<AfterCommit> {
        self.after_commit.push(work);
        None
    }

    fn execute<'a>(&'a mut self, sql: &'a str, args: Vec<Arg>) -> DbFuture<'a, u64> {
        Box::pin(async move {
            Ok(match &mut self.conn {
                Conn::Sqlite(tx) => tx.query(sql, args)?.1,
                Conn::Postgres(tx) => tx.lease().execute(sql, args).await?,
            })
        })
    }

    fn fetch_optional<'a>(&'a mut self, sql: &'a str, args: Vec<Arg>) -> DbFuture<'a, Option<Row>> {
        Box::pin(async move {
            Ok(match &mut self.conn {
                Conn::Sqlite(tx) => tx.query(sql, args)?.0.into_iter().next().map(Row::Sqlite),
                Conn::Postgres(tx) => tx.lease().fetch_optional(sql, args).await?.map(Row::Postgres),
            })
        })
    }

    fn fetch_all<'a>(&'a mut self, sql: &'a str, args: Vec<Arg>) -> DbFuture<'a, Vec<Row>> {
        Box::pin(async move {
            Ok(match &mut self.conn {
                Conn::Sqlite(tx) => tx.query(sql, args)?.0.into_iter().map(Row::Sqlite).collect(),
                Conn::Postgres(tx) => tx
                    .lease()
                    .fetch_all(sql, args)
                    .await?
                    .into_iter()
                    .map(Row::Postgres)
                    .collect(),
            })
        })
    }
}
