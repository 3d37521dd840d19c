//! The "Extending Keyward" examples of `server/examples/`, each against a running server
//! through the public API: a database hook (personal organization and welcome email), a
//! before hook refusing sign-ups by domain, an after hook keeping an audit log of
//! sign-ins, and a plugin of one's own with its client extension.

use keyward_client::wire::ErrorCode;
use keyward_client::{AuthClient, Error};
use keyward_server::db::Exec;
use keyward_tests::{Database, TestServer};

#[allow(dead_code)]
#[path = "../../server/examples/audit_log.rs"]
mod audit_log;
#[allow(dead_code)]
#[path = "../../server/examples/company_only.rs"]
mod company_only;
#[allow(dead_code)]
#[path = "../../server/examples/notes_plugin.rs"]
mod notes_plugin;
#[allow(dead_code)]
#[path = "../../server/examples/personal_organization.rs"]
mod personal_organization;

use notes_plugin::client::NotesClient;

const PASSWORD: &str = "correct-horse-battery";

async fn every_user_gets_a_personal_organization(database: Database) {
    let server = TestServer::start_customized(
        database,
        personal_organization::configure,
        personal_organization::customize,
    )
    .await;
    let client = server.client();
    let signed_up = client
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    let organizations = client.organization().list().await.expect("lists");
    assert_eq!(organizations.len(), 1, "{organizations:?}");
    let workspace = &organizations[0];
    assert_eq!(workspace.name, "Ada's workspace");
    assert_eq!(workspace.slug, personal_organization::personal_slug(&signed_up.user));
    let welcome = server.email("application", "ada@example.com").await;
    assert_eq!(welcome["subject"], "Welcome to Keyward");
    assert!(
        welcome["text"]
            .as_str()
            .is_some_and(|text| text.contains("Ada's workspace")),
        "{welcome}"
    );

    // A second user gets their own, not a clash on the first one's slug.
    let grace = server.client();
    grace
        .sign_up()
        .email("Grace", "grace@example.com", PASSWORD)
        .await
        .expect("signs up");
    let theirs = grace.organization().list().await.expect("lists");
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].name, "Grace's workspace");
}

#[tokio::test]
async fn every_user_gets_a_personal_organization_sqlite() {
    every_user_gets_a_personal_organization(Database::Sqlite).await;
}

#[tokio::test]
async fn every_user_gets_a_personal_organization_postgres() {
    every_user_gets_a_personal_organization(Database::Postgres).await;
}

#[tokio::test]
async fn only_company_addresses_sign_up() {
    let server = TestServer::start_customized(Database::Sqlite, |_| {}, company_only::customize).await;
    let refused = server
        .client()
        .sign_up()
        .email("Eve", "eve@gmail.com", PASSWORD)
        .await
        .expect_err("refused");
    match refused {
        Error::Api { status, code, message } => {
            assert_eq!(status, 403);
            assert_eq!(code, ErrorCode::Other("COMPANY_ADDRESS_REQUIRED".into()));
            assert_eq!(message, "Sign up with your @company.com address");
        }
        other => panic!("{other:?}"),
    }
    // The server-side API does not pass through endpoints: the user hook refuses it.
    let request = keyward_client::wire::SignUpEmailRequest {
        name: "Eve".into(),
        email: "eve@gmail.com".into(),
        password: PASSWORD.into(),
        image: None,
        callback_url: None,
        remember_me: None,
        additional: Default::default(),
    };
    let api_refusal = server.auth.api().sign_up_email(request).await.expect_err("refused");
    assert_eq!(api_refusal.status().as_u16(), 403);
    assert!(
        server
            .auth
            .api()
            .find_user_by_email("eve@gmail.com")
            .await
            .expect("reads")
            .is_none()
    );

    let staff = server.client();
    staff
        .sign_up()
        .email("Sam", "Sam@Company.com", PASSWORD)
        .await
        .expect("a company address signs up");
    assert_eq!(
        staff.session().get().data.expect("signed in").user.email,
        "sam@company.com"
    );
}

#[tokio::test]
async fn sign_ins_are_audited() {
    let log = audit_log::AuditLog::default();
    let hooked = log.clone();
    let server = TestServer::start_customized(
        Database::Sqlite,
        |_| {},
        move |builder| audit_log::customize(builder, &hooked),
    )
    .await;
    let ada = server.client();
    let user = ada
        .sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up")
        .user;
    assert!(log.entries().is_empty(), "a sign-up is not a sign-in");

    let wrong = server
        .client()
        .sign_in()
        .email("ada@example.com", "wrong-password")
        .await;
    assert!(wrong.is_err());
    ada.sign_in()
        .email("ada@example.com", PASSWORD)
        .await
        .expect("signs in");

    let entries = log.entries();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0].endpoint, "/sign-in/email");
    assert!(!entries[0].succeeded);
    assert_eq!(entries[0].status, 401);
    assert_eq!(entries[0].code.as_deref(), Some("INVALID_EMAIL_OR_PASSWORD"));
    assert_eq!(entries[0].email.as_deref(), Some("ada@example.com"));
    assert!(entries[1].succeeded);
    assert_eq!(entries[1].user_id.as_deref(), Some(user.id.as_str()));
}

fn notes_client(server: &TestServer) -> AuthClient {
    notes_plugin::client::register(AuthClient::builder(server.url.clone()))
        .build()
        .expect("client builds")
}

async fn a_plugin_of_ones_own(database: Database) {
    let server = TestServer::start_customized(
        database,
        |_| {},
        |builder| builder.plugin(notes_plugin::server::NotesPlugin { max_length: 20 }),
    )
    .await;
    let ada = notes_client(&server);
    assert!(
        ada.notes().refetch().await.expect_err("signed out").is_unauthorized(),
        "the endpoints need a session"
    );
    ada.sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    assert_eq!(
        ada.notes().get().data,
        Some(vec![]),
        "the store refetched after the sign-up"
    );

    let first = ada.add_note("buy milk").await.expect("adds");
    assert_eq!(first.text, "buy milk");
    let second = ada.add_note("call Grace").await.expect("adds");
    let listed = ada.notes().get().data.expect("refetched after the add");
    assert_eq!(
        listed.iter().map(|note| note.id.as_str()).collect::<Vec<_>>(),
        vec![second.id.as_str(), first.id.as_str()]
    );

    let sent = ada.send::<notes_plugin::wire::ListNotes>(&()).await.expect("lists");
    assert_eq!(sent, listed, "the declared GET route answers what the store holds");

    let too_long = ada.add_note("x".repeat(21).as_str()).await.expect_err("too long");
    assert_eq!(too_long.code(), Some(&ErrorCode::Other("NOTE_TOO_LONG".into())));
    assert_eq!(too_long.status(), Some(400));

    let grace = notes_client(&server);
    grace
        .sign_up()
        .email("Grace", "grace@example.com", PASSWORD)
        .await
        .expect("signs up");
    // The table's unique index is per user: the same text is hers to add once.
    let same_text = grace.add_note("buy milk").await.expect("adds");
    let again = grace.add_note("buy milk").await.expect_err("a duplicate");
    assert_eq!(again.code(), Some(&ErrorCode::Other("NOTE_EXISTS".into())));
    assert_eq!(again.status(), Some(409));
    grace.delete_note(&same_text.id).await.expect("deletes");
    let not_hers = grace.delete_note(&first.id).await.expect_err("not her note");
    assert_eq!(not_hers.code(), Some(&ErrorCode::Other("NOTE_NOT_FOUND".into())));
    assert_eq!(grace.notes().refetch().await.expect("lists"), Some(vec![]));

    ada.delete_note(&first.id).await.expect("deletes");
    assert_eq!(ada.notes().get().data.map(|notes| notes.len()), Some(1));

    // Deleting the user removes their notes in the same transaction.
    ada.user().delete().password(PASSWORD).await.expect("deletes the user");
    let mut db = server.auth.db().clone();
    let left = db.fetch_all(r#"select "id" from "note""#, vec![]).await.expect("reads");
    assert!(left.is_empty(), "{} notes left", left.len());
    assert_eq!(ada.notes().get().data, None, "signed out: the store is empty");
}

#[tokio::test]
async fn a_plugin_of_ones_own_sqlite() {
    a_plugin_of_ones_own(Database::Sqlite).await;
}

#[tokio::test]
async fn a_plugin_of_ones_own_postgres() {
    a_plugin_of_ones_own(Database::Postgres).await;
}

#[tokio::test]
async fn a_plugin_rate_limit_rule_applies() {
    let server = TestServer::start_customized(
        Database::Sqlite,
        |config| config.rate_limit.enabled = true,
        |builder| builder.plugin(notes_plugin::server::NotesPlugin::default()),
    )
    .await;
    let ada = notes_client(&server);
    ada.sign_up()
        .email("Ada", "ada@example.com", PASSWORD)
        .await
        .expect("signs up");
    for n in 0..20 {
        ada.add_note(&format!("note {n}")).await.expect("within the limit");
    }
    let limited = ada.add_note("one too many").await.expect_err("limited");
    assert_eq!(limited.status(), Some(429), "{limited:?}");
    ada.notes()
        .refetch()
        .await
        .expect("other notes endpoints are not limited by it");
}
