//! `client.passkey()` and `client.sign_in().passkey()` with a software authenticator,
//! against both servers: Keyward's passkey plugin and `@better-auth/passkey` (interop
//! direction A).

use keyward_client::authenticator::{Authenticator, CeremonyError, Mediation, SoftAuthenticator};
use keyward_client::wire::{ErrorCode, RequestOptions};
use keyward_client::{AuthClient, Error};
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::{Peer, PeerKind, PeerOptions, peer_test};
use serde_json::{Value, json};

const PASSWORD: &str = "correct-horse-battery";

async fn peer(kind: PeerKind) -> Peer {
    Peer::start(
        kind,
        PeerOptions {
            plugins: vec!["passkey"],
            ..PeerOptions::default()
        },
    )
    .await
}

fn authenticator(peer: &Peer) -> SoftAuthenticator {
    SoftAuthenticator::new(peer.passkey_origin())
}

fn api_error<T: std::fmt::Debug>(result: Result<T, Error>) -> (u16, ErrorCode) {
    match result {
        Err(Error::Api { status, code, .. }) => (status, code),
        other => panic!("expected an API error, got {other:?}"),
    }
}

async fn signed_up(peer: &Peer, authenticator: SoftAuthenticator, name: &str) -> AuthClient {
    let client = peer.client_with_authenticator(authenticator);
    client
        .sign_up()
        .email(name, format!("{}@example.com", name.to_lowercase()), PASSWORD)
        .await
        .expect("signs up");
    client
}

/// Requests outside the client: a cookie jar of name=value pairs, bearer token, Origin.
struct Raw {
    http: reqwest::Client,
    base: String,
    origin: String,
    cookies: Vec<(String, String)>,
    bearer: Option<String>,
}

impl Raw {
    fn new(peer: &Peer) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: format!("{}api/auth", peer.url()),
            origin: peer.url().origin().ascii_serialization(),
            cookies: Vec::new(),
            bearer: None,
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let mut request = request.header("origin", &self.origin);
        if !self.cookies.is_empty() {
            let header: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            request = request.header("cookie", header.join("; "));
        }
        if let Some(token) = &self.bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("answers");
        let status = response.status().as_u16();
        for value in response.headers().get_all("set-cookie") {
            let pair = value.to_str().unwrap_or_default().split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.retain(|(k, _)| k != name);
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&mut self, path: &str) -> (u16, Value) {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    async fn post(&mut self, path: &str, body: &Value) -> (u16, Value) {
        let request = self.http.post(format!("{}{path}", self.base)).json(body);
        self.send(request).await
    }

    /// Options and a signed answer for a sign-in, not yet verified.
    async fn assertion(&mut self, authenticator: &SoftAuthenticator) -> Value {
        let (status, options) = self.get("/passkey/generate-authenticate-options").await;
        assert_eq!(status, 200, "{options}");
        let options: RequestOptions = serde_json::from_value(options).expect("request options");
        let response = authenticator
            .get(options, Mediation::Required)
            .await
            .expect("authenticator signs");
        json!({ "response": response })
    }
}

peer_test! {
    async fn register_rename_sign_in_and_delete(kind) {
        let _record = against_better_auth(kind, &[flows::PASSKEY_REGISTER, flows::PASSKEY_SIGN_IN, flows::PASSKEY_MANAGE]);
        let peer = peer(kind).await;
        let client = signed_up(&peer, authenticator(&peer), "Ada").await;
        let store = client.passkey().passkeys();
        store.refetch().await.expect("list loads");
        assert_eq!(store.get().data, Some(Vec::new()));

        let added = client.passkey().add_passkey().name("  Laptop ").await.expect("registers");
        let passkey = added.passkey;
        assert_eq!(passkey.name.as_deref(), Some("Laptop"));
        assert!(added.session.is_none());
        assert_eq!(passkey.aaguid.as_deref(), Some("00000000-0000-0000-0000-000000000000"));
        assert!(passkey.transport_list().contains(&"internal".to_owned()), "{passkey:?}");
        assert_eq!(store.get().data.map(|list| list.len()), Some(1), "the list store follows");
        let listed = client.passkey().list().await.expect("lists");
        assert_eq!(listed, vec![passkey.clone()]);
        let registered_counter = passkey.counter;

        let renamed = client.passkey().update(&passkey.id, " Work laptop ").await.expect("renames");
        assert_eq!(renamed.name.as_deref(), Some("Work laptop"));
        assert_eq!(
            api_error(client.passkey().update(&passkey.id, "   ").await),
            (400, ErrorCode::ValidationError)
        );

        client.sign_out().await.expect("signs out");
        assert!(client.session().get().data.is_none());
        let signed_in = client.sign_in().passkey().await.expect("signs in with the passkey");
        assert_eq!(signed_in.user.email, "ada@example.com");
        let state = client.session().get();
        assert_eq!(state.data.map(|data| data.user.id), Some(signed_in.user.id.clone()));
        let after = client.passkey().list().await.expect("lists");
        assert!(after[0].counter > registered_counter, "the counter rises: {after:?}");

        // A signed-in sign-in is limited to the user's passkeys, and works again.
        let again = client.sign_in().passkey().await.expect("step-up sign-in");
        assert_eq!(again.user.id, signed_in.user.id);

        client.passkey().delete(&passkey.id).await.expect("deletes");
        assert_eq!(client.passkey().list().await.expect("lists"), Vec::new());
        assert_eq!(
            api_error(client.passkey().delete(&passkey.id).await),
            (404, ErrorCode::PasskeyNotFound)
        );
        client.sign_out().await.expect("signs out");
        assert_eq!(
            api_error(client.sign_in().passkey().await),
            (401, ErrorCode::PasskeyNotFound),
            "a deleted passkey no longer signs in"
        );
    }
}

peer_test! {
    async fn es256_passkeys_sign_in_too(kind) {
        let peer = peer(kind).await;
        let client = signed_up(&peer, SoftAuthenticator::es256_only(peer.passkey_origin()), "Ada").await;
        let passkey = client.passkey().add_passkey().await.expect("registers").passkey;
        // COSE key map of an EC2 P-256 key: kty 2, alg -7 (a5 01 02 03 26 …).
        assert!(passkey.public_key.starts_with("pQECAyYg"), "{}", passkey.public_key);
        client.sign_out().await.expect("signs out");
        client.sign_in().passkey().await.expect("signs in");
        client.sign_out().await.expect("signs out");
        client.sign_in().passkey().await.expect("signs in again");
        let after = client.passkey().list().await.expect("lists");
        assert!(after[0].counter >= passkey.counter + 2, "{after:?}");
    }
}

/// The registration options offer EdDSA first (SimpleWebAuthn's `[-8, -7, -257]`), so the
/// software authenticator makes an Ed25519 key; it registers, signs in twice (the counter
/// rising) and is listed with its COSE key as the authenticator encoded it.
async fn ed25519_round_trip(kind: PeerKind, postgres: bool) {
    let peer = Peer::start(
        kind,
        PeerOptions {
            plugins: vec!["passkey"],
            postgres,
            ..PeerOptions::default()
        },
    )
    .await;
    let client = signed_up(&peer, authenticator(&peer), "Ada").await;
    let mut raw = Raw::new(&peer);
    raw.bearer = client.token().expect("token").map(|t| t.expose().to_owned());
    let (status, options) = raw.get("/passkey/generate-register-options").await;
    assert_eq!(status, 200, "{options}");
    let offered: Vec<Option<i64>> = options["pubKeyCredParams"]
        .as_array()
        .expect("pubKeyCredParams")
        .iter()
        .map(|parameter| {
            assert_eq!(parameter["type"], "public-key");
            parameter["alg"].as_i64()
        })
        .collect();
    assert_eq!(offered, [Some(-8), Some(-7), Some(-257)]);

    let passkey = client.passkey().add_passkey().await.expect("registers").passkey;
    // COSE key map of an OKP Ed25519 key: kty 1, alg -8, crv 6, x (a4 01 01 03 27 20 06 21 58 20 …).
    assert!(
        passkey.public_key.starts_with("pAEBAycgBiFYI"),
        "{}",
        passkey.public_key
    );
    client.sign_out().await.expect("signs out");
    let signed_in = client.sign_in().passkey().await.expect("signs in");
    assert_eq!(signed_in.user.email, "ada@example.com");
    client.sign_out().await.expect("signs out");
    client.sign_in().passkey().await.expect("signs in again");
    let after = client.passkey().list().await.expect("lists");
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].public_key, passkey.public_key);
    assert!(after[0].counter >= passkey.counter + 2, "{after:?}");
}

peer_test! {
    async fn ed25519_passkeys_register_and_sign_in(kind) {
        ed25519_round_trip(kind, false).await;
    }
}

peer_test! {
    async fn ed25519_passkeys_register_and_sign_in_on_postgres(kind) {
        ed25519_round_trip(kind, true).await;
    }
}

peer_test! {
    async fn registration_needs_a_session_and_refuses_a_second_registration(kind) {
        let peer = peer(kind).await;
        let anonymous = peer.client_with_authenticator(authenticator(&peer));
        assert_eq!(
            api_error(anonymous.passkey().add_passkey().await).0,
            401,
            "registration needs a session"
        );
        let soft = std::sync::Arc::new(authenticator(&peer));
        let client = signed_up(&peer, authenticator(&peer), "Ada").await;
        client.passkey().add_passkey().await.expect("registers");
        assert_eq!(
            client.passkey().add_passkey().await.err(),
            Some(Error::Passkey(CeremonyError::AlreadyRegistered)),
            "the authenticator refuses to register a second passkey of the account"
        );
        let other = signed_up(&peer, authenticator(&peer), "Bob").await;
        drop(soft);
        let declining = authenticator(&peer);
        declining.decline_next_prompt();
        let bob = AuthClient::builder(peer.url())
            .authenticator(declining)
            .build()
            .expect("client");
        bob.sign_in().email("bob@example.com", PASSWORD).await.expect("signs in");
        assert_eq!(
            bob.passkey().add_passkey().await.err(),
            Some(Error::Passkey(CeremonyError::Cancelled))
        );
        assert_eq!(CeremonyError::Cancelled.code(true), ErrorCode::RegistrationCancelled);
        assert!(other.passkey().list().await.expect("lists").is_empty());
    }
}

peer_test! {
    async fn wrong_origin_is_refused(kind) {
        let peer = peer(kind).await;
        let soft = std::sync::Arc::new(authenticator(&peer));
        let ada = signed_up(&peer, authenticator(&peer), "Ada").await;
        let _ = ada;
        let client = AuthClient::builder(peer.url())
            .authenticator(soft.clone())
            .build()
            .expect("client");
        client.sign_in().email("ada@example.com", PASSWORD).await.expect("signs in");
        client.passkey().add_passkey().await.expect("registers");

        // The same passkey, used from a page of another origin.
        soft.set_origin("http://localhost:1".parse().expect("url"));
        client.sign_out().await.expect("signs out");
        assert_eq!(api_error(client.sign_in().passkey().await), (400, ErrorCode::AuthenticationFailed));
        assert!(client.session().get().data.is_none());

        // Registered from another origin.
        let elsewhere = SoftAuthenticator::new("http://localhost:1".parse().expect("url"));
        let impostor = signed_up(&peer, elsewhere, "Mallory").await;
        let (status, code) = api_error(impostor.passkey().add_passkey().await);
        assert_eq!(code, ErrorCode::FailedToVerifyRegistration);
        // better-auth answers 500 here (SimpleWebAuthn throws); Keyward 400.
        assert_eq!(status, if kind == PeerKind::Keyward { 400 } else { 500 });
        assert!(impostor.passkey().list().await.expect("lists").is_empty());
    }
}

peer_test! {
    async fn challenges_are_single_use_and_expire(kind) {
        let _record = against_better_auth(kind, &[flows::PASSKEY_CHALLENGES]);
        let peer = peer(kind).await;
        let soft = std::sync::Arc::new(authenticator(&peer));
        let client = signed_up(&peer, authenticator(&peer), "Ada").await;
        let _ = client;
        let owner = AuthClient::builder(peer.url())
            .authenticator(soft.clone())
            .build()
            .expect("client");
        owner.sign_in().email("ada@example.com", PASSWORD).await.expect("signs in");
        owner.passkey().add_passkey().await.expect("registers");

        // Replayed: the same signed answer twice.
        let mut raw = Raw::new(&peer);
        let body = raw.assertion(&soft).await;
        let (status, first) = raw.post("/passkey/verify-authentication", &body).await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(first["user"]["email"], "ada@example.com");
        let (status, replay) = raw.post("/passkey/verify-authentication", &body).await;
        assert_eq!((status, replay["code"].as_str()), (400, Some("CHALLENGE_NOT_FOUND")), "{replay}");

        // An answer to one challenge does not verify under another.
        let mut other = Raw::new(&peer);
        let stale = other.assertion(&soft).await;
        let _fresh_cookie = other.assertion(&soft).await;
        let (status, mismatch) = other.post("/passkey/verify-authentication", &stale).await;
        assert_eq!((status, mismatch["code"].as_str()), (400, Some("AUTHENTICATION_FAILED")), "{mismatch}");

        // Expired: the verification row outlived its five minutes.
        let mut late = Raw::new(&peer);
        let body = late.assertion(&soft).await;
        let db = peer.db().await;
        let past = chrono::Utc::now() - chrono::Duration::minutes(10);
        let mut exec = db.clone();
        keyward_server::db::Exec::execute(
            &mut exec,
            r#"update "verification" set "expiresAt" = $1"#,
            keyward_server::args![past],
        )
        .await
        .expect("expires the challenges");
        let (status, expired) = late.post("/passkey/verify-authentication", &body).await;
        assert_eq!((status, expired["code"].as_str()), (400, Some("CHALLENGE_NOT_FOUND")), "{expired}");

        // No challenge cookie at all.
        let mut bare = Raw::new(&peer);
        let (status, none) = bare.post("/passkey/verify-authentication", &json!({"response": {}})).await;
        assert_eq!((status, none["code"].as_str()), (400, Some("CHALLENGE_NOT_FOUND")), "{none}");
    }
}

peer_test! {
    async fn someone_elses_passkey_stays_theirs(kind) {
        let _record = against_better_auth(kind, &[flows::PASSKEY_OWNERSHIP]);
        let peer = peer(kind).await;
        let ada = signed_up(&peer, authenticator(&peer), "Ada").await;
        let passkey = ada.passkey().add_passkey().await.expect("registers").passkey;
        let bob = signed_up(&peer, authenticator(&peer), "Bob").await;
        assert!(bob.passkey().list().await.expect("lists").is_empty(), "lists only one's own");
        assert_eq!(api_error(bob.passkey().delete(&passkey.id).await).0, 401);
        assert_eq!(
            api_error(bob.passkey().update(&passkey.id, "mine now").await),
            (401, ErrorCode::YouAreNotAllowedToRegisterThisPasskey)
        );
        assert_eq!(ada.passkey().list().await.expect("lists")[0].name, None);

        // Ada's registration challenge answered with Bob's session.
        let mut raw = Raw::new(&peer);
        raw.bearer = ada.token().expect("token").map(|t| t.expose().to_owned());
        let (status, options) = raw.get("/passkey/generate-register-options").await;
        assert_eq!(status, 200, "{options}");
        let fresh = authenticator(&peer);
        let response = fresh
            .create(serde_json::from_value(options).expect("creation options"))
            .await
            .expect("creates");
        raw.bearer = bob.token().expect("token").map(|t| t.expose().to_owned());
        let (status, refused) = raw
            .post("/passkey/verify-registration", &json!({ "response": response }))
            .await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (401, Some("YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY")),
            "{refused}"
        );
        assert!(bob.passkey().list().await.expect("lists").is_empty());
    }
}
