//! `client.jwt()` against both servers: Keyward's jwt plugin and better-auth's `jwt`
//! (interop direction A): the token of `/token` and of `set-auth-jwt` verifies against
//! `/jwks`, and the token signal follows sign-in and sign-out.

use keyward_client::wire::{JsonWebKeySet, JsonWebToken};
use keyward_client::{AuthClient, Error};
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::{Peer, PeerKind, PeerOptions, peer_test};
use keyward_verifier::jose::{self, ExpectedClaims, VerifyingKey};
use serde_json::Value;

const PASSWORD: &str = "correct-horse-battery";

async fn peer(kind: PeerKind) -> Peer {
    Peer::start(
        kind,
        PeerOptions {
            plugins: vec!["jwt"],
            ..PeerOptions::default()
        },
    )
    .await
}

/// The claims of `token`, verified with the key of `keys` its `kid` names, issued and
/// addressed to `origin`.
pub(crate) fn verify(token: &JsonWebToken, keys: &JsonWebKeySet, origin: &str) -> Value {
    let kid = jose::key_id(token.expose()).expect("a kid");
    let key = keys
        .keys
        .iter()
        .find(|key| key.kid == kid)
        .expect("the kid is published");
    let key = VerifyingKey::from_published(key).expect("a verifying key");
    let expected = ExpectedClaims {
        issuers: vec![origin.to_owned()],
        audiences: vec![origin.to_owned()],
        required: &["exp", "sub"],
    };
    Value::Object(jose::verify(token.expose(), &key, &expected).expect("the token verifies"))
}

fn origin(client: &AuthClient) -> String {
    client.endpoint().origin().ascii_serialization()
}

peer_test! {
    async fn tokens_verify_against_the_key_set_and_follow_the_session(kind) {
        let _record = against_better_auth(kind, &[flows::JWT]);
        let peer = peer(kind).await;
        let client = peer.client();
        match client.jwt().token().await {
            Err(Error::Api { status: 401, .. }) => {}
            other => panic!("signed out, /token is 401: {other:?}"),
        }
        let ada = client.sign_up().email("Ada", "ada@example.com", PASSWORD).await.expect("signs up");
        let keys = client.jwt().jwks().await.expect("the key set");
        assert_eq!(keys.keys.len(), 1);
        assert_eq!(keys.keys[0].alg, "EdDSA");
        assert_eq!(keys.keys[0].crv.as_deref(), Some("Ed25519"));
        let token = client.jwt().token().await.expect("a token");
        let claims = verify(&token, &keys, &origin(&client));
        assert_eq!(claims["sub"], ada.user.id.as_str());
        assert_eq!(claims["email"], "ada@example.com");

        // Every get-session brings a fresh token into the signal.
        client.get_session().await.expect("asks").expect("signed in");
        let latest = client.jwt().latest().expect("set-auth-jwt was read");
        assert_eq!(verify(&latest, &keys, &origin(&client))["sub"], ada.user.id.as_str());
        client.sign_out().await.expect("signs out");
        assert_eq!(client.jwt().latest(), None, "sign-out forgets it");
    }
}
