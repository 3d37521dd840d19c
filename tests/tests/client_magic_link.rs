//! `client.magic_link()` against both servers: Keyward's magic-link plugin and
//! better-auth's `magicLink` (interop direction A). The link the server sends is read
//! from its outbox; the rows the servers keep are compared too.

use keyward_client::wire::MagicLinkError;
use keyward_client::{AuthClient, Error};
use keyward_server::db::{Db, Exec};
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::{MagicLinkOptions, Peer, PeerKind, PeerOptions, peer_test};

const PASSWORD: &str = "correct-horse-battery";
const EMAIL: &str = "ada@example.com";

async fn peer(kind: PeerKind, options: MagicLinkOptions) -> Peer {
    Peer::start(
        kind,
        PeerOptions {
            plugins: vec!["magic-link"],
            magic_link: options,
            ..PeerOptions::default()
        },
    )
    .await
}

/// Asks for a link to `email` and answers the emailed link and its token.
async fn emailed(peer: &Peer, client: &AuthClient, email: &str, callback: &str) -> (String, String) {
    let before = peer.emails().len();
    client
        .magic_link()
        .sign_in(email)
        .name("Ada")
        .callback_url(callback)
        .await
        .expect("asks for a link");
    let sent = peer.email("magic-link", email).await;
    assert!(peer.emails().len() > before, "a new link went out");
    let url = sent["url"].as_str().expect("a link").to_owned();
    let token = sent["token"].as_str().expect("a token").to_owned();
    (url, token)
}

/// The magic-link rows: identifier, value and lifetime in (rounded) seconds.
async fn rows(db: &Db) -> Vec<(String, String, i64)> {
    let mut db = db.clone();
    db.fetch_all(
        r#"select "identifier", "value", "expiresAt", "createdAt" from "verification" where "identifier" like 'magic-link:%'"#,
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
            (lifetime.num_milliseconds() + 500) / 1000,
        )
    })
    .collect()
}

/// The magic-link error of a refused verification.
fn link_error<T: std::fmt::Debug>(result: Result<T, Error>) -> MagicLinkError {
    match result {
        Err(Error::MagicLink { error, .. }) => error,
        other => panic!("expected a magic-link error, got {other:?}"),
    }
}

peer_test! {
    async fn a_link_signs_a_user_up_then_in(kind) {
        let _record = against_better_auth(kind, &[flows::MAGIC_LINK, flows::SQLITE]);
        let peer = peer(kind, MagicLinkOptions::default()).await;
        let asker = peer.client();
        let (url, token) = emailed(&peer, &asker, "Ada@Example.com", "/dash").await;
        assert_eq!(token.len(), 32);
        assert!(token.bytes().all(|b| b.is_ascii_alphabetic()), "{token}");
        assert!(
            url.ends_with(&format!("/api/auth/magic-link/verify?token={token}&callbackURL=%2Fdash")),
            "{url}"
        );
        let db = peer.db().await;
        assert_eq!(
            rows(&db).await,
            [(
                format!("magic-link:{token}"),
                r#"{"type":"magic-link","email":"Ada@Example.com","name":"Ada"}"#.to_owned(),
                300
            )]
        );
        assert!(!asker.session().get().is_signed_in(), "asking signs nobody in");

        let native = peer.client();
        let signed_in = native.magic_link().verify(token.as_str()).await.expect("verifies");
        assert_eq!(signed_in.user.email, EMAIL);
        assert_eq!(signed_in.user.name, "Ada");
        assert!(signed_in.user.email_verified);
        assert_eq!(signed_in.token.expose(), signed_in.session.token.expose());
        let stored = native.session().get().data.expect("the store is signed in");
        assert_eq!(stored.user.id, signed_in.user.id);
        assert!(native.token().expect("token").is_some(), "bearer token stored");
        assert!(rows(&db).await.is_empty(), "the link is used up");

        let again = peer.client();
        assert_eq!(link_error(again.magic_link().verify(token.as_str()).await), MagicLinkError::InvalidToken);
        assert!(!again.session().get().is_signed_in());

        // The same user's next link signs in a cookie-mode client.
        let (_, token) = emailed(&peer, &asker, EMAIL, "/dash").await;
        let cookies = peer.cookie_client();
        let second = cookies.magic_link().verify(token).await.expect("verifies");
        assert_eq!(second.user.id, signed_in.user.id, "no second user");
        assert_eq!(cookies.get_session().await.expect("asks").expect("signed in").user.id, signed_in.user.id);
    }
}

peer_test! {
    async fn used_expired_unknown_and_refused_links(kind) {
        let _record = against_better_auth(kind, &[flows::MAGIC_LINK_REFUSED, flows::ERRORS]);
        let peer = peer(kind, MagicLinkOptions::default()).await;
        let client = peer.client();
        assert_eq!(link_error(client.magic_link().verify("nope").await), MagicLinkError::InvalidToken);
        assert_eq!(link_error(client.magic_link().verify("").await), MagicLinkError::InvalidToken);

        let (_, token) = emailed(&peer, &client, EMAIL, "/dash").await;
        let mut db = peer.db().await;
        let past = chrono::Utc::now() - chrono::Duration::minutes(1);
        db.execute(r#"update "verification" set "expiresAt" = $1"#, keyward_server::args![past])
            .await
            .expect("expires the link");
        assert_eq!(link_error(client.magic_link().verify(token).await), MagicLinkError::InvalidToken);
        assert!(rows(&db).await.is_empty(), "an expired link is removed when tried");
        assert!(!client.session().get().is_signed_in());

        match client.magic_link().sign_in("not-an-address").await {
            Err(Error::Api { status: 400, code, .. }) => assert_eq!(code.as_str(), "VALIDATION_ERROR"),
            other => panic!("a bad address is refused: {other:?}"),
        }
        match client.magic_link().sign_in(EMAIL).callback_url("https://evil.example/").await {
            Err(Error::Api { status: 403, code, .. }) => assert_eq!(code.as_str(), "INVALID_CALLBACK_URL"),
            other => panic!("a foreign callback is refused: {other:?}"),
        }
        match client.magic_link().sign_in(EMAIL).error_callback_url("https://evil.example/").await {
            Err(Error::Api { status: 403, code, .. }) => assert_eq!(code.as_str(), "INVALID_ERROR_CALLBACK_URL"),
            other => panic!("a foreign error callback is refused: {other:?}"),
        }
    }
}

peer_test! {
    async fn sign_up_switched_off_and_hashed_tokens(kind) {
        let _record = against_better_auth(kind, &[flows::MAGIC_LINK_REFUSED]);
        let options = MagicLinkOptions {
            hashed: true,
            disable_sign_up: true,
            expires_in: Some(60),
        };
        let peer = peer(kind, options).await;
        let client = peer.client();
        let (_, token) = emailed(&peer, &client, "new@example.com", "/").await;
        let digest = keyward_server::crypto::base64url(&keyward_server::crypto::sha256(token.as_bytes()));
        let db = peer.db().await;
        let stored = rows(&db).await;
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].0, format!("magic-link:{digest}"));
        assert_eq!(stored[0].2, 60);
        assert_eq!(
            link_error(client.magic_link().verify(token).await),
            MagicLinkError::NewUserSignupDisabled
        );

        client.sign_up().email("Ada", EMAIL, PASSWORD).await.expect("signs up");
        let (_, token) = emailed(&peer, &client, EMAIL, "/").await;
        let other = peer.client();
        let signed_in = other.magic_link().verify(token).await.expect("an existing user signs in");
        assert_eq!(signed_in.user.email, EMAIL);
    }
}

peer_test! {
    async fn an_unverified_account_loses_its_password_and_sessions(kind) {
        let _record = against_better_auth(kind, &[flows::MAGIC_LINK]);
        let peer = peer(kind, MagicLinkOptions::default()).await;
        let squatter = peer.client();
        squatter.sign_up().email("Mallory", EMAIL, PASSWORD).await.expect("signs up");
        let owner = peer.client();
        let (_, token) = emailed(&peer, &owner, EMAIL, "/").await;
        let signed_in = owner.magic_link().verify(token).await.expect("verifies");
        assert!(signed_in.user.email_verified);
        assert_eq!(signed_in.user.name, "Mallory", "the user stays, with their name");
        assert!(squatter.get_session().await.expect("asks").is_none(), "the old session ended");
        let password = peer.client().sign_in().email(EMAIL, PASSWORD).await;
        match password {
            Err(Error::Api { status: 401, code, .. }) => assert_eq!(code.as_str(), "INVALID_EMAIL_OR_PASSWORD"),
            other => panic!("the password account is gone: {other:?}"),
        }
    }
}
