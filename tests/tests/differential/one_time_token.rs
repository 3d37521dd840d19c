//! The one-time-token plugin's endpoints in the differential check: generate (bearer,
//! cookie, none), verify (fresh, used, expired, unknown, malformed, from a foreign
//! origin), and the sessions a verification finds ended or expired.

use super::*;

pub(super) fn sequence() -> Vec<Step> {
    use Credential::*;
    let ada = json!({"name": "Ada", "email": "ada@example.com", "password": "correct-horse-battery"});
    let verify = |name: &'static str, token: &str| {
        step(name, Method::POST, "/one-time-token/verify", None).json(json!({ "token": token }))
    };
    vec![
        step("OTT: sign-up", Method::POST, "/sign-up/email", None).json(ada.clone()),
        step(
            "OTT: generate without a session",
            Method::GET,
            "/one-time-token/generate",
            None,
        ),
        step("OTT: generate", Method::GET, "/one-time-token/generate", Bearer).capture("ott", "/token"),
        step(
            "OTT: generate by cookie",
            Method::GET,
            "/one-time-token/generate",
            Cookie,
        )
        .capture("ott2", "/token"),
        verify("OTT: verify", "{ott}").by(1),
        step("OTT: get-session of the verifier", Method::GET, "/get-session", Cookie).by(1),
        verify("OTT: verify a used token", "{ott}").by(2),
        verify("OTT: verify an unknown token", "0123456789abcdefghijklmnopqrstuv").by(2),
        verify("OTT: verify an empty token", "").by(2),
        step(
            "OTT: verify without a token",
            Method::POST,
            "/one-time-token/verify",
            None,
        )
        .json(json!({}))
        .by(2),
        step("OTT: verify a number", Method::POST, "/one-time-token/verify", None)
            .json(json!({"token": 5}))
            .by(2),
        step(
            "OTT: verify without a body",
            Method::POST,
            "/one-time-token/verify",
            None,
        )
        .by(2),
        step(
            "OTT: verify with cookies from a foreign origin",
            Method::POST,
            "/one-time-token/verify",
            CookieFromEvil,
        )
        .json(json!({"token": "{ott2}"})),
        step(
            "OTT: verify with cookies and no origin",
            Method::POST,
            "/one-time-token/verify",
            CookieWithoutOrigin,
        )
        .json(json!({"token": "{ott2}"})),
        step("OTT: verify by cookie", Method::POST, "/one-time-token/verify", Cookie).json(json!({"token": "{ott2}"})),
        step(
            "OTT: generate one to expire",
            Method::GET,
            "/one-time-token/generate",
            Bearer,
        )
        .capture("ott3", "/token"),
        sql(
            "OTT: the token expires",
            r#"update "verification" set "expiresAt" = '2020-01-01T00:00:00.000Z' where "identifier" like 'one-time-token:%'"#,
        ),
        verify("OTT: verify an expired token", "{ott3}").by(2),
        step(
            "OTT: generate one for a session that expires",
            Method::GET,
            "/one-time-token/generate",
            Bearer,
        )
        .capture("ott4", "/token"),
        sql(
            "OTT: the session expires",
            r#"update "session" set "expiresAt" = '2020-01-01T00:00:00.000Z'"#,
        ),
        verify("OTT: verify for an expired session", "{ott4}").by(3),
        step("OTT: sign-in", Method::POST, "/sign-in/email", None)
            .json(json!({"email": "ada@example.com", "password": "correct-horse-battery"})),
        step(
            "OTT: generate one for a session that ends",
            Method::GET,
            "/one-time-token/generate",
            Bearer,
        )
        .capture("ott5", "/token"),
        sql("OTT: the sessions end", r#"delete from "session""#),
        verify("OTT: verify for an ended session", "{ott5}").by(3),
        // Last: a rejected bearer token expires the session cookie.
        step(
            "OTT: generate with a garbage bearer",
            Method::GET,
            "/one-time-token/generate",
            BearerGarbage,
        ),
    ]
}

#[tokio::test]
async fn the_one_time_token_plugin_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.one_time_token = Some(keyward_server::config::OneTimeTokenConfig::default())
    })
    .await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["one-time-token"], &[]).await;
    run_both(sequence(), &keyward, &better_auth).await;
}
