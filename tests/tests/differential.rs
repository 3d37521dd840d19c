//! The differential check: the same request sequence goes to Keyward and to the real
//! better-auth 1.7.25, and the answers are compared: status, the whole JSON body (every
//! value, every array element), error codes and messages, cookie names and attributes,
//! `set-auth-token`, cache and CORS headers, redirect targets.
//!
//! What must differ between two servers is masked first, in each answer (see [`Masker`]):
//!
//! - by pattern, in any JSON string: a value this server's run captured (`{org}`); a
//!   generated id or token (20 to 64 ASCII letters and digits, nothing else), numbered
//!   by first appearance within the answer (`<id:1>`), so an answer that repeats an id
//!   (a member's `userId` and its `user.id`) must repeat it on both servers; an RFC 3339
//!   time, as seconds from when the request was sent (`<time:+604800s>`), equal within
//!   [`TIME_TOLERANCE_SECONDS`]; the server's own origin (`{origin}`, also
//!   percent-encoded); and in a URL the values of the query parameters in
//!   [`MASKED_QUERY_PARAMETERS`] (`secret=<secret>`, `token=<token>`);
//! - an address whose local part is a generated id (an anonymous user's,
//!   `<generated>@anonymous.placeholder.invalid`, `temp-<generated>@…`);
//! - by key: each element of `backupCodes` that has the `xxxxx-xxxxx` form of a backup
//!   code (`<backup-code>`);
//! - a JSON Web Token (any string of three base64url parts), as its `alg` and claim
//!   names, here and in `set-auth-jwt`; a public key's `x`, `y` and `n`
//!   (`<key-material>`);
//! - a multi-session cookie's name, which holds its session's token (`…_multi-<token>`);
//! - cookie values (only whether one is empty), the `set-auth-token` value (only whether
//!   it is sent), signatures with them.
//!
//! Anything else is compared as it is. A difference fails the test unless
//! `tests/interop/differences.json` lists it (step and aspect) with a reason; entries that
//! no longer match fail it too, and so does an entry naming a step no sequence has, so the
//! list stays true. Each step's outcome is recorded for the README (`compat`): alike, or
//! different as listed, or different.

mod anonymous;
mod api_key;
mod device_authorization;
mod email_otp;
mod jwt;
mod magic_link;
mod multi_session;
mod one_time_token;
mod phone_number;
mod username;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use keyward_server::db::{Db, Exec};
use keyward_tests::compat::write_differential;
use keyward_tests::totp::{code_from_uri, wrong_code_for};
use keyward_tests::{BetterAuthServer, Database, TestServer, interop_dir};
use reqwest::Method;
use serde_json::{Value, json};

/// How far apart (in seconds) two masked times may be and still count as the same: the
/// two servers answer a step moments apart, and a value made steps earlier (a creation
/// time) is as old on both within the time the steps in between took.
const TIME_TOLERANCE_SECONDS: i64 = 10;

/// Query parameters whose values are generated (tokens, secrets, OAuth state).
const MASKED_QUERY_PARAMETERS: [&str; 7] = [
    "token",
    "secret",
    "state",
    "code_challenge",
    "nonce",
    "signature",
    "user_code",
];

/// The aspects an answer is compared by; `body` differences are named by JSON pointer
/// (`body:/session/ipAddress`), and an allow-list entry `body` covers all of a step's.
const ASPECTS: [&str; 4] = ["status", "body", "code", "cookies"];

/// The headers compared (besides cookies).
const HEADERS: [&str; 8] = [
    "content-type",
    "cache-control",
    "pragma",
    "x-retry-after",
    "set-auth-token",
    "set-auth-jwt",
    "access-control-expose-headers",
    "location",
];

/// How a step authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Credential {
    None,
    /// Cookies and the server's own Origin, as a browser.
    Cookie,
    /// Cookies, no Origin.
    CookieWithoutOrigin,
    /// Cookies, an untrusted Origin.
    CookieFromEvil,
    /// Cookies and Origin, the session cookie's signature altered by one character.
    CookieTampered,
    /// `Authorization: Bearer <set-auth-token>`.
    Bearer,
    /// `Authorization: Bearer <token from the JSON body>`.
    BearerUnsigned,
    /// A bearer token that is no session's.
    BearerGarbage,
}

struct Step {
    name: &'static str,
    method: Method,
    path: &'static str,
    credential: Credential,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
    headers: Vec<(&'static str, &'static str)>,
    /// Which user's session sends it (0 unless set).
    actor: usize,
    /// Values to remember from the answer: name and JSON pointer (`/id`). Later paths
    /// and bodies use them as `{name}`; each server remembers its own.
    captures: Vec<(&'static str, &'static str)>,
    /// Instead of a request: SQL run on each server's database (not compared), to set
    /// up what no endpoint may (an admin's role).
    sql: Option<&'static str>,
}

fn step(name: &'static str, method: Method, path: &'static str, credential: Credential) -> Step {
    Step {
        name,
        method,
        path,
        credential,
        content_type: None,
        body: None,
        headers: Vec::new(),
        actor: 0,
        captures: Vec::new(),
        sql: None,
    }
}

/// A setup step: `statement` runs on both databases.
fn sql(name: &'static str, statement: &'static str) -> Step {
    Step {
        sql: Some(statement),
        ..step(name, Method::GET, "", Credential::None)
    }
}

impl Step {
    fn json(mut self, body: Value) -> Self {
        self.body = Some(serde_json::to_vec(&body).expect("json"));
        self.content_type = Some("application/json");
        self
    }

    fn raw(mut self, content_type: &'static str, body: &[u8]) -> Self {
        self.body = Some(body.to_vec());
        self.content_type = Some(content_type);
        self
    }

    fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }

    fn by(mut self, actor: usize) -> Self {
        self.actor = actor;
        self
    }

    fn capture(mut self, name: &'static str, pointer: &'static str) -> Self {
        self.captures.push((name, pointer));
        self
    }
}

/// Replaces `{name}` with remembered values (and `{origin}` with the server's origin).
fn fill_vars(text: &str, vars: &BTreeMap<String, String>) -> String {
    vars.iter().fold(text.to_owned(), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

fn sequence() -> Vec<Step> {
    use Credential::*;
    let ada = json!({"name": "Ada", "email": "ada@example.com", "password": "correct-horse-battery"});
    let sign_in = json!({"email": "ada@example.com", "password": "correct-horse-battery"});
    vec![
        step("GET /ok", Method::GET, "/ok", None),
        step("POST /sign-up/email", Method::POST, "/sign-up/email", None).json(ada.clone()),
        step("POST /sign-up/email with a taken email", Method::POST, "/sign-up/email", None).json(ada),
        step("POST /sign-up/email with an invalid email", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "X", "email": "nope", "password": "correct-horse-battery"})),
        step("POST /sign-up/email with a short password", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "X", "email": "x@example.com", "password": "short"})),
        step("POST /sign-up/email with wrong types", Method::POST, "/sign-up/email", None)
            .json(json!({"name": 1, "email": "x", "password": null})),
        step("POST /sign-up/email as text/plain", Method::POST, "/sign-up/email", None).raw("text/plain", b"hello"),
        step("POST /sign-up/email with malformed JSON", Method::POST, "/sign-up/email", None)
            .raw("application/json", b"{bad"),
        step("POST /sign-up/email with invalid UTF-8 in the body", Method::POST, "/sign-up/email", None).raw(
            "application/json",
            b"{\"name\":\"\xff\xfe\",\"email\":\"utf@example.com\",\"password\":\"correct-horse-battery\"}",
        ),
        step("POST /sign-up/email as a form", Method::POST, "/sign-up/email", None)
            .raw("application/x-www-form-urlencoded", b"name=Form&email=form%40example.com&password=correct-horse-battery"),
        step("POST /sign-up/email with a JSON array", Method::POST, "/sign-up/email", None).raw("application/json", b"[]"),
        step("POST /sign-up/email with a JSON string", Method::POST, "/sign-up/email", None).raw("application/json", b"\"ada\""),
        step("POST /sign-up/email with deeply nested JSON", Method::POST, "/sign-up/email", None)
            .raw("application/json", &[b'['; 100_000]),
        step("POST /sign-up/email with a 2 MB name", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "n".repeat(2 << 20), "email": "big@example.com", "password": "correct-horse-battery"})),
        step("POST /sign-up/email setting emailVerified and a role", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "Mallory", "email": "mallory@example.com", "password": "correct-horse-battery", "emailVerified": true, "role": "admin"})),
        step("POST /sign-up/email with an untrusted callbackURL", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "Cb", "email": "cb@example.com", "password": "correct-horse-battery", "callbackURL": "https://evil.example"})),
        step("POST /sign-in/email with rememberMe false", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "ada@example.com", "password": "correct-horse-battery", "rememberMe": false})),
        step("POST /sign-in/email", Method::POST, "/sign-in/email", None).json(sign_in.clone()),
        step("POST /sign-in/email with a wrong password", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "ada@example.com", "password": "wrong-password"})),
        step("POST /sign-in/email with an unknown email", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "nobody@example.com", "password": "wrong-password"})),
        step("POST /sign-in/email without a password", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "ada@example.com"})),
        step("POST /sign-in/email with an invalid email", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "notanemail", "password": "correct-horse-battery"})),
        step("POST /sign-in/email with a 200-character password", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "ada@example.com", "password": "p".repeat(200)})),
        step("POST /sign-in/email with a callbackURL", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "ada@example.com", "password": "correct-horse-battery", "callbackURL": "/home"})),
        step("POST /sign-in/email with an untrusted callbackURL", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "ada@example.com", "password": "correct-horse-battery", "callbackURL": "https://evil.example"})),
        step("POST /sign-in/email with a protocol-relative callbackURL", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "ada@example.com", "password": "correct-horse-battery", "callbackURL": "//evil.example"})),
        step("POST /sign-in/email with a backslashed callbackURL", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "ada@example.com", "password": "correct-horse-battery", "callbackURL": "/\\evil.example"})),
        step("POST /sign-in/email with a javascript: callbackURL", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "ada@example.com", "password": "correct-horse-battery", "callbackURL": "javascript:alert(1)"})),
        step("POST /sign-in/email with the origin as a callbackURL's userinfo", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "ada@example.com", "password": "correct-horse-battery", "callbackURL": "{origin}@evil.example"})),
        step("POST /sign-in/email with a callbackURL on the origin", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "ada@example.com", "password": "correct-horse-battery", "callbackURL": "{origin}/dashboard"})),
        step("POST /sign-in/email from a cross-site navigation", Method::POST, "/sign-in/email", None)
            .json(sign_in)
            .header("sec-fetch-site", "cross-site")
            .header("sec-fetch-mode", "navigate"),
        step("GET /get-session with the cookie", Method::GET, "/get-session", Cookie),
        step("GET /get-session with a tampered cookie", Method::GET, "/get-session", CookieTampered),
        step("GET /get-session with the signed bearer", Method::GET, "/get-session", Bearer),
        step("GET /get-session with the unsigned bearer", Method::GET, "/get-session", BearerUnsigned),
        step("GET /get-session without credentials", Method::GET, "/get-session", None),
        step("GET /get-session with an unknown bearer", Method::GET, "/get-session", BearerGarbage),
        step("GET /get-session with flags", Method::GET, "/get-session?disableCookieCache=true&disableRefresh=true", Cookie),
        step("GET /get-session with the cookie and an empty session_data cookie", Method::GET, "/get-session", Cookie)
            .header("cookie", "better-auth.session_data="),
        step("POST /get-session without deferred refresh", Method::POST, "/get-session", Cookie).json(json!({})),
        step("POST /update-user with a cookie and no Origin", Method::POST, "/update-user", CookieWithoutOrigin)
            .json(json!({"name": "x"})),
        step("POST /update-user with a cookie from an untrusted Origin", Method::POST, "/update-user", CookieFromEvil)
            .json(json!({"name": "x"})),
        step("POST /update-user with a cookie and Origin", Method::POST, "/update-user", Cookie)
            .json(json!({"name": "Ada Updated"})),
        step("POST /update-user with a bearer token", Method::POST, "/update-user", Bearer)
            .json(json!({"name": "Ada Bearer", "image": null})),
        step("POST /update-user changing the email", Method::POST, "/update-user", Bearer).json(json!({"email": "x@example.com"})),
        step("POST /update-user with nothing to update", Method::POST, "/update-user", Bearer).json(json!({"foo": 1})),
        step("POST /update-user with a number as the name", Method::POST, "/update-user", Bearer).json(json!({"name": 5})),
        step("POST /update-user without credentials", Method::POST, "/update-user", None).json(json!({"name": "x"})),
        step("GET /list-sessions", Method::GET, "/list-sessions", Cookie),
        step("GET /list-sessions without credentials", Method::GET, "/list-sessions", None),
        step("POST /revoke-session with an unknown token", Method::POST, "/revoke-session", Bearer)
            .json(json!({"token": "nonexistent"})),
        step("POST /revoke-session without a token", Method::POST, "/revoke-session", Bearer).json(json!({})),
        step("POST /update-session with no configured fields", Method::POST, "/update-session", Bearer).json(json!({"x": 1})),
        step("POST /verify-password", Method::POST, "/verify-password", Bearer).json(json!({"password": "correct-horse-battery"})),
        step("POST /verify-password with a wrong password", Method::POST, "/verify-password", Bearer)
            .json(json!({"password": "nope-nope"})),
        step("POST /change-password with a wrong current password", Method::POST, "/change-password", Bearer)
            .json(json!({"currentPassword": "nope-nope", "newPassword": "new-password-1"})),
        step("POST /change-password with a short new password", Method::POST, "/change-password", Bearer)
            .json(json!({"currentPassword": "correct-horse-battery", "newPassword": "short"})),
        step("POST /change-email to the same address", Method::POST, "/change-email", Bearer)
            .json(json!({"newEmail": "ada@example.com"})),
        step("POST /change-email to an invalid address", Method::POST, "/change-email", Bearer).json(json!({"newEmail": "nope"})),
        step("POST /send-verification-email for another address", Method::POST, "/send-verification-email", Bearer)
            .json(json!({"email": "bob@example.com"})),
        step("POST /send-verification-email", Method::POST, "/send-verification-email", Bearer)
            .json(json!({"email": "ada@example.com", "callbackURL": "/verified"})),
        step("POST /send-verification-email with a javascript: callbackURL", Method::POST, "/send-verification-email", Bearer)
            .json(json!({"email": "ada@example.com", "callbackURL": "javascript:alert(1)"})),
        step("POST /request-password-reset for an unknown address", Method::POST, "/request-password-reset", None)
            .json(json!({"email": "nobody@example.com"})),
        step("POST /request-password-reset with an untrusted redirect", Method::POST, "/request-password-reset", None)
            .json(json!({"email": "ada@example.com", "redirectTo": "https://evil.example"})),
        step("POST /request-password-reset with a protocol-relative redirect", Method::POST, "/request-password-reset", None)
            .json(json!({"email": "ada@example.com", "redirectTo": "//evil.example"})),
        step("GET /reset-password/:token with a bad token", Method::GET, "/reset-password/badtoken?callbackURL=%2Freset", None),
        step("GET /reset-password/:token without a callbackURL", Method::GET, "/reset-password/badtoken", None),
        step(
            "GET /reset-password/:token with an untrusted callbackURL",
            Method::GET,
            "/reset-password/badtoken?callbackURL=https%3A%2F%2Fevil.example",
            None,
        ),
        step("POST /reset-password with a bad token", Method::POST, "/reset-password", None)
            .json(json!({"newPassword": "new-password-1", "token": "bad"})),
        step("POST /reset-password without a token", Method::POST, "/reset-password", None).json(json!({"newPassword": "new-password-1"})),
        step("GET /verify-email with a bad token", Method::GET, "/verify-email?token=bad", None),
        step("GET /verify-email with a bad token and a callbackURL", Method::GET, "/verify-email?token=bad&callbackURL=%2Fv", None),
        step(
            "GET /verify-email with a bad token and an untrusted callbackURL",
            Method::GET,
            "/verify-email?token=bad&callbackURL=https%3A%2F%2Fevil.example",
            None,
        ),
        step("GET /verify-email without a token", Method::GET, "/verify-email", None),
        step("GET /list-accounts", Method::GET, "/list-accounts", Bearer),
        step("POST /unlink-account of the last account", Method::POST, "/unlink-account", Bearer)
            .json(json!({"accountId": "whatever"})),
        step("GET /account-info without a query", Method::GET, "/account-info", Bearer),
        step("GET /account-info of an unknown account", Method::GET, "/account-info?accountId=nope", Bearer),
        step("POST /revoke-other-sessions", Method::POST, "/revoke-other-sessions", Bearer).json(json!({})),
        step("POST /delete-user", Method::POST, "/delete-user", Bearer).json(json!({})),
        step("GET /get-session after deletion", Method::GET, "/get-session", Bearer),
        step("POST /sign-out", Method::POST, "/sign-out", Cookie).json(json!({})),
        step("GET /get-session with an empty session_data cookie", Method::GET, "/get-session", None)
            .header("cookie", "better-auth.session_data="),
        step("GET /error", Method::GET, "/error?error=state_mismatch", None),
        step("GET /error with a description", Method::GET, "/error?error=invalid_code&error_description=The%20%3Cb%3Ecode%3C%2Fb%3E%20%26%20state%20expired", None),
        step("GET /error with markup in the code", Method::GET, "/error?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E", None),
        step("GET /error without a code", Method::GET, "/error", None),
        step("GET /nonexistent", Method::GET, "/nonexistent", None),
        step("GET /get-session/ with a trailing slash", Method::GET, "/get-session/", None),
        step("POST /set-password (server-only)", Method::POST, "/set-password", None).json(json!({"newPassword": "x"})),
        step("POST /forget-password (removed)", Method::POST, "/forget-password", None).json(json!({"email": "ada@example.com"})),
        step("POST /ok (wrong method)", Method::POST, "/ok", None),
    ]
}

fn two_factor_sequence() -> Vec<Step> {
    use Credential::*;
    let password = json!({"password": "correct-horse-battery"});
    let sign_in = json!({"email": "ada@example.com", "password": "correct-horse-battery"});
    vec![
        step("2FA: POST /sign-up/email", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "Ada", "email": "ada@example.com", "password": "correct-horse-battery"})),
        step(
            "2FA: enable with a wrong password",
            Method::POST,
            "/two-factor/enable",
            Bearer,
        )
        .json(json!({"password": "wrong-password"})),
        step(
            "2FA: enable without a password",
            Method::POST,
            "/two-factor/enable",
            Bearer,
        )
        .json(json!({})),
        step(
            "2FA: enable with an unknown method",
            Method::POST,
            "/two-factor/enable",
            Bearer,
        )
        .json(json!({"password": "correct-horse-battery", "method": "sms"})),
        step(
            "2FA: get-totp-uri before enabling",
            Method::POST,
            "/two-factor/get-totp-uri",
            Bearer,
        )
        .json(password.clone()),
        step(
            "2FA: generate-backup-codes before enabling",
            Method::POST,
            "/two-factor/generate-backup-codes",
            Bearer,
        )
        .json(password.clone()),
        step(
            "2FA: verify-backup-code before enabling",
            Method::POST,
            "/two-factor/verify-backup-code",
            Bearer,
        )
        .json(json!({"code": "aaaaa-bbbbb"})),
        step("2FA: enable", Method::POST, "/two-factor/enable", Bearer).json(password.clone()),
        step(
            "2FA: get-session before the first code",
            Method::GET,
            "/get-session",
            Bearer,
        ),
        step(
            "2FA: verify-totp with a wrong code",
            Method::POST,
            "/two-factor/verify-totp",
            Bearer,
        )
        .json(json!({"code": "{wrong-totp}"})),
        step(
            "2FA: verify-totp with a number",
            Method::POST,
            "/two-factor/verify-totp",
            Bearer,
        )
        .json(json!({"code": 123456})),
        step(
            "2FA: verify-totp confirms the enrolment",
            Method::POST,
            "/two-factor/verify-totp",
            Bearer,
        )
        .json(json!({"code": "{totp}"})),
        step(
            "2FA: get-session after the enrolment",
            Method::GET,
            "/get-session",
            Bearer,
        ),
        step("2FA: get-totp-uri", Method::POST, "/two-factor/get-totp-uri", Bearer).json(password.clone()),
        step(
            "2FA: get-totp-uri with a wrong password",
            Method::POST,
            "/two-factor/get-totp-uri",
            Bearer,
        )
        .json(json!({"password": "wrong-password"})),
        step("2FA: enable again", Method::POST, "/two-factor/enable", Bearer).json(password.clone()),
        step(
            "2FA: update-user switching twoFactorEnabled off",
            Method::POST,
            "/update-user",
            Bearer,
        )
        .json(json!({"twoFactorEnabled": false})),
        step(
            "2FA: update-user switching twoFactorEnabled on",
            Method::POST,
            "/update-user",
            Bearer,
        )
        .json(json!({"twoFactorEnabled": true})),
        step("2FA: sign-out", Method::POST, "/sign-out", Cookie).json(json!({})),
        step("2FA: sign-in is a challenge", Method::POST, "/sign-in/email", None).json(sign_in.clone()),
        step(
            "2FA: verify-totp without the challenge cookie",
            Method::POST,
            "/two-factor/verify-totp",
            None,
        )
        .json(json!({"code": "{totp}"})),
        step(
            "2FA: verify-totp on the challenge with a wrong code",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"})),
        step(
            "2FA: send-otp on the challenge",
            Method::POST,
            "/two-factor/send-otp",
            Cookie,
        ),
        step(
            "2FA: verify-otp with a wrong code",
            Method::POST,
            "/two-factor/verify-otp",
            Cookie,
        )
        .json(json!({"code": "abcdef"})),
        step(
            "2FA: verify-otp completes the sign-in",
            Method::POST,
            "/two-factor/verify-otp",
            Cookie,
        )
        .json(json!({"code": "{otp}"})),
        step(
            "2FA: get-session after the OTP sign-in",
            Method::GET,
            "/get-session",
            Cookie,
        ),
        step("2FA: sign-out again", Method::POST, "/sign-out", Cookie).json(json!({})),
        step(
            "2FA: sign-in with rememberMe false is a challenge",
            Method::POST,
            "/sign-in/email",
            None,
        )
        .json(json!({"email": "ada@example.com", "password": "correct-horse-battery", "rememberMe": false})),
        step(
            "2FA: verify-backup-code with an unknown code",
            Method::POST,
            "/two-factor/verify-backup-code",
            Cookie,
        )
        .json(json!({"code": "aaaaa-bbbbb"})),
        step(
            "2FA: verify-backup-code trusting the device",
            Method::POST,
            "/two-factor/verify-backup-code",
            Cookie,
        )
        .json(json!({"code": "{backup}", "trustDevice": true})),
        step(
            "2FA: sign-out from the trusted device",
            Method::POST,
            "/sign-out",
            Cookie,
        )
        .json(json!({})),
        step(
            "2FA: sign-in on the trusted device",
            Method::POST,
            "/sign-in/email",
            Cookie,
        )
        .json(sign_in.clone()),
        step(
            "2FA: verify-backup-code reusing a code",
            Method::POST,
            "/two-factor/verify-backup-code",
            Bearer,
        )
        .json(json!({"code": "{backup}"})),
        step(
            "2FA: generate-backup-codes with a wrong password",
            Method::POST,
            "/two-factor/generate-backup-codes",
            Bearer,
        )
        .json(json!({"password": "wrong-password"})),
        step(
            "2FA: generate-backup-codes",
            Method::POST,
            "/two-factor/generate-backup-codes",
            Bearer,
        )
        .json(password.clone()),
        step(
            "2FA: verify-totp as a signed-in user",
            Method::POST,
            "/two-factor/verify-totp",
            Bearer,
        )
        .json(json!({"code": "{totp}"})),
        step(
            "2FA: verify-backup-code as a signed-in user without a session",
            Method::POST,
            "/two-factor/verify-backup-code",
            Bearer,
        )
        .json(json!({"code": "{backup}", "disableSession": true})),
        step(
            "2FA: disable with a wrong password",
            Method::POST,
            "/two-factor/disable",
            Bearer,
        )
        .json(json!({"password": "wrong-password"})),
        step("2FA: disable", Method::POST, "/two-factor/disable", Cookie).json(password),
        step("2FA: sign-in after disabling", Method::POST, "/sign-in/email", None).json(sign_in),
        step("2FA: enable OTP", Method::POST, "/two-factor/enable", Bearer)
            .json(json!({"password": "correct-horse-battery", "method": "otp"})),
        step("2FA: get-session with OTP on", Method::GET, "/get-session", Bearer),
        // Lou: ten wrong codes over two challenges (five is one challenge's limit) lock
        // the account; then even the right code is refused.
        step("2FA lockout: sign-up", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "Lou", "email": "lou@example.com", "password": "correct-horse-battery"}))
            .by(1),
        step("2FA lockout: enable", Method::POST, "/two-factor/enable", Bearer)
            .json(json!({"password": "correct-horse-battery"}))
            .by(1),
        step(
            "2FA lockout: verify-totp",
            Method::POST,
            "/two-factor/verify-totp",
            Bearer,
        )
        .json(json!({"code": "{totp}"}))
        .by(1),
        step("2FA lockout: sign-out", Method::POST, "/sign-out", Cookie)
            .json(json!({}))
            .by(1),
        step("2FA lockout: first challenge", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "lou@example.com", "password": "correct-horse-battery"}))
            .by(1),
        step(
            "2FA lockout: wrong code 1",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: wrong code 2",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: wrong code 3",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: wrong code 4",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: wrong code 5",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: the right code after five wrong ones",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{totp}"}))
        .by(1),
        step("2FA lockout: second challenge", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "lou@example.com", "password": "correct-horse-battery"}))
            .by(1),
        step(
            "2FA lockout: wrong code 6",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: wrong code 7",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: wrong code 8",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: wrong code 9",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: wrong code 10",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{wrong-totp}"}))
        .by(1),
        step(
            "2FA lockout: the right code on a locked account",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{totp}"}))
        .by(1),
        step(
            "2FA lockout: a new challenge on a locked account",
            Method::POST,
            "/sign-in/email",
            None,
        )
        .json(json!({"email": "lou@example.com", "password": "correct-horse-battery"}))
        .by(1),
        step(
            "2FA lockout: the right code on the new challenge",
            Method::POST,
            "/two-factor/verify-totp",
            Cookie,
        )
        .json(json!({"code": "{totp}"}))
        .by(1),
    ]
}

/// Social sign-in with the GitHub provider both servers have (dummy credentials: the
/// flows stop before GitHub), its callback's refusals, linking and the token endpoints.
fn social_sequence() -> Vec<Step> {
    use Credential::*;
    let github = json!({"provider": "github", "callbackURL": "/dashboard", "disableRedirect": true});
    vec![
        step("social: POST /sign-up/email", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "Ada", "email": "ada@example.com", "password": "correct-horse-battery"})),
        step("social: sign-in/social", Method::POST, "/sign-in/social", None).json(github.clone()),
        step(
            "social: sign-in/social with a redirect",
            Method::POST,
            "/sign-in/social",
            None,
        )
        .json(json!({"provider": "github", "callbackURL": "/dashboard", "scopes": ["repo"], "loginHint": "ada"})),
        step(
            "social: sign-in/social without a callbackURL",
            Method::POST,
            "/sign-in/social",
            None,
        )
        .json(json!({"provider": "github"})),
        step(
            "social: sign-in/social of an unknown provider",
            Method::POST,
            "/sign-in/social",
            None,
        )
        .json(json!({"provider": "myspace"})),
        step(
            "social: sign-in/social without a provider",
            Method::POST,
            "/sign-in/social",
            None,
        )
        .json(json!({})),
        step(
            "social: sign-in/social with scopes as a string",
            Method::POST,
            "/sign-in/social",
            None,
        )
        .json(json!({"provider": "github", "scopes": "repo", "disableRedirect": "yes"})),
        step(
            "social: sign-in/social with a reserved parameter",
            Method::POST,
            "/sign-in/social",
            None,
        )
        .json(json!({"provider": "github", "additionalParams": {"state": "mine"}})),
        step(
            "social: sign-in/social with an ID token GitHub cannot take",
            Method::POST,
            "/sign-in/social",
            None,
        )
        .json(json!({"provider": "github", "idToken": {"token": "a.b.c"}})),
        step(
            "social: sign-in/social with an untrusted errorCallbackURL",
            Method::POST,
            "/sign-in/social",
            None,
        )
        .json(json!({"provider": "github", "errorCallbackURL": "https://evil.example/x"})),
        step(
            "social: callback without a state",
            Method::GET,
            "/callback/github?code=x",
            None,
        ),
        step(
            "social: callback with an unknown state",
            Method::GET,
            "/callback/github?code=x&state=unknown",
            None,
        ),
        step(
            "social: callback with the code twice",
            Method::GET,
            "/callback/github?code=a&code=b&state=s",
            None,
        ),
        step(
            "social: callback of an unknown provider",
            Method::GET,
            "/callback/myspace?code=x&state=unknown",
            None,
        ),
        step(
            "social: form_post callback",
            Method::POST,
            "/callback/github?iss=x",
            None,
        )
        .raw(
            "application/x-www-form-urlencoded",
            b"code=c1&state=s1&user=%7B%22a%22%3A1%7D&extra=1",
        ),
        step("social: link-social", Method::POST, "/link-social", Cookie).json(github.clone()),
        step(
            "social: link-social without a session",
            Method::POST,
            "/link-social",
            None,
        )
        .json(github),
        step("social: list-accounts", Method::GET, "/list-accounts", Bearer).capture("credential", "/0/id"),
        step(
            "social: get-access-token by providerId (before 1.7)",
            Method::POST,
            "/get-access-token",
            Bearer,
        )
        .json(json!({"providerId": "github"})),
        step(
            "social: get-access-token of an unknown account",
            Method::POST,
            "/get-access-token",
            Bearer,
        )
        .json(json!({"accountId": "nope"})),
        step(
            "social: get-access-token of the credential account",
            Method::POST,
            "/get-access-token",
            Bearer,
        )
        .json(json!({"accountId": "{credential}"})),
        step(
            "social: get-access-token without a session",
            Method::POST,
            "/get-access-token",
            None,
        )
        .json(json!({"accountId": "nope"})),
        step(
            "social: refresh-token of the credential account",
            Method::POST,
            "/refresh-token",
            Bearer,
        )
        .json(json!({"accountId": "{credential}"})),
        step(
            "social: account-info of the credential account",
            Method::GET,
            "/account-info?accountId={credential}",
            Bearer,
        ),
    ]
}

fn admin_sequence() -> Vec<Step> {
    use Credential::*;
    let user = |name: &str, email: &str| json!({"name": name, "email": email, "password": "correct-horse-battery"});
    let list = |name: &'static str, query: &'static str| step(name, Method::GET, query, Bearer);
    vec![
        step("ADMIN: sign-up Root", Method::POST, "/sign-up/email", None).json(user("Root", "root@example.com")),
        step("ADMIN: sign-up Ada", Method::POST, "/sign-up/email", None)
            .json(user("Ada", "ada@example.com"))
            .by(1)
            .capture("ada", "/user/id"),
        step("ADMIN: sign-up Bob", Method::POST, "/sign-up/email", None)
            .json(user("Bob_100%", "bob@example.com"))
            .by(2),
        step("ADMIN: sign-up Cy", Method::POST, "/sign-up/email", None)
            .json(user("Cy", "cy@test.org"))
            .by(3),
        sql(
            "ADMIN: Root is made an admin",
            r#"update "user" set "role" = 'admin' where "email" = 'root@example.com'"#,
        ),
        list("ADMIN: list-users by a user", "/admin/list-users").by(1),
        step("ADMIN: set-role by a user", Method::POST, "/admin/set-role", Bearer)
            .json(json!({"userId": "{ada}", "role": "admin"}))
            .by(1),
        step("ADMIN: update-user setting a role", Method::POST, "/update-user", Bearer)
            .json(json!({"role": "admin"}))
            .by(1),
        step("ADMIN: sign-up setting a role", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "Eve", "email": "eve@example.com", "password": "correct-horse-battery", "role": "admin"}))
            .by(4),
        step("ADMIN: get-session of the user who asked for a role", Method::GET, "/get-session", Bearer).by(1),
        list("ADMIN: list-users", "/admin/list-users?sortBy=email&sortDirection=asc"),
        list("ADMIN: list-users paged", "/admin/list-users?sortBy=email&limit=2&offset=1"),
        list("ADMIN: list-users eq", "/admin/list-users?sortBy=email&filterField=name&filterOperator=eq&filterValue=Ada"),
        list("ADMIN: list-users ne", "/admin/list-users?sortBy=email&filterField=name&filterOperator=ne&filterValue=Root"),
        list("ADMIN: list-users in", "/admin/list-users?sortBy=email&filterField=name&filterOperator=in&filterValue=Ada%2C%20Cy"),
        list(
            "ADMIN: list-users not_in",
            "/admin/list-users?sortBy=email&filterField=name&filterOperator=not_in&filterValue=Ada%2CRoot",
        ),
        list(
            "ADMIN: list-users contains with LIKE wildcards",
            "/admin/list-users?sortBy=email&filterField=name&filterOperator=contains&filterValue=_100%25",
        ),
        list(
            "ADMIN: list-users contains an underscore",
            "/admin/list-users?sortBy=email&filterField=name&filterOperator=contains&filterValue=_",
        ),
        list(
            "ADMIN: list-users starts_with",
            "/admin/list-users?sortBy=email&filterField=email&filterOperator=starts_with&filterValue=cy",
        ),
        list(
            "ADMIN: list-users ends_with",
            "/admin/list-users?sortBy=email&filterField=email&filterOperator=ends_with&filterValue=.org",
        ),
        list(
            "ADMIN: list-users of a boolean",
            "/admin/list-users?sortBy=email&filterField=emailVerified&filterOperator=eq&filterValue=true",
        ),
        list(
            "ADMIN: list-users of a boolean false",
            "/admin/list-users?sortBy=email&filterField=emailVerified&filterOperator=eq&filterValue=false",
        ),
        list(
            "ADMIN: list-users of a boolean by a value it cannot hold",
            "/admin/list-users?filterField=emailVerified&filterOperator=eq&filterValue=maybe",
        ),
        list(
            "ADMIN: list-users with an unknown operator",
            "/admin/list-users?filterField=name&filterOperator=like&filterValue=Ada",
        ),
        list(
            "ADMIN: list-users searching",
            "/admin/list-users?sortBy=email&searchField=email&searchOperator=contains&searchValue=example",
        ),
        step("ADMIN: set-role", Method::POST, "/admin/set-role", Bearer).json(json!({"userId": "{ada}", "role": "admin"})),
        step("ADMIN: get-session of the new admin", Method::GET, "/get-session", Bearer).by(1),
    ]
}

fn organization_sequence() -> Vec<Step> {
    use Credential::*;
    let user = |name: &str| json!({"name": name, "email": format!("{}@example.com", name.to_lowercase()), "password": "correct-horse-battery"});
    vec![
        step("ORG: sign-up Alice", Method::POST, "/sign-up/email", None).json(user("Alice")),
        step("ORG: sign-up Bob", Method::POST, "/sign-up/email", None)
            .json(user("Bob"))
            .by(1)
            .capture("bob_user", "/user/id"),
        step("ORG: sign-up Carol", Method::POST, "/sign-up/email", None).json(user("Carol")).by(2),
        step("ORG: sign-up Dave", Method::POST, "/sign-up/email", None).json(user("Dave")).by(3),
        step("ORG: create without a session", Method::POST, "/organization/create", None)
            .json(json!({"name": "X", "slug": "x"})),
        step("ORG: create with an empty name", Method::POST, "/organization/create", Bearer)
            .json(json!({"name": "", "slug": "x", "metadata": "nope"})),
        step("ORG: create", Method::POST, "/organization/create", Bearer)
            .json(json!({"name": "Acme", "slug": "acme", "logo": "https://img.example/acme.png", "metadata": {"plan": "pro"}}))
            .capture("org", "/id"),
        step("ORG: create with a taken slug", Method::POST, "/organization/create", Bearer)
            .json(json!({"name": "Acme again", "slug": "acme"})),
        step("ORG: create keeping the active one", Method::POST, "/organization/create", Bearer)
            .json(json!({"name": "Beta", "slug": "beta", "keepCurrentActiveOrganization": true}))
            .capture("beta", "/id"),
        step("ORG: check-slug of a taken slug", Method::POST, "/organization/check-slug", Bearer).json(json!({"slug": "acme"})),
        step("ORG: check-slug of a free slug", Method::POST, "/organization/check-slug", Bearer).json(json!({"slug": "gamma"})),
        step("ORG: get-session after create", Method::GET, "/get-session", Bearer),
        step("ORG: set-active by slug", Method::POST, "/organization/set-active", Cookie).json(json!({"organizationSlug": "beta"})),
        step("ORG: set-active to nothing", Method::POST, "/organization/set-active", Bearer).json(json!({"organizationId": null})),
        step("ORG: get-organization without an active one", Method::GET, "/organization/get-organization", Bearer),
        step("ORG: get-full-organization without an active one", Method::GET, "/organization/get-full-organization", Bearer),
        step("ORG: set-active by id", Method::POST, "/organization/set-active", Bearer).json(json!({"organizationId": "{org}"})),
        step("ORG: set-active to an unknown organization", Method::POST, "/organization/set-active", Bearer)
            .json(json!({"organizationId": "nope"}))
            .by(3),
        step("ORG: get-organization", Method::GET, "/organization/get-organization", Bearer),
        step("ORG: get-organization by slug", Method::GET, "/organization/get-organization?organizationSlug=beta", Bearer),
        step("ORG: get-organization of another's organization", Method::GET, "/organization/get-organization?organizationId={org}", Bearer).by(3),
        step("ORG: list", Method::GET, "/organization/list", Bearer),
        step("ORG: update", Method::POST, "/organization/update", Bearer)
            .json(json!({"data": {"name": "Acme Inc", "metadata": {"plan": "max"}}})),
        step("ORG: update to a taken slug", Method::POST, "/organization/update", Bearer).json(json!({"data": {"slug": "beta"}})),
        step("ORG: update with an empty name", Method::POST, "/organization/update", Bearer).json(json!({"data": {"name": ""}})),
        step("ORG: update by an outsider", Method::POST, "/organization/update", Bearer)
            .json(json!({"data": {"name": "Mine"}, "organizationId": "{org}"}))
            .by(3),
        step("ORG: create-team", Method::POST, "/organization/create-team", Bearer).json(json!({"name": "Core"})).capture("team", "/id"),
        step("ORG: list-teams", Method::GET, "/organization/list-teams", Bearer).capture("default_team", "/0/id"),
        step("ORG: invite Bob as admin", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "Bob@example.com", "role": "admin"}))
            .capture("inv_bob", "/id"),
        step("ORG: invite Carol into a team", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "carol@example.com", "role": ["member"], "teamId": "{team}"}))
            .capture("inv_carol", "/id"),
        step("ORG: invite Bob again", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "bob@example.com", "role": "admin"})),
        step("ORG: invite with an unknown role", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "erin@example.com", "role": "wizard"})),
        step("ORG: invite an invalid address", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "not-an-email", "role": "member"})),
        step("ORG: invite with a bad role type", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "erin@example.com", "role": 5})),
        step("ORG: invite into an unknown team", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "erin@example.com", "role": "member", "teamId": "nope"})),
        step("ORG: resend Bob's invitation", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "bob@example.com", "role": "admin", "resend": true})),
        step("ORG: list-invitations", Method::GET, "/organization/list-invitations", Bearer),
        step("ORG: list-invitations by an outsider", Method::GET, "/organization/list-invitations?organizationId={org}", Bearer).by(3),
        step("ORG: get-invitation by someone else", Method::GET, "/organization/get-invitation?id={inv_bob}", Bearer).by(3),
        step("ORG: get-invitation by its recipient", Method::GET, "/organization/get-invitation?id={inv_bob}", Bearer).by(1),
        step("ORG: list-user-invitations of an unverified user", Method::GET, "/organization/list-user-invitations", Bearer).by(1),
        step("ORG: accept someone else's invitation", Method::POST, "/organization/accept-invitation", Bearer)
            .json(json!({"invitationId": "{inv_bob}"}))
            .by(3),
        step("ORG: accept an invitation", Method::POST, "/organization/accept-invitation", Bearer)
            .json(json!({"invitationId": "{inv_bob}"}))
            .by(1)
            .capture("bob_member", "/member/id"),
        step("ORG: accept it again", Method::POST, "/organization/accept-invitation", Bearer)
            .json(json!({"invitationId": "{inv_bob}"}))
            .by(1),
        step("ORG: accept an invitation with a team", Method::POST, "/organization/accept-invitation", Cookie)
            .json(json!({"invitationId": "{inv_carol}"}))
            .by(2)
            .capture("carol_member", "/member/id"),
        step("ORG: get-session after accepting", Method::GET, "/get-session", Bearer).by(2),
        step("ORG: get-active-member", Method::GET, "/organization/get-active-member", Bearer).by(1),
        step("ORG: get-active-member without an active organization", Method::GET, "/organization/get-active-member", Bearer).by(3),
        step("ORG: get-active-member-role", Method::GET, "/organization/get-active-member-role", Bearer).by(2),
        step("ORG: get-full-organization", Method::GET, "/organization/get-full-organization", Bearer),
        step("ORG: get-full-organization as a member", Method::GET, "/organization/get-full-organization", Bearer).by(2),
        step("ORG: list-members", Method::GET, "/organization/list-members", Bearer),
        step("ORG: list-members paged and sorted", Method::GET, "/organization/list-members?limit=2&offset=1&sortBy=createdAt&sortDirection=desc", Bearer),
        step("ORG: list-members filtered", Method::GET, "/organization/list-members?filterField=role&filterValue=admin", Bearer),
        step("ORG: list-members by an outsider", Method::GET, "/organization/list-members?organizationId={org}", Bearer).by(3),
        step("ORG: has-permission of a member", Method::POST, "/organization/has-permission", Bearer)
            .json(json!({"permissions": {"member": ["create"]}}))
            .by(2),
        step("ORG: has-permission of an admin", Method::POST, "/organization/has-permission", Bearer)
            .json(json!({"permission": {"member": ["create"]}}))
            .by(1),
        step("ORG: has-permission of an outsider", Method::POST, "/organization/has-permission", Bearer)
            .json(json!({"permissions": {"member": ["create"]}, "organizationId": "{org}"}))
            .by(3),
        step("ORG: has-permission with both keys", Method::POST, "/organization/has-permission", Bearer)
            .json(json!({"permissions": {"member": ["create"]}, "permission": {"member": ["create"]}})),
        step("ORG: has-permission with neither key", Method::POST, "/organization/has-permission", Bearer).json(json!({})),
        step("ORG: an admin promotes a member", Method::POST, "/organization/update-member-role", Bearer)
            .json(json!({"memberId": "{carol_member}", "role": "admin"}))
            .by(1),
        step("ORG: an admin grants the owner role", Method::POST, "/organization/update-member-role", Bearer)
            .json(json!({"memberId": "{carol_member}", "role": "owner"}))
            .by(1),
        step("ORG: the owner grants several roles", Method::POST, "/organization/update-member-role", Bearer)
            .json(json!({"memberId": "{bob_member}", "role": ["admin", "auditor"]})),
        step("ORG: update-member-role with an unknown role", Method::POST, "/organization/update-member-role", Bearer)
            .json(json!({"memberId": "{bob_member}", "role": "wizard"})),
        step("ORG: update-member-role of an unknown member", Method::POST, "/organization/update-member-role", Bearer)
            .json(json!({"memberId": "nope", "role": "member"})),
        step("ORG: remove the owner as an admin", Method::POST, "/organization/remove-member", Bearer)
            .json(json!({"memberIdOrEmail": "alice@example.com"}))
            .by(2),
        step("ORG: remove an unknown member", Method::POST, "/organization/remove-member", Bearer)
            .json(json!({"memberIdOrEmail": "nobody@example.com"})),
        step("ORG: set-active-team to a team one is not in", Method::POST, "/organization/set-active-team", Bearer)
            .json(json!({"teamId": "{team}"})),
        step("ORG: set-active-team", Method::POST, "/organization/set-active-team", Cookie).json(json!({"teamId": "{default_team}"})),
        step("ORG: list-user-teams", Method::GET, "/organization/list-user-teams", Bearer),
        step("ORG: list-team-members", Method::GET, "/organization/list-team-members", Bearer),
        step("ORG: add-team-member", Method::POST, "/organization/add-team-member", Bearer)
            .json(json!({"teamId": "{team}", "userId": "{bob_user}"})),
        step("ORG: update-team", Method::POST, "/organization/update-team", Bearer)
            .json(json!({"teamId": "{team}", "data": {"name": "Core Team"}})),
        step("ORG: remove-team-member", Method::POST, "/organization/remove-team-member", Bearer)
            .json(json!({"teamId": "{team}", "userId": "{bob_user}"})),
        step("ORG: remove the active team", Method::POST, "/organization/remove-team", Bearer).json(json!({"teamId": "{default_team}"})),
        step("ORG: remove-team", Method::POST, "/organization/remove-team", Bearer).json(json!({"teamId": "{team}"})),
        step("ORG: create-role", Method::POST, "/organization/create-role", Bearer)
            .json(json!({"role": "Designer", "permission": {"member": ["create"]}})),
        step("ORG: create-role with an unknown resource", Method::POST, "/organization/create-role", Bearer)
            .json(json!({"role": "x", "permission": {"spaceship": ["fly"]}})),
        step("ORG: create-role with a predefined name", Method::POST, "/organization/create-role", Bearer)
            .json(json!({"role": "Admin", "permission": {"member": ["create"]}})),
        step("ORG: create-role granting more than one holds", Method::POST, "/organization/create-role", Bearer)
            .json(json!({"role": "boss", "permission": {"organization": ["delete"]}}))
            .by(1),
        step("ORG: list-roles", Method::GET, "/organization/list-roles", Bearer),
        step("ORG: get-role", Method::GET, "/organization/get-role?roleName=designer", Bearer),
        step("ORG: update-role", Method::POST, "/organization/update-role", Bearer)
            .json(json!({"roleName": "designer", "data": {"permission": {"member": ["create", "update"]}}})),
        step("ORG: update-role without a role", Method::POST, "/organization/update-role", Bearer)
            .json(json!({"data": {"roleName": "x"}})),
        step("ORG: delete a predefined role", Method::POST, "/organization/delete-role", Bearer).json(json!({"roleName": "owner"})),
        step("ORG: delete-role", Method::POST, "/organization/delete-role", Bearer).json(json!({"roleName": "designer"})),
        step("ORG: invite Dave", Method::POST, "/organization/invite-member", Bearer)
            .json(json!({"email": "dave@example.com", "role": "member"}))
            .capture("inv_dave", "/id"),
        step("ORG: cancel-invitation by a non-member", Method::POST, "/organization/cancel-invitation", Bearer)
            .json(json!({"invitationId": "{inv_dave}"}))
            .by(3),
        step("ORG: cancel-invitation", Method::POST, "/organization/cancel-invitation", Bearer).json(json!({"invitationId": "{inv_dave}"})),
        step("ORG: reject a canceled invitation", Method::POST, "/organization/reject-invitation", Bearer)
            .json(json!({"invitationId": "{inv_dave}"}))
            .by(3),
        step("ORG: remove a member by email", Method::POST, "/organization/remove-member", Bearer)
            .json(json!({"memberIdOrEmail": "carol@example.com"})),
        step("ORG: leave", Method::POST, "/organization/leave", Bearer).json(json!({"organizationId": "{org}"})).by(1),
        step("ORG: leave as the only owner", Method::POST, "/organization/leave", Bearer).json(json!({"organizationId": "{org}"})),
        step("ORG: delete by a non-member", Method::POST, "/organization/delete", Bearer).json(json!({"organizationId": "{org}"})).by(1),
        step("ORG: delete", Method::POST, "/organization/delete", Bearer).json(json!({"organizationId": "{org}"})),
        step("ORG: get-session after delete", Method::GET, "/get-session", Bearer),
    ]
}

/// One server's state through the sequence.
struct Session {
    base: String,
    origin: String,
    cookies: BTreeMap<String, String>,
    signed: Option<String>,
    unsigned: Option<String>,
    http: reqwest::Client,
    /// Where the server writes its emails (for two-factor codes).
    outbox: std::path::PathBuf,
    /// The last `totpURI` the server returned.
    totp_uri: Option<String>,
    /// The last backup codes the server returned.
    backup_codes: Vec<String>,
}

/// An answer, masked for comparison.
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    /// The masked JSON body, or a marker for an empty or non-JSON one.
    body: Value,
    /// `{code, message}` of an error body.
    code: Option<Value>,
    cookies: BTreeSet<String>,
    headers: BTreeMap<String, Option<String>>,
}

/// Masks, in one answer, the values that must differ between two servers (see the
/// module's documentation for the rules).
struct Masker<'a> {
    origin: &'a str,
    vars: &'a BTreeMap<String, String>,
    sent_at: DateTime<Utc>,
    /// Generated ids seen in this answer, numbered in order of appearance.
    ids: BTreeMap<String, usize>,
}

impl Masker<'_> {
    fn value(&mut self, key: Option<&str>, value: &Value) -> Value {
        match value {
            Value::String(text) => Value::String(self.string(key, text)),
            // How long a rate-limited caller waits: milliseconds that depend on when the
            // request came.
            Value::Number(_) if key == Some("tryAgainIn") => Value::String("<milliseconds>".to_owned()),
            Value::Array(items) => Value::Array(items.iter().map(|item| self.value(key, item)).collect()),
            Value::Object(map) => {
                // Sorted, so ids are numbered in the same order whatever each server's key order.
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                let mut masked = serde_json::Map::new();
                for name in keys {
                    masked.insert(name.clone(), self.value(Some(name), &map[name]));
                }
                Value::Object(masked)
            }
            other => other.clone(),
        }
    }

    fn string(&mut self, key: Option<&str>, text: &str) -> String {
        if let Some((name, _)) = self.vars.iter().find(|(_, value)| value.as_str() == text) {
            return format!("{{{name}}}");
        }
        if key == Some("backupCodes") && is_backup_code(text) {
            return "<backup-code>".to_owned();
        }
        if key == Some("start")
            && let Some((name, _)) = self.vars.iter().find(|(_, value)| value.starts_with(text))
        {
            return format!("<start of {{{name}}}>");
        }
        if matches!(key, Some("x" | "y" | "n")) && is_base64url(text) && text.len() >= 20 {
            return "<key-material>".to_owned();
        }
        if text.split('.').count() == 3 && text.split('.').all(is_base64url) {
            return masked_jwt(text);
        }
        if is_generated_id(text) {
            let next = self.ids.len() + 1;
            let number = *self.ids.entry(text.to_owned()).or_insert(next);
            return format!("<id:{number}>");
        }
        if let Some((local, domain)) = text.split_once('@') {
            let (prefix, id) = local.strip_prefix("temp-").map_or(("", local), |id| ("temp-", id));
            if is_generated_id(id) {
                return format!("{prefix}<generated>@{domain}");
            }
        }
        if let Ok(time) = DateTime::parse_from_rfc3339(text) {
            let seconds = (time.with_timezone(&Utc) - self.sent_at).num_seconds();
            return format!("<time:{seconds:+}s>");
        }
        self.url(text)
    }

    /// The origin as `{origin}`, and generated query parameter values masked.
    fn url(&self, text: &str) -> String {
        let encoded: String = url::form_urlencoded::byte_serialize(self.origin.as_bytes()).collect();
        let text = text.replace(self.origin, "{origin}").replace(&encoded, "{origin}");
        let Some((head, query)) = text.split_once('?') else {
            return text;
        };
        let (query, fragment) = query.split_once('#').map_or((query, None), |(q, f)| (q, Some(f)));
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if MASKED_QUERY_PARAMETERS.contains(&name) => format!("{name}=<{name}>"),
                _ => pair.to_owned(),
            })
            .collect();
        let mut masked = format!("{head}?{}", pairs.join("&"));
        if let Some(fragment) = fragment {
            masked.push('#');
            masked.push_str(fragment);
        }
        masked
    }
}

/// better-auth's generated ids and session tokens: letters and digits only, 20 to 64.
fn is_generated_id(text: &str) -> bool {
    (20..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Unpadded base64url text.
fn is_base64url(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A compact JWS as its algorithm and claim names (values differ between servers):
/// `<jwt alg=EdDSA claims=aud,email,…>`.
fn masked_jwt(token: &str) -> String {
    let part = |index: usize| -> Value {
        token
            .split('.')
            .nth(index)
            .and_then(keyward_server::crypto::decode_base64_any)
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or(Value::Null)
    };
    let (header, claims) = (part(0), part(1));
    let mut names: Vec<&String> = claims
        .as_object()
        .map(|claims| claims.keys().collect())
        .unwrap_or_default();
    names.sort();
    let names: Vec<&str> = names.iter().map(|name| name.as_str()).collect();
    format!(
        "<jwt alg={} claims={}>",
        header["alg"].as_str().unwrap_or("?"),
        names.join(",")
    )
}

/// A backup code: `xxxxx-xxxxx`, letters and digits.
fn is_backup_code(text: &str) -> bool {
    text.len() == 11
        && text
            .bytes()
            .enumerate()
            .all(|(i, b)| if i == 5 { b == b'-' } else { b.is_ascii_alphanumeric() })
}

/// A masked time's offset in seconds (`<time:+60s>`).
fn masked_time(text: &str) -> Option<i64> {
    text.strip_prefix("<time:")?.strip_suffix("s>")?.parse().ok()
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The JSON pointers at which two masked bodies differ: a missing key, an array of
/// another length, another value (times within the tolerance are the same).
fn body_differences(ours: &Value, theirs: &Value, pointer: &str, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let path = format!("{pointer}/{}", escape_pointer(key));
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => body_differences(x, y, &path, out),
                    _ => out.push(path),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                body_differences(x, y, &format!("{pointer}/{index}"), out);
            }
        }
        (Value::String(a), Value::String(b)) => match (masked_time(a), masked_time(b)) {
            (Some(x), Some(y)) if (x - y).abs() <= TIME_TOLERANCE_SECONDS => {}
            _ if a == b => {}
            _ => out.push(pointer.to_owned()),
        },
        _ if ours == theirs => {}
        _ => out.push(pointer.to_owned()),
    }
}

impl Session {
    fn new(url: &url::Url, outbox: &std::path::Path) -> Self {
        let origin = url.origin().ascii_serialization();
        Session {
            base: format!("{origin}/api/auth"),
            origin,
            cookies: BTreeMap::new(),
            signed: None,
            unsigned: None,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            outbox: outbox.to_owned(),
            totp_uri: None,
            backup_codes: Vec::new(),
        }
    }

    /// The body with this server's codes filled in: `{totp}` (the current code),
    /// `{wrong-totp}`, `{backup}` (the first backup code), `{otp}` (the last emailed
    /// code), `{email-otp}` (the newest email-OTP code) and `{wrong-email-otp}` (that code
    /// with its last digit changed), `{sms}` and `{sms-reset}` (the last texted
    /// verification and reset codes) and `{wrong-sms}`, `{wrong-sms-reset}` (codes that
    /// are not those).
    async fn fill_codes(&self, body: &[u8]) -> Vec<u8> {
        const PLACEHOLDERS: [&str; 7] = [
            "{totp}",
            "{wrong-totp}",
            "{backup}",
            "{otp}",
            "{email-otp}",
            "{wrong-email-otp}",
            "sms",
        ];
        let Ok(text) = std::str::from_utf8(body) else {
            return body.to_vec();
        };
        if !PLACEHOLDERS.iter().any(|p| text.contains(p)) {
            return body.to_vec();
        }
        let mut text = text.to_owned();
        if let Some(uri) = &self.totp_uri {
            text = text.replace("{totp}", &code_from_uri(uri));
            text = text.replace("{wrong-totp}", &wrong_code_for(uri));
        }
        if let Some(code) = self.backup_codes.first() {
            text = text.replace("{backup}", code);
        }
        if text.contains("email-otp}") {
            let code = keyward_tests::read_outbox(&self.outbox)
                .into_iter()
                .rev()
                .find(|email| email["kind"] == "email-otp")
                .and_then(|email| email["token"].as_str().map(str::to_owned))
                .expect("an email code was sent");
            let mut wrong = code.clone();
            let last = wrong.pop().map_or('0', |digit| if digit == '0' { '1' } else { '0' });
            wrong.push(last);
            text = text.replace("{wrong-email-otp}", &wrong);
            text = text.replace("{email-otp}", &code);
        }
        if text.contains("{otp}") {
            let email = keyward_tests::wait_for_email(&self.outbox, "two-factor-otp", "ada@example.com").await;
            text = text.replace("{otp}", email["token"].as_str().unwrap_or_default());
        }
        for (kind, code, wrong) in [
            ("phone-number-otp", "{sms}", "{wrong-sms}"),
            ("phone-number-reset", "{sms-reset}", "{wrong-sms-reset}"),
        ] {
            if !text.contains(code) && !text.contains(wrong) {
                continue;
            }
            let texted = keyward_tests::read_outbox(&self.outbox)
                .into_iter()
                .rev()
                .find(|sms| sms["kind"] == kind)
                .and_then(|sms| sms["token"].as_str().map(str::to_owned))
                .expect("a code was texted");
            let other = if texted.starts_with('0') { "1" } else { "0" }.repeat(texted.len());
            text = text.replace(wrong, &other).replace(code, &texted);
        }
        text.into_bytes()
    }

    /// The session cookie with one character of its signature changed.
    fn tampered_cookies(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| {
                if name != "better-auth.session_token" {
                    return format!("{name}={value}");
                }
                let mut chars: Vec<char> = value.chars().collect();
                let at = chars.len().saturating_sub(6);
                if let Some(c) = chars.get_mut(at) {
                    *c = if *c == 'A' { 'B' } else { 'A' };
                }
                format!("{name}={}", chars.into_iter().collect::<String>())
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The path with `{magic-link}` replaced by the token of the newest magic link this
    /// server sent.
    fn fill_links(&self, path: String) -> String {
        if !path.contains("{magic-link}") {
            return path;
        }
        let token = keyward_tests::read_outbox(&self.outbox)
            .into_iter()
            .rev()
            .find(|email| email["kind"] == "magic-link")
            .and_then(|email| email["token"].as_str().map(str::to_owned))
            .expect("a magic link was sent");
        path.replace("{magic-link}", &token)
    }

    async fn send(&mut self, step: &Step, vars: &mut BTreeMap<String, String>) -> Answer {
        let path = self.fill_links(fill_vars(step.path, vars));
        let mut request = self.http.request(step.method.clone(), format!("{}{}", self.base, path));
        let cookie = self
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        match step.credential {
            Credential::None => {}
            Credential::Cookie => request = request.header("cookie", &cookie).header("origin", &self.origin),
            Credential::CookieWithoutOrigin => request = request.header("cookie", &cookie),
            Credential::CookieFromEvil => {
                request = request
                    .header("cookie", &cookie)
                    .header("origin", "https://evil.example")
            }
            Credential::CookieTampered => {
                request = request
                    .header("cookie", self.tampered_cookies())
                    .header("origin", &self.origin)
            }
            Credential::Bearer => request = request.bearer_auth(self.signed.clone().unwrap_or_default()),
            Credential::BearerUnsigned => request = request.bearer_auth(self.unsigned.clone().unwrap_or_default()),
            Credential::BearerGarbage => request = request.bearer_auth("0123456789abcdef0123456789abcdef"),
        }
        if let Some(content_type) = step.content_type {
            request = request.header("content-type", content_type);
        }
        for (name, value) in &step.headers {
            request = request.header(*name, fill_vars(value, vars));
        }
        if let Some(body) = &step.body {
            let body = match std::str::from_utf8(body) {
                Ok(text) if text.contains('{') => fill_vars(text, vars).into_bytes(),
                _ => body.clone(),
            };
            request = request.body(self.fill_codes(&body).await);
        }
        let sent_at = Utc::now();
        let response = request.send().await.expect("server answers");
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap_or("").to_owned())
        };
        let mut headers = BTreeMap::new();
        for name in ["content-type", "cache-control", "pragma", "x-retry-after"] {
            headers.insert(name.to_owned(), header(name));
        }
        let auth_token = header("set-auth-token");
        headers.insert(
            "set-auth-token".into(),
            auth_token.as_ref().map(|_| "<token>".to_owned()),
        );
        headers.insert(
            "set-auth-jwt".into(),
            header("set-auth-jwt").map(|jwt| masked_jwt(&jwt)),
        );
        let expose = header("access-control-expose-headers").map(|v| {
            let mut names: Vec<String> = v.split(',').map(|s| s.trim().to_ascii_lowercase()).collect();
            names.sort();
            names.join(", ")
        });
        headers.insert("access-control-expose-headers".into(), expose);
        let location = header("location");
        let mut cookies = BTreeSet::new();
        for line in response.headers().get_all("set-cookie") {
            let line = line.to_str().unwrap_or("").to_owned();
            let (pair, attributes) = line.split_once("; ").unwrap_or((&line, ""));
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            // A multi-session cookie is named by its session's token: masked.
            let shown = match name.split_once(keyward_client::wire::MULTI_SESSION_MARKER) {
                Some((head, _)) => format!("{head}{}<token>", keyward_client::wire::MULTI_SESSION_MARKER),
                None => name.to_owned(),
            };
            cookies.insert(format!(
                "{shown} [{}] {attributes}",
                if value.is_empty() { "empty" } else { "value" }
            ));
            // A forged cookie came from elsewhere: what the answer sets is not this
            // browser's to keep.
            let forged = step.credential == Credential::CookieTampered;
            if forged {
                continue;
            }
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        if let Some(token) = auth_token {
            self.signed = Some(token);
        }
        let is_html = headers
            .get("content-type")
            .and_then(Option::as_deref)
            .is_some_and(|kind| kind.starts_with("text/html"));
        let bytes = response.bytes().await.expect("body");
        let parsed = if bytes.is_empty() {
            None
        } else {
            serde_json::from_slice::<Value>(&bytes).ok()
        };
        if let Some(value) = &parsed {
            if let Some(token) = value.get("token").and_then(Value::as_str) {
                self.unsigned = Some(token.to_owned());
            }
            if let Some(uri) = value.get("totpURI").and_then(Value::as_str) {
                self.totp_uri = Some(uri.to_owned());
            }
            if let Some(codes) = value.get("backupCodes").and_then(Value::as_array) {
                self.backup_codes = codes.iter().filter_map(Value::as_str).map(str::to_owned).collect();
            }
            for (name, pointer) in &step.captures {
                if let Some(found) = value.pointer(pointer).and_then(Value::as_str) {
                    vars.insert((*name).to_owned(), found.to_owned());
                }
            }
        }
        let mut masker = Masker {
            origin: &self.origin,
            vars,
            sent_at,
            ids: BTreeMap::new(),
        };
        headers.insert("location".into(), location.map(|l| masker.url(&l)));
        let (body, code) = match parsed {
            Some(value) => {
                let masked = masker.value(None, &value);
                let code = masked
                    .get("code")
                    .map(|code| json!({"code": code, "message": masked.get("message")}));
                (masked, code)
            }
            None if bytes.is_empty() => (Value::String("<empty>".into()), None),
            None if is_html => (Value::String(format!("<html> {}", visible_text(&bytes))), None),
            None => (Value::String("<not JSON>".into()), None),
        };
        Answer {
            status,
            body,
            code,
            cookies,
            headers,
        }
    }
}

/// What a person reads on an HTML page: the text outside tags, `<style>`, `<script>` and
/// comments, with runs of white space made one space (two servers' pages may differ in
/// markup and styling, not in what they say).
fn visible_text(html: &[u8]) -> String {
    let html = String::from_utf8_lossy(html);
    let mut text = String::new();
    let mut rest = html.as_ref();
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        text.push(' ');
        let tag = &rest[start..];
        let skip_to = [("<!--", "-->"), ("<style", "</style>"), ("<script", "</script>")]
            .iter()
            .find(|(open, _)| tag.starts_with(open))
            .map_or(">", |(_, close)| close);
        rest = match tag.find(skip_to) {
            Some(end) => &tag[end + skip_to.len()..],
            None => "",
        };
    }
    text.push_str(rest);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn differing_aspects(keyward: &Answer, better_auth: &Answer) -> Vec<String> {
    let mut aspects = Vec::new();
    if keyward.status != better_auth.status {
        aspects.push("status".to_owned());
    }
    let mut pointers = Vec::new();
    body_differences(&keyward.body, &better_auth.body, "", &mut pointers);
    aspects.extend(pointers.into_iter().map(|pointer| format!("body:{pointer}")));
    if keyward.code != better_auth.code {
        aspects.push("code".to_owned());
    }
    if keyward.cookies != better_auth.cookies {
        aspects.push("cookies".to_owned());
    }
    for (name, value) in &better_auth.headers {
        if keyward.headers.get(name) != Some(value) {
            aspects.push(format!("header:{name}"));
        }
    }
    aspects
}

/// One allow-list entry.
struct Allowed {
    step: String,
    aspect: String,
}

impl Allowed {
    /// Whether this entry covers a differing `aspect` of `step` (an entry `body` covers
    /// every `body:<pointer>`).
    fn covers(&self, step: &str, aspect: &str) -> bool {
        self.step == step && (self.aspect == aspect || (self.aspect == "body" && aspect.starts_with("body:")))
    }
}

/// The allow-list, each entry checked for a reason and a known aspect.
fn allowed_differences() -> Vec<Allowed> {
    let allowed: Value = serde_json::from_str(
        &std::fs::read_to_string(interop_dir().join("differences.json")).expect("differences.json is readable"),
    )
    .expect("differences.json is JSON");
    allowed["differences"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|entry| {
            assert!(
                entry["reason"].as_str().is_some_and(|r| r.len() > 20),
                "every difference needs a reason: {entry}"
            );
            let aspect = entry["aspect"].as_str().expect("aspect").to_owned();
            let known = ASPECTS.contains(&aspect.as_str())
                || aspect
                    .strip_prefix("body:")
                    .is_some_and(|p| p.is_empty() || p.starts_with('/'))
                || aspect.strip_prefix("header:").is_some_and(|h| HEADERS.contains(&h));
            assert!(known, "not an aspect the check compares: {entry}");
            Allowed {
                step: entry["step"].as_str().expect("step").to_owned(),
                aspect,
            }
        })
        .collect()
}

/// Sends `steps` to both servers and fails on differences the allow-list does not name,
/// and on allow-list entries for these steps that no longer differ.
async fn run_both(steps: Vec<Step>, keyward: &TestServer, better_auth: &BetterAuthServer) {
    let allowed = allowed_differences();
    let actors = steps.iter().map(|s| s.actor).max().unwrap_or(0) + 1;
    let mut ours: Vec<Session> = (0..actors)
        .map(|_| Session::new(&keyward.url, &keyward.outbox))
        .collect();
    let mut theirs: Vec<Session> = (0..actors)
        .map(|_| Session::new(&better_auth.url, &better_auth.outbox))
        .collect();
    let mut our_vars = BTreeMap::from([("origin".to_owned(), ours[0].origin.clone())]);
    let mut their_vars = BTreeMap::from([("origin".to_owned(), theirs[0].origin.clone())]);
    let names: BTreeSet<String> = steps.iter().map(|s| s.name.to_owned()).collect();
    assert_eq!(names.len(), steps.len(), "step names are unique");
    let mut databases: Option<(Db, Db)> = None;
    let mut unexpected = Vec::new();
    let mut used = BTreeSet::new();
    for step in steps {
        if let Some(statement) = step.sql {
            if databases.is_none() {
                let theirs = better_auth.database_url().expect("better-auth on SQL storage");
                databases = Some((
                    keyward.auth.db().clone(),
                    Db::connect(&theirs).await.expect("opens better-auth's database"),
                ));
            }
            let (our_db, their_db) = databases.as_mut().expect("connected");
            our_db
                .execute(statement, vec![])
                .await
                .expect("runs on Keyward's database");
            their_db
                .execute(statement, vec![])
                .await
                .expect("runs on better-auth's database");
            continue;
        }
        let our_answer = ours[step.actor].send(&step, &mut our_vars).await;
        let their_answer = theirs[step.actor].send(&step, &mut their_vars).await;
        if std::env::var_os("KEYWARD_DIFF_TRACE").is_some() {
            eprintln!(
                "{} -> {} / {}\n  keyward:     {}\n  better-auth: {}",
                step.name, our_answer.status, their_answer.status, our_answer.body, their_answer.body
            );
        }
        let aspects = differing_aspects(&our_answer, &their_answer);
        let mut step_unexpected = Vec::new();
        for aspect in &aspects {
            match allowed.iter().position(|entry| entry.covers(step.name, aspect)) {
                Some(index) => {
                    used.insert(index);
                }
                None => step_unexpected.push(aspect.clone()),
            }
        }
        write_differential(step.name, aspects.is_empty(), step_unexpected.is_empty());
        if !step_unexpected.is_empty() {
            unexpected.push(format!(
                "{}: {step_unexpected:?}\n  keyward:     {our_answer:?}\n  better-auth: {their_answer:?}",
                step.name
            ));
        }
    }
    if let Some((_, their_db)) = databases {
        their_db.close().await;
    }
    let stale: Vec<String> = allowed
        .iter()
        .enumerate()
        .filter(|(index, entry)| names.contains(&entry.step) && !used.contains(index))
        .map(|(_, entry)| format!("{} / {}", entry.step, entry.aspect))
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected differences:\n{}",
        unexpected.join("\n")
    );
    assert!(
        stale.is_empty(),
        "differences.json lists differences that no longer exist: {stale:?}"
    );
}

/// Every allow-list entry names a step of some sequence (so none outlives a renamed or
/// removed step unnoticed) and an aspect the check compares.
#[test]
fn every_listed_difference_names_a_step() {
    let all: Vec<Step> = [
        sequence(),
        two_factor_sequence(),
        organization_sequence(),
        admin_sequence(),
        social_sequence(),
        one_time_token::sequence(),
        device_authorization::sequence(),
        magic_link::sequence(),
        username::sequence(),
        email_otp::sequence(),
        email_otp::change_sequence(),
        phone_number::sequence(),
        anonymous::sequence(),
        multi_session::sequence(),
        api_key::sequence(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let steps: BTreeSet<&str> = all.iter().map(|step| step.name).collect();
    let orphans: Vec<String> = allowed_differences()
        .into_iter()
        .filter(|entry| !steps.contains(entry.step.as_str()))
        .map(|entry| format!("{} / {}", entry.step, entry.aspect))
        .collect();
    assert!(
        orphans.is_empty(),
        "differences.json names steps no sequence has: {orphans:?}"
    );
}

#[tokio::test]
async fn the_same_requests_get_the_same_answers() {
    let keyward = TestServer::start().await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &[], &[]).await;
    run_both(sequence(), &keyward, &better_auth).await;
}

#[tokio::test]
async fn the_organization_plugin_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, keyward_tests::organization_like_the_peer).await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["organization"], &[]).await;
    run_both(organization_sequence(), &keyward, &better_auth).await;
}

#[tokio::test]
async fn the_two_factor_plugin_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.two_factor = Some(keyward_server::config::TwoFactorConfig::default())
    })
    .await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["two-factor"], &[]).await;
    run_both(two_factor_sequence(), &keyward, &better_auth).await;
}

#[tokio::test]
async fn the_admin_plugin_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.admin = Some(keyward_server::config::AdminConfig::default())
    })
    .await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["admin"], &[]).await;
    run_both(admin_sequence(), &keyward, &better_auth).await;
}

#[tokio::test]
async fn social_sign_in_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config
            .social_providers
            .push(keyward_server::social::SocialProvider::github(
                "keyward-interop",
                "keyward-interop-secret",
            ))
    })
    .await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &[], &[]).await;
    run_both(social_sequence(), &keyward, &better_auth).await;
}
