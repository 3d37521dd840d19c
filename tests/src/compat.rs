//! Records which flows passed in which direction, for the README's compatibility table.
//!
//! Each test holds a [`Record`]; when it ends, one JSON line
//! `{"flow", "direction", "passed"}` is appended to the file named by
//! `KEYWARD_COMPAT_RESULTS` (when set); the differential check adds `"alike"` to each of
//! its steps' lines. `compat-report` turns the lines into the table.

use std::io::Write;

/// The columns of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// The Rust client against the real better-auth.
    RustClientAgainstBetterAuth,
    /// better-auth's JS client against Keyward.
    JsClientAgainstKeyward,
    /// A database shared between the two servers.
    SameDatabase,
    /// The same requests to both servers, answers compared.
    Differential,
}

impl Direction {
    /// The name used in the results file.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::RustClientAgainstBetterAuth => "A",
            Direction::JsClientAgainstKeyward => "B",
            Direction::SameDatabase => "same-db",
            Direction::Differential => "diff",
        }
    }
}

/// Writes its line when dropped: passed unless the test is panicking.
pub struct Record {
    flow: String,
    direction: Direction,
}

/// Starts recording `flow` for `direction`.
pub fn record(flow: &str, direction: Direction) -> Record {
    Record {
        flow: flow.to_owned(),
        direction,
    }
}

impl Drop for Record {
    fn drop(&mut self) {
        write(&self.flow, self.direction, !std::thread::panicking());
    }
}

/// Appends one result line (when `KEYWARD_COMPAT_RESULTS` is set).
pub fn write(flow: &str, direction: Direction, passed: bool) {
    append(serde_json::json!({"flow": flow, "direction": direction.as_str(), "passed": passed}));
}

fn append(line: serde_json::Value) {
    let Ok(path) = std::env::var("KEYWARD_COMPAT_RESULTS") else {
        return;
    };
    // One `write` call per line: tests run in parallel threads and processes, and an
    // append of a whole small line is not interleaved with another.
    let text = format!("{line}\n");
    if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = file.write_all(text.as_bytes());
    }
}

/// Appends the differential check's line for one request step: `alike` when both servers
/// answered the same, `passed` when any difference is one `differences.json` allows.
pub fn write_differential(step: &str, alike: bool, passed: bool) {
    append(serde_json::json!({
        "flow": step,
        "direction": Direction::Differential.as_str(),
        "passed": passed,
        "alike": alike,
    }));
}

/// Records direction-A results for `flows` when the scenario runs against better-auth.
pub fn against_better_auth(kind: crate::PeerKind, flows: &[&str]) -> Vec<Record> {
    if kind != crate::PeerKind::BetterAuth {
        return Vec::new();
    }
    flows
        .iter()
        .map(|flow| record(flow, Direction::RustClientAgainstBetterAuth))
        .collect()
}

/// Starts recording `rows` and the storage row of `database` (SQLite or PostgreSQL) for
/// the same-database direction.
pub fn on_same_database(database: crate::Database, rows: &[&str]) -> Vec<Record> {
    let storage = match database {
        crate::Database::Sqlite => flows::SQLITE,
        crate::Database::Postgres => flows::POSTGRES,
    };
    rows.iter()
        .chain([&storage])
        .map(|row| record(row, Direction::SameDatabase))
        .collect()
}

/// The rows of the compatibility table. Every direction records against these names
/// (the JS suite uses the same strings), so one row shows all three directions.
pub mod flows {
    /// `POST /sign-up/email`.
    pub const SIGN_UP: &str = "Sign-up with email and password";
    /// `POST /sign-in/email`, `POST /sign-out`.
    pub const SIGN_IN: &str = "Sign-in with email and password, sign-out";
    /// Status, `code` and message of error answers.
    pub const ERRORS: &str = "Error answers (status, code, message)";
    /// `Authorization: Bearer`, `set-auth-token`.
    pub const BEARER: &str = "Bearer sessions (set-auth-token)";
    /// Cookie jar plus `Origin`, and the CSRF rules.
    pub const COOKIES: &str = "Cookie sessions and Origin/CSRF rules";
    /// `GET /get-session` and its flags and refresh rules.
    pub const GET_SESSION: &str = "Get-session (flags, refresh, needsRefresh)";
    /// `/list-sessions`, `/revoke-session(s)`, `/revoke-other-sessions`.
    pub const SESSIONS: &str = "List and revoke sessions";
    /// `/update-session`.
    pub const UPDATE_SESSION: &str = "Update-session (additional fields)";
    /// `/update-user`.
    pub const UPDATE_USER: &str = "Update-user";
    /// `/change-email` and its verification link.
    pub const CHANGE_EMAIL: &str = "Change-email";
    /// `/change-password`, `/verify-password`.
    pub const PASSWORDS: &str = "Change-password and verify-password";
    /// `/delete-user`, `/delete-user/callback`.
    pub const DELETE_USER: &str = "Delete-user (password, emailed confirmation)";
    /// `/send-verification-email`, `/verify-email`.
    pub const VERIFY_EMAIL: &str = "Email verification";
    /// `/request-password-reset`, `/reset-password/:token`, `/reset-password`.
    pub const RESET_PASSWORD: &str = "Password reset";
    /// `/list-accounts`, `/unlink-account`, `/account-info`.
    pub const ACCOUNTS: &str = "Accounts (list, unlink, info)";
    /// The rate limiter.
    pub const RATE_LIMIT: &str = "Rate limiting (429, X-Retry-After)";
    /// `POST /sign-in/social`.
    pub const SOCIAL: &str = "Social sign-in (provider URL)";
    /// `/sign-in/social` and `/callback/{id}` with an OpenID Connect provider, through to a
    /// session, and the provider tokens of the account.
    pub const SOCIAL_PROVIDER: &str = "Social sign-in with an OpenID Connect provider (callback, tokens)";
    /// `/two-factor/enable`, `/two-factor/verify-totp`, `/two-factor/get-totp-uri`, and
    /// the challenge an email sign-in becomes.
    pub const TWO_FACTOR_TOTP: &str = "Two-factor: TOTP enrolment and sign-in challenge";
    /// `/two-factor/verify-backup-code`, `/two-factor/generate-backup-codes`.
    pub const TWO_FACTOR_BACKUP: &str = "Two-factor: backup codes";
    /// `/two-factor/send-otp`, `/two-factor/verify-otp`.
    pub const TWO_FACTOR_OTP: &str = "Two-factor: emailed codes (OTP)";
    /// `trustDevice` and the `trust_device` cookie.
    pub const TWO_FACTOR_TRUST: &str = "Two-factor: trusted devices";
    /// `/two-factor/disable`, wrong codes, attempt limits.
    pub const TWO_FACTOR_MANAGE: &str = "Two-factor: disable, wrong codes, limits";
    /// `/organization/create`, `update`, `delete`, `set-active`, `list`, `get-*`.
    pub const ORG_CRUD: &str = "Organization: create, update, delete, set-active, list";
    /// `/organization/invite-member`, `accept-`, `reject-`, `cancel-invitation`, …
    pub const ORG_INVITATIONS: &str = "Organization: invitations (accept, reject, cancel, expiry)";
    /// Members, roles and what each role may do.
    pub const ORG_MEMBERS: &str = "Organization: members, roles and permissions";
    /// Teams.
    pub const ORG_TEAMS: &str = "Organization: teams";
    /// Dynamic access control.
    pub const ORG_DYNAMIC_ROLES: &str = "Organization: dynamic roles";
    /// The client's organization stores.
    pub const ORG_STORES: &str = "Organization: reactive stores (active organization, list, member)";
    /// `/passkey/generate-register-options`, `/passkey/verify-registration`.
    pub const PASSKEY_REGISTER: &str = "Passkey: registration (software authenticator)";
    /// `/passkey/generate-authenticate-options`, `/passkey/verify-authentication`.
    pub const PASSKEY_SIGN_IN: &str = "Passkey: sign-in, counter";
    /// `/passkey/list-user-passkeys`, `update-passkey`, `delete-passkey`.
    pub const PASSKEY_MANAGE: &str = "Passkey: list, rename, delete";
    /// Replayed, mismatched and expired challenges.
    pub const PASSKEY_CHALLENGES: &str = "Passkey: single-use, expiring challenges";
    /// Other users' passkeys and registration challenges.
    pub const PASSKEY_OWNERSHIP: &str = "Passkey: ownership checks";
    /// `/one-time-token/generate` on one client, `/one-time-token/verify` on another.
    pub const ONE_TIME_TOKEN: &str = "One-time token: generate, verify on another client";
    /// Used, expired and unknown tokens; generating without a session.
    pub const ONE_TIME_TOKEN_REFUSED: &str = "One-time token: single use, expiry, refusals";
    /// The last-login-method cookie and `lastLoginMethod` column.
    pub const LAST_LOGIN_METHOD: &str = "Last login method: cookie and column";
    /// `storeToken: "hashed"`, `disableSetSessionCookie`, `setOttHeaderOnNewSession`.
    pub const ONE_TIME_TOKEN_OPTIONS: &str = "One-time token: hashed storage, no cookie, set-ott header";
    /// `@better-auth/electron`: init-oauth-proxy, the code cookie, `/electron/token`,
    /// transfer-user.
    pub const ELECTRON: &str = "Electron: desktop sign-in through the browser, code traded with PKCE";
    /// Replayed codes, wrong state or verifier, refusals of transfer-user and init.
    pub const ELECTRON_REFUSED: &str = "Electron: single-use codes, state and verifier checks, refusals";
    /// `/device/code`, `GET /device` and `/device/approve` in a browser, the device's poll
    /// of `/device/token` signing it in.
    pub const DEVICE: &str = "Device authorization: code, approve in a browser, poll for a session";
    /// `slow_down`, a denial, an expired code, another client's code, a used code, deciding
    /// an unclaimed or someone else's code.
    pub const DEVICE_REFUSED: &str = "Device authorization: slow_down, denial, expiry, refusals";
    /// `/sign-in/magic-link`, the emailed link's `/magic-link/verify` signing in (and up).
    pub const MAGIC_LINK: &str = "Magic link: emailed link signs in, creates the user on first use";
    /// Used, expired and unknown links; sign-up switched off; refused redirects.
    pub const MAGIC_LINK_REFUSED: &str = "Magic link: single use, expiry, disabled sign-up, refusals";
    /// Usernames on sign-up and update-user, `/sign-in/username`, `/is-username-available`.
    pub const USERNAME: &str = "Username: sign-up, sign-in by username, availability, update";
    /// Taken, malformed and immutable usernames; wrong credentials.
    pub const USERNAME_REFUSED: &str = "Username: taken, invalid and immutable usernames, wrong credentials";
    /// Email codes: `/email-otp/send-verification-otp`, `/sign-in/email-otp` signing in
    /// (and up), verifying an address, checking a code, resetting a password, changing the
    /// address.
    pub const EMAIL_OTP: &str = "Email OTP: codes sign in and up, verify, reset a password, change the address";
    /// Wrong, reused, expired and dead codes (`TOO_MANY_ATTEMPTS`); disabled sign-up;
    /// hashed and encrypted codes; malformed requests.
    pub const EMAIL_OTP_REFUSED: &str = "Email OTP: attempts, expiry, single use, disabled sign-up, storage modes";
    /// Texted codes verify numbers, sign in and sign up; number and password sign-in;
    /// password reset by SMS.
    pub const PHONE_NUMBER: &str = "Phone number: texted codes, verification, sign-in, password reset";
    /// Wrong, reused, expired codes, the attempt limit, taken and unverified numbers.
    pub const PHONE_NUMBER_REFUSED: &str =
        "Phone number: wrong, reused and expired codes, attempt limit, taken and unverified numbers";
    /// `/sign-in/anonymous`, `/delete-anonymous-user`, an anonymous user linked by a
    /// later sign-up or sign-in.
    pub const ANONYMOUS: &str = "Anonymous: guest sign-in, deletion, linking on sign-up and sign-in";
    /// Signing in anonymously twice, deleting a regular user, disabled deletion.
    pub const ANONYMOUS_REFUSED: &str = "Anonymous: second anonymous sign-in, non-anonymous and disabled deletion";
    /// The multi-session cookies, `/multi-session/list-device-sessions`, `set-active`,
    /// `revoke` and sign-out ending every device session.
    pub const MULTI_SESSION: &str = "Multi-session: several accounts on one device, switching, revoking";
    /// Unknown and foreign tokens, the session cap.
    pub const MULTI_SESSION_REFUSED: &str = "Multi-session: unknown tokens, the maximum number of sessions";
    /// The jwt plugin: `/token`, `/jwks`, the `set-auth-jwt` header, keys either server
    /// made signing at the other.
    pub const JWT: &str = "JWT: /token, /jwks, set-auth-jwt, signing keys";
    /// The api-key plugin: `/api-key/create`, `get`, `list`, `update`, `delete`, and
    /// sessions for requests carrying a key.
    pub const API_KEY: &str = "API keys: create, get, list, update, delete, x-api-key sessions";
    /// Another user's key, server-only fields, expiry bounds, spent uses, the per-key
    /// rate limit and missing permissions.
    pub const API_KEY_REFUSED: &str = "API keys: foreign keys, server-only fields, limits, rate limit, permissions";
    /// `sign_in().social(p).in_system_browser()`: the deep link (and, on Keyward, the
    /// loopback) back into the app, the token in its store.
    pub const SYSTEM_BROWSER: &str = "Native sign-in through the system browser (deep link, loopback)";
    /// The client's reactive session store.
    pub const SESSION_STORE: &str = "Session store (restore, events, refetch)";
    /// Any endpoint through `fetch`.
    pub const FETCH: &str = "Custom endpoints (fetch)";
    /// PostgreSQL storage.
    pub const POSTGRES: &str = "PostgreSQL storage";
    /// SQLite storage.
    pub const SQLITE: &str = "SQLite storage";

    /// Every row, in table order.
    pub const ALL: &[&str] = &[
        SIGN_UP,
        SIGN_IN,
        ERRORS,
        BEARER,
        COOKIES,
        GET_SESSION,
        SESSIONS,
        UPDATE_SESSION,
        UPDATE_USER,
        CHANGE_EMAIL,
        PASSWORDS,
        DELETE_USER,
        VERIFY_EMAIL,
        RESET_PASSWORD,
        ACCOUNTS,
        RATE_LIMIT,
        SOCIAL,
        SOCIAL_PROVIDER,
        TWO_FACTOR_TOTP,
        TWO_FACTOR_BACKUP,
        TWO_FACTOR_OTP,
        TWO_FACTOR_TRUST,
        TWO_FACTOR_MANAGE,
        ORG_CRUD,
        ORG_INVITATIONS,
        ORG_MEMBERS,
        ORG_TEAMS,
        ORG_DYNAMIC_ROLES,
        ORG_STORES,
        PASSKEY_REGISTER,
        PASSKEY_SIGN_IN,
        PASSKEY_MANAGE,
        PASSKEY_CHALLENGES,
        PASSKEY_OWNERSHIP,
        ONE_TIME_TOKEN,
        ONE_TIME_TOKEN_REFUSED,
        ONE_TIME_TOKEN_OPTIONS,
        ELECTRON,
        ELECTRON_REFUSED,
        DEVICE,
        DEVICE_REFUSED,
        MAGIC_LINK,
        MAGIC_LINK_REFUSED,
        USERNAME,
        USERNAME_REFUSED,
        EMAIL_OTP,
        EMAIL_OTP_REFUSED,
        PHONE_NUMBER,
        PHONE_NUMBER_REFUSED,
        ANONYMOUS,
        ANONYMOUS_REFUSED,
        MULTI_SESSION,
        MULTI_SESSION_REFUSED,
        JWT,
        API_KEY,
        API_KEY_REFUSED,
        SYSTEM_BROWSER,
        LAST_LOGIN_METHOD,
        SESSION_STORE,
        FETCH,
        SQLITE,
        POSTGRES,
    ];
}
