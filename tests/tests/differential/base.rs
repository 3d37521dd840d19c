//! The core's endpoints in the differential check: sign-up and sign-in, sessions, the
//! user and the account routes, the error answers and the CSRF rules, with no plugin on.

use super::*;

pub(super) fn sequence() -> Vec<Step> {
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

#[tokio::test]
async fn the_same_requests_get_the_same_answers() {
    let keyward = TestServer::start().await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &[], &[]).await;
    run_both(sequence(), &keyward, &better_auth).await;
}
