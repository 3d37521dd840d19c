//! Tests of the admin calls against a fake better-auth server (impersonation, request
//! shapes) and of the local role check.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::transport::{BoxFuture, HttpRequest, HttpResponse, Transport, TransportError};
use crate::wire::SessionToken;

/// Answers like a better-auth server with the admin plugin (bearer mode) and records
/// every request.
#[derive(Clone, Default)]
struct FakeServer {
    requests: Arc<Mutex<Vec<HttpRequest>>>,
}

fn user(id: &str) -> Value {
    json!({"id": id, "name": id, "email": format!("{id}@example.com"), "emailVerified": true,
        "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z"})
}

fn session_data(user_id: &str, token: &str) -> Value {
    json!({"session": {"id": format!("s-{token}"), "token": token, "userId": user_id,
        "expiresAt": "2026-02-01T00:00:00.000Z", "createdAt": "2026-01-01T00:00:00.000Z",
        "updatedAt": "2026-01-01T00:00:00.000Z"}, "user": user(user_id)})
}

fn header<'r>(request: &'r HttpRequest, name: &str) -> Option<&'r str> {
    request.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

impl Transport for FakeServer {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let bearer = header(&request, "authorization").unwrap_or_default().to_owned();
        let (headers, body) = match url::Url::parse(&request.url).expect("url").path() {
            "/api/auth/get-session" => match bearer.as_str() {
                "Bearer admin-token" => (vec![], session_data("admin", "admin-token")),
                "Bearer bob-token" => (vec![], session_data("bob", "bob-token")),
                _ => (vec![], Value::Null),
            },
            "/api/auth/admin/impersonate-user" => (
                vec![
                    (
                        "set-cookie".to_owned(),
                        "better-auth.admin_session=admin-token%3A.sig; Max-Age=3600; Path=/; HttpOnly".to_owned(),
                    ),
                    (
                        "set-cookie".to_owned(),
                        "better-auth.session_token=bob-token.sig; Max-Age=3600; Path=/; HttpOnly".to_owned(),
                    ),
                ],
                session_data("bob", "bob-token"),
            ),
            "/api/auth/admin/stop-impersonating" => (
                vec![
                    ("set-auth-token".to_owned(), "admin-token".to_owned()),
                    (
                        "set-cookie".to_owned(),
                        "better-auth.admin_session=; Max-Age=0; Path=/".to_owned(),
                    ),
                ],
                session_data("admin", "admin-token"),
            ),
            "/api/auth/admin/list-users" => (vec![], json!({"users": [user("bob")], "total": 1, "limit": 10})),
            "/api/auth/admin/update-user" => (vec![], user("bob")),
            "/api/auth/admin/ban-user" => (vec![], json!({"user": user("bob")})),
            _ => (vec![], json!({"success": true})),
        };
        self.requests.lock().expect("lock").push(request);
        Box::pin(async move {
            Ok(HttpResponse {
                status: 200,
                headers,
                body: serde_json::to_vec(&body).expect("json"),
            })
        })
    }
}

fn client(server: &FakeServer) -> AuthClient {
    let client = AuthClient::builder("http://localhost:3000".parse().expect("url"))
        .transport(server.clone())
        .build()
        .expect("builds");
    client.set_token(SessionToken::new("admin-token")).expect("token");
    client
}

fn signed_in_as(client: &AuthClient) -> Option<String> {
    client.session().get().data.map(|data| data.user.id)
}

#[tokio::test]
async fn impersonation_swaps_the_token_and_keeps_the_admin_session_cookie() {
    let server = FakeServer::default();
    let client = client(&server);

    let as_bob = client.admin().impersonate_user("bob").await.expect("impersonates");
    assert_eq!(as_bob.user.id, "bob");
    assert_eq!(
        client.token().expect("token").map(|t| t.expose().to_owned()).as_deref(),
        Some("bob-token")
    );
    assert_eq!(signed_in_as(&client).as_deref(), Some("bob"));

    let admin = client.admin().stop_impersonating().await.expect("stops");
    assert_eq!(admin.user.id, "admin");
    assert_eq!(
        client.token().expect("token").map(|t| t.expose().to_owned()).as_deref(),
        Some("admin-token")
    );
    assert_eq!(signed_in_as(&client).as_deref(), Some("admin"));

    let requests = server.requests.lock().expect("lock");
    let stop = requests
        .iter()
        .find(|r| url::Url::parse(&r.url).expect("url").path() == "/api/auth/admin/stop-impersonating")
        .expect("sent");
    assert_eq!(header(stop, "authorization"), Some("Bearer bob-token"));
    assert_eq!(
        header(stop, "cookie"),
        Some("better-auth.admin_session=admin-token%3A.sig")
    );
    assert_eq!(header(stop, "origin"), Some("http://localhost:3000"));
    assert_eq!(stop.body.as_deref(), Some(&b"{}"[..]));
    let last = requests.last().expect("a refetch");
    assert_eq!(url::Url::parse(&last.url).expect("url").path(), "/api/auth/get-session");
    assert_eq!(header(last, "cookie"), None, "the expired cookie is gone");
}

#[tokio::test]
async fn builders_send_better_auth_shapes() {
    let server = FakeServer::default();
    let client = client(&server);

    let page = client
        .admin()
        .list_users()
        .search("email", "contains", "bob")
        .limit(10)
        .offset(20)
        .sort_by("createdAt", true)
        .filter("role", "eq", "user")
        .await
        .expect("lists");
    assert_eq!((page.users.len(), page.total), (1, 1));
    client
        .admin()
        .update_user("bob")
        .name("Bob")
        .email_verified(false)
        .role(vec!["user", "auditor"])
        .field("nickname", "bobby")
        .await
        .expect("updates");
    client
        .admin()
        .ban_user("bob")
        .reason("spam")
        .expires_in(Duration::from_secs(90))
        .await
        .expect("bans");

    let requests = server.requests.lock().expect("lock");
    let list = requests.first().expect("list-users");
    // The order of the pairs follows serde_json's map order, which a workspace build
    // may change (`preserve_order`): compare them sorted.
    let mut pairs: Vec<(String, String)> = url::Url::parse(&list.url)
        .expect("url")
        .query_pairs()
        .into_owned()
        .collect();
    pairs.sort();
    let expected: Vec<(String, String)> = [
        ("filterField", "role"),
        ("filterOperator", "eq"),
        ("filterValue", "user"),
        ("limit", "10"),
        ("offset", "20"),
        ("searchField", "email"),
        ("searchOperator", "contains"),
        ("searchValue", "bob"),
        ("sortBy", "createdAt"),
        ("sortDirection", "desc"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(pairs, expected);
    let body = |path: &str| -> Value {
        let request = requests
            .iter()
            .find(|r| url::Url::parse(&r.url).expect("url").path() == path)
            .expect("sent");
        serde_json::from_slice(request.body.as_deref().expect("a body")).expect("json")
    };
    assert_eq!(
        body("/api/auth/admin/update-user"),
        json!({"userId": "bob", "data": {"name": "Bob", "emailVerified": false,
            "role": ["user", "auditor"], "nickname": "bobby"}})
    );
    assert_eq!(
        body("/api/auth/admin/ban-user"),
        json!({"userId": "bob", "banReason": "spam", "banExpiresIn": 90.0})
    );
}

#[test]
fn checks_roles_locally() {
    let client = AuthClient::builder("http://localhost:3000".parse().expect("url"))
        .build()
        .expect("builds");
    let ban = Permissions::new().with("user", ["ban"]);
    assert!(client.admin().check_role_permission("admin", &ban));
    assert!(client.admin().check_role_permission("user,admin", &ban));
    assert!(!client.admin().check_role_permission("user", &ban));
    assert!(!client.admin().check_role_permission("", &ban));
    let impersonate_admins = Permissions::new().with("user", ["impersonate-admins"]);
    assert!(!client.admin().check_role_permission("admin", &impersonate_admins));
}
