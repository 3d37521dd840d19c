//! Social sign-in in the differential check, with the GitHub provider both servers have
//! (dummy credentials: the flows stop before GitHub), its callback's refusals, linking and
//! the token endpoints.

use super::*;

/// Social sign-in with the GitHub provider both servers have (dummy credentials: the
/// flows stop before GitHub), its callback's refusals, linking and the token endpoints.
pub(super) fn sequence() -> Vec<Step> {
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
    run_both(sequence(), &keyward, &better_auth).await;
}
