//! One database, both servers: what better-auth created and filled, Keyward serves
//! unchanged (no migration step rewrites data), and the reverse. Users sign in with their
//! passwords, sessions stay valid (same secret), emailed tokens still work, and TOTP
//! secrets, backup codes and trusted devices of the two-factor plugin still verify.

use keyward_client::authenticator::SoftAuthenticator;
use keyward_client::wire::organization::Permissions;
use keyward_client::wire::{ErrorCode, SessionToken, SignInOutcome, TrustedDevice};
use keyward_client::{AuthClient, Error, MemoryStore, TokenStore};
use keyward_server::db::{Db, Exec};
use keyward_tests::compat::{Direction, flows, record};
use keyward_tests::peer::passkey_origin_for;
use keyward_tests::totp::{code_from_uri, enable_totp, wrong_code_for};
use keyward_tests::{
    BetterAuthOptions, BetterAuthServer, Database, SharedStore, Storage, TestServer, fresh_postgres_schema, read_outbox,
};
use std::sync::Arc;
use url::Url;

const PASSWORD: &str = "correct-horse-battery";

/// What the first server left behind for the second to honour.
struct Handover {
    session_token: SessionToken,
    /// Ada's second session (another device), for the second server to list and revoke.
    other_session_token: SessionToken,
    reset_token: String,
    verification_token: String,
    /// Cleo's TOTP setup URI.
    totp_uri: String,
    /// Cleo's backup codes; the first was spent on the first server.
    backup_codes: Vec<String>,
    /// The trusted-device cookie of a device Cleo trusted on the first server.
    trusted_device: TrustedDevice,
    /// Lou's TOTP setup URI; ten wrong codes on the first server locked Lou's account.
    locked_totp_uri: String,
    /// Erin's pending invitation (into the Core team) to Fay's organization.
    invitation_id: String,
    /// Fay's organization (Gus is its admin).
    organization_id: String,
    /// Hank's passkey, registered on the first server.
    passkeys: Arc<SoftAuthenticator>,
    users: i64,
}

/// Fay creates an organization with a team and a stored role; Gus joins as admin; Erin
/// is invited into the team. Returns the organization and the pending invitation.
async fn fill_organization(url: &Url) -> (String, String) {
    let signed_up = |name: &'static str| {
        let url = url.clone();
        async move {
            let client = AuthClient::builder(url).build().expect("client");
            let email = format!("{}@example.com", name.to_lowercase());
            client.sign_up().email(name, email, PASSWORD).await.expect("signs up");
            client
        }
    };
    let fay = signed_up("Fay").await;
    let gus = signed_up("Gus").await;
    signed_up("Erin").await;
    let metadata = serde_json::json!({"plan": "pro"}).as_object().cloned().expect("object");
    let organization = fay
        .organization()
        .create("Acme", "acme")
        .metadata(metadata)
        .await
        .expect("creates")
        .organization;
    let core = fay.organization().create_team("Core").await.expect("creates a team");
    let to_gus = fay
        .organization()
        .invite_member("gus@example.com", "admin")
        .await
        .expect("invites");
    gus.organization()
        .accept_invitation(to_gus.id.as_str())
        .await
        .expect("accepts");
    let recruit = Permissions::new().with("invitation", ["create"]);
    fay.organization()
        .create_role("recruiter", recruit)
        .await
        .expect("creates a role");
    let to_erin = fay
        .organization()
        .invite_member("erin@example.com", "member")
        .teams([core.id.as_str()])
        .await
        .expect("invites");
    (organization.id, to_erin.id)
}

/// Signs Cleo up with TOTP on, spends a backup code, and trusts one device.
async fn fill_two_factor(url: &Url) -> (String, Vec<String>, TrustedDevice) {
    let store = SharedStore::default();
    let client = AuthClient::builder(url.clone())
        .token_store(store.clone())
        .build()
        .expect("client");
    client
        .sign_up()
        .email("Cleo", "cleo@example.com", PASSWORD)
        .await
        .expect("signs up");
    let (uri, codes) = enable_totp(&client, PASSWORD).await;
    client.sign_out().await.expect("signs out");
    client
        .sign_in()
        .email("cleo@example.com", PASSWORD)
        .await
        .expect("password accepted");
    client
        .two_factor()
        .verify_backup_code(codes[0].as_str())
        .trust_device()
        .await
        .expect("a backup code signs in");
    let trusted = store.load_trusted_device().expect("loads").expect("trusted");
    (uri, codes, trusted)
}

/// The code of a two-factor answer that failed.
fn api_code<T: std::fmt::Debug>(result: Result<T, Error>) -> ErrorCode {
    match result {
        Err(Error::Api { code, .. }) => code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Signs Lou up with TOTP on, then fails ten codes over two challenges (five is one
/// challenge's limit), which locks the account. Returns the TOTP URI.
async fn fill_locked_two_factor(url: &Url) -> String {
    let client = AuthClient::builder(url.clone()).build().expect("client");
    client
        .sign_up()
        .email("Lou", "lou@example.com", PASSWORD)
        .await
        .expect("signs up");
    let (uri, _) = enable_totp(&client, PASSWORD).await;
    client.sign_out().await.expect("signs out");
    for _ in 0..2 {
        let outcome = client
            .sign_in()
            .email("lou@example.com", PASSWORD)
            .await
            .expect("password accepted");
        assert!(matches!(outcome, SignInOutcome::TwoFactorRequired(_)), "{outcome:?}");
        for _ in 0..5 {
            let wrong = client.two_factor().verify_totp(wrong_code_for(&uri)).await;
            assert_eq!(api_code(wrong), ErrorCode::InvalidCode);
        }
    }
    client
        .sign_in()
        .email("lou@example.com", PASSWORD)
        .await
        .expect("password accepted");
    let locked = client.two_factor().verify_totp(code_from_uri(&uri)).await;
    assert_eq!(
        api_code(locked),
        ErrorCode::AccountTemporarilyLocked,
        "ten failures lock the account"
    );
    uri
}

/// Signs Ada and Bob up on the server at `url`, leaves a live session, a reset token and
/// a verification link.
async fn fill(url: &Url, emails: impl Fn() -> Vec<serde_json::Value>) -> Handover {
    let client = AuthClient::builder(url.clone()).build().expect("client");
    client
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    AuthClient::builder(url.clone())
        .build()
        .expect("client")
        .sign_up()
        .email("Bob", "bob@example.com", PASSWORD)
        .await
        .expect("signs up");
    client
        .email()
        .send_verification("ada@example.com")
        .await
        .expect("sends");
    client
        .password()
        .request_reset("ada@example.com")
        .redirect_to("/reset")
        .await
        .expect("requests");
    let mut reset_token = None;
    let mut verification_token = None;
    for _ in 0..100 {
        for email in emails() {
            match email["kind"].as_str() {
                Some("reset-password") => reset_token = email["token"].as_str().map(str::to_owned),
                Some("verify-email") => verification_token = email["token"].as_str().map(str::to_owned),
                _ => {}
            }
        }
        if reset_token.is_some() && verification_token.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let other_device = AuthClient::builder(url.clone()).build().expect("client");
    other_device
        .sign_in()
        .email("ada@example.com", PASSWORD)
        .await
        .expect("signs in on another device");
    let (totp_uri, backup_codes, trusted_device) = fill_two_factor(url).await;
    let locked_totp_uri = fill_locked_two_factor(url).await;
    let (organization_id, invitation_id) = fill_organization(url).await;
    let dan = AuthClient::builder(url.clone()).build().expect("client");
    dan.sign_up()
        .email("Dan", "dan@example.com", PASSWORD)
        .await
        .expect("signs up");
    dan.two_factor()
        .enable()
        .password(PASSWORD)
        .method(keyward_client::wire::TwoFactorMethod::Otp)
        .await
        .expect("enables emailed codes");
    let passkeys = Arc::new(SoftAuthenticator::new(passkey_origin_for(url)));
    let hank = AuthClient::builder(url.clone())
        .authenticator(passkeys.clone())
        .build()
        .expect("client");
    hank.sign_up()
        .email("Hank", "hank@example.com", PASSWORD)
        .await
        .expect("signs up");
    hank.passkey()
        .add_passkey()
        .name("Hank's key")
        .await
        .expect("registers a passkey");
    Handover {
        passkeys,
        session_token: client.token().expect("token").expect("signed in"),
        other_session_token: other_device.token().expect("token").expect("signed in"),
        reset_token: reset_token.expect("a reset email"),
        verification_token: verification_token.expect("a verification email"),
        totp_uri,
        backup_codes,
        trusted_device,
        locked_totp_uri,
        invitation_id,
        organization_id,
        users: 9,
    }
}

/// The second server honours everything the first one left.
async fn check(url: &Url, handover: &Handover, db: &mut Db, database: &str, first: &str, outbox: &std::path::Path) {
    {
        let _r = record(flows::SIGN_IN, Direction::SameDatabase);
        let client = AuthClient::builder(url.clone()).build().expect("client");
        let signed_in = client
            .sign_in()
            .email("ada@example.com", PASSWORD)
            .await
            .expect("signs in")
            .into_signed_in()
            .expect("no second factor");
        assert_eq!(signed_in.user.name, "Ada");
        let wrong = client.sign_in().email("bob@example.com", "wrong-password").await;
        assert_eq!(api_code(wrong), ErrorCode::InvalidEmailOrPassword);
        let token = client.token().expect("token").expect("signed in");
        client.sign_out().await.expect("signs out");
        let store = MemoryStore::new();
        store.save(&token).expect("saves");
        let after = AuthClient::builder(url.clone())
            .token_store(store)
            .build()
            .expect("client");
        assert_eq!(
            after.restore().await.expect("restores"),
            None,
            "the signed-out session is gone"
        );
    }
    {
        let _r = record(flows::SESSIONS, Direction::SameDatabase);
        let store = keyward_client::MemoryStore::new();
        keyward_client::TokenStore::save(&store, &handover.session_token).expect("saves");
        let client = AuthClient::builder(url.clone())
            .token_store(store)
            .build()
            .expect("client");
        let restored = client
            .restore()
            .await
            .expect("restores")
            .expect("the old session is valid");
        assert_eq!(restored.user.email, "ada@example.com");
        client.user().update().name("Ada Lovelace").await.expect("updates");
        assert_eq!(client.session().get().data.expect("data").user.name, "Ada Lovelace");
        // The two sessions the first server made are listed, and one of them revoked.
        let unsigned = |token: &SessionToken| token.expose().split('.').next().expect("token").to_owned();
        let listed: Vec<String> = client
            .sessions()
            .list()
            .await
            .expect("lists")
            .into_iter()
            .map(|session| session.token.expose().to_owned())
            .collect();
        for token in [&handover.session_token, &handover.other_session_token] {
            assert!(
                listed.contains(&unsigned(token)),
                "a session {first} made is listed: {listed:?}"
            );
        }
        client
            .sessions()
            .revoke(SessionToken::new(unsigned(&handover.other_session_token)))
            .await
            .expect("revokes the other device's session");
        let store = MemoryStore::new();
        store.save(&handover.other_session_token).expect("saves");
        let other = AuthClient::builder(url.clone())
            .token_store(store)
            .build()
            .expect("client");
        assert_eq!(
            other.restore().await.expect("restores"),
            None,
            "the revoked session is gone"
        );
        let left: Vec<String> = client
            .sessions()
            .list()
            .await
            .expect("lists")
            .into_iter()
            .map(|session| session.token.expose().to_owned())
            .collect();
        assert_eq!(left.len(), listed.len() - 1, "{left:?}");
        assert!(left.contains(&unsigned(&handover.session_token)));
    }
    {
        let _r = record(flows::VERIFY_EMAIL, Direction::SameDatabase);
        let client = AuthClient::builder(url.clone()).build().expect("client");
        client
            .email()
            .verify(handover.verification_token.as_str())
            .await
            .expect("verifies");
        let signed_in = client
            .sign_in()
            .email("ada@example.com", PASSWORD)
            .await
            .expect("signs in")
            .into_signed_in()
            .expect("no second factor");
        assert!(signed_in.user.email_verified);
    }
    {
        let _r = record(flows::RESET_PASSWORD, Direction::SameDatabase);
        let client = AuthClient::builder(url.clone()).build().expect("client");
        client
            .password()
            .reset(handover.reset_token.as_str(), "a-brand-new-password")
            .await
            .expect("resets");
        client
            .sign_in()
            .email("ada@example.com", "a-brand-new-password")
            .await
            .expect("new password works");
    }
    {
        let _r = record(flows::TWO_FACTOR_TOTP, Direction::SameDatabase);
        let client = AuthClient::builder(url.clone()).build().expect("client");
        let outcome = client
            .sign_in()
            .email("cleo@example.com", PASSWORD)
            .await
            .expect("password accepted");
        assert!(matches!(outcome, SignInOutcome::TwoFactorRequired(_)), "{outcome:?}");
        client
            .two_factor()
            .verify_totp(code_from_uri(&handover.totp_uri))
            .await
            .expect("the stored TOTP secret decrypts and verifies");
        assert!(client.session().get().is_signed_in());
    }
    {
        let _r = record(flows::TWO_FACTOR_BACKUP, Direction::SameDatabase);
        let client = AuthClient::builder(url.clone()).build().expect("client");
        client
            .sign_in()
            .email("cleo@example.com", PASSWORD)
            .await
            .expect("password accepted");
        let spent = client
            .two_factor()
            .verify_backup_code(handover.backup_codes[0].as_str())
            .await;
        assert!(spent.is_err(), "the code spent on {first} stays spent");
        client
            .two_factor()
            .verify_backup_code(handover.backup_codes[1].as_str())
            .await
            .expect("the stored backup codes decrypt");
    }
    {
        let _r = record(flows::TWO_FACTOR_TRUST, Direction::SameDatabase);
        let store = MemoryStore::new();
        store.save_trusted_device(&handover.trusted_device).expect("saves");
        let client = AuthClient::builder(url.clone())
            .token_store(store)
            .build()
            .expect("client");
        let outcome = client
            .sign_in()
            .email("cleo@example.com", PASSWORD)
            .await
            .expect("signs in");
        assert!(
            outcome.signed_in().is_some(),
            "the device trusted on {first} is still trusted"
        );
    }
    {
        let _r = record(flows::TWO_FACTOR_OTP, Direction::SameDatabase);
        let client = AuthClient::builder(url.clone()).build().expect("client");
        let outcome = client
            .sign_in()
            .email("dan@example.com", PASSWORD)
            .await
            .expect("password accepted");
        assert_eq!(
            outcome.two_factor_methods(),
            Some(&["otp".to_owned()][..]),
            "OTP enabled on {first}"
        );
        client.two_factor().send_otp().await.expect("sends");
        let email = keyward_tests::wait_for_email(outbox, "two-factor-otp", "dan@example.com").await;
        client
            .two_factor()
            .verify_otp(email["token"].as_str().expect("code"))
            .await
            .expect("signs in");
    }
    {
        let _r = record(flows::TWO_FACTOR_MANAGE, Direction::SameDatabase);
        // The lock ten failures put on Lou's account on the first server holds here.
        let lou = AuthClient::builder(url.clone()).build().expect("client");
        lou.sign_in()
            .email("lou@example.com", PASSWORD)
            .await
            .expect("password accepted");
        let locked = lou
            .two_factor()
            .verify_totp(code_from_uri(&handover.locked_totp_uri))
            .await;
        assert_eq!(
            api_code(locked),
            ErrorCode::AccountTemporarilyLocked,
            "locked on {first}"
        );
        // Wrong codes for a secret the first server stored, up to the challenge's limit.
        let client = AuthClient::builder(url.clone()).build().expect("client");
        client
            .sign_in()
            .email("cleo@example.com", PASSWORD)
            .await
            .expect("password accepted");
        for _ in 0..5 {
            let wrong = client
                .two_factor()
                .verify_totp(wrong_code_for(&handover.totp_uri))
                .await;
            assert_eq!(api_code(wrong), ErrorCode::InvalidCode);
        }
        let closed = client.two_factor().verify_totp(code_from_uri(&handover.totp_uri)).await;
        assert_eq!(api_code(closed), ErrorCode::TooManyAttemptsRequestNewCode);
        client
            .sign_in()
            .email("cleo@example.com", PASSWORD)
            .await
            .expect("password accepted");
        client
            .two_factor()
            .verify_totp(code_from_uri(&handover.totp_uri))
            .await
            .expect("signs in");
        client
            .two_factor()
            .disable()
            .password(PASSWORD)
            .await
            .expect("disables what the first server enabled");
        client.sign_out().await.expect("signs out");
        let plain = client
            .sign_in()
            .email("cleo@example.com", PASSWORD)
            .await
            .expect("signs in");
        assert!(plain.signed_in().is_some());
    }
    {
        let _r = record(flows::ORG_CRUD, Direction::SameDatabase);
        let fay = signed_in(url, "fay@example.com").await;
        let organizations = fay.organization().list().await.expect("lists");
        assert_eq!(organizations.len(), 1);
        assert_eq!(
            organizations[0].metadata.object().map(|m| m["plan"].clone()),
            Some("pro".into())
        );
        let full = fay
            .organization()
            .get_full_organization()
            .organization_id(handover.organization_id.as_str())
            .await
            .expect("gets")
            .expect("found");
        assert_eq!(full.members.len(), 2, "the members {first} stored");
        assert_eq!(full.teams.map(|t| t.len()), Some(2));
    }
    {
        let _r = record(flows::ORG_MEMBERS, Direction::SameDatabase);
        let gus = signed_in(url, "gus@example.com").await;
        gus.organization()
            .set_active(Some(&handover.organization_id))
            .await
            .expect("switches");
        let role = gus.organization().get_active_member_role().await.expect("asks");
        assert_eq!(role.role, "admin");
        let may_invite = Permissions::new().with("invitation", ["create"]);
        assert!(gus.organization().has_permission(may_invite).await.expect("asks"));
    }
    {
        let _r = record(flows::ORG_DYNAMIC_ROLES, Direction::SameDatabase);
        let gus = signed_in(url, "gus@example.com").await;
        let roles = gus
            .organization()
            .list_roles()
            .organization_id(handover.organization_id.as_str())
            .await
            .expect("lists");
        assert_eq!(roles.len(), 1);
        assert_eq!(roles[0].permission, Permissions::new().with("invitation", ["create"]));
    }
    {
        let _r = record(flows::ORG_INVITATIONS, Direction::SameDatabase);
        let _teams = record(flows::ORG_TEAMS, Direction::SameDatabase);
        let erin = signed_in(url, "erin@example.com").await;
        let accepted = erin
            .organization()
            .accept_invitation(handover.invitation_id.as_str())
            .await
            .expect("accepts the invitation {first} sent");
        assert_eq!(accepted.member.map(|m| m.role), Some("member".to_owned()));
        let teams = erin.organization().list_user_teams().await.expect("lists");
        assert_eq!(teams.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["Core"]);
    }
    // Hank's passkey, registered on the first server, signs in on the second (from this
    // server's page origin, with the same RP id).
    handover.passkeys.set_origin(passkey_origin_for(url));
    let hank = AuthClient::builder(url.clone())
        .authenticator(handover.passkeys.clone())
        .build()
        .expect("client");
    let counter_before = hank_counter(db).await;
    let signed_in = hank.sign_in().passkey().await.expect("the passkey signs in");
    assert_eq!(signed_in.user.email, "hank@example.com");
    let passkeys = hank.passkey().list().await.expect("lists");
    assert_eq!(passkeys.len(), 1);
    assert_eq!(passkeys[0].name.as_deref(), Some("Hank's key"));
    // Both servers offer EdDSA first: the key is Ed25519 (an OKP COSE key, alg -8),
    // stored by one server in the encoding the other verifies.
    assert!(
        passkeys[0].public_key.starts_with("pAEBAycgBiFYI"),
        "{}",
        passkeys[0].public_key
    );
    assert!(hank_counter(db).await > counter_before, "the counter moves on");
    let _storage = record(
        if database == "SQLite" {
            flows::SQLITE
        } else {
            flows::POSTGRES
        },
        Direction::SameDatabase,
    );
    let rows = db
        .fetch_all(r#"select count(*) as "n" from "user""#, vec![])
        .await
        .expect("counts");
    assert_eq!(
        rows[0].int("n").expect("n"),
        handover.users,
        "no user lost or duplicated"
    );
}

async fn better_auth_first(database: Database) {
    let better_auth = BetterAuthServer::start_on(database, &["two-factor", "organization", "passkey"], &[]).await;
    let url = better_auth.database_url().expect("SQL storage");
    let outbox = better_auth.outbox.clone();
    let handover = fill(&better_auth.url, || read_outbox(&outbox)).await;
    let (_storage, _keep) = better_auth.stop().await;

    let keyward = TestServer::start_on_database(&url, with_two_factor).await;
    let report = keyward.auth.migrate().await.expect("migrates");
    assert!(
        report.is_empty(),
        "nothing to change in better-auth's schema: {report:?}"
    );
    let mut db = keyward.auth.db().clone();
    check(
        &keyward.url,
        &handover,
        &mut db,
        name(database),
        "better-auth",
        &keyward.outbox,
    )
    .await;
}

async fn keyward_first(database: Database) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (url, storage, _schema) = match database {
        Database::Sqlite => {
            let path = dir.path().join("shared.db");
            (format!("sqlite://{}", path.display()), Storage::Sqlite(path), None)
        }
        Database::Postgres => {
            let (url, schema) = fresh_postgres_schema("same").await;
            (url.clone(), Storage::Postgres(url), Some(schema))
        }
    };
    let handover = {
        let keyward = TestServer::start_on_database(&url, with_two_factor).await;
        let outbox = keyward.outbox.clone();
        let handover = fill(&keyward.url, || read_outbox(&outbox)).await;
        keyward.auth.db().close().await;
        handover
    };
    // better-auth runs its own migrations (adding its plugins' tables) before serving.
    let better_auth = BetterAuthServer::start(BetterAuthOptions {
        storage,
        migrate: true,
        plugins: vec!["two-factor".into(), "organization".into(), "passkey".into()],
        env: vec![],
    })
    .await;
    let mut db = Db::connect(&url).await.expect("connects");
    check(
        &better_auth.url,
        &handover,
        &mut db,
        name(database),
        "Keyward",
        &better_auth.outbox,
    )
    .await;
}

fn with_two_factor(config: &mut keyward_server::Config) {
    config.two_factor = Some(keyward_server::config::TwoFactorConfig::default());
    keyward_tests::organization_like_the_peer(config);
    keyward_tests::passkey_like_the_peer(config);
}

async fn hank_counter(db: &mut Db) -> i64 {
    let rows = db
        .fetch_all(
            r#"select "counter" from "passkey" join "user" on "user"."id" = "passkey"."userId" where "user"."email" = $1"#,
            keyward_server::args!["hank@example.com"],
        )
        .await
        .expect("reads the passkey");
    rows[0].int("counter").expect("counter")
}

async fn signed_in(url: &Url, email: &str) -> AuthClient {
    let client = AuthClient::builder(url.clone()).build().expect("client");
    client
        .sign_in()
        .email(email, PASSWORD)
        .await
        .expect("signs in")
        .into_signed_in()
        .expect("no second factor");
    client
}

fn name(database: Database) -> &'static str {
    match database {
        Database::Sqlite => "SQLite",
        Database::Postgres => "PostgreSQL",
    }
}

#[tokio::test]
async fn keyward_serves_a_better_auth_sqlite_database() {
    better_auth_first(Database::Sqlite).await;
}

#[tokio::test]
async fn keyward_serves_a_better_auth_postgres_database() {
    better_auth_first(Database::Postgres).await;
}

#[tokio::test]
async fn better_auth_serves_a_keyward_sqlite_database() {
    keyward_first(Database::Sqlite).await;
}

#[tokio::test]
async fn better_auth_serves_a_keyward_postgres_database() {
    keyward_first(Database::Postgres).await;
}
