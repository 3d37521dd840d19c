//! Social sign-in by ID token, and the provider tokens of an account: refreshed,
//! encrypted when asked, and added to a signed-in user by `link-social`.

use super::*;

#[tokio::test]
async fn an_id_token_signs_in_when_it_is_the_providers_for_this_app() {
    let setup = setup(|_| {}).await;
    let client = setup.server.client();
    let token = id_token_for(&setup, CLIENT_ID, "n-123").await;
    let mut credential = IdTokenCredential::new(token.clone());
    credential.nonce = Some("n-123".into());
    let signed_in = client
        .sign_in()
        .social("oidc")
        .id_token(credential)
        .await
        .expect("signs in");
    assert_eq!(signed_in.user.email, "alice@example.com");
    assert!(!signed_in.redirect);
    let session = client.get_session().await.expect("session").expect("signed in");
    assert_eq!(session.user.id, signed_in.user.id);
    let stored = client.session().get();
    assert_eq!(
        stored.data.map(|d| d.user.id),
        Some(signed_in.user.id.clone()),
        "the store follows"
    );

    let mut wrong_nonce = IdTokenCredential::new(token);
    wrong_nonce.nonce = Some("another".into());
    let refused = client.sign_in().social("oidc").id_token(wrong_nonce).await;
    assert_eq!(
        refused.map(|_| ()).expect_err("refused").code(),
        Some(&ErrorCode::InvalidToken)
    );

    let foreign = id_token_for(&setup, "another-app", "n").await;
    let refused = client
        .sign_in()
        .social("oidc")
        .id_token(IdTokenCredential::new(foreign))
        .await;
    assert_eq!(
        refused.map(|_| ()).expect_err("refused").code(),
        Some(&ErrorCode::InvalidToken),
        "wrong audience"
    );

    let garbage = client
        .sign_in()
        .social("oidc")
        .id_token(IdTokenCredential::new("not.a.jwt"))
        .await;
    assert_eq!(
        garbage.map(|_| ()).expect_err("refused").code(),
        Some(&ErrorCode::InvalidToken)
    );
}

/// The token expires after a second; verification allows better-auth's 30 s of clock
/// leeway, so it is refused once 31 s have passed (the wait is for the clock itself).
#[tokio::test]
async fn an_expired_id_token_is_refused() {
    let setup = setup_on(Database::Sqlite, |_| {}, &[("OIDC_ID_TOKEN_TTL", "1")]).await;
    let client = setup.server.client();
    let token = id_token_for(&setup, CLIENT_ID, "n").await;
    let fresh = client
        .sign_in()
        .social("oidc")
        .id_token(IdTokenCredential::new(token.clone()))
        .await;
    assert!(fresh.is_ok(), "valid within the leeway: {fresh:?}");
    tokio::time::sleep(std::time::Duration::from_secs(32)).await;
    let expired = client
        .sign_in()
        .social("oidc")
        .id_token(IdTokenCredential::new(token))
        .await
        .map(|_| ());
    assert_eq!(expired.expect_err("refused").code(), Some(&ErrorCode::InvalidToken));
}

#[tokio::test]
async fn tokens_are_kept_refreshed_and_encrypted_when_asked() {
    let setup = setup_on(
        Database::Sqlite,
        |config| config.account.encrypt_oauth_tokens = true,
        &[("OIDC_ACCESS_TOKEN_TTL", "3")],
    )
    .await;
    let mut browser = Browser::new(&setup.server);
    round_trip(&setup, &mut browser, "alice", sign_in_body()).await;
    let (_, accounts) = browser.get_json("/list-accounts").await;
    let account_id = accounts[0]["id"].as_str().expect("id").to_owned();
    let stored = keyward_tests::account_tokens(setup.server.auth.db(), &account_id).await;
    assert!(stored.0.chars().all(|c| c.is_ascii_hexdigit()), "encrypted at rest");

    // The access token expires within the five-second margin: the server refreshes it.
    let first: AccessTokenResponse = serde_json::from_value(
        browser
            .post("/get-access-token", json!({"accountId": account_id}))
            .await
            .json()
            .await
            .expect("JSON"),
    )
    .expect("token");
    assert!(!first.access_token.expose().is_empty());
    assert_eq!(first.scopes, ["openid", "email", "profile"]);
    let stored_after = keyward_tests::account_tokens(setup.server.auth.db(), &account_id).await;
    assert_ne!(stored.0, stored_after.0, "refreshed and stored");

    let refreshed: RefreshTokenResponse = serde_json::from_value(
        browser
            .post("/refresh-token", json!({"accountId": account_id}))
            .await
            .json()
            .await
            .expect("JSON"),
    )
    .expect("tokens");
    assert_ne!(refreshed.access_token, first.access_token);
    assert_eq!(refreshed.provider_id, "oidc");
    assert_eq!(refreshed.account_id, account_id);
    assert!(refreshed.refresh_token.is_some());

    let (status, info) = browser.get_json(&format!("/account-info?accountId={account_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(info["user"]["email"], "Alice@Example.com");
    assert_eq!(info["account"]["providerId"], "oidc");

    let response = browser.post("/get-access-token", json!({"providerId": "oidc"})).await;
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "1.7.25 selects by account id"
    );
    let response = browser.post("/get-access-token", json!({"accountId": "nope"})).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn link_social_adds_a_provider_account_to_the_signed_in_user() {
    let setup = setup(|_| {}).await;
    let mut browser = Browser::new(&setup.server);
    let response = browser
        .post(
            "/sign-up/email",
            json!({"email": "carol@example.com", "password": "password-1234", "name": "Carol"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // alice's address differs from carol's.
    let body = json!({"provider": "oidc", "callbackURL": "/linked", "errorCallbackURL": "/link-failed"});
    assert_eq!(
        link_as(&setup, &mut browser, "alice", body).await,
        "/link-failed?error=email_does_not_match"
    );
    assert_eq!(
        link_as(
            &setup,
            &mut browser,
            "carol",
            json!({"provider": "oidc", "callbackURL": "/linked"})
        )
        .await,
        "/linked"
    );
    let (_, accounts) = browser.get_json("/list-accounts").await;
    assert_eq!(accounts.as_array().expect("list").len(), 2);
    // Another user cannot take the linked account.
    let mut other = Browser::new(&setup.server);
    other
        .post(
            "/sign-up/email",
            json!({"email": "dave@example.com", "password": "password-1234", "name": "Dave"}),
        )
        .await;
    let landed = link_as(
        &setup,
        &mut other,
        "carol",
        json!({"provider": "oidc", "callbackURL": "/linked"}),
    )
    .await;
    assert!(landed.contains("error="), "{landed}");
}
