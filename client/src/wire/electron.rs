//! The electron plugin (`@better-auth/electron`): a desktop app signs in through the
//! system browser and gets the session back, proving with PKCE that it started the flow.
//!
//! The flow, as better-auth's plugin runs it:
//!
//! 1. The app makes a `state` and a PKCE verifier, and opens the browser at
//!    `GET /electron/init-oauth-proxy?provider=…&client_id=electron&state=…&code_challenge=…`
//!    ([`ElectronInitOAuthProxyQuery`]). The server starts the provider's sign-in and
//!    remembers the app's state and challenge in a signed `transfer_token` cookie.
//! 2. When the provider's callback (or any sign-in in that browser) makes a session, the
//!    server stores a single-use code in a `verification` row named
//!    `electron:<code>` whose value is `{userId, codeChallenge, state}`, valid for five
//!    minutes, and sets the readable cookie `<prefix>.electron` to [`ElectronTransfer`]
//!    (`base64url({identifier, state})`, padded). A page of the web app hands it to the desktop
//!    app as the deep link `<scheme>:/auth/callback#token=<that value>`.
//! 3. The app trades it at `POST /electron/token` ([`ElectronTokenRequest`]) with the
//!    verifier for a new session ([`ElectronTokenResponse`]).
//!
//! A user already signed in on the web hands the session over with
//! `POST /electron/transfer-user` instead of step 1 and 2.
//!
//! **Keyward's extension:** step 1 may name a `redirect_uri` (RFC 8252): a loopback
//! address `http://127.0.0.1:<any port>/…` or `http://[::1]:<port>/…`, or a deep link with
//! one of the schemes the server allows. Keyward then sends the browser straight there
//! once the session exists, without a page of the web app: a loopback URI gets
//! `?electron_authorization_code=<code>&state=<state>` ([`LoopbackCallback`]), a deep
//! link `#token=<ElectronTransfer>` as above; a failed sign-in gets
//! `?error=<code>&state=<state>` on either. better-auth ignores the parameter.

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

use super::User;
use super::schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
use super::secret::{ElectronCode, PkceVerifier, SessionToken};

/// The client id better-auth's electron plugin answers to unless configured otherwise.
pub const DEFAULT_ELECTRON_CLIENT_ID: &str = "electron";

/// The path of a deep link that carries an [`ElectronTransfer`] (`<scheme>:/auth/callback`).
pub const DEFAULT_ELECTRON_CALLBACK_PATH: &str = "/auth/callback";

/// Query of `GET /electron/init-oauth-proxy`: opened in the system browser, it starts the
/// provider's sign-in for the app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectronInitOAuthProxyQuery {
    /// The provider's id (`github`, or a generic OAuth provider's).
    pub provider: String,
    /// The app's client id ([`DEFAULT_ELECTRON_CLIENT_ID`]). better-auth's client sends
    /// it and its server ignores it; a query without it reads as empty.
    #[serde(default)]
    pub client_id: String,
    /// The app's random state, returned with the code.
    pub state: String,
    /// `base64url(SHA-256(verifier))`, without padding.
    pub code_challenge: String,
    /// Keyward's extension: where the browser goes once the session exists (a loopback
    /// URI or an allowed deep link). Unknown to better-auth, which ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
}

impl RequestSchema for ElectronInitOAuthProxyQuery {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("provider", FieldKind::NonEmptyString),
        FieldSpec::required("state", FieldKind::String),
        FieldSpec::required("code_challenge", FieldKind::String),
        FieldSpec::optional("client_id", FieldKind::String),
        FieldSpec::optional("redirect_uri", FieldKind::String),
    ];
}

/// Query of `POST /electron/transfer-user`: the signed-in web user hands the session to
/// the app that started the flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectronTransferUserQuery {
    /// The app's client id.
    pub client_id: String,
    /// The app's state.
    pub state: String,
    /// The app's PKCE challenge.
    pub code_challenge: String,
}

impl RequestSchema for ElectronTransferUserQuery {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("client_id", FieldKind::String),
        FieldSpec::required("state", FieldKind::String),
        FieldSpec::required("code_challenge", FieldKind::String),
    ];
}

/// Body of `POST /electron/transfer-user`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectronTransferUserRequest {
    /// Where the web page should go next; echoed as `url` with `redirect: true`.
    #[serde(rename = "callbackURL", default, skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
}

impl RequestSchema for ElectronTransferUserRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[FieldSpec::optional("callbackURL", FieldKind::String)];
}

/// Response of `POST /electron/transfer-user`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectronTransferUserResponse {
    /// The body's `callbackURL`, or `null`.
    pub url: Option<String>,
    /// Whether `url` is set.
    pub redirect: bool,
    /// The single-use code for `/electron/token`.
    pub electron_authorization_code: ElectronCode,
}

/// Body of `POST /electron/token`: the code, the state it was made for and the verifier
/// of its challenge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectronTokenRequest {
    /// The code ([`ElectronTransfer::identifier`]).
    pub token: ElectronCode,
    /// The state the app started with.
    pub state: String,
    /// The PKCE verifier whose challenge started the flow.
    pub code_verifier: PkceVerifier,
}

impl RequestSchema for ElectronTokenRequest {
    const SHAPE: BodyShape = BodyShape::Object;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::required("token", FieldKind::NonEmptyString),
        FieldSpec::required("state", FieldKind::NonEmptyString),
        FieldSpec::required("code_verifier", FieldKind::NonEmptyString),
    ];
}

/// Response of `POST /electron/token`: the new session's token (also set as the session
/// cookie) and its user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ElectronTokenResponse {
    /// The session token.
    pub token: SessionToken,
    /// The signed-in user.
    pub user: User,
}

/// What the `<prefix>.electron` cookie and a deep link's `#token=` carry:
/// `base64url(JSON {identifier, state})` with `=` padding, as `@better-auth/utils`'
/// `base64Url.encode` writes it (the cookie percent-encodes the `=` as `%3D`).
///
/// ```
/// use keyward_client::wire::{ElectronCode, ElectronTransfer};
///
/// let transfer = ElectronTransfer { identifier: ElectronCode::new("c0de"), state: "s7".into() };
/// let encoded = transfer.encode();
/// assert_eq!(ElectronTransfer::decode(&encoded), Some(transfer));
/// assert_eq!(ElectronTransfer::decode("not base64!"), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectronTransfer {
    /// The single-use code.
    pub identifier: ElectronCode,
    /// The app's state.
    pub state: String,
}

impl ElectronTransfer {
    /// The cookie's (and deep link's) form, padded.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE.encode(json)
    }

    /// Reads the cookie's form: `None` unless it is base64url (padded or not, and
    /// percent-encoded padding too, as a deep link may carry it) of the JSON object.
    pub fn decode(encoded: &str) -> Option<Self> {
        let trimmed = encoded.trim().trim_end_matches("%3D").trim_end_matches('=');
        let bytes = URL_SAFE_NO_PAD.decode(trimmed).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// The query Keyward's extension puts on a loopback `redirect_uri`: the code and state,
/// or an error code and the state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoopbackCallback {
    /// The single-use code, when the sign-in succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub electron_authorization_code: Option<ElectronCode>,
    /// The app's state.
    #[serde(default)]
    pub state: String,
    /// Why the sign-in failed (the provider's or the server's error code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The electron plugin's routes (`@better-auth/electron`): a desktop app's sign-in through
/// the system browser (see [`crate::wire::electron`]).
pub mod routes {
    use crate::wire::routes::declare_routes;
    use crate::wire::{
        ElectronInitOAuthProxyQuery, ElectronTokenRequest, ElectronTokenResponse, ElectronTransferUserRequest,
        ElectronTransferUserResponse,
    };

    declare_routes! {
        /// The electron routes, in declaration order.
        pub const ROUTES;

        /// `POST /electron/token`: trades a code and its PKCE verifier for a session.
        Token: Post "/electron/token", ElectronTokenRequest => ElectronTokenResponse;
        /// `GET /electron/init-oauth-proxy`: opened in the system browser, a redirect to
        /// the provider.
        InitOAuthProxy: Get "/electron/init-oauth-proxy", ElectronInitOAuthProxyQuery => ();
        /// `POST /electron/transfer-user?client_id=…&state=…&code_challenge=…`: a code for
        /// the signed-in user, for the app that started the flow.
        TransferUser: Post "/electron/transfer-user", ElectronTransferUserRequest => ElectronTransferUserResponse;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transfer_is_better_auths_base64url_json() {
        let transfer = ElectronTransfer {
            identifier: ElectronCode::new("AbC123"),
            state: "xyz".into(),
        };
        // base64url('{"identifier":"AbC123","state":"xyz"}') with its padding, as
        // @better-auth/electron 1.7.5 writes it (observed on the real server).
        assert_eq!(
            transfer.encode(),
            "eyJpZGVudGlmaWVyIjoiQWJDMTIzIiwic3RhdGUiOiJ4eXoifQ=="
        );
        assert_eq!(
            ElectronTransfer::decode("eyJpZGVudGlmaWVyIjoiQWJDMTIzIiwic3RhdGUiOiJ4eXoifQ"),
            Some(transfer.clone())
        );
        assert_eq!(
            ElectronTransfer::decode("eyJpZGVudGlmaWVyIjoiQWJDMTIzIiwic3RhdGUiOiJ4eXoifQ%3D%3D"),
            Some(transfer)
        );
        assert_eq!(ElectronTransfer::decode("e30"), None, "{{}} lacks the fields");
    }

    #[test]
    fn the_token_request_is_snake_case_and_redacted() {
        let request = ElectronTokenRequest {
            token: ElectronCode::new("code-1"),
            state: "st".into(),
            code_verifier: PkceVerifier::new("verifier-1"),
        };
        assert_eq!(
            serde_json::to_value(&request).expect("serializes"),
            serde_json::json!({"token": "code-1", "state": "st", "code_verifier": "verifier-1"})
        );
        let debug = format!("{request:?}");
        assert!(!debug.contains("code-1") && !debug.contains("verifier-1"), "{debug}");
    }
}
