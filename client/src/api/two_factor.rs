//! `client.two_factor()`: the two-factor plugin's `/two-factor/*` endpoints, and the
//! helpers an app needs to show an authenticator setup (the `otpauth://` URI as text or,
//! with the `qr` feature, as a QR code).
//!
//! Turning TOTP on, then signing in with it:
//!
//! ```no_run
//! # async fn run(client: keyward_client::AuthClient, read_code: impl Fn() -> String) -> keyward_client::Result<()> {
//! use keyward_client::wire::SignInOutcome;
//!
//! let setup = client.two_factor().enable().password("correct-horse-battery").await?;
//! let uri = setup.totp_uri.expect("TOTP was enabled");
//! let shown = uri.parse()?; // issuer, account and the base32 secret, for display
//! println!("add {} to your authenticator app", shown.account);
//! client.two_factor().verify_totp(read_code()).await?; // the first code switches 2FA on
//!
//! client.sign_out().await?;
//! match client.sign_in().email("ada@example.com", "correct-horse-battery").await? {
//!     SignInOutcome::SignedIn(signed_in) => println!("trusted device: {}", signed_in.user.name),
//!     SignInOutcome::TwoFactorRequired(challenge) => {
//!         println!("enter a code ({:?})", challenge.two_factor_methods);
//!         client.two_factor().verify_totp(read_code()).trust_device().await?;
//!     }
//! }
//! assert!(client.session().get().data.is_some());
//! # Ok(()) }
//! ```

use crate::client::{AuthClient, into_future};
use crate::error::{Error, Result};
use crate::transport::MaybeSync;
use crate::wire::routes::two_factor as route;
use crate::wire::routes::{HttpMethod, Route};
use crate::wire::{
    BackupCode, BackupCodesResponse, EnableTwoFactorRequest, EnableTwoFactorResponse, ErrorCode, OtpCode, Password,
    SendOtpRequest, SignInOutcome, SignInResponse, StatusResponse, TotpSecret, TotpUri, TotpUriResponse,
    TwoFactorMethod, TwoFactorPasswordRequest, TwoFactorVerifyResponse, VerifyBackupCodeRequest, VerifyCodeRequest,
};

/// What to do when a sign-in needs a second factor (see
/// [`AuthClientBuilder::on_two_factor_required`](crate::AuthClientBuilder::on_two_factor_required)).
/// Any `Fn(&[String])` is one.
pub trait TwoFactorHandler: MaybeSync {
    /// Called with the methods the user can complete the sign-in with.
    fn two_factor_required(&self, methods: &[String]);
}

impl<F: Fn(&[String]) + MaybeSync> TwoFactorHandler for F {
    fn two_factor_required(&self, methods: &[String]) {
        self(methods)
    }
}

impl SignInOutcome {
    /// The sign-in, or [`Error::TwoFactorRequired`] when it needs a second factor: for
    /// callers that handle the challenge elsewhere (with `?`).
    pub fn into_signed_in(self) -> Result<SignInResponse> {
        match self {
            SignInOutcome::SignedIn(response) => Ok(*response),
            SignInOutcome::TwoFactorRequired(challenge) => Err(Error::TwoFactorRequired {
                methods: challenge.two_factor_methods,
            }),
        }
    }
}

/// The parts of an `otpauth://totp/…` URI, for showing a setup by hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TotpSetup {
    /// Who issued it (the app's name).
    pub issuer: String,
    /// The account (the user's email).
    pub account: String,
    /// The secret in base32, for typing into an authenticator app.
    pub secret: TotpSecret,
    /// Digits per code.
    pub digits: u32,
    /// Seconds per code.
    pub period: u64,
    /// The hash (`SHA1` for better-auth).
    pub algorithm: String,
    uri: TotpUri,
}

impl TotpUri {
    /// Parses the URI (fails with [`Error::Decode`] when it is not a TOTP URI).
    pub fn parse(&self) -> Result<TotpSetup> {
        let invalid = |message: &str| Error::Decode {
            message: format!("otpauth URI: {message}"),
            body: String::new(),
        };
        // `otpauth://totp/LABEL?QUERY`: the label and query are decoded by
        // `percent-encoding` and `form_urlencoded` (what `url` itself uses), so browser
        // builds need no URL parser for it.
        let uri = self.expose();
        let scheme_end = uri.find("://").ok_or_else(|| invalid("not an otpauth://totp/ URI"))?;
        let (scheme, rest) = (&uri[..scheme_end], &uri[scheme_end + 3..]);
        let rest = rest.split('#').next().unwrap_or_default();
        let (authority, path_and_query) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if !scheme.eq_ignore_ascii_case("otpauth") || !authority.eq_ignore_ascii_case("totp") {
            return Err(invalid("not an otpauth://totp/ URI"));
        }
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        let label = percent_encoding::percent_decode_str(path.trim_start_matches('/'))
            .decode_utf8_lossy()
            .into_owned();
        let (label_issuer, account) = match label.split_once(':') {
            Some((issuer, account)) => (Some(issuer.to_owned()), account.trim_start().to_owned()),
            None => (None, label.clone()),
        };
        let mut setup = TotpSetup {
            issuer: label_issuer.unwrap_or_default(),
            account,
            secret: TotpSecret::new(""),
            digits: 6,
            period: 30,
            algorithm: "SHA1".into(),
            uri: self.clone(),
        };
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "secret" => setup.secret = TotpSecret::new(value.into_owned()),
                "issuer" => setup.issuer = value.into_owned(),
                "digits" => setup.digits = value.parse().map_err(|_| invalid("digits is not a number"))?,
                "period" => setup.period = value.parse().map_err(|_| invalid("period is not a number"))?,
                "algorithm" => setup.algorithm = value.to_ascii_uppercase(),
                _ => {}
            }
        }
        if setup.secret.expose().is_empty() {
            return Err(invalid("no secret"));
        }
        Ok(setup)
    }
}

impl TotpSetup {
    /// The URI itself (what a QR code encodes).
    pub fn uri(&self) -> &TotpUri {
        &self.uri
    }

    /// The URI as an SVG QR code (feature `qr`).
    #[cfg(feature = "qr")]
    pub fn qr_svg(&self) -> Result<String> {
        use qrcode::render::svg;
        let code = self.qr()?;
        Ok(code.render::<svg::Color<'_>>().min_dimensions(200, 200).build())
    }

    /// The URI as a QR code drawn with Unicode half blocks, for a terminal (feature `qr`).
    #[cfg(feature = "qr")]
    pub fn qr_text(&self) -> Result<String> {
        use qrcode::render::unicode;
        let code = self.qr()?;
        Ok(code
            .render::<unicode::Dense1x2>()
            .dark_color(unicode::Dense1x2::Light)
            .light_color(unicode::Dense1x2::Dark)
            .build())
    }

    #[cfg(feature = "qr")]
    fn qr(&self) -> Result<qrcode::QrCode> {
        qrcode::QrCode::new(self.uri.expose().as_bytes()).map_err(|e| Error::InvalidRequest {
            message: format!("QR code: {e}"),
        })
    }
}

impl AuthClient {
    /// Two-factor endpoints (the server needs better-auth's `twoFactor` plugin, or
    /// Keyward's `two-factor`).
    pub fn two_factor(&self) -> TwoFactorApi<'_> {
        TwoFactorApi { client: self }
    }

    /// Applies a sign-in answer: a challenge opens the two-factor step (and drops any
    /// token of an earlier session, as the server's cookie expiry does in a browser).
    pub(crate) fn apply_sign_in_outcome(&self, outcome: &SignInOutcome) -> Result<()> {
        match outcome {
            SignInOutcome::TwoFactorRequired(challenge) => {
                self.drop_token()?;
                self.set_pending_two_factor(Some(challenge.two_factor_methods.clone()))?;
                if let Some(handler) = &self.inner.on_two_factor_required {
                    handler.two_factor_required(&challenge.two_factor_methods);
                }
            }
            SignInOutcome::SignedIn(_) => self.set_pending_two_factor(None)?,
        }
        Ok(())
    }
}

/// The two-factor endpoints.
#[derive(Clone, Copy, Debug)]
pub struct TwoFactorApi<'a> {
    client: &'a AuthClient,
}

impl<'a> TwoFactorApi<'a> {
    /// `POST /two-factor/enable`: sets up TOTP (returns the URI and backup codes; the
    /// first [`verify_totp`](Self::verify_totp) switches it on) or, with
    /// [`EnableTwoFactor::method`], emailed codes (on at once).
    pub fn enable(self) -> EnableTwoFactor<'a> {
        EnableTwoFactor {
            client: self.client,
            body: EnableTwoFactorRequest {
                password: None,
                method: None,
                issuer: None,
            },
        }
    }

    /// `POST /two-factor/disable`: switches two-factor off (and forgets trusted devices).
    pub fn disable(self) -> PasswordConfirmed<'a, StatusResponse> {
        PasswordConfirmed::new::<route::Disable>(self.client)
    }

    /// `POST /two-factor/get-totp-uri`: the setup URI again, for another authenticator.
    pub fn get_totp_uri(self) -> PasswordConfirmed<'a, TotpUriResponse> {
        PasswordConfirmed::new::<route::GetTotpUri>(self.client)
    }

    /// `POST /two-factor/generate-backup-codes`: a new set, replacing every earlier code.
    pub fn generate_backup_codes(self) -> PasswordConfirmed<'a, BackupCodesResponse> {
        PasswordConfirmed::new::<route::GenerateBackupCodes>(self.client)
    }

    /// `POST /two-factor/verify-totp`: completes a sign-in with an authenticator code, or
    /// confirms TOTP right after enabling it.
    pub fn verify_totp(self, code: impl Into<OtpCode>) -> VerifyCode<'a> {
        VerifyCode::new::<route::VerifyTotp>(self.client, code.into())
    }

    /// `POST /two-factor/send-otp`: sends a code by email (or the server's SMS sender).
    pub async fn send_otp(self) -> Result<()> {
        let result = self
            .client
            .post_route::<route::SendOtp>(None, &SendOtpRequest::default())
            .await;
        after_call(self.client, result.as_ref().err()).await;
        result.map(|_| ())
    }

    /// `POST /two-factor/verify-otp`: completes a sign-in with a sent code (for a user who
    /// just enabled OTP, the first code switches it on).
    pub fn verify_otp(self, code: impl Into<OtpCode>) -> VerifyCode<'a> {
        VerifyCode::new::<route::VerifyOtp>(self.client, code.into())
    }

    /// `POST /two-factor/verify-backup-code`: completes a sign-in with a backup code, which
    /// is then spent.
    pub fn verify_backup_code(self, code: impl Into<BackupCode>) -> VerifyBackupCode<'a> {
        VerifyBackupCode {
            client: self.client,
            body: VerifyBackupCodeRequest {
                code: code.into(),
                disable_session: None,
                trust_device: None,
            },
        }
    }
}

/// Every `/two-factor/*` call may change the user or the session: refetch it once after a
/// success. After a failure, drop a sign-in challenge the server has closed.
async fn after_call(client: &AuthClient, error: Option<&Error>) {
    match error {
        None => {
            let _ = client.refresh_session(false).await;
        }
        Some(Error::Api {
            code: ErrorCode::InvalidTwoFactorCookie,
            ..
        }) => {
            let _ = client.set_pending_two_factor(None);
        }
        Some(Error::Api {
            code: ErrorCode::TooManyAttemptsRequestNewCode,
            ..
        }) if !cfg!(target_arch = "wasm32") && !client.has_challenge_cookie() => {
            let _ = client.set_pending_two_factor(None);
        }
        Some(_) => {}
    }
}

/// A verification succeeded: a pending sign-in is complete. Its token arrives in
/// `set-auth-token` (already stored) or, from servers without the bearer plugin's header,
/// in the body. Outside a sign-in the body's token is the pre-rotation one and is ignored.
fn complete_sign_in(client: &AuthClient, response: &TwoFactorVerifyResponse, header_token: bool) -> Result<()> {
    let was_pending = client.pending_two_factor().is_some();
    if was_pending
        && !header_token
        && let Some(token) = &response.token
    {
        client.set_token(token.clone())?;
    }
    if was_pending {
        client.set_pending_two_factor(None)?;
    }
    Ok(())
}

/// `POST /two-factor/enable`.
#[derive(Debug)]
pub struct EnableTwoFactor<'a> {
    client: &'a AuthClient,
    body: EnableTwoFactorRequest,
}

impl EnableTwoFactor<'_> {
    /// The user's password (required unless the server allows passwordless users).
    pub fn password(mut self, password: impl Into<Password>) -> Self {
        self.body.password = Some(password.into());
        self
    }

    /// TOTP (the default) or emailed codes.
    pub fn method(mut self, method: TwoFactorMethod) -> Self {
        self.body.method = Some(method);
        self
    }

    /// The issuer authenticator apps show, instead of the server's.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.body.issuer = Some(issuer.into());
        self
    }

    /// Sends it.
    pub async fn send(self) -> Result<EnableTwoFactorResponse> {
        let result = self.client.post_route::<route::Enable>(None, &self.body).await;
        after_call(self.client, result.as_ref().err()).await;
        result
    }
}

into_future!(EnableTwoFactor, EnableTwoFactorResponse);

/// A two-factor call confirmed with the user's password.
pub struct PasswordConfirmed<'a, T> {
    client: &'a AuthClient,
    method: HttpMethod,
    path: &'static str,
    body: TwoFactorPasswordRequest,
    answer: std::marker::PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for PasswordConfirmed<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordConfirmed")
            .field("path", &self.path)
            .field("body", &self.body)
            .finish()
    }
}

impl<'a, T: serde::de::DeserializeOwned + Send> PasswordConfirmed<'a, T> {
    /// A call of route `R`, which takes the password and answers `T`.
    fn new<R: Route<Request = TwoFactorPasswordRequest, Response = T>>(client: &'a AuthClient) -> Self {
        Self {
            client,
            method: R::METHOD,
            path: R::PATH,
            body: TwoFactorPasswordRequest::default(),
            answer: std::marker::PhantomData,
        }
    }

    /// The user's password (required unless the server allows passwordless users).
    pub fn password(mut self, password: impl Into<Password>) -> Self {
        self.body.password = Some(password.into());
        self
    }

    /// Sends it.
    pub async fn send(self) -> Result<T> {
        let result = self.client.call(self.method, self.path, None, Some(&self.body)).await;
        after_call(self.client, result.as_ref().err()).await;
        result
    }
}

impl<'a, T: serde::de::DeserializeOwned + Send + 'a> std::future::IntoFuture for PasswordConfirmed<'a, T> {
    type Output = Result<T>;
    type IntoFuture = crate::transport::BoxFuture<'a, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// `POST /two-factor/verify-totp` or `/two-factor/verify-otp`.
#[derive(Debug)]
pub struct VerifyCode<'a> {
    client: &'a AuthClient,
    method: HttpMethod,
    path: &'static str,
    body: VerifyCodeRequest,
}

impl<'a> VerifyCode<'a> {
    /// A call of route `R`, which takes a code and completes a sign-in.
    fn new<R: Route<Request = VerifyCodeRequest, Response = TwoFactorVerifyResponse>>(
        client: &'a AuthClient,
        code: OtpCode,
    ) -> Self {
        Self {
            client,
            method: R::METHOD,
            path: R::PATH,
            body: VerifyCodeRequest {
                code,
                trust_device: None,
            },
        }
    }

    /// Skip the second factor on this device for the server's trust period (30 days).
    pub fn trust_device(mut self) -> Self {
        self.body.trust_device = Some(true);
        self
    }

    /// Sends it.
    pub async fn send(self) -> Result<TwoFactorVerifyResponse> {
        let result = verify(self.client, self.method, self.path, &self.body).await;
        after_call(self.client, result.as_ref().err()).await;
        result
    }
}

into_future!(VerifyCode, TwoFactorVerifyResponse);

/// [`verify`] at route `R`.
async fn verify_route<R>(client: &AuthClient, body: &R::Request) -> Result<TwoFactorVerifyResponse>
where
    R: Route<Response = TwoFactorVerifyResponse>,
    R::Request: serde::Serialize,
{
    verify(client, R::METHOD, R::PATH, body).await
}

/// Sends a verification (`method` and `path` of a route answering
/// [`TwoFactorVerifyResponse`]) and completes a pending sign-in.
async fn verify<B: serde::Serialize>(
    client: &AuthClient,
    method: HttpMethod,
    path: &str,
    body: &B,
) -> Result<TwoFactorVerifyResponse> {
    let reply = client.send_json(method, path, body).await?;
    let response: TwoFactorVerifyResponse = crate::client::decode(path, &reply)?;
    complete_sign_in(client, &response, reply.sets_auth_token())?;
    Ok(response)
}

/// `POST /two-factor/verify-backup-code`.
#[derive(Debug)]
pub struct VerifyBackupCode<'a> {
    client: &'a AuthClient,
    body: VerifyBackupCodeRequest,
}

impl VerifyBackupCode<'_> {
    /// Skip the second factor on this device for the server's trust period.
    pub fn trust_device(mut self) -> Self {
        self.body.trust_device = Some(true);
        self
    }

    /// Only check (and spend) the code; make no session.
    pub fn disable_session(mut self) -> Self {
        self.body.disable_session = Some(true);
        self
    }

    /// Sends it.
    pub async fn send(self) -> Result<TwoFactorVerifyResponse> {
        let result = if self.body.disable_session == Some(true) {
            self.client
                .post_route::<route::VerifyBackupCode>(None, &self.body)
                .await
        } else {
            verify_route::<route::VerifyBackupCode>(self.client, &self.body).await
        };
        after_call(self.client, result.as_ref().err()).await;
        result
    }
}

into_future!(VerifyBackupCode, TwoFactorVerifyResponse);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_better_auth_uris() {
        let uri = TotpUri::new(
            "otpauth://totp/Better%20Auth:alice%40example.com?secret=MFRGGZDFMZTWQ2LK&issuer=Better+Auth&digits=6&period=30",
        );
        let setup = uri.parse().expect("parses");
        assert_eq!(setup.issuer, "Better Auth");
        assert_eq!(setup.account, "alice@example.com");
        assert_eq!(setup.secret.expose(), "MFRGGZDFMZTWQ2LK");
        assert_eq!((setup.digits, setup.period), (6, 30));
        assert_eq!(setup.algorithm, "SHA1");
        assert!(
            !format!("{setup:?}").contains("MFRGGZDFMZTWQ2LK"),
            "the secret stays redacted"
        );
        assert_eq!(setup.uri(), &uri);

        let bare = TotpUri::new("otpauth://totp/bob?secret=ABC");
        let setup = bare.parse().expect("parses");
        assert_eq!((setup.issuer.as_str(), setup.account.as_str()), ("", "bob"));
        let odd = TotpUri::new("OTPAUTH://TOTP/K:bob?secret=ABC#ignored");
        let setup = odd
            .parse()
            .expect("scheme and host are case-insensitive, the fragment is not read");
        assert_eq!((setup.issuer.as_str(), setup.secret.expose()), ("K", "ABC"));
        for bad in [
            "not a URI",
            "otpauth:totp/x?secret=A",
            "otpauth://totpx/y?secret=A",
            "https://example.com",
            "otpauth://hotp/x?secret=A",
            "otpauth://totp/x",
            "otpauth://totp/x?secret=A&digits=six",
        ] {
            assert!(TotpUri::new(bad).parse().is_err(), "{bad}");
        }
    }

    #[cfg(feature = "qr")]
    #[test]
    fn renders_qr_codes() {
        let setup = TotpUri::new("otpauth://totp/K:a%40b.co?secret=MFRGGZDF&issuer=K")
            .parse()
            .expect("parses");
        assert!(setup.qr_svg().expect("svg").starts_with("<?xml"));
        assert!(setup.qr_text().expect("text").lines().count() > 10);
    }
}
