//! Three `keyward-server` processes on different ports, sharing one PostgreSQL database and
//! one Redis: what happens on one instance holds on the others at once (sessions, a rename,
//! an organization switch, a password change that revokes, a sign-out, a ban, the rate
//! limit).

use crate::common;

use common::process::{Instance, PASSWORD};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A browser-like client: its cookie and its own address (sent as `X-Forwarded-For`,
/// which the instances trust from loopback, so each browser has its own rate limits).
struct Browser {
    http: reqwest::Client,
    cookie: String,
    address: String,
}

impl Browser {
    fn new() -> Self {
        static NEXT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(1);
        Self {
            http: reqwest::Client::new(),
            cookie: String::new(),
            address: format!("198.51.100.{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)),
        }
    }

    /// POSTs `body` to `path` on `instance` with this browser's cookie; keeps a new session
    /// cookie if one is set.
    async fn post(&mut self, instance: &Instance, path: &str, body: Value) -> (StatusCode, Value) {
        let mut request = self
            .http
            .post(format!("{}/api/auth{path}", instance.url))
            .header("origin", &instance.url)
            .header("x-forwarded-for", &self.address)
            .json(&body);
        if !self.cookie.is_empty() {
            request = request.header("cookie", &self.cookie);
        }
        let response = request.send().await.expect("answers");
        let status = response.status();
        if let Some(cookie) = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find(|value| value.starts_with("better-auth.session_token=") && !value.contains("Max-Age=0"))
        {
            self.cookie = cookie.split(';').next().unwrap_or_default().to_owned();
        }
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// `GET /get-session` on `instance`.
    async fn session(&self, instance: &Instance) -> Value {
        self.http
            .get(format!("{}/api/auth/get-session", instance.url))
            .header("x-forwarded-for", &self.address)
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("answers")
            .json()
            .await
            .expect("JSON")
    }
}

#[tokio::test]
async fn three_processes_on_postgres_and_redis_act_as_one() {
    let (database_url, _schema) = {
        let dir = tempfile::tempdir().expect("tempdir");
        common::fresh_database(common::Backend::Postgres, dir.path()).await
    };
    let prefix = common::redis_prefix("instances");
    let redis = common::redis_url();
    let env = [
        ("REDIS_URL", redis.as_str()),
        ("KEYWARD_REDIS_PREFIX", prefix.as_str()),
        ("KEYWARD_PLUGINS", "organization,admin"),
        ("KEYWARD_RATE_LIMIT", "on"),
    ];
    // The first migrates the schema; the others start on it.
    let a = Instance::start(&database_url, &env).await;
    let b = Instance::start(&database_url, &env).await;
    let c = Instance::start(&database_url, &env).await;
    let all = [&a, &b, &c];

    // A session made on one instance is valid on all.
    let mut laptop = Browser::new();
    let (status, signed_up) = laptop
        .post(
            &a,
            "/sign-up/email",
            json!({"name": "Ada", "email": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let ada_id = signed_up["user"]["id"].as_str().expect("id").to_owned();
    for instance in all {
        assert_eq!(laptop.session(instance).await["user"]["email"], "ada@example.com");
    }

    // A rename on B shows on C.
    let (status, _) = laptop.post(&b, "/update-user", json!({"name": "Ada L"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(laptop.session(&c).await["user"]["name"], "Ada L");

    // An organization made on A, made active on B, is the active one on C.
    let (status, organization) = laptop
        .post(&a, "/organization/create", json!({"name": "Acme", "slug": "acme"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{organization}");
    let id = organization["id"].as_str().expect("id").to_owned();
    let (status, _) = laptop
        .post(&b, "/organization/set-active", json!({"organizationId": id}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(laptop.session(&c).await["session"]["activeOrganizationId"], id.as_str());

    // A password change on A that revokes other sessions ends the phone's session (made on
    // C) everywhere; the laptop's new session works everywhere.
    let mut phone = Browser::new();
    let (status, _) = phone
        .post(
            &c,
            "/sign-in/email",
            json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = laptop
        .post(
            &a,
            "/change-password",
            json!({"currentPassword": PASSWORD, "newPassword": "password-456", "revokeOtherSessions": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for instance in all {
        assert_eq!(
            phone.session(instance).await,
            Value::Null,
            "revoked on {}",
            instance.url
        );
        assert_eq!(laptop.session(instance).await["user"]["name"], "Ada L");
    }

    // A sign-out on B ends the session on A and C.
    let (status, _) = laptop.post(&b, "/sign-out", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    for instance in [&a, &c] {
        assert_eq!(laptop.session(instance).await, Value::Null);
    }

    // A ban made on B ends Ada's sessions on every instance at once, and no instance lets
    // her sign in until an unban on A.
    let mut root = Browser::new();
    let (status, root_up) = root
        .post(
            &a,
            "/sign-up/email",
            json!({"name": "Root", "email": "root@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(root_up["user"]["role"], "user", "the default role");
    let mut db = keyward_server::db::Db::connect(&database_url).await.expect("connects");
    keyward_server::db::Exec::execute(
        &mut db,
        r#"update "user" set "role" = 'admin' where "email" = 'root@example.com'"#,
        vec![],
    )
    .await
    .expect("makes root an admin");
    db.close().await;
    let (status, _) = root
        .post(
            &b,
            "/sign-in/email",
            json!({"email": "root@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut tablet = Browser::new();
    for (browser, instance) in [(&mut laptop, &a), (&mut tablet, &c)] {
        let (status, _) = browser
            .post(
                instance,
                "/sign-in/email",
                json!({"email": "ada@example.com", "password": "password-456"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, banned) = root
        .post(&b, "/admin/ban-user", json!({"userId": ada_id, "banReason": "spam"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{banned}");
    assert_eq!(banned["user"]["banned"], true);
    assert_eq!(banned["user"]["banReason"], "spam");
    for instance in all {
        assert_eq!(
            laptop.session(instance).await,
            Value::Null,
            "banned on {}",
            instance.url
        );
        assert_eq!(
            tablet.session(instance).await,
            Value::Null,
            "banned on {}",
            instance.url
        );
    }
    let (status, refused) = tablet
        .post(
            &c,
            "/sign-in/email",
            json!({"email": "ada@example.com", "password": "password-456"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(refused["code"], "BANNED_USER");
    let (status, _) = root.post(&a, "/admin/unban-user", json!({"userId": ada_id})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = tablet
        .post(
            &b,
            "/sign-in/email",
            json!({"email": "ada@example.com", "password": "password-456"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "unbanned");

    // The rate limit is shared: three failed sign-ins from one client (behind the loopback
    // proxy, so its own address) spread over the instances, and the fourth is refused on
    // any of them.
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for instance in [&a, &b, &c, &a] {
        let response = http
            .post(format!("{}/api/auth/sign-in/email", instance.url))
            .header("x-forwarded-for", "203.0.113.77")
            .json(&json!({"email": "ada@example.com", "password": "wrong-password-1"}))
            .send()
            .await
            .expect("answers");
        statuses.push(response.status());
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );

    let Ok(client) = redis::Client::open(redis.as_str()) else {
        return;
    };
    if let Ok(mut connection) = client.get_multiplexed_async_connection().await {
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{prefix}*"))
            .query_async(&mut connection)
            .await
            .unwrap_or_default();
        for key in keys {
            let _: redis::RedisResult<()> = redis::cmd("DEL").arg(key).query_async(&mut connection).await;
        }
    }
}
