//! Who signs in after a provider vouched for them (better-auth's `handleOAuthUserInfo`):
//! the owner of the linked account, else the local user of the same address when the
//! account-linking rules allow it, else a new user; and the completion of a link flow
//! (`linkOAuthAccount`).

use serde_json::Map;

use super::ProviderProfile;
use crate::db::accounts::{self, AccountChanges, AccountTokens};
use crate::db::users::{self, UserChanges};
use crate::db::{Exec, is_unique_violation};
use crate::error::ApiResult;
use crate::fields::{Action, parse_input};
use crate::request::Ctx;
use keyward_client::wire::{SocialErrorCode, User};

/// A provider account about to be signed in with or linked.
pub(crate) struct IncomingAccount<'a> {
    pub provider_id: &'a str,
    pub profile: &'a ProviderProfile,
    /// Tokens as they are to be stored (sealed); `scope` is written only when the
    /// account is created or linked.
    pub tokens: AccountTokens,
}

/// The user a provider sign-in resolved to.
pub(crate) struct Resolved {
    pub user: User,
    /// A user created by this sign-in.
    pub is_register: bool,
}

/// Why a provider sign-in did not resolve to a user.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// better-auth's reason, whose callback code is it with `_` for spaces
    /// (`account not linked` → `account_not_linked`).
    Reason(&'static str),
    /// A `before_create` hook refused the new user.
    Hook(crate::ApiError),
}

impl Refusal {
    /// The `?error=` code of a callback redirect.
    pub fn code(&self) -> SocialErrorCode {
        match self {
            Self::Reason(reason) => SocialErrorCode::parse(&reason.replace(' ', "_")),
            Self::Hook(error) => match error.code() {
                Some(code) => SocialErrorCode::parse(code.as_str()),
                None => SocialErrorCode::UnableToCreateUser,
            },
        }
    }

    /// The text for `error_description` (a hook's message) or the API error's message.
    pub fn message(&self) -> String {
        match self {
            Self::Reason(reason) => (*reason).to_owned(),
            Self::Hook(error) => error.body().map(|body| body.message.clone()).unwrap_or_default(),
        }
    }

    /// A hook's refusal, whose description the error redirect carries.
    pub fn description(&self) -> Option<String> {
        matches!(self, Self::Hook(_)).then(|| self.message())
    }
}

fn same_email(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// Upgrades the local address to verified when the provider verified the same one.
async fn mark_verified_if_same(
    ctx: &Ctx,
    exec: &mut impl Exec,
    user: User,
    profile: &ProviderProfile,
) -> ApiResult<User> {
    let email = profile.email.as_deref().unwrap_or_default();
    if profile.email_verified && !user.email_verified && email.to_lowercase() == user.email {
        let changes = UserChanges::default().set("emailVerified", true);
        if let Some(updated) = crate::hooks::update_user(&ctx.auth, exec, &user.id, changes, ctx.now()).await?? {
            return Ok(updated);
        }
    }
    Ok(user)
}

/// Copies name and image from the provider (`updateUserInfoOnLink`).
async fn copy_profile(ctx: &Ctx, exec: &mut impl Exec, user: User, profile: &ProviderProfile) -> ApiResult<User> {
    let changes = UserChanges::default()
        .set("name", profile.name.clone())
        .set("image", profile.image.clone());
    Ok(crate::hooks::update_user(&ctx.auth, exec, &user.id, changes, ctx.now())
        .await??
        .unwrap_or(user))
}

/// Resolves the user of a provider sign-in; `disable_sign_up` refuses new users,
/// `override_user_info` copies the provider's profile over an existing user's.
pub(crate) async fn resolve(
    ctx: &Ctx,
    incoming: IncomingAccount<'_>,
    disable_sign_up: bool,
    override_user_info: bool,
) -> ApiResult<Result<Resolved, Refusal>> {
    let auth = ctx.auth.clone();
    let config = &auth.0.config.account;
    let fields = &auth.0.fields;
    let profile = incoming.profile;
    let email = profile.email.clone().unwrap_or_default().to_lowercase();
    let mut db = auth.0.db.clone();
    let now = ctx.now();

    if let Some(account) = accounts::find_by_provider(&mut db, incoming.provider_id, &profile.account_id).await? {
        let Some(user) = users::find_by_id(&mut db, fields, &account.user_id).await? else {
            return Ok(Err(Refusal::Reason("unable to link account")));
        };
        if config.update_account_on_sign_in {
            let tokens = AccountTokens {
                scope: None,
                ..incoming.tokens
            };
            let changes = AccountChanges::tokens(tokens);
            match crate::hooks::update_account(&auth, &mut db, &account, changes, now).await {
                Ok(written) => {
                    written?;
                }
                Err(refusal) => return Ok(Err(Refusal::Hook(refusal))),
            }
        }
        let mut user = mark_verified_if_same(ctx, &mut db, user, profile).await?;
        if override_user_info {
            user = override_profile(ctx, &mut db, user, profile, &email).await?;
        }
        return Ok(Ok(Resolved {
            user,
            is_register: false,
        }));
    }

    if let Some(user) = users::find_by_email(&mut db, fields, &email).await? {
        let linking = &config.account_linking;
        let trusted = linking.trusted_providers.iter().any(|p| p == incoming.provider_id);
        if (!trusted && !profile.email_verified)
            || (linking.require_local_email_verified && !user.email_verified)
            || !linking.enabled
            || linking.disable_implicit_linking
        {
            return Ok(Err(Refusal::Reason("account not linked")));
        }
        let linked = match crate::hooks::insert_oauth_account(
            &auth,
            &mut db,
            &user.id,
            incoming.provider_id,
            &profile.account_id,
            incoming.tokens,
            now,
        )
        .await
        {
            Ok(linked) => linked,
            Err(refusal) => return Ok(Err(Refusal::Hook(refusal))),
        };
        if linked.is_err() {
            return Ok(Err(Refusal::Reason("unable to link account")));
        }
        let mut user = mark_verified_if_same(ctx, &mut db, user, profile).await?;
        if linking.update_user_info_on_link {
            user = copy_profile(ctx, &mut db, user, profile).await?;
        }
        if override_user_info {
            user = override_profile(ctx, &mut db, user, profile, &email).await?;
        }
        return Ok(Ok(Resolved {
            user,
            is_register: false,
        }));
    }

    if disable_sign_up {
        return Ok(Err(Refusal::Reason("signup disabled")));
    }
    let Ok(additional) = parse_input(&fields.user, &Map::new(), Action::Create) else {
        return Ok(Err(Refusal::Reason("unable to create user")));
    };
    let mut new_user = users::NewUser {
        name: profile.name.clone(),
        email,
        email_verified: profile.email_verified,
        image: profile.image.clone(),
        additional,
    };
    if let Err(error) = auth.0.hooks.before_user_create(&auth, &mut new_user).await {
        return Ok(Err(Refusal::Hook(error)));
    }
    let mut tx = auth.0.db.begin().await?;
    let user = match users::insert(&mut tx, fields, new_user, now).await {
        Ok(user) => user,
        Err(error) if is_unique_violation(&error) => return Ok(Err(Refusal::Reason("unable to create user"))),
        Err(error) => return Err(error.into()),
    };
    let linked = match crate::hooks::insert_oauth_account(
        &auth,
        &mut tx,
        &user.id,
        incoming.provider_id,
        &profile.account_id,
        incoming.tokens,
        now,
    )
    .await
    {
        Ok(linked) => linked,
        Err(refusal) => return Ok(Err(Refusal::Hook(refusal))),
    };
    if linked.is_err() {
        return Ok(Err(Refusal::Reason("unable to create user")));
    }
    tx.commit().await?;
    auth.0.hooks.after_user_create(&auth, &user).await;
    Ok(Ok(Resolved {
        user,
        is_register: true,
    }))
}

/// `overrideUserInfoOnSignIn`: name, image and address from the provider; the address
/// stays verified if it was and did not change.
async fn override_profile(
    ctx: &Ctx,
    exec: &mut impl Exec,
    user: User,
    profile: &ProviderProfile,
    email: &str,
) -> ApiResult<User> {
    let verified = if same_email(email, &user.email) {
        user.email_verified || profile.email_verified
    } else {
        profile.email_verified
    };
    let changes = UserChanges::default()
        .set("name", profile.name.clone())
        .set("image", profile.image.clone())
        .set("email", email.to_owned())
        .set("emailVerified", verified);
    Ok(crate::hooks::update_user(&ctx.auth, exec, &user.id, changes, ctx.now())
        .await??
        .unwrap_or(user))
}

/// better-auth's `mergeScopes`: the stored order, then new scopes, without repeats.
pub(crate) fn merge_scopes(stored: Option<&str>, granted: &[String]) -> String {
    let mut merged: Vec<String> = Vec::new();
    let stored = stored.unwrap_or_default().split(',').map(str::trim).map(str::to_owned);
    for scope in stored.chain(granted.iter().cloned()) {
        if !scope.is_empty() && !merged.contains(&scope) {
            merged.push(scope);
        }
    }
    merged.join(",")
}

/// Adds a provider account to the user of a link flow; the refusal is the callback's
/// error code.
pub(crate) async fn link(
    ctx: &Ctx,
    user_id: &str,
    link_email: &str,
    incoming: IncomingAccount<'_>,
    granted_scopes: &[String],
) -> ApiResult<Result<(), SocialErrorCode>> {
    let auth = ctx.auth.clone();
    let linking = &auth.0.config.account.account_linking;
    let profile = incoming.profile;
    let trusted = linking.trusted_providers.iter().any(|p| p == incoming.provider_id);
    if (!trusted && !profile.email_verified) || !linking.enabled {
        return Ok(Err(SocialErrorCode::UnableToLinkAccount));
    }
    let email = profile.email.as_deref().unwrap_or_default();
    if !same_email(email, link_email) && !linking.allow_different_emails {
        return Ok(Err(SocialErrorCode::EmailDoesNotMatch));
    }
    let mut db = auth.0.db.clone();
    let now = ctx.now();
    match accounts::find_by_provider(&mut db, incoming.provider_id, &profile.account_id).await? {
        Some(existing) if existing.user_id != user_id => {
            return Ok(Err(SocialErrorCode::AccountAlreadyLinkedToDifferentUser));
        }
        Some(existing) => {
            let tokens = AccountTokens {
                scope: Some(merge_scopes(existing.scope.as_deref(), granted_scopes)),
                ..incoming.tokens
            };
            crate::hooks::update_account(&auth, &mut db, &existing, AccountChanges::tokens(tokens), now).await??;
        }
        None => {
            if crate::hooks::insert_oauth_account(
                &auth,
                &mut db,
                user_id,
                incoming.provider_id,
                &profile.account_id,
                incoming.tokens,
                now,
            )
            .await?
            .is_err()
            {
                return Ok(Err(SocialErrorCode::UnableToLinkAccount));
            }
        }
    }
    if linking.update_user_info_on_link
        && let Some(user) = users::find_by_id(&mut db, &auth.0.fields, user_id).await?
    {
        copy_profile(ctx, &mut db, user, profile).await?;
    }
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_merge_in_stored_order_without_repeats() {
        let granted = ["email".to_owned(), "offline_access".to_owned()];
        assert_eq!(
            merge_scopes(Some("openid,email,profile"), &granted),
            "openid,email,profile,offline_access"
        );
        assert_eq!(merge_scopes(None, &granted), "email,offline_access");
    }

    #[test]
    fn refusals_become_callback_codes() {
        assert_eq!(
            Refusal::Reason("account not linked").code(),
            SocialErrorCode::AccountNotLinked
        );
        assert_eq!(
            Refusal::Reason("signup disabled").code(),
            SocialErrorCode::SignupDisabled
        );
        assert_eq!(
            Refusal::Reason("unable to create user").code().as_str(),
            "unable_to_create_user"
        );
    }
}
