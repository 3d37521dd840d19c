//! Social sign-in's rules and failures: implicit sign-up, linking rules, profile copies,
//! providers that fail or answer garbage, provider-initiated sign-in, the cookie state
//! strategy, user and account hooks, and the last login method; on PostgreSQL too.

use super::*;

#[tokio::test]
async fn the_flow_works_on_postgres() {
    let setup = setup_on(Database::Postgres, |_| {}, &[]).await;
    let mut browser = Browser::new(&setup.server);
    assert_eq!(
        round_trip(&setup, &mut browser, "alice", sign_in_body()).await,
        "/welcome"
    );
    let mut again = Browser::new(&setup.server);
    assert_eq!(
        round_trip(&setup, &mut again, "alice", sign_in_body()).await,
        "/dashboard"
    );
}

#[tokio::test]
async fn implicit_sign_up_can_require_the_request_to_ask_for_it() {
    let setup = setup(|config| config.social_providers[0].disable_implicit_sign_up = true).await;
    let mut browser = Browser::new(&setup.server);
    let landed = round_trip(&setup, &mut browser, "alice", sign_in_body()).await;
    assert_eq!(landed, "/oops?error=signup_disabled");
    let mut asking = Browser::new(&setup.server);
    let mut body = sign_in_body();
    body["requestSignUp"] = json!(true);
    assert_eq!(round_trip(&setup, &mut asking, "alice", body).await, "/welcome");
}

#[tokio::test]
async fn linking_rules_different_addresses_profile_copies_and_no_implicit_linking() {
    let setup = setup(|config| {
        let linking = &mut config.account.account_linking;
        linking.allow_different_emails = true;
        linking.update_user_info_on_link = true;
        linking.disable_implicit_linking = true;
    })
    .await;
    let mut browser = Browser::new(&setup.server);
    browser
        .post(
            "/sign-up/email",
            json!({"email": "carol@example.com", "password": "password-1234", "name": "Local"}),
        )
        .await;
    keyward_tests::mark_email_verified(setup.server.auth.db(), "carol@example.com").await;
    // No implicit linking: the provider's carol does not become the local carol.
    let mut stranger = Browser::new(&setup.server);
    assert_eq!(
        round_trip(&setup, &mut stranger, "carol", sign_in_body()).await,
        "/oops?error=account_not_linked"
    );
    // /link-social still links, another address too, and copies the provider's profile.
    assert_eq!(
        link_as(
            &setup,
            &mut browser,
            "alice",
            json!({"provider": "oidc", "callbackURL": "/linked"})
        )
        .await,
        "/linked"
    );
    let (_, session) = browser.get_json("/get-session?disableCookieCache=true").await;
    assert_eq!(session["user"]["name"], "Alice Liddell", "updateUserInfoOnLink");
    assert_eq!(session["user"]["email"], "carol@example.com", "the address stays");
}

#[tokio::test]
async fn override_user_info_copies_the_providers_profile_on_every_sign_in() {
    let setup = setup(|config| config.social_providers[0].override_user_info_on_sign_in = true).await;
    let mut first = Browser::new(&setup.server);
    round_trip(&setup, &mut first, "alice", sign_in_body()).await;
    first.post("/update-user", json!({"name": "Renamed"})).await;
    let mut second = Browser::new(&setup.server);
    assert_eq!(
        round_trip(&setup, &mut second, "alice", sign_in_body()).await,
        "/dashboard"
    );
    let (_, session) = second.get_json("/get-session").await;
    assert_eq!(session["user"]["name"], "Alice Liddell");
}

#[tokio::test]
async fn a_provider_whose_discovery_fails_is_a_clear_error() {
    let port = free_port();
    let server = TestServer::start_with(Database::Sqlite, |config| {
        config.social_providers.push(SocialProvider::openid_connect(
            "down",
            &format!("http://127.0.0.1:{port}/.well-known/openid-configuration"),
            "client",
            "secret",
        ));
    })
    .await;
    let mut browser = Browser::new(&server);
    let response = browser.post("/sign-in/social", json!({"provider": "down"})).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["code"], "PROVIDER_UNAVAILABLE");
}

/// A provider whose token endpoint answers garbage: the real provider's pages sign the
/// user in, then the exchange goes to an endpoint that answers HTML with 200.
#[tokio::test]
async fn a_token_endpoint_answering_garbage_ends_in_an_error_redirect() {
    let garbage = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let garbage_url = format!("http://{}/token", garbage.local_addr().expect("address"));
    tokio::spawn(async move {
        let app = axum::Router::new().route(
            "/token",
            axum::routing::post(|| async { ([("content-type", "application/json")], "<html>oops</html>") }),
        );
        let _ = axum::serve(garbage, app).await;
    });
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let server = TestServer::start_with(Database::Sqlite, |config| {
        config.social_providers.push(
            SocialProvider::oauth2(
                "oidc",
                &format!("{issuer}/auth"),
                &garbage_url,
                &format!("{issuer}/me"),
                CLIENT_ID,
                CLIENT_SECRET,
            )
            .with_scopes(["openid", "email", "profile"]),
        );
    })
    .await;
    let client = OidcClient {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        redirect_uris: vec![format!("{}api/auth/callback/oidc", server.url)],
    };
    let provider = OidcProvider::start_on(port, &[client], accounts(), &[]).await;
    let mut browser = Browser::new(&server);
    let url = start(&mut browser, sign_in_body()).await;
    let back = provider.authorize(&url, "alice", Consent::Grant).await;
    assert_eq!(location(&browser.visit(&back).await), "/oops?error=invalid_code");
    assert!(!browser.signed_in());
}

#[tokio::test]
async fn a_provider_requiring_verified_addresses_refuses_unverified_users() {
    let setup = setup(|config| config.social_providers[0].require_email_verification = true).await;
    let mut browser = Browser::new(&setup.server);
    // bob's address is not verified at the provider: created, but not signed in.
    let landed = round_trip(&setup, &mut browser, "bob", sign_in_body()).await;
    assert_eq!(landed, "/oops?error=email_not_verified");
    assert!(!browser.signed_in());
    let mut verified = Browser::new(&setup.server);
    assert_eq!(
        round_trip(&setup, &mut verified, "alice", sign_in_body()).await,
        "/welcome"
    );
}

/// A sign-in the provider started arrives with a code and no state: with
/// allowIdpInitiated the callback restarts the flow for this browser instead of failing.
#[tokio::test]
async fn a_provider_initiated_sign_in_restarts_the_flow_when_allowed() {
    let setup = setup(|config| config.social_providers[0].allow_idp_initiated = true).await;
    let mut browser = Browser::new(&setup.server);
    let callback = format!("{}api/auth/callback/oidc?code=from-the-provider", setup.server.url);
    let restarted = location(&browser.visit(&callback).await);
    assert!(restarted.starts_with(setup.provider.issuer.as_str()), "{restarted}");
    assert!(browser.cookies.contains_key("better-auth.state"));
    let back = setup.provider.authorize(&restarted, "alice", Consent::Grant).await;
    let landed = location(&browser.visit(&back).await);
    assert_eq!(landed, setup.server.url.as_str().trim_end_matches('/'));
    assert!(browser.signed_in());

    let strict = setup_on(Database::Sqlite, |_| {}, &[]).await;
    let mut other = Browser::new(&strict.server);
    let callback = format!("{}api/auth/callback/oidc?code=from-the-provider", strict.server.url);
    let refused = location(&other.visit(&callback).await);
    assert!(refused.ends_with("/api/auth/error?error=state_not_found"), "{refused}");
}

#[tokio::test]
async fn the_cookie_state_strategy_keeps_the_flow_in_an_encrypted_cookie() {
    use keyward_server::config::StateStrategy;
    let setup = setup(|config| config.account.store_state_strategy = StateStrategy::Cookie).await;
    let mut browser = Browser::new(&setup.server);
    let url = start(&mut browser, sign_in_body()).await;
    assert!(browser.cookies.contains_key("better-auth.oauth_state"));
    assert!(!browser.cookies.contains_key("better-auth.state"));
    let back = setup.provider.authorize(&url, "alice", Consent::Grant).await;
    // Another browser has no such cookie; a tampered cookie does not decrypt.
    let mut attacker = Browser::new(&setup.server);
    assert_eq!(
        location(&attacker.visit(&back).await),
        format!("{}api/auth/error?error=state_mismatch", setup.server.url)
    );
    let mut tampered = Browser::new(&setup.server);
    let mut value = browser.cookies["better-auth.oauth_state"].clone();
    value.replace_range(60..62, if &value[60..62] == "00" { "11" } else { "00" });
    tampered.cookies.insert("better-auth.oauth_state".into(), value);
    assert_eq!(
        location(&tampered.visit(&back).await),
        format!("{}api/auth/error?error=state_invalid", setup.server.url)
    );
    assert_eq!(location(&browser.visit(&back).await), "/welcome");
    assert!(
        !browser.cookies.contains_key("better-auth.oauth_state"),
        "cleared once read"
    );
}

/// A database hook refusing the new user: the callback ends at the error URL with the
/// hook's code and message, the ID-token sign-in answers its `{message, code}`.
#[tokio::test]
async fn a_user_hook_refusing_a_new_user_ends_the_flow_with_its_code() {
    struct NoExampleDotCom;
    #[async_trait::async_trait]
    impl keyward_server::hooks::UserHooks for NoExampleDotCom {
        async fn before_create(
            &self,
            _auth: &keyward_server::Auth,
            user: &mut keyward_server::db::users::NewUser,
        ) -> Result<(), keyward_server::ApiError> {
            if user.email.ends_with("@example.com") {
                return Err(keyward_server::ApiError::with_message(
                    reqwest::StatusCode::FORBIDDEN,
                    ErrorCode::Other("DOMAIN_NOT_ALLOWED".into()),
                    "Not from example.com",
                ));
            }
            Ok(())
        }
    }
    let setup = setup_customized(|_| {}, |builder| builder.user_hooks(NoExampleDotCom)).await;
    let mut browser = Browser::new(&setup.server);
    let landed = round_trip(&setup, &mut browser, "alice", sign_in_body()).await;
    assert_eq!(
        landed,
        "/oops?error=DOMAIN_NOT_ALLOWED&error_description=Not+from+example.com"
    );
    assert!(!browser.signed_in());
    let client = setup.server.client();
    let token = id_token_for(&setup, CLIENT_ID, "n").await;
    let refused = client
        .sign_in()
        .social("oidc")
        .id_token(IdTokenCredential::new(token))
        .await
        .map(|_| ());
    assert_eq!(
        refused.expect_err("refused").code(),
        Some(&ErrorCode::Other("DOMAIN_NOT_ALLOWED".into()))
    );
}

/// Account update hooks on a provider's tokens: a returning sign-in stores them through
/// the hooks; while the account is frozen, the sign-in ends at the error URL with the
/// hook's code and message, and refresh-token answers its `{message, code}`.
#[tokio::test]
async fn account_update_hooks_see_a_providers_tokens_and_may_refuse_them() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Frozen {
        frozen: Arc<AtomicBool>,
        updated: Arc<Mutex<Vec<bool>>>,
    }
    #[async_trait::async_trait]
    impl keyward_server::hooks::AccountHooks for Frozen {
        async fn before_update(
            &self,
            _auth: &keyward_server::Auth,
            account: &keyward_server::db::accounts::Account,
            changes: &mut keyward_server::db::accounts::AccountChanges,
        ) -> Result<(), keyward_server::ApiError> {
            assert_eq!(account.provider_id, "oidc");
            assert!(changes.tokens.access_token.is_some(), "the provider's new tokens");
            if self.frozen.load(Ordering::SeqCst) {
                return Err(keyward_server::ApiError::with_message(
                    reqwest::StatusCode::FORBIDDEN,
                    ErrorCode::Other("ACCOUNT_FROZEN".into()),
                    "This account is frozen",
                ));
            }
            Ok(())
        }

        async fn after_update(&self, _auth: &keyward_server::Auth, account: &keyward_server::db::accounts::Account) {
            self.updated
                .lock()
                .expect("not poisoned")
                .push(account.access_token.is_some());
        }
    }
    let hooks = Frozen::default();
    let probe = hooks.clone();
    let setup = setup_customized(|_| {}, move |builder| builder.account_hooks(hooks)).await;
    let mut browser = Browser::new(&setup.server);
    assert_eq!(
        round_trip(&setup, &mut browser, "alice", sign_in_body()).await,
        "/welcome"
    );
    let mut again = Browser::new(&setup.server);
    assert_eq!(
        round_trip(&setup, &mut again, "alice", sign_in_body()).await,
        "/dashboard"
    );
    assert_eq!(
        *probe.updated.lock().expect("not poisoned"),
        [true],
        "the returning sign-in stored its tokens"
    );

    probe.frozen.store(true, Ordering::SeqCst);
    let mut refused = Browser::new(&setup.server);
    assert_eq!(
        round_trip(&setup, &mut refused, "alice", sign_in_body()).await,
        "/oops?error=ACCOUNT_FROZEN&error_description=This+account+is+frozen"
    );
    assert!(!refused.signed_in());
    let (_, accounts) = browser.get_json("/list-accounts").await;
    let account_id = accounts[0]["id"].as_str().expect("id").to_owned();
    let response = browser.post("/refresh-token", json!({"accountId": account_id})).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["code"], "ACCOUNT_FROZEN");
    assert_eq!(body["message"], "This account is frozen");
    assert_eq!(
        *probe.updated.lock().expect("not poisoned"),
        [true],
        "nothing stored while frozen"
    );
}

#[tokio::test]
async fn the_last_login_method_plugin_records_the_provider_of_a_callback() {
    let setup = setup(|config| {
        config.last_login_method =
            Some(keyward_server::config::LastLoginMethodConfig::default().store_in_database(true));
    })
    .await;
    let mut browser = Browser::new(&setup.server);
    let url = start(&mut browser, sign_in_body()).await;
    assert!(
        !browser.cookies.contains_key("better-auth.last_used_login_method"),
        "starting a sign-in is not signing in"
    );
    let back = setup.provider.authorize(&url, "alice", Consent::Grant).await;
    let landed = browser.visit(&back).await;
    assert_eq!(location(&landed), "/welcome");
    assert_eq!(
        browser
            .cookies
            .get("better-auth.last_used_login_method")
            .map(String::as_str),
        Some("oidc"),
        "the provider's id, from /callback/{{id}}"
    );
    let (status, body) = browser.get_json("/get-session").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["lastLoginMethod"], "oidc");
}
