//! The jwt plugin's endpoints in the differential check: `/jwks` (its first key made on
//! demand), `/token` signed in, signed out and by bearer, and the `set-auth-jwt` header of
//! `/get-session` (and its absence without a session). Tokens are compared by algorithm
//! and claim names, keys by everything but their key material.

use super::*;

pub(super) fn sequence() -> Vec<Step> {
    use Credential::*;
    vec![
        step("JWT: jwks before any key", Method::GET, "/jwks", None),
        step("JWT: token signed out", Method::GET, "/token", None),
        step("JWT: sign-up", Method::POST, "/sign-up/email", None)
            .json(json!({"name": "Ada", "email": "ada@example.com", "password": "correct-horse-battery"}))
            .by(1),
        step("JWT: token by cookie", Method::GET, "/token", Cookie).by(1),
        step("JWT: token by bearer", Method::GET, "/token", Bearer).by(1),
        step(
            "JWT: get-session sends set-auth-jwt",
            Method::GET,
            "/get-session",
            Cookie,
        )
        .by(1),
        step(
            "JWT: get-session signed out has no set-auth-jwt",
            Method::GET,
            "/get-session",
            None,
        ),
        step("JWT: jwks with one key", Method::GET, "/jwks", None),
        step("JWT: sign-out", Method::POST, "/sign-out", Cookie).by(1),
        step("JWT: token after sign-out", Method::GET, "/token", Cookie).by(1),
    ]
}

#[tokio::test]
async fn the_jwt_plugin_answers_the_same() {
    let keyward = TestServer::start_with(Database::Sqlite, |config| {
        config.jwt = Some(keyward_server::config::JwtConfig::default())
    })
    .await;
    let better_auth = BetterAuthServer::start_on(Database::Sqlite, &["jwt"], &[]).await;
    run_both(sequence(), &keyward, &better_auth).await;
}

#[test]
fn a_token_is_masked_as_its_algorithm_and_claim_names() {
    // {"alg":"HS256","typ":"JWT"} . {"sub":"1234567890","name":"John Doe","iat":1516239022}
    let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    assert_eq!(masked_jwt(token), "<jwt alg=HS256 claims=iat,name,sub>");
}
