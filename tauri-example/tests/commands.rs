//! The command layer against a real Keyward server: keychain round trips (run by
//! `scripts/test` inside a private kernel keyring, `--ignored`), the encrypted-file
//! fallback, the offline state and its recovery, and the two-factor step.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use keyward_client::AuthClient;
use keyward_tauri_example::{AppView, Desktop, DesktopOptions, EncryptedFileStore, Phase, StorageStatus};
use keyward_tests::{TestServer, unique};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

const PASSWORD: &str = "correct-horse-battery";

fn options(server: &url::Url, service: &str) -> DesktopOptions {
    let mut options = DesktopOptions::new(server.clone());
    options.keychain_service = service.to_owned();
    options.retry_every = Duration::from_millis(100);
    options
}

/// The views the window would receive.
fn watch(desktop: &Desktop) -> mpsc::UnboundedReceiver<AppView> {
    let (sender, receiver) = mpsc::unbounded_channel();
    let _handle = desktop.watch(move |view| {
        let _ = sender.send(view);
    });
    receiver
}

/// Waits (up to 10 s) for a view that `wanted` accepts.
async fn until(views: &mut mpsc::UnboundedReceiver<AppView>, wanted: impl Fn(&AppView) -> bool) -> AppView {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let view = views.recv().await.expect("the watch keeps running");
            if wanted(&view) {
                return view;
            }
        }
    })
    .await
    .expect("the view arrived in time")
}

#[tokio::test]
#[ignore = "needs a keychain: scripts/test runs it under `keyctl session -`"]
async fn kernel_keyring_desktop_restart_sign_out_and_revocation() {
    let server = TestServer::start().await;
    let service = unique("keyward-desktop");
    let email = format!("{}@example.com", unique("desk"));

    let first = Desktop::new(options(&server.url, &service));
    assert!(
        matches!(first.view().storage, StorageStatus::Keychain { .. }),
        "{:?}",
        first.view().storage
    );
    let mut views = watch(&first);
    assert_eq!(first.start().await.phase, Phase::SignedOut);
    first
        .sign_up("Ada".into(), email.clone(), PASSWORD.into())
        .await
        .expect("signs up");
    until(&mut views, |view| {
        view.user.as_ref().is_some_and(|user| user.name == "Ada")
    })
    .await;
    first
        .update_profile(Some("Ada Lovelace".into()), None)
        .await
        .expect("updates");
    until(&mut views, |view| {
        view.user.as_ref().is_some_and(|user| user.name == "Ada Lovelace")
    })
    .await;
    drop(first);

    // A new process would do exactly this: the token comes back from the keychain.
    let restarted = Desktop::new(options(&server.url, &service));
    let view = restarted.start().await;
    assert_eq!(view.phase, Phase::SignedIn, "{view:?}");
    assert_eq!(view.user.expect("user").name, "Ada Lovelace");
    let sessions = restarted.list_sessions().await.expect("lists");
    assert_eq!(sessions.iter().filter(|session| session.current).count(), 1);

    assert_eq!(restarted.sign_out().await.expect("signs out").phase, Phase::SignedOut);
    let after_sign_out = Desktop::new(options(&server.url, &service));
    assert_eq!(
        after_sign_out.start().await.phase,
        Phase::SignedOut,
        "sign-out emptied the keychain"
    );

    // Revoked elsewhere: the next start finds the token refused and removes it.
    after_sign_out
        .sign_in(email.clone(), PASSWORD.into())
        .await
        .expect("signs in");
    let elsewhere = AuthClient::builder(server.url.clone()).build().expect("client");
    elsewhere
        .sign_in()
        .email(email.as_str(), PASSWORD)
        .await
        .expect("signs in");
    elsewhere.sessions().revoke_all().await.expect("revokes every session");
    let after_revocation = Desktop::new(options(&server.url, &service));
    assert_eq!(after_revocation.start().await.phase, Phase::SignedOut);
    let (keychain, _) = keyward_tauri_example::storage::open_keychain(&service, "session").expect("keychain");
    assert_eq!(
        keyward_client::TokenStore::load(&keychain).expect("reads"),
        None,
        "the revoked token left the keychain"
    );
}

#[tokio::test]
async fn without_a_keychain_the_app_says_so_and_waits_for_an_explicit_choice() {
    let server = TestServer::start().await;
    let desktop = Desktop::with_keychain::<EncryptedFileStore>(options(&server.url, "unused"), |_| {
        Err("no Secret Service on this session bus".to_owned())
    });
    let view = desktop.start().await;
    assert_eq!(view.phase, Phase::SignedOut);
    assert!(matches!(&view.storage, StorageStatus::Unavailable { reason } if reason.contains("Secret Service")));
    let refused = desktop
        .sign_up("Ada".into(), "ada@example.com".into(), PASSWORD.into())
        .await
        .expect_err("nowhere to keep the token");
    assert_eq!(refused.code, "NO_TOKEN_STORAGE");

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("session.keyward");
    let view = desktop
        .use_encrypted_file(path.display().to_string(), "a long passphrase".into())
        .await
        .expect("opts in");
    assert!(matches!(view.storage, StorageStatus::EncryptedFile { .. }));
    desktop
        .sign_up("Ada".into(), "ada@example.com".into(), PASSWORD.into())
        .await
        .expect("signs up");

    let restarted = Desktop::with_keychain::<EncryptedFileStore>(options(&server.url, "unused"), |_| {
        Err("no Secret Service on this session bus".to_owned())
    });
    let view = restarted
        .use_encrypted_file(path.display().to_string(), "a long passphrase".into())
        .await
        .expect("reopens");
    assert_eq!(view.phase, Phase::SignedIn, "restored from the encrypted file");
    let wrong = restarted
        .use_encrypted_file(path.display().to_string(), "not the passphrase".into())
        .await
        .expect_err("wrong passphrase");
    assert_eq!(wrong.code, "STORAGE");
}

/// A TCP relay to the server that can drop every connection, as a lost network does
/// (open ones are cut too, so pooled keep-alive connections fail as well).
struct Relay {
    url: url::Url,
    online: Arc<AtomicBool>,
    cut: tokio::sync::watch::Sender<u64>,
}

impl Relay {
    async fn start(target: &url::Url) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let url = format!("http://{}", listener.local_addr().expect("addr"))
            .parse()
            .expect("url");
        let online = Arc::new(AtomicBool::new(true));
        let upstream = format!(
            "{}:{}",
            target.host_str().expect("host"),
            target.port_or_known_default().expect("port")
        );
        let switch = online.clone();
        let (cut, cuts) = tokio::sync::watch::channel(0u64);
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !switch.load(Ordering::SeqCst) {
                    let _ = inbound.shutdown().await;
                    continue;
                }
                let upstream = upstream.clone();
                let mut cuts = cuts.clone();
                tokio::spawn(async move {
                    cuts.borrow_and_update();
                    if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                            _ = cuts.changed() => {}
                        }
                    }
                });
            }
        });
        Self { url, online, cut }
    }

    fn set_online(&self, online: bool) {
        self.online.store(online, Ordering::SeqCst);
        if !online {
            self.cut.send_modify(|cuts| *cuts += 1);
        }
    }
}

#[tokio::test]
async fn an_unreachable_server_gives_the_offline_view_and_the_app_recovers() {
    let server = TestServer::start().await;
    let relay = Relay::start(&server.url).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("session.keyward");
    let passphrase = keyward_client::wire::Password::from("a long passphrase");
    let status = StorageStatus::EncryptedFile {
        path: path.display().to_string(),
    };

    let desktop = Desktop::with_store(
        options(&relay.url, "unused"),
        EncryptedFileStore::open(&path, &passphrase).expect("opens"),
        status.clone(),
    );
    desktop.start().await;
    desktop
        .sign_up("Ada".into(), "ada@example.com".into(), PASSWORD.into())
        .await
        .expect("signs up");
    let mut views = watch(&desktop);

    relay.set_online(false);
    let failed = desktop
        .update_profile(Some("Ada L.".into()), None)
        .await
        .expect_err("no server");
    assert_eq!(failed.code, "NETWORK");
    let offline = until(&mut views, |view| view.offline).await;
    assert_eq!(offline.phase, Phase::SignedIn, "still signed in, just offline");
    relay.set_online(true);
    until(&mut views, |view| !view.offline).await;
    drop(desktop);

    // A start while offline: neither signed in nor out, and it resolves once back.
    relay.set_online(false);
    let restarted = Desktop::with_store(
        options(&relay.url, "unused"),
        EncryptedFileStore::open(&path, &passphrase).expect("opens"),
        status,
    );
    let mut views = watch(&restarted);
    assert_eq!(restarted.start().await.phase, Phase::Offline);
    relay.set_online(true);
    let back = until(&mut views, |view| view.phase == Phase::SignedIn).await;
    assert!(!back.offline);
    assert_eq!(back.user.expect("user").email, "ada@example.com");
}

#[tokio::test]
async fn a_second_factor_completes_the_sign_in() {
    let server = TestServer::start_with(keyward_tests::Database::Sqlite, |config| {
        config.two_factor = Some(keyward_server::config::TwoFactorConfig::default());
    })
    .await;
    let setup = AuthClient::builder(server.url.clone()).build().expect("client");
    setup
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    let enabled = setup.two_factor().enable().password(PASSWORD).await.expect("enables");
    let uri = enabled.totp_uri.expect("TOTP URI");
    setup
        .two_factor()
        .verify_totp(keyward_tests::totp::code_from_uri(uri.expose()))
        .await
        .expect("turns it on");

    let desktop = Desktop::with_store(
        options(&server.url, "unused"),
        keyward_client::MemoryStore::new(),
        StorageStatus::Keychain {
            name: "memory (test)".to_owned(),
        },
    );
    desktop.start().await;
    let early = desktop
        .verify_totp("123456".into(), false)
        .await
        .expect_err("nothing to complete");
    assert_eq!(early.code, "NO_PENDING_SIGN_IN");
    let challenged = desktop
        .sign_in("ada@example.com".into(), PASSWORD.into())
        .await
        .expect("password accepted");
    assert_eq!(challenged.phase, Phase::SecondFactor);
    assert!(challenged.two_factor_methods.contains(&"totp".to_owned()));
    let wrong = desktop
        .verify_totp(keyward_tests::totp::wrong_code_for(uri.expose()), false)
        .await
        .expect_err("wrong code");
    assert_eq!(wrong.code, "INVALID_CODE");
    let view = desktop
        .verify_totp(keyward_tests::totp::code_from_uri(uri.expose()), true)
        .await
        .expect("signs in");
    assert_eq!(view.phase, Phase::SignedIn);
    assert!(view.user.expect("user").two_factor_enabled);
}

#[tokio::test]
async fn a_browser_sign_in_shows_its_wait_and_the_cancel_ends_it() {
    let server = TestServer::start().await;
    let opened = Arc::new(std::sync::Mutex::new(Vec::<url::Url>::new()));
    let mut options = options(&server.url, "unused");
    options.social_providers = vec!["oidc".into()];
    let record = opened.clone();
    let opener = move |url: &url::Url| {
        record.lock().expect("lock").push(url.clone());
        Ok(())
    };
    options.browser = Some(Arc::new(opener));
    let desktop = Desktop::with_store(
        options,
        keyward_client::MemoryStore::new(),
        StorageStatus::Keychain { name: "memory".into() },
    );
    let mut views = watch(&desktop);
    assert_eq!(desktop.start().await.social_providers, ["oidc"]);

    let unknown = desktop
        .sign_in_with_provider("github".into())
        .await
        .expect_err("not offered");
    assert_eq!(unknown.code, "UNKNOWN_PROVIDER");

    let waiting = {
        let desktop = desktop.clone();
        tokio::spawn(async move { desktop.sign_in_with_provider("oidc".into()).await })
    };
    until(&mut views, |view| view.waiting_for_browser).await;
    let url = opened
        .lock()
        .expect("lock")
        .first()
        .cloned()
        .expect("the browser was opened");
    assert_eq!(url.path(), "/api/auth/electron/init-oauth-proxy");
    assert!(desktop.view().waiting_for_browser);
    desktop.cancel_browser_sign_in();
    let cancelled = waiting.await.expect("joins").expect_err("cancelled");
    assert_eq!(cancelled.code, "CANCELLED");
    let view = until(&mut views, |view| !view.waiting_for_browser).await;
    assert_eq!(view.phase, Phase::SignedOut);
}

#[tokio::test]
async fn a_deep_link_sign_in_takes_only_its_own_link() {
    let server = TestServer::start().await;
    let deep_link: url::Url = "dev.keyward.desktop:/auth/callback".parse().expect("URL");
    let opened = Arc::new(std::sync::Mutex::new(Vec::<url::Url>::new()));
    let desktop_waiting = |timeout: Duration| {
        let mut options = options(&server.url, "unused");
        options.social_providers = vec!["oidc".into()];
        options.deep_link = Some(deep_link.clone());
        options.browser_timeout = timeout;
        let record = opened.clone();
        let opener = move |url: &url::Url| {
            record.lock().expect("lock").push(url.clone());
            Ok(())
        };
        options.browser = Some(Arc::new(opener));
        Desktop::with_store(
            options,
            keyward_client::MemoryStore::new(),
            StorageStatus::Keychain { name: "memory".into() },
        )
    };

    // Nothing comes back: the wait times out, and links then go nowhere.
    let impatient = desktop_waiting(Duration::from_millis(300));
    impatient.start().await;
    assert!(
        !impatient.open_deep_link("dev.keyward.desktop:/auth/callback?state=x&error=y"),
        "no sign-in waits: the link goes nowhere"
    );
    let timed_out = impatient
        .sign_in_with_provider("oidc".into())
        .await
        .expect_err("times out");
    assert_eq!(timed_out.code, "TIMED_OUT");
    assert!(!impatient.open_deep_link("dev.keyward.desktop:/auth/callback?state=x&error=y"));

    let desktop = desktop_waiting(Duration::from_secs(60));
    let mut views = watch(&desktop);
    desktop.start().await;
    let waiting = {
        let desktop = desktop.clone();
        tokio::spawn(async move { desktop.sign_in_with_provider("oidc".into()).await })
    };
    until(&mut views, |view| view.waiting_for_browser).await;
    let url = opened
        .lock()
        .expect("lock")
        .last()
        .cloned()
        .expect("the browser was opened");
    let query: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(query.get("redirect_uri").map(String::as_str), Some(deep_link.as_str()));
    let state = query.get("state").cloned().expect("a state");

    // Another sign-in's link is taken and ignored: the app keeps waiting.
    assert!(
        desktop.open_deep_link("dev.keyward.desktop:/auth/callback?electron_authorization_code=stolen&state=another")
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(desktop.view().waiting_for_browser);
    assert!(!waiting.is_finished());

    // Its own link ends it: here the provider said no.
    assert!(desktop.open_deep_link(&format!(
        "dev.keyward.desktop:/auth/callback?error=access_denied&state={state}"
    )));
    let refused = waiting.await.expect("joins").expect_err("refused");
    assert_eq!(refused.code, "REFUSED");
    assert_eq!(refused.message, "The sign-in was refused (access_denied).");
    let view = until(&mut views, |view| !view.waiting_for_browser).await;
    assert_eq!(view.phase, Phase::SignedOut);
}
