//! The two-factor sign-in step: an email sign-in of a two-factor user becomes a challenge
//! (the signed `two_factor` cookie), and the `verify-*` endpoints complete it, unless a
//! trusted device (the signed `trust_device` cookie) skips it.
//!
//! The `verify-*` endpoints also work for a signed-in user (to confirm TOTP, or as a
//! step-up check); [`Verifier`] is either case, as better-auth's `verifyTwoFactor`.

use chrono::{DateTime, Duration, Utc};

use super::is_enabled;
use super::store::{self, TwoFactorRow};
use crate::config::TwoFactorConfig;
use crate::crypto::{URL_SAFE, base64url, hmac_sha256, random_string};
use crate::db::users;
use crate::error::{ApiError, ApiResult};
use crate::plugin::SignInStep;
use crate::request::Ctx;
use crate::session::Lookup;
use axum::http::StatusCode;
use keyward_client::wire::secret::constant_time_eq;
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{ErrorCode, SessionData, SignInOutcome, TwoFactorRedirect, TwoFactorVerifyResponse, User};

/// Wrong codes allowed per sign-in challenge before it is dropped.
const ATTEMPTS_PER_CHALLENGE: u32 = 5;

fn invalid_cookie() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::InvalidTwoFactorCookie)
}

fn duration(std: std::time::Duration) -> Duration {
    Duration::from_std(std).unwrap_or(Duration::MAX)
}

/// `base64url(HMAC-SHA256(secret, "<userId>!<trustId>"))`: binds a trusted-device cookie
/// to its user.
fn trust_signature(secret: &str, user_id: &str, trust_id: &str) -> String {
    base64url(&hmac_sha256(
        secret.as_bytes(),
        format!("{user_id}!{trust_id}").as_bytes(),
    ))
}

/// Marks this device as trusted for `user_id`: a verification row and the signed cookie.
async fn trust_device(ctx: &mut Ctx, config: &TwoFactorConfig, user_id: &str) -> ApiResult<()> {
    let auth = ctx.auth.clone();
    let now = now_millis();
    let trust_id = format!("trust-device-{}", random_string(32, URL_SAFE));
    let mut db = auth.0.db.clone();
    auth.verifications()
        .insert(
            &mut db,
            &trust_id,
            user_id,
            now + duration(config.trust_device_max_age),
            now,
        )
        .await?;
    let signature = trust_signature(&auth.0.config.secret, user_id, &trust_id);
    ctx.set_signed_cookie(
        &auth.0.cookies.trust_device,
        &format!("{signature}!{trust_id}"),
        Some(config.trust_device_max_age),
    );
    Ok(())
}

/// The trusted-device id of the request's `trust_device` cookie, if it is valid for
/// `user_id` and still live.
async fn trusted_device(ctx: &Ctx, user_id: &str, cookie: &str) -> ApiResult<Option<String>> {
    let Some((signature, trust_id)) = cookie.split_once('!') else {
        return Ok(None);
    };
    let expected = trust_signature(&ctx.auth.0.config.secret, user_id, trust_id);
    if !constant_time_eq(signature.as_bytes(), expected.as_bytes()) {
        return Ok(None);
    }
    let mut db = ctx.auth.0.db.clone();
    let row = ctx.auth.verifications().find_latest(&mut db, trust_id).await?;
    Ok(row
        .filter(|row| row.value == user_id && row.expires_at > now_millis())
        .map(|_| trust_id.to_owned()))
}

/// The plugin's sign-in step: a password sign-in of a user with two-factor on, from a
/// device that is not trusted, answers a challenge instead of the session.
pub(crate) struct ChallengeSignIn;

#[async_trait::async_trait]
impl SignInStep for ChallengeSignIn {
    async fn after_sign_in(&self, ctx: &mut Ctx, data: &SessionData) -> ApiResult<Option<SignInOutcome>> {
        Ok(intercept_sign_in(ctx, data)
            .await?
            .map(SignInOutcome::TwoFactorRequired))
    }
}

/// After a successful password sign-in: when the user has two-factor on and this device
/// is not trusted, deletes the session just made and answers with a challenge instead.
async fn intercept_sign_in(ctx: &mut Ctx, data: &SessionData) -> ApiResult<Option<TwoFactorRedirect>> {
    let auth = ctx.auth.clone();
    let Some(config) = auth.0.config.two_factor.as_ref() else {
        return Ok(None);
    };
    if !is_enabled(&data.user) {
        return Ok(None);
    }
    let names = auth.0.cookies.clone();
    let secret = &auth.0.config.secret;
    let trust_cookie = ctx
        .cookies
        .signed(&names.trust_device, secret)
        .value()
        .map(str::to_owned);
    let mut db = auth.0.db.clone();
    if let Some(cookie) = &trust_cookie {
        if let Some(trust_id) = trusted_device(ctx, &data.user.id, cookie).await? {
            // Trusted: the sign-in stands, and the trust is renewed under a new id.
            auth.verifications().delete(&mut db, &trust_id).await?;
            trust_device(ctx, config, &data.user.id).await?;
            return Ok(None);
        }
        ctx.out.expire_cookie(&names.trust_device, names.secure);
    }
    ctx.expire_session_cookies(true);
    auth.sessions().delete(&mut db, data.session.token.expose()).await?;
    let now = now_millis();
    let expires_at = now + duration(config.challenge_max_age);
    let challenge_id = format!("2fa-{}", random_string(20, URL_SAFE));
    auth.verifications()
        .insert(&mut db, &challenge_id, &data.user.id, expires_at, now)
        .await?;
    auth.verifications()
        .insert(&mut db, &format!("2fa-attempts-{challenge_id}"), "0", expires_at, now)
        .await?;
    ctx.set_signed_cookie(&names.two_factor, &challenge_id, Some(config.challenge_max_age));
    let mut methods = Vec::new();
    if !config.totp.disabled
        && store::find_by_user(&mut db, &data.user.id)
            .await?
            .is_some_and(|row| row.is_verified())
    {
        methods.push("totp".to_owned());
    }
    if auth.0.otp_sender.is_some() {
        methods.push("otp".to_owned());
    }
    Ok(Some(TwoFactorRedirect {
        two_factor_redirect: true,
        two_factor_methods: methods,
    }))
}

/// An open sign-in challenge.
pub(crate) struct Challenge {
    id: String,
    user: User,
    expires_at: DateTime<Utc>,
    dont_remember: bool,
}

/// Who is verifying a code.
pub(crate) enum Verifier {
    /// Someone completing a sign-in challenge.
    SignIn(Challenge),
    /// A signed-in user (confirming TOTP, or re-checking a factor).
    Session(SessionData),
}

/// One counted attempt at a challenge; put the count back or raise it once the code is
/// judged.
pub(crate) struct Attempt {
    identifier: String,
    attempts: u32,
    expires_at: DateTime<Utc>,
}

impl Attempt {
    async fn rearm(&self, ctx: &Ctx, count: u32) -> ApiResult<()> {
        let mut db = ctx.auth.0.db.clone();
        ctx.auth
            .verifications()
            .insert(
                &mut db,
                &self.identifier,
                &count.to_string(),
                self.expires_at,
                now_millis(),
            )
            .await?;
        Ok(())
    }

    /// A wrong code: one attempt fewer remains.
    pub async fn record_failure(&self, ctx: &Ctx) -> ApiResult<()> {
        self.rearm(ctx, self.attempts + 1).await
    }

    /// The code could not be judged (a server fault): the attempt does not count.
    pub async fn restore(&self, ctx: &Ctx) -> ApiResult<()> {
        self.rearm(ctx, self.attempts).await
    }
}

impl Verifier {
    /// The request's signed-in session (read from the database), or else its challenge.
    pub async fn resolve(ctx: &mut Ctx) -> ApiResult<Self> {
        let lookup = Lookup {
            disable_cookie_cache: true,
            ..Lookup::default()
        };
        if let Some(data) = ctx.get_session(lookup).await.unwrap_or(None) {
            return Ok(Self::Session(data));
        }
        let auth = ctx.auth.clone();
        let id = ctx
            .cookies
            .signed(&auth.0.cookies.two_factor, &auth.0.config.secret)
            .value()
            .map(str::to_owned)
            .ok_or_else(invalid_cookie)?;
        let mut db = auth.0.db.clone();
        let row = auth
            .verifications()
            .find_latest(&mut db, &id)
            .await?
            .filter(|row| row.expires_at > now_millis())
            .ok_or_else(invalid_cookie)?;
        let user = users::find_by_id(&mut db, &auth.0.fields, &row.value)
            .await?
            .ok_or_else(invalid_cookie)?;
        Ok(Self::SignIn(Challenge {
            id,
            user,
            expires_at: row.expires_at,
            dont_remember: ctx.dont_remember_cookie(),
        }))
    }

    /// The user being verified.
    pub fn user(&self) -> &User {
        match self {
            Self::SignIn(challenge) => &challenge.user,
            Self::Session(data) => &data.user,
        }
    }

    /// Whether this completes a sign-in.
    pub fn is_sign_in(&self) -> bool {
        matches!(self, Self::SignIn(_))
    }

    /// What one-time codes are filed under: the challenge, or the user and session.
    pub fn key(&self) -> String {
        match self {
            Self::SignIn(challenge) => challenge.id.clone(),
            Self::Session(data) => format!("{}!{}", data.user.id, data.session.id),
        }
    }

    /// During sign-in: counts an attempt at the challenge, dropping the challenge after
    /// five wrong codes. Signed-in users are not counted here.
    pub async fn begin_attempt(&self, ctx: &mut Ctx) -> ApiResult<Option<Attempt>> {
        let Self::SignIn(challenge) = self else {
            return Ok(None);
        };
        let identifier = format!("2fa-attempts-{}", challenge.id);
        let consumed = ctx
            .auth
            .verifications()
            .consume_now(&ctx.auth.0.db, &identifier, now_millis())
            .await?
            .ok_or_else(invalid_cookie)?;
        let attempts = consumed.value.parse::<u32>().unwrap_or(ATTEMPTS_PER_CHALLENGE);
        if attempts >= ATTEMPTS_PER_CHALLENGE {
            ctx.auth
                .verifications()
                .consume_now(&ctx.auth.0.db, &challenge.id, now_millis())
                .await?;
            let names = ctx.auth.0.cookies.clone();
            ctx.out.expire_cookie(&names.two_factor, names.secure);
            return Err(ApiError::bad_request(ErrorCode::TooManyAttemptsRequestNewCode));
        }
        Ok(Some(Attempt {
            identifier,
            attempts,
            expires_at: challenge.expires_at,
        }))
    }

    /// The code was right. Completes a sign-in (session, cookies, optionally a trusted
    /// device) or, for a signed-in user, answers with the current session.
    pub async fn complete(self, ctx: &mut Ctx, trust: bool) -> ApiResult<TwoFactorVerifyResponse> {
        let challenge = match self {
            Self::Session(data) => {
                return Ok(TwoFactorVerifyResponse {
                    token: Some(data.session.token),
                    user: data.user,
                });
            }
            Self::SignIn(challenge) => challenge,
        };
        let auth = ctx.auth.clone();
        let names = auth.0.cookies.clone();
        let consumed = auth
            .verifications()
            .consume_now(&auth.0.db, &challenge.id, now_millis())
            .await?;
        if consumed.is_none_or(|row| row.value != challenge.user.id) {
            ctx.out.expire_cookie(&names.two_factor, names.secure);
            return Err(invalid_cookie());
        }
        let session = ctx.create_session(&challenge.user, challenge.dont_remember).await?;
        let data = SessionData {
            session,
            user: challenge.user,
            needs_refresh: None,
        };
        ctx.set_session_cookie(&data, None);
        ctx.out.expire_cookie(&names.two_factor, names.secure);
        if trust {
            let config = super::plugin(&auth)?;
            trust_device(ctx, config, &data.user.id).await?;
            ctx.out.expire_cookie(&names.dont_remember, names.secure);
        }
        Ok(TwoFactorVerifyResponse {
            token: Some(data.session.token),
            user: data.user,
        })
    }
}

/// Account lockout (sign-in only): refuses while locked, and clears a lock that ran out.
pub(crate) async fn assert_not_locked(ctx: &Ctx, config: &TwoFactorConfig, row: &TwoFactorRow) -> ApiResult<()> {
    let Some(until) = row.locked_until.filter(|_| config.account_lockout.enabled) else {
        return Ok(());
    };
    if until > now_millis() {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::AccountTemporarilyLocked,
        ));
    }
    let mut db = ctx.auth.0.db.clone();
    store::reset_failures(&mut db, &row.id).await?;
    Ok(())
}

/// Account lockout: counts a wrong code, locking once the budget is spent.
pub(crate) async fn record_lockout_failure(ctx: &Ctx, config: &TwoFactorConfig, row: &TwoFactorRow) -> ApiResult<()> {
    let lockout = &config.account_lockout;
    if !lockout.enabled {
        return Ok(());
    }
    let mut db = ctx.auth.0.db.clone();
    let count = store::record_failure(&mut db, &row.id).await?;
    if count >= lockout.max_failed_attempts {
        let until = now_millis() + duration(lockout.duration);
        store::lock(&mut db, &row.id, lockout.max_failed_attempts, until).await?;
    }
    Ok(())
}

/// Account lockout: a right code resets the count.
pub(crate) async fn reset_lockout(ctx: &Ctx, config: &TwoFactorConfig, row: &TwoFactorRow) -> ApiResult<()> {
    if config.account_lockout.enabled {
        let mut db = ctx.auth.0.db.clone();
        store::reset_failures(&mut db, &row.id).await?;
    }
    Ok(())
}
