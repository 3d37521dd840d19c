//! Server-side calls for applications that embed Keyward: the counterpart of
//! better-auth's `auth.api`, including what it keeps off HTTP (`setPassword`).
//!
//! ```no_run
//! # async fn demo(auth: keyward_server::Auth, headers: axum::http::HeaderMap) -> Result<(), keyward_server::ApiError> {
//! if let Some(data) = auth.api().get_session(&headers).await? {
//!     println!("{} is signed in", data.user.email);
//! }
//! # Ok(()) }
//! ```

use axum::http::{Extensions, HeaderMap};

use crate::auth::Auth;
use crate::db::{accounts, users};
use crate::error::{ApiError, ApiResult};
use crate::request::Ctx;
use crate::session::Lookup;
use keyward_client::wire::{
    BackupCodesResponse, DeviceCodeRequest, DeviceCodeResponse, DeviceDecisionResponse, DeviceTokenRequest,
    DeviceTokenResponse, DeviceVerifyResponse, ErrorCode, OneTimeToken, Password, Session, SessionData,
    SignInEmailRequest, SignInOutcome, SignUpEmailRequest, SignUpResponse, User, UserCode,
};

/// Server-side calls; see [`Auth::api`].
#[derive(Clone, Copy, Debug)]
pub struct Api<'a> {
    auth: &'a Auth,
}

impl<'a> Api<'a> {
    pub(crate) fn new(auth: &'a Auth) -> Self {
        Self { auth }
    }

    fn ctx(&self, headers: &HeaderMap) -> Ctx {
        Ctx::from_parts(self.auth, headers, &Extensions::new())
    }

    /// The session a request's headers carry (cookie or `Authorization: Bearer`), or
    /// `None`. Read-only: it never rolls the expiry forward, since there is no response
    /// here to carry a refreshed cookie.
    pub async fn get_session(&self, headers: &HeaderMap) -> ApiResult<Option<SessionData>> {
        let mut ctx = self.ctx(headers);
        ctx.get_session(Lookup {
            disable_cookie_cache: false,
            disable_refresh: true,
            post: false,
        })
        .await
    }

    /// Creates a user with email and password, exactly as `POST /sign-up/email` would
    /// (same checks; a session is created unless sign-in after sign-up is off).
    pub async fn sign_up_email(&self, request: SignUpEmailRequest) -> ApiResult<SignUpResponse> {
        let mut ctx = self.ctx(&HeaderMap::new());
        crate::routes::sign_up(&mut ctx, request).await
    }

    /// Checks credentials and creates a session, as `POST /sign-in/email`. With the
    /// two-factor plugin, a user who has it on gets a challenge instead (there is no
    /// cookie jar here to carry it, so complete such sign-ins over HTTP).
    pub async fn sign_in_email(&self, request: SignInEmailRequest) -> ApiResult<SignInOutcome> {
        let mut ctx = self.ctx(&HeaderMap::new());
        crate::routes::sign_in(&mut ctx, request).await
    }

    /// Sets a password for the signed-in user who has none yet (for example after a
    /// social sign-up). better-auth exposes this only server-side, and so does Keyward.
    pub async fn set_password(&self, headers: &HeaderMap, new_password: &Password) -> ApiResult<()> {
        let mut ctx = self.ctx(headers);
        let data = ctx.require_sensitive_session().await?;
        crate::routes::check_new_password(&ctx, new_password.expose())?;
        let mut db = self.auth.0.db.clone();
        let hash = crate::password::hash(new_password.expose()).await?;
        let now = ctx.now();
        match accounts::find_credential(&mut db, &data.user.id).await? {
            None => crate::hooks::insert_credential_account(self.auth, &mut db, &data.user.id, &hash, now).await?,
            Some(account) if account.password.is_none() => {
                crate::hooks::set_password(self.auth, &mut db, &account, &hash, now).await?
            }
            Some(_) => return Err(ApiError::bad_request(ErrorCode::PasswordAlreadySet)),
        }
        Ok(())
    }

    /// Looks a user up by email (case-insensitive).
    pub async fn find_user_by_email(&self, email: &str) -> ApiResult<Option<User>> {
        let mut db = self.auth.0.db.clone();
        Ok(users::find_by_email(&mut db, &self.auth.0.fields, &email.to_lowercase()).await?)
    }

    /// Every live session of a user.
    pub async fn list_user_sessions(&self, user_id: &str) -> ApiResult<Vec<Session>> {
        let mut db = self.auth.0.db.clone();
        let now = keyward_client::wire::time::now_millis();
        let all = self.auth.sessions().list_for_user(&mut db, user_id).await?;
        Ok(all.into_iter().filter(|s| s.expires_at > now).collect())
    }

    /// A user's current two-factor backup codes, decrypted (better-auth's server-only
    /// `viewBackupCodes`). Call it only for the user an authenticated request belongs to.
    pub async fn view_backup_codes(&self, user_id: &str) -> ApiResult<BackupCodesResponse> {
        crate::plugins::two_factor::view_backup_codes(self.auth, user_id).await
    }

    /// Adds a user to an organization directly, without an invitation, with `role`
    /// (`"member"`, or several: `vec!["admin", "auditor"]`) and optionally into a team
    /// (better-auth's server-only `addMember`). It checks no permission: authorize the
    /// call yourself.
    pub async fn add_member(
        &self,
        user_id: &str,
        organization_id: &str,
        role: impl Into<keyward_client::wire::organization::Roles>,
        team_id: Option<&str>,
    ) -> ApiResult<keyward_client::wire::organization::Member> {
        crate::plugins::organization::add_member(self.auth, user_id, organization_id, role.into(), team_id).await
    }

    /// Creates an organization with `user_id` as its first member, with the creator role
    /// (better-auth's server-only `createOrganization` with a `userId`): the organization
    /// limit and the slug are checked, `allowUserToCreateOrganization` is not, and no
    /// session's active organization changes.
    pub async fn create_organization(
        &self,
        user_id: &str,
        request: &keyward_client::wire::organization::CreateOrganizationRequest,
    ) -> ApiResult<keyward_client::wire::organization::Organization> {
        let (organization, _, _) =
            crate::plugins::organization::create_organization(self.auth, user_id, request).await?;
        Ok(organization)
    }

    /// Sends an email through the configured sender (the development outbox, SMTP or the
    /// application's [`crate::email::EmailSender`]); a failed delivery is logged. Does
    /// nothing when the server sends no email.
    pub async fn send_email(&self, email: crate::email::Email) {
        self.auth.send_email(email).await;
    }

    /// A one-time token for the session a request's headers carry (better-auth's
    /// `auth.api.generateOneTimeToken`), also when `disable_client_request` keeps
    /// `/one-time-token/generate` from clients: `401` without a session, `404` without
    /// the one-time-token plugin.
    pub async fn generate_one_time_token(&self, headers: &HeaderMap) -> ApiResult<OneTimeToken> {
        let session = self.get_session(headers).await?.ok_or_else(ApiError::unauthorized)?;
        crate::plugins::one_time_token::generate_for(self.auth, &session).await
    }

    /// Takes a one-time token (once) and answers its session and user, as
    /// `/one-time-token/verify` does but without a cookie to set (better-auth's
    /// `auth.api.verifyOneTimeToken`).
    pub async fn verify_one_time_token(&self, token: &OneTimeToken) -> ApiResult<SessionData> {
        crate::plugins::one_time_token::verify_for(self.auth, token).await
    }

    /// Stores a new email code for `email` and `otp_type` and answers it without sending
    /// it (better-auth's server-only `auth.api.createVerificationOTP`); `404` without the
    /// email-OTP plugin.
    pub async fn create_verification_otp(
        &self,
        email: &str,
        otp_type: keyward_client::wire::EmailOtpType,
    ) -> ApiResult<keyward_client::wire::OtpCode> {
        let otp = crate::plugins::email_otp::create_otp(self.auth, email, otp_type).await?;
        Ok(keyward_client::wire::OtpCode::new(otp))
    }

    /// The valid email code of `email` and `otp_type` as sent, `None` when there is none
    /// (better-auth's server-only `auth.api.getVerificationOTP`); `400` when codes are
    /// stored hashed, `404` without the email-OTP plugin.
    pub async fn get_verification_otp(
        &self,
        email: &str,
        otp_type: keyward_client::wire::EmailOtpType,
    ) -> ApiResult<Option<keyward_client::wire::OtpCode>> {
        let otp = crate::plugins::email_otp::read_otp(self.auth, email, otp_type).await?;
        Ok(otp.map(keyward_client::wire::OtpCode::new))
    }

    /// Signs `claims` with the jwt plugin's current key (better-auth's server-only
    /// `auth.api.signJWT`): `exp`, `iss` and `aud` are added unless present; `404`
    /// without the jwt plugin.
    pub async fn sign_jwt(
        &self,
        claims: serde_json::Map<String, serde_json::Value>,
    ) -> ApiResult<keyward_client::wire::JsonWebToken> {
        let config = crate::plugins::jwt::plugin(self.auth)?;
        crate::plugins::jwt::sign_claims(self.auth, config, claims).await
    }

    /// The claims of a token one of the jwt plugin's keys signed (an expired key too),
    /// when it is live and issued by and addressed to this server (better-auth's
    /// server-only `auth.api.verifyJWT`); `None` for a tampered, expired, foreign or
    /// unsigned token; `404` without the jwt plugin.
    pub async fn verify_jwt(&self, token: &str) -> ApiResult<Option<serde_json::Map<String, serde_json::Value>>> {
        let config = crate::plugins::jwt::plugin(self.auth)?;
        crate::plugins::jwt::verify_token(self.auth, config, token).await
    }

    /// Rotates the jwt plugin's keys now (a leaked key, a scheduled change): a new key of
    /// the configured algorithm signs every token from here on, and the other keys expire
    /// now, so `/jwks` lists them only through the grace period and the tokens they
    /// signed verify until then. Answers the new key as `/jwks` publishes it; `404`
    /// without the jwt plugin. better-auth has no such call (its `createJwk` utility only
    /// adds a key).
    pub async fn rotate_jwt_key(&self) -> ApiResult<keyward_client::wire::PublicJwk> {
        let config = crate::plugins::jwt::plugin(self.auth)?;
        crate::plugins::jwt::rotate_key(self.auth, config).await
    }

    /// Makes an API key as the server (better-auth's `auth.api.createApiKey` without
    /// headers): `user_id` names the owner, and the limits, refills and permissions a
    /// browser may not set can be; the plain key is in the answer, once. `404` without
    /// the api-key plugin.
    pub async fn create_api_key(
        &self,
        request: keyward_client::wire::CreateApiKeyRequest,
    ) -> ApiResult<keyward_client::wire::CreatedApiKey> {
        crate::plugins::api_key::create_for(self.auth, request).await
    }

    /// Changes an API key as the server (`auth.api.updateApiKey` without headers):
    /// `user_id` names the owner; every field may be set.
    pub async fn update_api_key(
        &self,
        request: keyward_client::wire::UpdateApiKeyRequest,
    ) -> ApiResult<keyward_client::wire::ApiKey> {
        crate::plugins::api_key::update_for(self.auth, request).await
    }

    /// Checks an API key and spends one use of it (better-auth's server-only
    /// `auth.api.verifyApiKey`): the key after this use, or the refusal
    /// (`INVALID_API_KEY`, `KEY_DISABLED`, `KEY_EXPIRED`, `KEY_NOT_FOUND` when it lacks
    /// `permissions`, `USAGE_EXCEEDED`, `RATE_LIMITED`).
    pub async fn verify_api_key(
        &self,
        key: &str,
        permissions: Option<&keyward_client::wire::organization::access::Permissions>,
    ) -> ApiResult<keyward_client::wire::ApiKey> {
        crate::plugins::api_key::verify(self.auth, key, permissions).await
    }

    /// Removes every expired API key now (`auth.api.deleteAllExpiredApiKeys`): how many.
    pub async fn delete_all_expired_api_keys(&self) -> ApiResult<u64> {
        crate::plugins::api_key::remove_all_expired(self.auth).await
    }

    /// A device authorization request (better-auth's `auth.api.deviceCode`), as
    /// `POST /device/code`: the device and user codes, or an OAuth error
    /// ([`ApiError::oauth_body`]); `404` without the device-authorization plugin.
    pub async fn device_code(&self, request: DeviceCodeRequest) -> ApiResult<DeviceCodeResponse> {
        crate::plugins::device_authorization::request_code(&self.ctx(&HeaderMap::new()), request).await
    }

    /// One poll of a device code (`auth.api.deviceToken`), as `POST /device/token`: a new
    /// session's token once the user approved, OAuth errors before.
    pub async fn device_token(&self, request: DeviceTokenRequest) -> ApiResult<DeviceTokenResponse> {
        crate::plugins::device_authorization::redeem(&self.ctx(&HeaderMap::new()), request).await
    }

    /// The status of a user code (`auth.api.deviceVerify`), as `GET /device`: the session
    /// the headers carry claims the code when nobody has.
    pub async fn device_verify(&self, headers: &HeaderMap, user_code: &UserCode) -> ApiResult<DeviceVerifyResponse> {
        crate::plugins::device_authorization::verify(&mut self.ctx(headers), user_code).await
    }

    /// Approves a user code the headers' session claimed (`auth.api.deviceApprove`).
    pub async fn device_approve(&self, headers: &HeaderMap, user_code: &UserCode) -> ApiResult<DeviceDecisionResponse> {
        use crate::plugins::device_authorization::{Decision, decide};
        decide(&mut self.ctx(headers), user_code, Decision::Approve).await
    }

    /// Denies a user code the headers' session claimed (`auth.api.deviceDeny`).
    pub async fn device_deny(&self, headers: &HeaderMap, user_code: &UserCode) -> ApiResult<DeviceDecisionResponse> {
        use crate::plugins::device_authorization::{Decision, decide};
        decide(&mut self.ctx(headers), user_code, Decision::Deny).await
    }

    /// Ends every session of a user (for example after an admin action); returns how many.
    pub async fn revoke_user_sessions(&self, user_id: &str) -> ApiResult<u64> {
        let mut db = self.auth.0.db.clone();
        self.auth.sessions().delete_for_user(&mut db, user_id).await
    }
}

impl From<ApiError> for std::io::Error {
    fn from(error: ApiError) -> Self {
        std::io::Error::other(error.to_string())
    }
}
