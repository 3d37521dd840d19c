//! The admin plugin through the client, against Keyward and the real better-auth: roles,
//! user management, bans, impersonation, sessions and permissions.

use keyward_client::wire::ErrorCode;
use keyward_client::wire::admin::{AdminUserFields, impersonated_by};
use keyward_client::wire::organization::Permissions;
use keyward_client::{AuthClient, Error};
use keyward_server::db::Exec;
use keyward_tests::{Peer, PeerOptions, peer_test};

const PASSWORD: &str = "correct-horse-battery";

fn code(error: &Error) -> Option<&ErrorCode> {
    error.code()
}

fn status(error: &Error) -> Option<u16> {
    match error {
        Error::Api { status, .. } => Some(*status),
        _ => None,
    }
}

async fn signed_in(server: &Peer, email: &str, password: &str) -> AuthClient {
    let client = server.client();
    client.sign_in().email(email, password).await.expect("signs in");
    client
}

peer_test! {
async fn an_admin_manages_users_bans_and_impersonates(kind) {
    let server = Peer::start(
        kind,
        PeerOptions {
            plugins: vec!["admin"],
            ..PeerOptions::default()
        },
    )
    .await;
    let root = server.client();
    root.sign_up()
        .email("Root", "root@example.com", PASSWORD)
        .await
        .expect("signs up");
    let me = root.session().get().data.expect("signed in").user;
    assert_eq!(me.role(), Some("user"), "sign-up gets the default role");
    assert!(!me.banned());
    let refused = root.admin().list_users().await.expect_err("a user is no admin");
    assert_eq!(code(&refused), Some(&ErrorCode::YouAreNotAllowedToListUsers));
    assert_eq!(status(&refused), Some(403));

    // Made an admin in the database; a new sign-in carries the role.
    let mut db = server.db().await;
    db.execute(
        r#"update "user" set "role" = 'admin' where "id" = $1"#,
        vec![me.id.as_str().into()],
    )
    .await
    .expect("promotes");
    let root = signed_in(&server, "root@example.com", PASSWORD).await;
    assert!(root.admin().check_role_permission("admin", &Permissions::new().with("user", ["ban"])));
    assert!(root
        .admin()
        .has_permission(Permissions::new().with("user", ["ban"]))
        .await
        .expect("asks"));
    assert!(!root
        .admin()
        .has_permission(Permissions::new().with("user", ["impersonate-admins"]))
        .await
        .expect("asks"));

    // Create, find, list.
    let bob = root
        .admin()
        .create_user("Bob@Example.com", "Bob")
        .password(PASSWORD)
        .field("emailVerified", true)
        .await
        .expect("creates");
    assert_eq!((bob.email.as_str(), bob.email_verified, bob.role()), ("bob@example.com", true, Some("user")));
    let taken = root
        .admin()
        .create_user("bob@example.com", "Bob again")
        .await
        .expect_err("taken");
    assert_eq!(code(&taken), Some(&ErrorCode::UserAlreadyExistsUseAnotherEmail));
    root.admin()
        .create_user("carol@example.com", "Carol")
        .await
        .expect("creates a user without a password");
    assert_eq!(root.admin().get_user(&bob.id).await.expect("gets").name, "Bob");
    let missing = root.admin().get_user("nobody").await.expect_err("unknown");
    assert_eq!((status(&missing), code(&missing)), (Some(404), Some(&ErrorCode::UserNotFound)));
    let found = root
        .admin()
        .list_users()
        .search("email", "contains", "bob")
        .await
        .expect("lists");
    assert_eq!(found.total, 1);
    assert_eq!(found.users[0].id, bob.id);
    let page = root
        .admin()
        .list_users()
        .sort_by("email", true)
        .limit(2)
        .await
        .expect("lists");
    assert_eq!(page.total, 3);
    assert_eq!(page.limit, Some(2));
    let emails: Vec<&str> = page.users.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(emails, ["root@example.com", "carol@example.com"]);
    let second = root
        .admin()
        .list_users()
        .sort_by("email", true)
        .limit(2)
        .offset(2)
        .await
        .expect("lists");
    assert_eq!(second.users.len(), 1);
    assert_eq!(second.offset, Some(2));

    // Roles and profile changes.
    let promoted = root.admin().set_role(&bob.id, vec!["user", "admin"]).await.expect("sets");
    assert_eq!(promoted.role(), Some("user,admin"));
    root.admin().set_role(&bob.id, "user").await.expect("sets");
    let renamed = root
        .admin()
        .update_user(&bob.id)
        .name("Robert")
        .await
        .expect("updates");
    assert_eq!(renamed.name, "Robert");
    let no_password = root
        .admin()
        .update_user(&bob.id)
        .field("password", "x")
        .await
        .expect_err("not through update-user");
    assert_eq!(code(&no_password), Some(&ErrorCode::PasswordCannotBeUpdatedViaUpdateUser));

    // A ban ends Bob's sessions and refuses his sign-ins until it is lifted.
    let phone = signed_in(&server, "bob@example.com", PASSWORD).await;
    let banned = root.admin().ban_user(&bob.id).reason("spam").await.expect("bans");
    assert!(banned.banned());
    assert_eq!(banned.ban_reason(), Some("spam"));
    assert_eq!(banned.ban_expires(), None);
    assert_eq!(phone.get_session().await.expect("asks"), None);
    let refused = phone
        .sign_in()
        .email("bob@example.com", PASSWORD)
        .await
        .expect_err("banned");
    assert_eq!((status(&refused), code(&refused)), (Some(403), Some(&ErrorCode::BannedUser)));
    let own = root.admin().ban_user(&me.id).await.expect_err("not oneself");
    assert_eq!(code(&own), Some(&ErrorCode::YouCannotBanYourself));
    let lifted = root.admin().unban_user(&bob.id).await.expect("unbans");
    assert!(!lifted.banned());
    assert_eq!(lifted.ban_reason(), None);
    let phone = signed_in(&server, "bob@example.com", PASSWORD).await;
    assert_eq!(root.admin().list_user_sessions(&bob.id).await.expect("lists").len(), 1);

    // Impersonation: the admin's client becomes Bob until it stops.
    let impersonated = root.admin().impersonate_user(&bob.id).await.expect("impersonates");
    assert_eq!(impersonated.user.id, bob.id);
    assert_eq!(impersonated_by(&impersonated.session), Some(me.id.as_str()));
    let now = root.session().get().data.expect("signed in");
    assert_eq!(now.user.id, bob.id, "the store follows");
    assert_eq!(
        phone.sessions().list().await.expect("lists").len(),
        1,
        "Bob's own list hides the impersonated session"
    );
    assert_eq!(root.admin().list_user_sessions(&bob.id).await.err().and_then(|e| e.code().cloned()),
        Some(ErrorCode::YouAreNotAllowedToListUsersSessions), "acting as Bob, not as an admin");
    let back = root.admin().stop_impersonating().await.expect("stops");
    assert_eq!(back.user.id, me.id);
    assert_eq!(root.session().get().data.expect("signed in").user.id, me.id);
    let not_now = root.admin().stop_impersonating().await.expect_err("not impersonating");
    assert_eq!(status(&not_now), Some(400));

    // Passwords and sessions.
    root.admin()
        .set_user_password(&bob.id, "a-new-password-1")
        .await
        .expect("sets");
    let short = root.admin().set_user_password(&bob.id, "short").await.expect_err("too short");
    assert_eq!(code(&short), Some(&ErrorCode::PasswordTooShort));
    signed_in(&server, "bob@example.com", "a-new-password-1").await;
    root.admin().revoke_user_sessions(&bob.id).await.expect("revokes");
    assert_eq!(phone.get_session().await.expect("asks"), None);

    // Removal.
    let own = root.admin().remove_user(&me.id).await.expect_err("not oneself");
    assert_eq!(code(&own), Some(&ErrorCode::YouCannotRemoveYourself));
    root.admin().remove_user(&bob.id).await.expect("removes");
    let gone = root.admin().get_user(&bob.id).await.expect_err("removed");
    assert_eq!(code(&gone), Some(&ErrorCode::UserNotFound));
    let refused = server
        .client()
        .sign_in()
        .email("bob@example.com", "a-new-password-1")
        .await
        .expect_err("no such user");
    assert_eq!(code(&refused), Some(&ErrorCode::InvalidEmailOrPassword));
}
}
