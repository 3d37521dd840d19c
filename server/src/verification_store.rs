//! Where verification values live (password-reset and account-deletion tokens, two-factor
//! challenges and codes, passkey challenges …): the `verification` table, secondary
//! storage, or both, as better-auth's internal adapter keeps them with `secondaryStorage`
//! and `verification.storeInDatabase`.
//!
//! In secondary storage a value is the key `verification:<identifier>` holding
//! `{"id","identifier","value","expiresAt","createdAt","updatedAt"}` and expiring with
//! the value; the newest value of an identifier replaces the older one. Consuming a value
//! is one atomic get-and-delete, so of two instances racing for the same token only one
//! gets it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Auth;
use crate::crypto::generate_id;
use crate::db::verifications::{self, Verification};
use crate::db::{Db, Exec};
use crate::error::ApiResult;
use crate::hooks::NewVerification;
use crate::secondary_storage::{SecondaryStorage, StorageError, ttl_until};
use keyward_client::wire::time::{iso, now_millis};

/// The value of a `verification:<identifier>` key.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredVerification {
    #[serde(default)]
    id: String,
    identifier: String,
    value: String,
    #[serde(with = "iso")]
    expires_at: DateTime<Utc>,
    #[serde(with = "iso")]
    created_at: DateTime<Utc>,
    #[serde(with = "iso")]
    updated_at: DateTime<Utc>,
}

impl From<StoredVerification> for Verification {
    fn from(stored: StoredVerification) -> Self {
        Verification {
            id: stored.id,
            identifier: stored.identifier,
            value: stored.value,
            expires_at: stored.expires_at,
        }
    }
}

fn key(identifier: &str) -> String {
    format!("verification:{identifier}")
}

fn parse(raw: Option<String>) -> Option<Verification> {
    raw.and_then(|raw| serde_json::from_str::<StoredVerification>(&raw).ok())
        .map(Verification::from)
}

/// The verification values of one [`Auth`], wherever they are kept.
pub(crate) struct VerificationStore<'a> {
    auth: &'a Auth,
}

impl Auth {
    /// The verification store of this server.
    pub(crate) fn verifications(&self) -> VerificationStore<'_> {
        VerificationStore { auth: self }
    }
}

impl VerificationStore<'_> {
    fn storage(&self) -> Option<&dyn SecondaryStorage> {
        self.auth.0.secondary_storage.as_deref()
    }

    /// Whether values are rows (always without secondary storage).
    fn in_database(&self) -> bool {
        self.storage().is_none() || self.auth.0.config.verification.store_in_database
    }

    /// Stores `value` under `identifier` until `expires_at`.
    /// The verification hooks run around it: `before_create` may change or refuse it,
    /// `after_create` runs once it is committed.
    pub async fn insert(
        &self,
        exec: &mut impl Exec,
        identifier: &str,
        value: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> ApiResult<()> {
        let hooks = &self.auth.0.hooks.verification;
        if hooks.is_empty() {
            return self.write(exec, identifier, value, expires_at, now).await;
        }
        let mut new = NewVerification {
            identifier: identifier.to_owned(),
            value: value.to_owned(),
            expires_at,
        };
        for hook in hooks {
            hook.before_create(&mut new).await?;
        }
        self.write(exec, &new.identifier, &new.value, new.expires_at, now)
            .await?;
        let auth = self.auth.clone();
        let work: crate::db::AfterCommit = Box::pin(async move {
            for hook in &auth.0.hooks.verification {
                hook.after_create(&auth, &new).await;
            }
        });
        crate::hooks::after_commit(exec, work).await;
        Ok(())
    }

    async fn write(
        &self,
        exec: &mut impl Exec,
        identifier: &str,
        value: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> ApiResult<()> {
        if self.in_database() {
            verifications::insert(exec, identifier, value, expires_at, now).await?;
        }
        if let Some(storage) = self.storage() {
            let ttl = ttl_until(expires_at.timestamp_millis(), now_millis().timestamp_millis());
            if ttl > 0 {
                let stored = StoredVerification {
                    id: generate_id(),
                    identifier: identifier.to_owned(),
                    value: value.to_owned(),
                    expires_at,
                    created_at: now,
                    updated_at: now,
                };
                let json =
                    serde_json::to_string(&stored).map_err(|e| StorageError(format!("verification JSON: {e}")))?;
                storage.set(&key(identifier), json, Some(ttl)).await?;
            }
        }
        Ok(())
    }

    /// The newest value of `identifier`, expired or not.
    pub async fn find_latest(&self, exec: &mut impl Exec, identifier: &str) -> ApiResult<Option<Verification>> {
        if let Some(storage) = self.storage() {
            if let Some(found) = parse(storage.get(&key(identifier)).await?) {
                return Ok(Some(found));
            }
            if !self.in_database() {
                return Ok(None);
            }
        }
        Ok(verifications::find_latest(exec, identifier).await?)
    }

    /// Takes the newest value of `identifier` once (every value of it is gone after);
    /// `None` when there is none, another caller took it, or it expired. With rows, run
    /// it in the transaction whose outcome it gates. The verification hooks'
    /// `after_delete` runs for what was taken (expired too), once committed.
    pub async fn consume(
        &self,
        exec: &mut impl Exec,
        identifier: &str,
        now: DateTime<Utc>,
    ) -> ApiResult<Option<Verification>> {
        let taken = match self.storage() {
            None => verifications::take(exec, identifier).await?,
            Some(storage) if !self.in_database() => parse(storage.get_and_delete(&key(identifier)).await?),
            Some(storage) => {
                let taken = verifications::take(exec, identifier).await?;
                storage.delete(&key(identifier)).await?;
                taken
            }
        };
        if let Some(taken) = &taken {
            self.after_delete(exec, taken).await;
        }
        Ok(taken.filter(|verification| verification.expires_at > now))
    }

    /// [`VerificationStore::consume`] in a transaction of its own.
    pub async fn consume_now(&self, db: &Db, identifier: &str, now: DateTime<Utc>) -> ApiResult<Option<Verification>> {
        if !self.in_database() {
            return self.consume(&mut db.clone(), identifier, now).await;
        }
        let mut tx = db.begin().await?;
        let taken = self.consume(&mut tx, identifier, now).await?;
        tx.commit().await?;
        Ok(taken)
    }

    /// Sets when the value of `identifier` expires (better-auth's
    /// `updateVerificationByIdentifier` with an `expiresAt`).
    pub async fn update_expiry(
        &self,
        exec: &mut impl Exec,
        identifier: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> ApiResult<()> {
        if let Some(storage) = self.storage()
            && let Some(raw) = storage.get(&key(identifier)).await?
            && let Ok(mut stored) = serde_json::from_str::<StoredVerification>(&raw)
        {
            stored.expires_at = expires_at;
            stored.updated_at = now;
            let ttl = ttl_until(expires_at.timestamp_millis(), now.timestamp_millis());
            if ttl > 0 {
                let json =
                    serde_json::to_string(&stored).map_err(|e| StorageError(format!("verification JSON: {e}")))?;
                storage.set(&key(identifier), json, Some(ttl)).await?;
            }
        }
        if self.in_database() {
            verifications::update_expiry(exec, identifier, expires_at, now).await?;
        }
        Ok(())
    }

    /// Removes every value of `identifier`; the verification hooks' `after_delete` runs
    /// for the newest, if there was one, once committed.
    pub async fn delete(&self, exec: &mut impl Exec, identifier: &str) -> ApiResult<()> {
        let removed = if self.auth.0.hooks.verification.is_empty() {
            None
        } else {
            self.find_latest(exec, identifier).await?
        };
        if let Some(storage) = self.storage() {
            storage.delete(&key(identifier)).await?;
        }
        if self.in_database() {
            verifications::delete(exec, identifier).await?;
        }
        if let Some(removed) = &removed {
            self.after_delete(exec, removed).await;
        }
        Ok(())
    }

    /// Queues the verification hooks' `after_delete` for `removed` after the commit.
    async fn after_delete(&self, exec: &mut impl Exec, removed: &Verification) {
        if self.auth.0.hooks.verification.is_empty() {
            return;
        }
        let (auth, removed) = (self.auth.clone(), removed.clone());
        let work: crate::db::AfterCommit = Box::pin(async move {
            for hook in &auth.0.hooks.verification {
                hook.after_delete(&auth, &removed).await;
            }
        });
        crate::hooks::after_commit(exec, work).await;
    }
}
