//! `client.two_factor()` and the two-factor sign-in, against both servers: Keyward's
//! two-factor plugin and better-auth's `twoFactor` (interop direction A).

use std::sync::{Arc, Mutex};

use keyward_client::wire::{ErrorCode, SessionToken, SignInOutcome, TwoFactorMethod};
use keyward_client::{AuthClient, CredentialMode, Error, MemoryStore, TokenStore};
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::totp::{code_from_uri, enable_totp, wrong_code_for};
use keyward_tests::{Peer, PeerKind, PeerOptions, SharedStore, peer_test};
use serde_json::Value;

const PASSWORD: &str = "correct-horse-battery";
const EMAIL: &str = "ada@example.com";

async fn peer(kind: PeerKind) -> Peer {
    Peer::start(
        kind,
        PeerOptions {
            plugins: vec!["two-factor"],
            ..PeerOptions::default()
        },
    )
    .await
}

fn api_code<T: std::fmt::Debug>(result: Result<T, Error>) -> ErrorCode {
    match result {
        Err(Error::Api { code, .. }) => code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn two_factor_enabled(client: &AuthClient) -> Option<Value> {
    client
        .session()
        .get()
        .data
        .and_then(|data| data.user.additional.get("twoFactorEnabled").cloned())
}

/// Signs Ada up on `client` and switches TOTP on; returns the URI and backup codes.
async fn enrol(client: &AuthClient) -> (String, Vec<String>) {
    client.sign_up().email("Ada", EMAIL, PASSWORD).await.expect("signs up");
    enable_totp(client, PASSWORD).await
}

/// Signs out and in again; the sign-in must be a challenge.
async fn challenged(client: &AuthClient) -> Vec<String> {
    client.sign_out().await.expect("signs out");
    match client
        .sign_in()
        .email(EMAIL, PASSWORD)
        .await
        .expect("password accepted")
    {
        SignInOutcome::TwoFactorRequired(challenge) => challenge.two_factor_methods,
        SignInOutcome::SignedIn(_) => panic!("expected a second-factor challenge"),
    }
}

peer_test! {
    async fn totp_enrolment_and_sign_in(kind) {
        let _record = against_better_auth(kind, &[flows::TWO_FACTOR_TOTP]);
        let peer = peer(kind).await;
        let prompted: Arc<Mutex<Vec<Vec<String>>>> = Arc::default();
        let seen = prompted.clone();
        let client = AuthClient::builder(peer.url())
            .on_two_factor_required(move |methods: &[String]| {
                seen.lock().expect("lock").push(methods.to_vec());
            })
            .build()
            .expect("client");
        client.sign_up().email("Ada", EMAIL, PASSWORD).await.expect("signs up");
        assert_eq!(two_factor_enabled(&client), Some(Value::Bool(false)));

        assert_eq!(api_code(client.two_factor().enable().password("wrong-password").await), ErrorCode::InvalidPassword);
        let setup = client.two_factor().enable().password(PASSWORD).await.expect("enables");
        assert_eq!(setup.method, TwoFactorMethod::Totp);
        assert_eq!(setup.backup_codes.as_ref().map(Vec::len), Some(10));
        let uri = setup.totp_uri.expect("URI");
        let shown = uri.parse().expect("a TOTP URI");
        assert_eq!(shown.issuer, "Keyward");
        assert_eq!(shown.account, EMAIL);
        assert_eq!((shown.digits, shown.period), (6, 30));
        assert_eq!(two_factor_enabled(&client), Some(Value::Bool(false)), "on only after a first code");
        let again = client.two_factor().get_totp_uri().password(PASSWORD).await.expect("URI again");
        assert_eq!(again.totp_uri, uri);

        let old_token = client.token().expect("token").expect("signed in");
        let wrong = client.two_factor().verify_totp(wrong_code_for(uri.expose())).await;
        assert_eq!(api_code(wrong), ErrorCode::InvalidCode);
        client.two_factor().verify_totp(code_from_uri(uri.expose())).await.expect("verifies");
        assert_eq!(two_factor_enabled(&client), Some(Value::Bool(true)), "the store saw the change");
        let rotated = client.token().expect("token").expect("still signed in");
        assert_ne!(rotated, old_token, "the client followed the rotated session");
        let stale = AuthClient::builder(peer.url()).token_store(store_with(&old_token)).build().expect("client");
        assert_eq!(stale.restore().await.expect("asks"), None, "the old session is gone");

        let methods = challenged(&client).await;
        assert_eq!(methods, ["totp", "otp"]);
        assert_eq!(prompted.lock().expect("lock").as_slice(), [vec!["totp".to_owned(), "otp".to_owned()]]);
        assert_eq!(client.pending_two_factor(), Some(methods));
        assert_eq!(client.token().expect("token"), None, "no token before the second factor");
        assert!(!client.session().get().is_signed_in());

        let wrong = client.two_factor().verify_totp(wrong_code_for(uri.expose())).await;
        assert_eq!(api_code(wrong), ErrorCode::InvalidCode);
        assert!(client.pending_two_factor().is_some(), "a wrong code keeps the challenge open");
        let done = client.two_factor().verify_totp(code_from_uri(uri.expose())).await.expect("signs in");
        assert_eq!(done.user.email, EMAIL);
        assert_eq!(client.pending_two_factor(), None);
        assert!(client.token().expect("token").is_some());
        assert_eq!(client.session().get().data.expect("signed in").user.email, EMAIL);

        // The same challenge through `?` and the typed error.
        client.sign_out().await.expect("signs out");
        let outcome = client.sign_in().email(EMAIL, PASSWORD).await.expect("password accepted");
        assert_eq!(
            outcome.into_signed_in().map(|_| ()),
            Err(Error::TwoFactorRequired { methods: vec!["totp".into(), "otp".into()] })
        );
    }
}

peer_test! {
    async fn totp_sign_in_in_cookie_mode(kind) {
        let _record = against_better_auth(kind, &[flows::TWO_FACTOR_TOTP, flows::COOKIES]);
        let peer = peer(kind).await;
        let client = AuthClient::builder(peer.url())
            .credential_mode(CredentialMode::Cookie)
            .build()
            .expect("client");
        let (uri, _) = enrol(&client).await;
        challenged(&client).await;
        client.two_factor().verify_totp(code_from_uri(&uri)).await.expect("signs in with the cookie jar");
        assert_eq!(client.get_session().await.expect("asks").expect("signed in").user.email, EMAIL);
    }
}

peer_test! {
    async fn backup_codes(kind) {
        let _record = against_better_auth(kind, &[flows::TWO_FACTOR_BACKUP]);
        let peer = peer(kind).await;
        let client = peer.client();
        let (_, codes) = enrol(&client).await;
        challenged(&client).await;
        client.two_factor().verify_backup_code(codes[0].as_str()).await.expect("a backup code signs in");
        assert!(client.session().get().is_signed_in());

        challenged(&client).await;
        let reused = client.two_factor().verify_backup_code(codes[0].as_str()).await;
        assert_eq!(api_code(reused), ErrorCode::InvalidBackupCode, "each code works once");
        client.two_factor().verify_backup_code(codes[1].as_str()).await.expect("another code works");

        let fresh = client.two_factor().generate_backup_codes().password(PASSWORD).await.expect("generates");
        assert_eq!(fresh.backup_codes.len(), 10);
        challenged(&client).await;
        let old = client.two_factor().verify_backup_code(codes[2].as_str()).await;
        assert_eq!(api_code(old), ErrorCode::InvalidBackupCode, "generating replaced the old codes");
        let checked = client
            .two_factor()
            .verify_backup_code(fresh.backup_codes[0].clone())
            .disable_session()
            .await
            .expect("checks");
        assert_eq!(checked.user.email, EMAIL);
        assert_eq!(checked.token, None, "no session was made");
        assert!(!client.session().get().is_signed_in());
    }
}

peer_test! {
    async fn emailed_codes(kind) {
        let _record = against_better_auth(kind, &[flows::TWO_FACTOR_OTP]);
        let peer = peer(kind).await;
        let client = peer.client();
        client.sign_up().email("Ada", EMAIL, PASSWORD).await.expect("signs up");
        let enabled = client
            .two_factor()
            .enable()
            .password(PASSWORD)
            .method(TwoFactorMethod::Otp)
            .await
            .expect("enables OTP");
        assert_eq!(enabled.method, TwoFactorMethod::Otp);
        assert_eq!(enabled.totp_uri, None);
        assert_eq!(two_factor_enabled(&client), Some(Value::Bool(true)), "OTP is on at once");
        assert!(client.session().get().is_signed_in(), "the rotated session was followed");

        assert_eq!(challenged(&client).await, ["otp"]);
        assert_eq!(api_code(client.two_factor().verify_otp("123456").await), ErrorCode::OtpHasExpired);
        client.two_factor().send_otp().await.expect("sends");
        let email = peer.email("two-factor-otp", EMAIL).await;
        let code = email["token"].as_str().expect("the code").to_owned();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        assert_eq!(api_code(client.two_factor().verify_otp(wrong).await), ErrorCode::InvalidCode);
        client.two_factor().verify_otp(code).await.expect("signs in");
        assert_eq!(client.session().get().data.expect("signed in").user.email, EMAIL);
    }
}

fn store_with(token: &SessionToken) -> MemoryStore {
    let store = MemoryStore::new();
    store.save(token).expect("saves");
    store
}

peer_test! {
    async fn trusted_devices(kind) {
        let _record = against_better_auth(kind, &[flows::TWO_FACTOR_TRUST]);
        let peer = peer(kind).await;
        let store = SharedStore::default();
        let client = AuthClient::builder(peer.url()).token_store(store.clone()).build().expect("client");
        let (uri, _) = enrol(&client).await;
        challenged(&client).await;
        client.two_factor().verify_totp(code_from_uri(&uri)).trust_device().await.expect("signs in");
        assert!(store.load_trusted_device().expect("loads").is_some(), "the trust is kept in the store");

        client.sign_out().await.expect("signs out");
        let direct = client.sign_in().email(EMAIL, PASSWORD).await.expect("signs in");
        assert!(direct.signed_in().is_some(), "a trusted device skips the second factor");

        // The app restarts: the trust comes back from the store.
        let restarted = AuthClient::builder(peer.url()).token_store(store.clone()).build().expect("client");
        restarted.sign_out().await.expect("signs out");
        let again = restarted.sign_in().email(EMAIL, PASSWORD).await.expect("signs in");
        assert!(again.signed_in().is_some(), "the kept trust still works");

        // Another device is challenged.
        let other = peer.client();
        let outcome = other.sign_in().email(EMAIL, PASSWORD).await.expect("password accepted");
        assert!(outcome.two_factor_methods().is_some());

        restarted.two_factor().disable().password(PASSWORD).await.expect("disables");
        assert_eq!(store.load_trusted_device().expect("loads"), None, "disabling forgets the trust");
    }
}

peer_test! {
    async fn disable_wrong_codes_and_limits(kind) {
        let _record = against_better_auth(kind, &[flows::TWO_FACTOR_MANAGE]);
        let peer = peer(kind).await;
        let client = peer.client();
        client.sign_up().email("Ada", EMAIL, PASSWORD).await.expect("signs up");
        let not_enabled = client.two_factor().get_totp_uri().password(PASSWORD).await;
        assert_eq!(api_code(not_enabled), ErrorCode::TotpNotEnabled);
        let no_codes = client.two_factor().generate_backup_codes().password(PASSWORD).await;
        assert_eq!(api_code(no_codes), ErrorCode::TwoFactorNotEnabled);
        client.sign_out().await.expect("signs out");
        let no_challenge = peer.client().two_factor().verify_totp("123456").await;
        assert_eq!(api_code(no_challenge), ErrorCode::InvalidTwoFactorCookie);
        client.sign_in().email(EMAIL, PASSWORD).await.expect("signs in");

        let setup = client.two_factor().enable().password(PASSWORD).await.expect("enables");
        let uri = setup.totp_uri.expect("URI").expose().to_owned();
        client.two_factor().verify_totp(code_from_uri(&uri)).await.expect("verifies");
        challenged(&client).await;
        for _ in 0..5 {
            let wrong = client.two_factor().verify_totp(wrong_code_for(&uri)).await;
            assert_eq!(api_code(wrong), ErrorCode::InvalidCode);
        }
        let closed = client.two_factor().verify_totp(code_from_uri(&uri)).await;
        assert_eq!(api_code(closed), ErrorCode::TooManyAttemptsRequestNewCode);
        assert_eq!(client.pending_two_factor(), None, "the server closed the challenge");

        challenged(&client).await;
        client.two_factor().verify_totp(code_from_uri(&uri)).await.expect("a new challenge works");
        let wrong_password = client.two_factor().disable().password("wrong-password").await;
        assert_eq!(api_code(wrong_password), ErrorCode::InvalidPassword);
        client.two_factor().disable().password(PASSWORD).await.expect("disables");
        assert_eq!(two_factor_enabled(&client), Some(Value::Bool(false)));
        client.sign_out().await.expect("signs out");
        let plain = client.sign_in().email(EMAIL, PASSWORD).await.expect("signs in");
        assert!(plain.signed_in().is_some(), "no second factor any more");
    }
}

peer_test! {
    async fn two_factor_paths_are_rate_limited(kind) {
        let _record = against_better_auth(kind, &[flows::TWO_FACTOR_MANAGE, flows::RATE_LIMIT]);
        let peer = Peer::start(
            kind,
            PeerOptions { plugins: vec!["two-factor"], rate_limit: true, ..PeerOptions::default() },
        )
        .await;
        let client = peer.client();
        for _ in 0..3 {
            let refused = client.two_factor().verify_totp("000000").await;
            assert_eq!(api_code(refused), ErrorCode::InvalidTwoFactorCookie);
        }
        match client.two_factor().verify_totp("000000").await {
            Err(Error::RateLimited { retry_after: Some(seconds) }) => assert!(seconds <= 10),
            other => panic!("expected the rate limiter, got {other:?}"),
        }
    }
}
