//! `client.one_time_token()` against both servers: Keyward's one-time-token plugin and
//! better-auth's `oneTimeToken` (interop direction A). A session made on one client is
//! handed to another with a token; the rows the servers keep are compared too.

use keyward_client::wire::{OneTimeToken, SessionData};
use keyward_client::{AuthClient, CredentialMode, Error};
use keyward_server::db::{Db, Exec};
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::{OneTimeTokenOptions, Peer, PeerKind, PeerOptions, peer_test};

const PASSWORD: &str = "correct-horse-battery";
const EMAIL: &str = "ada@example.com";

async fn peer(kind: PeerKind, options: OneTimeTokenOptions) -> Peer {
    Peer::start(
        kind,
        PeerOptions {
            plugins: vec!["one-time-token"],
            one_time_token: options,
            ..PeerOptions::default()
        },
    )
    .await
}

/// Ada, signed up on a bearer client.
async fn ada(peer: &Peer) -> AuthClient {
    let client = peer.client();
    client.sign_up().email("Ada", EMAIL, PASSWORD).await.expect("signs up");
    client
}

/// The session a client holds, as its store knows it.
fn session_of(client: &AuthClient) -> SessionData {
    client.session().get().data.expect("signed in")
}

/// Status and message of a refused call.
fn refusal<T: std::fmt::Debug>(result: Result<T, Error>) -> (u16, String) {
    match result {
        Err(Error::Api { status, message, .. }) => (status, message),
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// The one-time-token rows: identifier, value and lifetime in (rounded) seconds.
async fn rows(db: &Db) -> Vec<(String, String, i64)> {
    let mut db = db.clone();
    db.fetch_all(
        r#"select "identifier", "value", "expiresAt", "createdAt" from "verification" where "identifier" like 'one-time-token:%'"#,
        vec![],
    )
    .await
    .expect("reads the verification table")
    .iter()
    .map(|row| {
        let lifetime = row.time("expiresAt").expect("expiresAt") - row.time("createdAt").expect("createdAt");
        (
            row.text("identifier").expect("identifier"),
            row.text("value").expect("value"),
            // better-auth takes the expiry a moment before the creation time.
            (lifetime.num_milliseconds() + 500) / 1000,
        )
    })
    .collect()
}

peer_test! {
    async fn a_session_moves_to_another_client(kind) {
        let _record = against_better_auth(kind, &[flows::ONE_TIME_TOKEN, flows::SQLITE]);
        let peer = peer(kind, OneTimeTokenOptions::default()).await;
        let browser = ada(&peer).await;
        let session = session_of(&browser).session;

        let token = browser.one_time_token().generate().await.expect("a token");
        assert_eq!(format!("{token:?}"), "OneTimeToken(***)");
        assert_eq!(token.expose().len(), 32);
        let db = peer.db().await;
        assert_eq!(
            rows(&db).await,
            [(format!("one-time-token:{}", token.expose()), session.token.expose().to_owned(), 180)],
            "the row better-auth keeps: named by the token, the session token as value, three minutes"
        );

        // A native process in bearer mode: signed in as the browser's session.
        let native = peer.client();
        assert!(native.token().expect("token").is_none());
        let signed_in = native.one_time_token().verify(token.clone()).await.expect("verifies");
        assert_eq!(signed_in.user.email, EMAIL);
        assert_eq!(signed_in.session.token, session.token);
        assert_eq!(native.token().expect("token"), browser.token().expect("token"), "the same session's token");
        assert_eq!(session_of(&native).user.email, EMAIL, "the session store follows");
        let fetched = native.get_session().await.expect("asks").expect("signed in");
        assert_eq!(fetched.session.id, session.id);
        assert!(rows(&db).await.is_empty(), "the token is used up");

        // The same in cookie mode, with a token of its own.
        let cookies = peer.cookie_client();
        let second = browser.one_time_token().generate().await.expect("a token");
        assert_ne!(second, token);
        cookies.one_time_token().verify(second.clone()).await.expect("verifies");
        assert_eq!(cookies.get_session().await.expect("asks").expect("signed in").user.email, EMAIL);
        assert_eq!(session_of(&cookies).session.id, session.id);

        // Signing out the native process ends the shared session everywhere.
        native.sign_out().await.expect("signs out");
        assert_eq!(browser.get_session().await.expect("asks"), None);
        drop(db);
    }
}

peer_test! {
    async fn used_expired_and_unknown_tokens_are_refused(kind) {
        let _record = against_better_auth(kind, &[flows::ONE_TIME_TOKEN_REFUSED, flows::ERRORS]);
        let peer = peer(kind, OneTimeTokenOptions::default()).await;
        let signed_out = peer.client();
        let (status, _) = refusal(signed_out.one_time_token().generate().await);
        assert_eq!(status, 401, "a token needs a session");
        let browser = ada(&peer).await;

        let token = browser.one_time_token().generate().await.expect("a token");
        let first = peer.client();
        first.one_time_token().verify(token.clone()).await.expect("verifies");
        let second = peer.client();
        let reused = second.one_time_token().verify(token).await;
        assert_eq!(refusal(reused), (400, "Invalid token".to_owned()));
        assert!(second.token().expect("token").is_none(), "a refused token signs nobody in");
        assert!(!second.session().get().is_signed_in());

        let garbage = second.one_time_token().verify("not-a-token").await;
        assert_eq!(refusal(garbage), (400, "Invalid token".to_owned()));
        let empty = second.one_time_token().verify("").await;
        assert_eq!(refusal(empty), (400, "Invalid token".to_owned()));

        // Expired: the row outlived its three minutes.
        let token = browser.one_time_token().generate().await.expect("a token");
        let mut db = peer.db().await;
        let past = chrono::Utc::now() - chrono::Duration::minutes(1);
        db.execute(r#"update "verification" set "expiresAt" = $1"#, keyward_server::args![past])
            .await
            .expect("expires the token");
        let expired = second.one_time_token().verify(token.clone()).await;
        assert_eq!(refusal(expired), (400, "Invalid token".to_owned()));
        assert!(rows(&db).await.is_empty(), "an expired token is removed when tried");

        // The session ended before the token was used.
        let token = browser.one_time_token().generate().await.expect("a token");
        browser.sign_out().await.expect("signs out");
        let ended = second.one_time_token().verify(token).await;
        assert_eq!(refusal(ended), (400, "Session not found".to_owned()));
        assert!(!second.session().get().is_signed_in());

        // The session expired before the token was used (both servers set its cookie on
        // the refusal; a bearer client keeps no token from an error).
        browser.sign_in().email(EMAIL, PASSWORD).await.expect("signs in");
        let token = browser.one_time_token().generate().await.expect("a token");
        db.execute(r#"update "session" set "expiresAt" = $1"#, keyward_server::args![past])
            .await
            .expect("expires the session");
        let expired = second.one_time_token().verify(token).await;
        assert_eq!(refusal(expired), (400, "Session expired".to_owned()));
        assert!(second.token().expect("token").is_none());
    }
}

peer_test! {
    async fn hashed_tokens_and_verification_without_the_cookie(kind) {
        let _record = against_better_auth(kind, &[flows::ONE_TIME_TOKEN_OPTIONS]);
        let options = OneTimeTokenOptions {
            hashed: true,
            disable_set_session_cookie: true,
            ..OneTimeTokenOptions::default()
        };
        let peer = peer(kind, options).await;
        let browser = ada(&peer).await;
        let session = session_of(&browser).session;
        let token = browser.one_time_token().generate().await.expect("a token");
        let digest = keyward_server::crypto::base64url(&keyward_server::crypto::sha256(token.expose().as_bytes()));
        let db = peer.db().await;
        assert_eq!(
            rows(&db).await,
            [(format!("one-time-token:{digest}"), session.token.expose().to_owned(), 180)]
        );

        // The verifier learns whose token it is, and stays as it was.
        let verifier = peer.client();
        let answer = verifier.one_time_token().verify(token).await.expect("verifies");
        assert_eq!(answer.user.email, EMAIL);
        assert!(verifier.token().expect("token").is_none(), "no set-auth-token");
        assert!(!verifier.session().get().is_signed_in());
        let cookies = peer.cookie_client();
        let token = browser.one_time_token().generate().await.expect("a token");
        cookies.one_time_token().verify(token).await.expect("verifies");
        assert_eq!(cookies.get_session().await.expect("asks"), None, "no cookie either");
        let by_digest = cookies.one_time_token().verify(OneTimeToken::new(digest)).await;
        assert_eq!(refusal(by_digest), (400, "Invalid token".to_owned()));
    }
}

peer_test! {
    async fn new_sessions_carry_a_token_in_set_ott(kind) {
        let _record = against_better_auth(kind, &[flows::ONE_TIME_TOKEN_OPTIONS]);
        let options = OneTimeTokenOptions {
            set_ott_header_on_new_session: true,
            ..OneTimeTokenOptions::default()
        };
        let peer = peer(kind, options).await;
        let http = reqwest::Client::new();
        let base = format!("{}api/auth", peer.url());
        let signed_up = http
            .post(format!("{base}/sign-up/email"))
            .json(&serde_json::json!({"name": "Ada", "email": EMAIL, "password": PASSWORD}))
            .send()
            .await
            .expect("answers");
        assert_eq!(signed_up.status(), 200);
        let header = |name: &str| signed_up.headers().get(name).map(|v| v.to_str().expect("text").to_owned());
        let ott = header("set-ott").expect("set-ott on a new session");
        let exposed = header("access-control-expose-headers").expect("exposed headers");
        assert!(exposed.contains("set-ott") && exposed.contains("set-auth-token"), "{exposed}");
        let bearer = header("set-auth-token").expect("set-auth-token");
        let again = http
            .get(format!("{base}/get-session"))
            .bearer_auth(&bearer)
            .send()
            .await
            .expect("answers");
        assert!(again.headers().get("set-ott").is_none(), "no new session, no token");

        let native = AuthClient::builder(peer.url())
            .credential_mode(CredentialMode::Bearer)
            .build()
            .expect("client");
        let data = native.one_time_token().verify(ott).await.expect("the header's token verifies");
        assert_eq!(data.user.email, EMAIL);
        assert_eq!(native.token().expect("token").expect("signed in").expose(), bearer);
    }
}
