//! Session lookups on PostgreSQL, coalesced.
//!
//! Nearly every request reads its session and user by token. On PostgreSQL each read is
//! a round trip, and under load the profile of `/get-session` was dominated not by the
//! query but by the kernel waking a backend and then this process for every one of them.
//! So at most [`SessionReads::in_flight_limit`] reads run at a time; lookups arriving
//! meanwhile wait and then go together, as one `s."token" = any($1)` statement that is
//! sent after they arrived — a lookup never answers from a read that began before its
//! request did, so it sees every write that finished before.
//!
//! A lookup whose batch failed, or whose batch was lost (the runtime shutting down),
//! reads alone and reports its own error.

use crate::log_safe::Escaped;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::{Db, ModelFields, sessions};
use keyward_client::wire::SessionData;

/// Tokens in one statement at most.
const MAX_BATCH: usize = 128;

/// What a waiting lookup gets: its session (or `None`), or `None` when it should read
/// alone.
type Reply = Option<Option<SessionData>>;

struct Waiter {
    token: String,
    reply: oneshot::Sender<Reply>,
}

#[derive(Default)]
struct State {
    in_flight: usize,
    waiting: Vec<Waiter>,
}

/// Coalesced `session` + `user` reads by token on one database.
pub(crate) struct SessionReads {
    db: Db,
    fields: ModelFields,
    limit: usize,
    state: Mutex<State>,
}

impl std::fmt::Debug for SessionReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionReads")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl SessionReads {
    /// Reads on `db` with `fields`, at most `limit` statements at a time (at least one).
    pub(crate) fn new(db: Db, fields: ModelFields, limit: usize) -> Arc<Self> {
        Arc::new(Self {
            db,
            fields,
            limit: limit.max(1),
            state: Mutex::new(State::default()),
        })
    }

    /// How many reads run at most at a time: one per two cores (at least one), leaving
    /// the other half of the CPU to the database's backends. Measured on two cores with
    /// wrk: one read at a time served 31k (c=16) and 51k (c=64) lookups/s, two at a time
    /// 28k and 42k; the fewer statements, the less the database and the kernel work.
    pub(crate) fn in_flight_limit() -> usize {
        std::thread::available_parallelism().map_or(1, |cores| (cores.get() / 2).max(1))
    }

    /// The session with `token` and its user.
    pub(crate) async fn find(self: &Arc<Self>, token: &str) -> Result<Option<SessionData>, sqlx::Error> {
        let waiting = {
            let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if state.in_flight < self.limit {
                state.in_flight += 1;
                None
            } else {
                let (reply, answer) = oneshot::channel();
                state.waiting.push(Waiter {
                    token: token.to_owned(),
                    reply,
                });
                Some(answer)
            }
        };
        match waiting {
            None => {
                // Handed on when this read ends or is dropped (a cancelled request).
                let _slot = Slot(self.clone());
                self.read_alone(token).await
            }
            Some(answer) => match answer.await {
                Ok(Some(found)) => Ok(found),
                Ok(None) | Err(_) => self.read_alone(token).await,
            },
        }
    }

    async fn read_alone(&self, token: &str) -> Result<Option<SessionData>, sqlx::Error> {
        sessions::find_with_user(&mut self.db.clone(), &self.fields, token).await
    }

    /// A read slot is free: the waiting lookups take it, or it is given back.
    fn release(self: &Arc<Self>) {
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.waiting.is_empty() {
            state.in_flight -= 1;
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                drop(state);
                runtime.spawn(self.clone().run_batches());
            }
            Err(_) => {
                // No runtime to read on: the waiting lookups are told to read alone.
                state.waiting.clear();
                state.in_flight -= 1;
            }
        }
    }

    /// Reads for the waiting lookups, batch after batch, then frees the slot.
    async fn run_batches(self: Arc<Self>) {
        loop {
            let batch: Vec<Waiter> = {
                let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let waiting = &mut state.waiting;
                waiting.retain(|waiter| !waiter.reply.is_closed());
                if waiting.is_empty() {
                    state.in_flight -= 1;
                    return;
                }
                let rest = waiting.split_off(waiting.len().min(MAX_BATCH));
                std::mem::replace(waiting, rest)
            };
            let mut tokens: Vec<String> = batch.iter().map(|waiter| waiter.token.clone()).collect();
            tokens.sort_unstable();
            tokens.dedup();
            match sessions::find_many_with_user(&mut self.db.clone(), &self.fields, tokens).await {
                Ok(found) => {
                    let by_token: HashMap<&str, &SessionData> =
                        found.iter().map(|data| (data.session.token.expose(), data)).collect();
                    for waiter in batch {
                        let data = by_token.get(waiter.token.as_str()).map(|data| (*data).clone());
                        let _ = waiter.reply.send(Some(data));
                    }
                }
                Err(error) => {
                    tracing::debug!(error = %Escaped(&error), "batched session read failed; each lookup reads alone");
                    for waiter in batch {
                        let _ = waiter.reply.send(None);
                    }
                }
            }
        }
    }
}

/// A read slot held by a lookup reading alone.
struct Slot(Arc<SessionReads>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.release();
    }
}
