//! The device-authorization plugin's endpoints in the differential check: codes (JSON,
//! form, malformed), polls (pending, too soon, another client's, malformed, unknown,
//! denied, expired, used), the verification page's status and claim, and approvals and
//! denials (unclaimed, anonymous, by another user, from a foreign origin, twice). The
//! successful poll is left to the interop tests: its `expires_in` counts the
//! milliseconds the server took.

use super::*;

pub(super) fn sequence() -> Vec<Step> {
    use Credential::*;
    let ada = json!({"name": "Ada", "email": "ada@example.com", "password": "correct-horse-battery"});
    let grace = json!({"name": "Grace", "email": "grace@example.com", "password": "correct-horse-battery"});
    let grant = "urn:ietf:params:oauth:grant-type:device_code";
    let code = |name: &'static str| step(name, Method::POST, "/device/code", None);
    let token = |name: &'static str, device_code: &str, client_id: &str| {
        step(name, Method::POST, "/device/token", None)
            .json(json!({"grant_type": grant, "device_code": device_code, "client_id": client_id}))
    };
    let decide = |name: &'static str, path: &'static str, credential: Credential, user_code: &str| {
        step(name, Method::POST, path, credential).json(json!({ "userCode": user_code }))
    };
    vec![
        step("DEV: sign-up", Method::POST, "/sign-up/email", None).json(ada),
        step("DEV: sign-up another user", Method::POST, "/sign-up/email", None)
            .json(grace)
            .by(1),
        code("DEV: code")
            .json(json!({"client_id": "cli", "scope": "openid profile"}))
            .capture("dc", "/device_code")
            .capture("uc", "/user_code"),
        code("DEV: code as a form")
            .raw("application/x-www-form-urlencoded", b"client_id=cli&scope=")
            .capture("ucf", "/user_code"),
        code("DEV: code as a form with client_id twice")
            .raw("application/x-www-form-urlencoded", b"client_id=cli&client_id=tv"),
        code("DEV: code as a form with an empty client_id first")
            .raw("application/x-www-form-urlencoded", b"client_id=&client_id=cli&scope=")
            .capture("ucf2", "/user_code"),
        code("DEV: code without a client_id").json(json!({"scope": "x"})),
        code("DEV: code with an empty client_id").json(json!({"client_id": ""})),
        code("DEV: code with a number client_id").json(json!({"client_id": 5})),
        code("DEV: code without a body"),
        code("DEV: code as text/plain").raw("text/plain", b"client_id=cli"),
        code("DEV: code with malformed JSON").raw("application/json", b"{"),
        token("DEV: token while pending", "{dc}", "cli"),
        token("DEV: token too soon", "{dc}", "cli"),
        token("DEV: token for another client", "{dc}", "tv"),
        token(
            "DEV: token for an unknown code",
            "0123456789abcdefghijklmnopqrstuvwxyzABCD",
            "cli",
        ),
        step(
            "DEV: token with a wrong grant_type",
            Method::POST,
            "/device/token",
            None,
        )
        .json(json!({"grant_type": "password", "device_code": "{dc}", "client_id": "cli"})),
        step("DEV: token without fields", Method::POST, "/device/token", None).json(json!({})),
        step("DEV: token as a form", Method::POST, "/device/token", None).raw(
            "application/x-www-form-urlencoded",
            b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=x&client_id=cli",
        ),
        step(
            "DEV: status without a session",
            Method::GET,
            "/device?user_code={uc}",
            None,
        ),
        step("DEV: status without a code", Method::GET, "/device", None),
        step(
            "DEV: status of an unknown code",
            Method::GET,
            "/device?user_code=ZZZZZZZZ",
            None,
        ),
        step(
            "DEV: status of a repeated code",
            Method::GET,
            "/device?user_code={uc}&user_code=X",
            None,
        ),
        decide("DEV: approve an unclaimed code", "/device/approve", Bearer, "{uc}"),
        decide("DEV: deny an unclaimed code", "/device/deny", Bearer, "{uc}"),
        decide("DEV: approve without a session", "/device/approve", None, "{uc}"),
        step(
            "DEV: status signed in claims the code",
            Method::GET,
            "/device?user_code={uc}",
            Bearer,
        ),
        step(
            "DEV: status for another user",
            Method::GET,
            "/device?user_code={uc}",
            Bearer,
        )
        .by(1),
        decide("DEV: approve by another user", "/device/approve", Bearer, "{uc}").by(1),
        decide("DEV: deny by another user", "/device/deny", Bearer, "{uc}").by(1),
        step(
            "DEV: approve without a userCode",
            Method::POST,
            "/device/approve",
            Bearer,
        )
        .json(json!({})),
        decide("DEV: approve an unknown code", "/device/approve", Bearer, "ZZZZZZZZ"),
        decide(
            "DEV: approve from a foreign origin",
            "/device/approve",
            CookieFromEvil,
            "{uc}",
        ),
        decide("DEV: approve", "/device/approve", Cookie, "{uc}"),
        decide("DEV: approve again", "/device/approve", Bearer, "{uc}"),
        decide("DEV: deny an approved code", "/device/deny", Bearer, "{uc}"),
        step(
            "DEV: status of the approved code",
            Method::GET,
            "/device?user_code={uc}",
            Bearer,
        ),
        token("DEV: token too soon after approval", "{dc}", "cli"),
        code("DEV: a code to deny")
            .json(json!({"client_id": "cli"}))
            .capture("dc2", "/device_code")
            .capture("uc2", "/user_code"),
        step(
            "DEV: claim the code to deny",
            Method::GET,
            "/device?user_code={uc2}",
            Bearer,
        ),
        decide("DEV: deny", "/device/deny", Bearer, "{uc2}"),
        step(
            "DEV: status of the denied code",
            Method::GET,
            "/device?user_code={uc2}",
            Bearer,
        ),
        token("DEV: token for the denied code", "{dc2}", "cli"),
        sql(
            "DEV: the interval passes",
            r#"update "deviceCode" set "lastPolledAt" = null"#,
        ),
        token("DEV: token for the denied code again", "{dc2}", "cli"),
        code("DEV: a code to expire")
            .json(json!({"client_id": "tv"}))
            .capture("dc3", "/device_code")
            .capture("uc3", "/user_code"),
        sql(
            "DEV: the code expires",
            r#"update "deviceCode" set "expiresAt" = '2020-01-01T00:00:00.000Z' where "status" = 'pending'"#,
        ),
        step(
            "DEV: status of the expired code",
            Method::GET,
            "/device?user_code={uc3}",
            Bearer,
        ),
        decide("DEV: approve the expired code", "/device/approve", Bearer, "{uc3}"),
        token("DEV: token for the expired code", "{dc3}", "tv"),
        token("DEV: token for the expired code again", "{dc3}", "tv"),
    ]
}

#[tokio::test]
async fn the_device_authorization_plugin_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.device_authorization = Some(keyward_server::config::DeviceAuthorizationConfig::default())
    })
    .await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["device-authorization"], &[]).await;
    run_both(sequence(), &keyward, &better_auth).await;
}
