//! Every endpoint of the protocol, once: its method, its path (relative to the base path)
//! and the types it takes and answers.
//!
//! Each endpoint is a zero-sized marker type implementing [`Route`]. The client sends its
//! requests through these declarations and the server registers its routes from them, so a
//! change of path, method, request or response type here changes (or breaks the build of)
//! both sides at once.
//!
//! The core routes are declared in this module. Each plugin declares its own beside its
//! wire types (`wire::two_factor::routes`, …), re-exported here under the plugin's name
//! ([`two_factor`], [`organization`], [`passkey`], [`admin`], [`one_time_token`],
//! [`electron`], [`device_authorization`], [`magic_link`], [`username`], [`email_otp`],
//! [`phone_number`], [`anonymous`], [`multi_session`], [`jwt`], [`api_key`], [`open_api`]). [`CORE`] and each plugin's
//! `ROUTES` list them in declaration order, and [`GROUPS`] lists the lists.
//!
//! Path parameters keep axum's brace syntax (`/reset-password/{token}`); a client fills
//! them with [`Route::path_with`], percent-encoding the value first.
//!
//! ```
//! use keyward_client::wire::routes::{self, HttpMethod, Route};
//!
//! assert_eq!(routes::SignOut::METHOD, HttpMethod::Post);
//! assert_eq!(routes::SignOut::PATH, "/sign-out");
//! assert_eq!(routes::ResetPasswordCallback::path_with("abc"), "/reset-password/abc");
//! ```

use super::{
    AccessTokenResponse, AccountInfoQuery, AccountInfoResponse, AccountSelector, AccountSummary, CallbackParams,
    ChangeEmailRequest, ChangePasswordRequest, ChangePasswordResponse, DeleteUserCallbackQuery, DeleteUserRequest,
    EmptyRequest, ErrorPageQuery, GetSessionQuery, LinkSocialRequest, LinkSocialResponse, OkResponse,
    RefreshTokenResponse, RequestPasswordResetRequest, RequestPasswordResetResponse, ResetPasswordCallbackQuery,
    ResetPasswordRequest, RevokeSessionRequest, SendVerificationEmailRequest, Session, SessionData, SignInEmailRequest,
    SignInOutcome, SignInSocialRequest, SignOutRequest, SignOutResponse, SignUpEmailRequest, SignUpResponse,
    SocialSignInOutcome, StatusResponse, SuccessMessage, UnlinkAccountRequest, UpdateSessionRequest,
    UpdateSessionResponse, UpdateUserRequest, VerifyEmailQuery, VerifyEmailResponse, VerifyPasswordRequest,
};

use super::schema::{BodyShape, FieldSpec, RequestSchema};

/// An HTTP method (better-auth routes only these two).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
}

impl HttpMethod {
    /// The method name.
    pub const fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
}

/// What the body of a `POST` route may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BodyEncoding {
    /// A JSON body (or none).
    Json,
    /// A JSON body or an HTML form (`application/x-www-form-urlencoded` or
    /// `multipart/form-data`), which better-auth guards with its form CSRF rules (Fetch
    /// Metadata) on top of the origin check: sign-in and sign-up by email.
    JsonOrForm,
    /// An OAuth provider's cross-site `form_post` (`response_mode=form_post`), a form
    /// without the form CSRF rules.
    ProviderForm,
    /// A JSON body or an `application/x-www-form-urlencoded` form, as an OAuth client
    /// posts it (RFC 8628's device authorization request), without the form CSRF rules.
    OAuthForm,
}

/// One endpoint: a marker type whose constants and associated types say how it is called.
pub trait Route {
    /// The method.
    const METHOD: HttpMethod;
    /// The path relative to the base path, parameters in braces (`/callback/{id}`).
    const PATH: &'static str;
    /// What the body of a `POST` route may be (JSON unless stated; unused for `GET`).
    const BODY: BodyEncoding = BodyEncoding::Json;
    /// The JSON body of a `POST`, or the query of a `GET`; `()` when there is none.
    type Request;
    /// The JSON answer; `()` for a redirect or an HTML page.
    type Response;

    /// [`PATH`](Route::PATH) with its `{parameter}` replaced by `segment`, which the
    /// caller has percent-encoded; `PATH` as it is when it has no parameter.
    fn path_with(segment: &str) -> String {
        fill_path(Self::PATH, segment)
    }
}

/// Whether `path` has a `{parameter}`, at compile time.
#[cfg(feature = "client")]
pub(crate) const fn has_parameter(path: &str) -> bool {
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'{' {
            return true;
        }
        i += 1;
    }
    false
}

/// `path` with its first `{parameter}` replaced by `segment`.
fn fill_path(path: &str, segment: &str) -> String {
    let Some(open) = path.find('{') else {
        return path.to_owned();
    };
    match path[open..].find('}') {
        Some(close) => format!("{}{segment}{}", &path[..open], &path[open + close + 1..]),
        None => path.to_owned(),
    }
}

/// A route as data, for listing and checking the declarations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    /// The marker type's name (`SignOut`).
    pub name: &'static str,
    /// [`Route::METHOD`].
    pub method: HttpMethod,
    /// [`Route::PATH`].
    pub path: &'static str,
    /// [`Route::BODY`].
    pub body: BodyEncoding,
    /// What the route does: its declaration's doc comment.
    pub description: &'static str,
    /// The shape of its body (`POST`) or query (`GET`).
    pub request_shape: BodyShape,
    /// The fields of its body or query, as the server checks them.
    pub request_fields: &'static [FieldSpec],
}

impl RouteSpec {
    /// The spec of route `R`, named `name` and described by `description`.
    pub const fn of<R: Route>(name: &'static str, description: &'static str) -> Self
    where
        R::Request: RequestSchema,
    {
        Self {
            name,
            method: R::METHOD,
            path: R::PATH,
            body: R::BODY,
            description,
            request_shape: <R::Request as RequestSchema>::SHAPE,
            request_fields: <R::Request as RequestSchema>::FIELDS,
        }
    }
}

/// Declares one marker type per route, and the list of them.
macro_rules! declare_routes {
    (
        $(#[$list_doc:meta])*
        pub const $list:ident;
        $(
            $(#[doc = $doc:literal])*
            $name:ident: $method:ident $path:literal $(as $body:ident)?, $request:ty => $response:ty;
        )*
    ) => {
        $(
            $(#[doc = $doc])*
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
            pub struct $name;

            impl $crate::wire::routes::Route for $name {
                const METHOD: $crate::wire::routes::HttpMethod = $crate::wire::routes::HttpMethod::$method;
                const PATH: &'static str = $path;
                $(const BODY: $crate::wire::routes::BodyEncoding = $crate::wire::routes::BodyEncoding::$body;)?
                type Request = $request;
                type Response = $response;
            }
        )*

        $(#[$list_doc])*
        pub const $list: &[$crate::wire::routes::RouteSpec] = &[
            $($crate::wire::routes::RouteSpec::of::<$name>(stringify!($name), concat!($($doc, "\n",)*)),)*
        ];
    };
}
pub(crate) use declare_routes;

/// Every route's list: the core's, then each plugin's.
pub const GROUPS: &[&[RouteSpec]] = &[
    CORE,
    two_factor::ROUTES,
    organization::ROUTES,
    passkey::ROUTES,
    admin::ROUTES,
    one_time_token::ROUTES,
    electron::ROUTES,
    device_authorization::ROUTES,
    magic_link::ROUTES,
    username::ROUTES,
    email_otp::ROUTES,
    phone_number::ROUTES,
    anonymous::ROUTES,
    multi_session::ROUTES,
    jwt::ROUTES,
    api_key::ROUTES,
    open_api::ROUTES,
];

/// Every route's list with the tag better-auth's OpenAPI document files its routes under:
/// `Default` for the core's, the plugin's id with a capital first letter for a plugin's.
pub const TAGGED_GROUPS: &[(&str, &[RouteSpec])] = &[
    ("Default", CORE),
    ("Two-factor", two_factor::ROUTES),
    ("Organization", organization::ROUTES),
    ("Passkey", passkey::ROUTES),
    ("Admin", admin::ROUTES),
    ("One-time-token", one_time_token::ROUTES),
    ("Electron", electron::ROUTES),
    ("Device-authorization", device_authorization::ROUTES),
    ("Magic-link", magic_link::ROUTES),
    ("Username", username::ROUTES),
    ("Email-otp", email_otp::ROUTES),
    ("Phone-number", phone_number::ROUTES),
    ("Anonymous", anonymous::ROUTES),
    ("Multi-session", multi_session::ROUTES),
    ("Jwt", jwt::ROUTES),
    ("Api-key", api_key::ROUTES),
    ("Open-api", open_api::ROUTES),
];

declare_routes! {
    /// The core routes (no plugin), in declaration order.
    pub const CORE;

    // Health and the error page.

    /// `GET /ok`: whether the server answers.
    HealthCheck: Get "/ok", () => OkResponse;
    /// `GET /error`: the page a failed flow ends on without an error callback URL. An HTML
    /// page, or a redirect to the configured error URL.
    ErrorPage: Get "/error", ErrorPageQuery => ();

    // Sign-up, sign-in and sign-out.

    /// `POST /sign-up/email`: creates an account (and, unless verification is required,
    /// signs in).
    SignUpEmail: Post "/sign-up/email" as JsonOrForm, SignUpEmailRequest => SignUpResponse;
    /// `POST /sign-in/email`: a session, or a two-factor challenge.
    SignInEmail: Post "/sign-in/email" as JsonOrForm, SignInEmailRequest => SignInOutcome;
    /// `POST /sign-out`: ends the session.
    SignOut: Post "/sign-out", SignOutRequest => SignOutResponse;

    // Sessions.

    /// `GET /get-session`: the current session, `null` without one.
    GetSession: Get "/get-session", GetSessionQuery => Option<SessionData>;
    /// `POST /get-session`: the current session, refreshed (servers that defer session
    /// refreshes answer `needsRefresh` on the `GET`).
    RefreshSession: Post "/get-session", EmptyRequest => Option<SessionData>;
    /// `GET /list-sessions`: every live session of the user.
    ListSessions: Get "/list-sessions", () => Vec<Session>;
    /// `POST /revoke-session`: ends one session of the user.
    RevokeSession: Post "/revoke-session", RevokeSessionRequest => StatusResponse;
    /// `POST /revoke-sessions`: ends every session of the user.
    RevokeSessions: Post "/revoke-sessions", EmptyRequest => StatusResponse;
    /// `POST /revoke-other-sessions`: ends every session of the user but the current one.
    RevokeOtherSessions: Post "/revoke-other-sessions", EmptyRequest => StatusResponse;
    /// `POST /update-session`: sets the session's additional fields.
    UpdateSession: Post "/update-session", UpdateSessionRequest => UpdateSessionResponse;

    // The user.

    /// `POST /update-user`: name, image and additional fields.
    UpdateUser: Post "/update-user", UpdateUserRequest => StatusResponse;
    /// `POST /change-email`: starts (or makes) an email change.
    ChangeEmail: Post "/change-email", ChangeEmailRequest => StatusResponse;
    /// `POST /delete-user`: deletes the user, or sends a confirmation email.
    DeleteUser: Post "/delete-user", DeleteUserRequest => SuccessMessage;
    /// `GET /delete-user/callback`: confirms a deletion with the emailed token (a redirect
    /// when the query has a callback URL).
    DeleteUserCallback: Get "/delete-user/callback", DeleteUserCallbackQuery => SuccessMessage;

    // Passwords.

    /// `POST /change-password`.
    ChangePassword: Post "/change-password", ChangePasswordRequest => ChangePasswordResponse;
    /// `POST /verify-password`: checks the user's password.
    VerifyPassword: Post "/verify-password", VerifyPasswordRequest => StatusResponse;
    /// `POST /request-password-reset`: emails a reset link.
    RequestPasswordReset: Post "/request-password-reset", RequestPasswordResetRequest => RequestPasswordResetResponse;
    /// `POST /reset-password`: sets a new password with the token of a reset link.
    ResetPassword: Post "/reset-password", ResetPasswordRequest => StatusResponse;
    /// `GET /reset-password/{token}`: the link of a reset email; a redirect to the callback
    /// URL with the token, or with `?error=INVALID_TOKEN`.
    ResetPasswordCallback: Get "/reset-password/{token}", ResetPasswordCallbackQuery => ();

    // Email verification.

    /// `POST /send-verification-email`.
    SendVerificationEmail: Post "/send-verification-email", SendVerificationEmailRequest => StatusResponse;
    /// `GET /verify-email`: verifies an address (or completes an email change) with the
    /// emailed token (a redirect when the query has a callback URL).
    VerifyEmail: Get "/verify-email", VerifyEmailQuery => VerifyEmailResponse;

    // Accounts.

    /// `GET /list-accounts`: the user's credential and OAuth accounts.
    ListAccounts: Get "/list-accounts", () => Vec<AccountSummary>;
    /// `POST /unlink-account`.
    UnlinkAccount: Post "/unlink-account", UnlinkAccountRequest => StatusResponse;
    /// `GET /account-info`: the provider's profile of an OAuth account.
    AccountInfo: Get "/account-info", AccountInfoQuery => AccountInfoResponse;
    /// `POST /get-access-token`: a valid access token of a provider account.
    GetAccessToken: Post "/get-access-token", AccountSelector => AccessTokenResponse;
    /// `POST /refresh-token`: new tokens from the provider.
    RefreshToken: Post "/refresh-token", AccountSelector => RefreshTokenResponse;

    // Social sign-in.

    /// `POST /sign-in/social`: the provider URL to open, or a session for an ID token.
    SignInSocial: Post "/sign-in/social", SignInSocialRequest => SocialSignInOutcome;
    /// `GET /callback/{id}`: where a provider sends the browser back; a redirect.
    SocialCallback: Get "/callback/{id}", CallbackParams => ();
    /// `POST /callback/{id}`: a provider's `form_post` of the same parameters; a redirect
    /// to the `GET`.
    SocialCallbackForm: Post "/callback/{id}" as ProviderForm, CallbackParams => ();
    /// `POST /link-social`: links a provider account to the user.
    LinkSocial: Post "/link-social", LinkSocialRequest => LinkSocialResponse;
}

// Each plugin's routes, declared beside its wire types.
pub use super::admin::routes as admin;
pub use super::anonymous::routes as anonymous;
pub use super::api_key::routes as api_key;
pub use super::device_authorization::routes as device_authorization;
pub use super::electron::routes as electron;
pub use super::email_otp::routes as email_otp;
pub use super::jwt::routes as jwt;
pub use super::magic_link::routes as magic_link;
pub use super::multi_session::routes as multi_session;
pub use super::one_time_token::routes as one_time_token;
pub use super::open_api::routes as open_api;
pub use super::organization::routes as organization;
pub use super::passkey::routes as passkey;
pub use super::phone_number::routes as phone_number;
pub use super::two_factor::routes as two_factor;
pub use super::username::routes as username;

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn all() -> impl Iterator<Item = &'static RouteSpec> {
        GROUPS.iter().flat_map(|group| group.iter())
    }

    #[test]
    fn the_tagged_groups_are_the_groups_and_every_route_is_described() {
        assert_eq!(TAGGED_GROUPS.len(), GROUPS.len());
        for ((tag, tagged), group) in TAGGED_GROUPS.iter().zip(GROUPS) {
            assert_eq!(tagged, group, "{tag}");
        }
        for route in all() {
            assert!(
                !route.description.trim().is_empty(),
                "{} has no doc comment",
                route.name
            );
        }
        assert!(SignOut::PATH.len() > 1);
        let sign_out = CORE.iter().find(|route| route.name == "SignOut").expect("declared");
        assert_eq!(sign_out.description.trim(), "`POST /sign-out`: ends the session.");
        assert_eq!(sign_out.request_fields, crate::wire::SignOutRequest::FIELDS);
    }

    #[test]
    fn no_two_routes_share_a_method_and_path() {
        let mut seen = BTreeSet::new();
        for route in all() {
            assert!(
                seen.insert((route.method.as_str(), route.path)),
                "{} {} is declared twice ({})",
                route.method.as_str(),
                route.path,
                route.name
            );
        }
    }

    #[test]
    fn paths_are_relative_to_the_base_path() {
        for route in all() {
            assert!(route.path.starts_with('/'), "{}: {}", route.name, route.path);
            assert!(
                route.path.len() == 1 || !route.path.ends_with('/'),
                "{}: {}",
                route.name,
                route.path
            );
            assert!(!route.path.contains(['?', '#', ' ']), "{}: {}", route.name, route.path);
        }
    }

    #[test]
    fn only_posts_take_forms() {
        for route in all() {
            if route.method == HttpMethod::Get {
                assert_eq!(route.body, BodyEncoding::Json, "{}", route.name);
            }
        }
    }

    #[test]
    fn path_parameters_are_filled() {
        assert_eq!(ResetPasswordCallback::path_with("a%2Fb"), "/reset-password/a%2Fb");
        assert_eq!(SocialCallback::path_with("github"), "/callback/github");
        assert_eq!(SignOut::path_with("x"), "/sign-out");
        assert_eq!(fill_path("/a/{id}/b", "7"), "/a/7/b");
        assert_eq!(fill_path("/a/{id", "7"), "/a/{id");
    }
}
