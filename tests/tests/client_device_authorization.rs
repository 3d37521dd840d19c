//! `client.device_authorization()` against both servers: Keyward's device-authorization
//! plugin and better-auth's `deviceAuthorization` (interop direction A). A device asks
//! for a code and polls while a signed-in browser claims and approves it; denials,
//! expired codes, polling too fast and the other refusals end the poll as both servers
//! say.

use std::time::Duration;

use keyward_client::api::device_authorization::PendingDevice;
use keyward_client::wire::{DeviceCodeStatus, OAuthErrorCode};
use keyward_client::{AuthClient, Error};
use keyward_server::args;
use keyward_server::db::Exec;
use keyward_tests::compat::{against_better_auth, flows};
use keyward_tests::{DeviceAuthorizationOptions, Peer, PeerKind, PeerOptions, peer_test};

const PASSWORD: &str = "correct-horse-battery";
const ALPHABET: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A server with the plugin, polled every second, accepting the clients `cli` and `tv`.
async fn peer(kind: PeerKind) -> Peer {
    Peer::start(
        kind,
        PeerOptions {
            plugins: vec!["device-authorization"],
            device_authorization: DeviceAuthorizationOptions {
                interval: Some(1),
                client_ids: vec!["cli", "tv"],
                ..DeviceAuthorizationOptions::default()
            },
            ..PeerOptions::default()
        },
    )
    .await
}

async fn signed_up(peer: &Peer, name: &str) -> AuthClient {
    let client = peer.client();
    let email = format!("{}@example.com", name.to_lowercase());
    client.sign_up().email(name, email, PASSWORD).await.expect("signs up");
    client
}

/// The OAuth error of a refused call.
#[track_caller]
fn oauth<T: std::fmt::Debug>(result: Result<T, Error>) -> (u16, OAuthErrorCode, String) {
    match result {
        Err(Error::OAuth {
            status,
            error,
            description,
        }) => (status, error, description),
        other => panic!("expected an OAuth error, got {other:?}"),
    }
}

async fn device_rows(peer: &Peer) -> i64 {
    let mut db = peer.db().await;
    let rows = db
        .fetch_all(r#"select count(*) as "n" from "deviceCode""#, vec![])
        .await
        .expect("reads deviceCode");
    rows[0].int("n").expect("count")
}

peer_test! {
    async fn a_device_signs_in_once_the_browser_approves(kind) {
        let _record = against_better_auth(kind, &[flows::DEVICE, flows::SQLITE]);
        let peer = peer(kind).await;
        let browser = signed_up(&peer, "Ada").await;
        let device = peer.client();

        let pending = device
            .device_authorization()
            .request_code("cli")
            .scope("openid profile")
            .await
            .expect("codes");
        assert_eq!(pending.client_id, "cli");
        assert_eq!(format!("{:?}", pending.device_code), "DeviceCode(***)");
        assert_eq!(pending.device_code.expose().len(), 40);
        let user_code = pending.user_code.expose().to_owned();
        assert!(user_code.len() == 8 && user_code.chars().all(|c| ALPHABET.contains(c)), "{user_code}");
        let origin = peer.url().as_str().trim_end_matches('/').to_owned();
        assert_eq!(pending.verification_uri, format!("{origin}/device"));
        assert_eq!(pending.verification_uri_complete, format!("{origin}/device?user_code={user_code}"));
        assert_eq!((pending.interval, pending.expires_in), (Duration::from_secs(1), Duration::from_secs(1800)));
        assert!(!device.session().get().is_signed_in());

        // The user opens the page a little later, as people do, and types the code in
        // lower case with a dash.
        let typed = format!("{}-{}", &user_code[..4], &user_code[4..]).to_lowercase();
        let approve = async {
            tokio::time::sleep(Duration::from_millis(2500)).await;
            let status = browser.device_authorization().verify(typed.as_str()).await.expect("claims");
            assert_eq!(status.status, DeviceCodeStatus::Pending);
            assert_eq!(status.client_id.as_deref(), Some("cli"));
            assert_eq!(status.scope.as_deref(), Some("openid profile"));
            browser.device_authorization().approve(typed.as_str()).await.expect("approves");
        };
        let (session, ()) = tokio::join!(device.device_authorization().poll(&pending), approve);
        let session = session.expect("signed in");
        assert_eq!(session.user.email, "ada@example.com");
        assert!(device.session().get().is_signed_in(), "the session store follows");
        let token = device.token().expect("reads").expect("a token is stored");
        assert_eq!(token.expose(), session.session.token.expose());
        let browser_session = browser.session().get().data.expect("the browser is signed in");
        assert_ne!(session.session.id, browser_session.session.id, "a session of its own");
        assert_eq!(device_rows(&peer).await, 0, "the code is used up");

        // The code cannot be taken twice.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let (status, error, description) = oauth(device.device_authorization().token(&pending).await);
        assert_eq!((status, error, description.as_str()), (400, OAuthErrorCode::InvalidGrant, "Invalid device code"));
        assert!(device.session().get().is_signed_in(), "a refused poll signs nobody out");
    }
}

peer_test! {
    async fn refusals_end_the_poll(kind) {
        let _record = against_better_auth(kind, &[flows::DEVICE_REFUSED, flows::ERRORS]);
        let peer = peer(kind).await;
        let ada = signed_up(&peer, "Ada").await;
        let grace = signed_up(&peer, "Grace").await;
        let device = peer.client();

        // An application the server does not know.
        let (status, error, description) = oauth(device.device_authorization().request_code("evil").await);
        assert_eq!((status, error, description.as_str()), (400, OAuthErrorCode::InvalidClient, "Invalid client ID"));

        // Polling too fast, then a denial.
        let pending = device.device_authorization().request_code("cli").await.expect("codes");
        let user_code = pending.user_code.clone();
        assert_eq!(oauth(device.device_authorization().token(&pending).await).1, OAuthErrorCode::AuthorizationPending);
        let (status, error, description) = oauth(device.device_authorization().token(&pending).await);
        assert_eq!((status, error, description.as_str()), (400, OAuthErrorCode::SlowDown, "Polling too frequently"));

        // Nobody decides a code they did not claim; the claimant only.
        let (status, error, _) = oauth(ada.device_authorization().approve(user_code.clone()).await);
        assert_eq!((status, error), (400, OAuthErrorCode::InvalidRequest));
        let anonymous = peer.client();
        let status = anonymous.device_authorization().verify(user_code.clone()).await.expect("status");
        assert_eq!((status.client_id, status.scope), (None, None), "only the claimant sees the client");
        let (status, error, _) = oauth(anonymous.device_authorization().deny(user_code.clone()).await);
        assert_eq!((status, error), (401, OAuthErrorCode::Unauthorized));
        ada.device_authorization().verify(user_code.clone()).await.expect("claims");
        let (status, error, description) = oauth(grace.device_authorization().deny(user_code.clone()).await);
        assert_eq!(
            (status, error, description.as_str()),
            (403, OAuthErrorCode::AccessDenied, "You are not authorized to deny this device authorization")
        );
        ada.device_authorization().deny(user_code.clone()).await.expect("denies");
        let (status, error, _) = oauth(ada.device_authorization().approve(user_code.clone()).await);
        assert_eq!((status, error), (400, OAuthErrorCode::InvalidRequest), "already decided");
        let (status, error, description) = oauth(device.device_authorization().poll(&pending).await);
        assert_eq!((status, error, description.as_str()), (400, OAuthErrorCode::AccessDenied, "Access denied"));
        assert!(!device.session().get().is_signed_in());
        assert_eq!(device.token().expect("reads"), None);

        // Another client's code, and an expired one.
        let pending = device.device_authorization().request_code("cli").await.expect("codes");
        let stolen = PendingDevice {
            client_id: "tv".into(),
            ..pending.clone()
        };
        let (_, error, description) = oauth(device.device_authorization().token(&stolen).await);
        assert_eq!((error, description.as_str()), (OAuthErrorCode::InvalidGrant, "Client ID mismatch"));
        let mut db = peer.db().await;
        let past = chrono::Utc::now() - chrono::Duration::minutes(1);
        db.execute(r#"update "deviceCode" set "expiresAt" = $1"#, args![past])
            .await
            .expect("expires the code");
        let (_, error, description) = oauth(ada.device_authorization().verify(pending.user_code.clone()).await);
        assert_eq!((error, description.as_str()), (OAuthErrorCode::ExpiredToken, "User code has expired"));
        let (_, error, description) = oauth(device.device_authorization().poll(&pending).await);
        assert_eq!((error, description.as_str()), (OAuthErrorCode::ExpiredToken, "Device code has expired"));
        assert_eq!(device_rows(&peer).await, 0);

        // Unknown codes, and a cookie-mode client, which cannot hold a bare token.
        let (_, error, description) = oauth(ada.device_authorization().verify("ZZZZ-ZZZZ").await);
        assert_eq!((error, description.as_str()), (OAuthErrorCode::InvalidRequest, "Invalid user code"));
        let cookie_device = peer.cookie_client();
        assert!(matches!(
            cookie_device.device_authorization().poll(&pending).await,
            Err(Error::InvalidRequest { .. })
        ));
    }
}
