//! Running the database hooks on the paths that write a row: the `before` hooks first
//! (the first refusal stops the write), then the write, then the `after` hooks once the
//! write is committed ([`after_commit`]).

use crate::auth::Auth;
use crate::db::accounts::{self, Account, AccountChanges, AccountTokens};
use crate::db::users::{self, UserChanges};
use crate::db::{AfterCommit, Exec, Tx};
use crate::error::{ApiError, ApiResult};
use keyward_client::wire::{Session, User};

use super::{EndedSessions, NewAccount};

/// Runs `work` once `exec`'s transaction has committed, or now outside a transaction.
pub(crate) async fn after_commit(exec: &mut impl Exec, work: AfterCommit) {
    if let Some(work) = exec.after_commit(work) {
        work.await;
    }
}

/// Updates a user through the user hooks: every `before_update` first (the outer error is
/// a refusal), then the row (the inner result is the database's), then every
/// `after_update` once committed.
pub(crate) async fn update_user(
    auth: &Auth,
    exec: &mut impl Exec,
    user_id: &str,
    mut changes: UserChanges,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Result<Option<User>, sqlx::Error>, ApiError> {
    for hook in &auth.0.hooks.user {
        hook.before_update(auth, user_id, &mut changes).await?;
    }
    let updated = users::update(exec, &auth.0.fields, user_id, changes, now).await;
    if let Ok(Some(user)) = &updated
        && !auth.0.hooks.user.is_empty()
    {
        let (auth, user) = (auth.clone(), user.clone());
        let work: AfterCommit = Box::pin(async move {
            for hook in &auth.0.hooks.user {
                hook.after_update(&auth, &user).await;
            }
        });
        after_commit(exec, work).await;
    }
    Ok(updated)
}

/// The account hooks' `before_create` for `new` (an error is a refusal).
async fn before_account_create(auth: &Auth, new: &NewAccount) -> Result<(), ApiError> {
    for hook in &auth.0.hooks.account {
        hook.before_create(new).await?;
    }
    Ok(())
}

/// Queues the account hooks' `after_create` for `account` after the commit.
async fn after_account_create(auth: &Auth, exec: &mut impl Exec, account: &Account) {
    if auth.0.hooks.account.is_empty() {
        return;
    }
    let (auth, account) = (auth.clone(), account.clone());
    let work: AfterCommit = Box::pin(async move {
        for hook in &auth.0.hooks.account {
            hook.after_create(&auth, &account).await;
        }
    });
    after_commit(exec, work).await;
}

/// Links a password account through the account hooks.
pub(crate) async fn insert_credential_account(
    auth: &Auth,
    exec: &mut impl Exec,
    user_id: &str,
    password_hash: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApiError> {
    let new = NewAccount {
        user_id: user_id.to_owned(),
        provider_id: accounts::CREDENTIAL_PROVIDER.to_owned(),
        account_id: user_id.to_owned(),
    };
    before_account_create(auth, &new).await?;
    let account = accounts::insert_credential(exec, user_id, password_hash, now).await?;
    after_account_create(auth, exec, &account).await;
    Ok(())
}

/// Links a provider account through the account hooks: the outer error is a hook's
/// refusal, the inner result the database's.
pub(crate) async fn insert_oauth_account(
    auth: &Auth,
    exec: &mut impl Exec,
    user_id: &str,
    provider_id: &str,
    account_id: &str,
    tokens: AccountTokens,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Result<Account, sqlx::Error>, ApiError> {
    let new = NewAccount {
        user_id: user_id.to_owned(),
        provider_id: provider_id.to_owned(),
        account_id: account_id.to_owned(),
    };
    before_account_create(auth, &new).await?;
    let inserted = accounts::insert_oauth(exec, user_id, provider_id, account_id, tokens, now).await;
    if let Ok(account) = &inserted {
        after_account_create(auth, exec, account).await;
    }
    Ok(inserted)
}

/// Queues the session hooks' `after_update` for `session` after the commit.
pub(crate) async fn after_session_update(auth: &Auth, exec: &mut impl Exec, session: &Session) {
    if auth.0.hooks.session.is_empty() {
        return;
    }
    let (auth, session) = (auth.clone(), session.clone());
    let work: AfterCommit = Box::pin(async move {
        for hook in &auth.0.hooks.session {
            hook.after_update(&auth, &session).await;
        }
    });
    after_commit(exec, work).await;
}

/// Queues the session hooks' `after_delete` for `ended` after the commit.
pub(crate) async fn after_session_delete(auth: &Auth, exec: &mut impl Exec, ended: EndedSessions) {
    if auth.0.hooks.session.is_empty() {
        return;
    }
    let auth = auth.clone();
    let work: AfterCommit = Box::pin(async move {
        for hook in &auth.0.hooks.session {
            hook.after_delete(&auth, &ended).await;
        }
    });
    after_commit(exec, work).await;
}

/// Inside the transaction that deletes `user_id`, before their rows go: the session
/// hooks' `before_delete` when they have live sessions (a refusal is the error), and the
/// account hooks' `after_delete` queued for each of their accounts. The sessions that end,
/// for [`after_session_delete`] once the deletion is committed.
pub(crate) async fn user_delete_cascade(auth: &Auth, tx: &mut Tx, user_id: &str) -> ApiResult<Option<EndedSessions>> {
    let mut ending = None;
    if !auth.0.hooks.session.is_empty() && !auth.sessions().list_for_user(tx, user_id).await?.is_empty() {
        let all = EndedSessions::AllOfUser(user_id.to_owned());
        auth.0.hooks.before_session_delete(auth, &all).await?;
        ending = Some(all);
    }
    if !auth.0.hooks.account.is_empty() {
        for account in accounts::list_for_user(tx, user_id).await? {
            after_account_delete(auth, tx, account).await;
        }
    }
    Ok(ending)
}

/// Updates `account` through the account hooks: every `before_update` first (the outer
/// error is a refusal), then the row (the inner result is the database's, `None` when the
/// row is gone), then every `after_update` once committed.
pub(crate) async fn update_account(
    auth: &Auth,
    exec: &mut impl Exec,
    account: &Account,
    mut changes: AccountChanges,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Result<Option<Account>, sqlx::Error>, ApiError> {
    for hook in &auth.0.hooks.account {
        hook.before_update(auth, account, &mut changes).await?;
    }
    let updated = accounts::update(exec, &account.id, &changes, now).await;
    if let Ok(Some(account)) = &updated
        && !auth.0.hooks.account.is_empty()
    {
        let (auth, account) = (auth.clone(), account.clone());
        let work: AfterCommit = Box::pin(async move {
            for hook in &auth.0.hooks.account {
                hook.after_update(&auth, &account).await;
            }
        });
        after_commit(exec, work).await;
    }
    Ok(updated)
}

/// Replaces the password hash of `account` through the account hooks.
pub(crate) async fn set_password(
    auth: &Auth,
    exec: &mut impl Exec,
    account: &Account,
    hash: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    update_account(auth, exec, account, AccountChanges::password(hash), now).await??;
    Ok(())
}

/// Queues the account hooks' `after_delete` for `account` (deleted on `exec`) after the
/// commit.
pub(crate) async fn after_account_delete(auth: &Auth, exec: &mut impl Exec, account: Account) {
    if auth.0.hooks.account.is_empty() {
        return;
    }
    let auth = auth.clone();
    let work: AfterCommit = Box::pin(async move {
        for hook in &auth.0.hooks.account {
            hook.after_delete(&auth, &account).await;
        }
    });
    after_commit(exec, work).await;
}

/// better-auth's `revokeUnprovenAccountAccess`: when a proof of the address (a magic link,
/// an emailed code) reaches a user whose address was never verified, nothing that user
/// accrued before the proof may pass to the address's owner, so every account (password
/// and provider links) and every session of theirs goes, and the address becomes
/// verified. Answers the user as they are now (`None` when they are gone); a verified
/// user is answered unchanged.
pub(crate) async fn revoke_unproven_account_access(
    auth: &Auth,
    user_id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Option<User>> {
    let mut db = auth.0.db.clone();
    let Some(user) = users::find_by_id(&mut db, &auth.0.fields, user_id).await? else {
        return Ok(None);
    };
    if user.email_verified {
        return Ok(Some(user));
    }
    for account in accounts::list_for_user(&mut db, user_id).await? {
        accounts::delete(&mut db, &account.id).await?;
        after_account_delete(auth, &mut db, account).await;
    }
    auth.sessions().delete_for_user(&mut db, user_id).await?;
    let changes = UserChanges::default().set("emailVerified", true);
    let updated = update_user(auth, &mut db, user_id, changes, now).await??;
    if let Some(updated) = &updated {
        auth.sessions().refresh_user(updated).await?;
    }
    Ok(updated)
}
