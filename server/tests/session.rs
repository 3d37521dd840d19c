//! `/get-session`, `/list-sessions`, `/revoke-*`, `/update-session`, bearer tokens and
//! the cookie cache.

use crate::common;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use common::{Backend, Client, TestApp};
use keyward_server::config::AdditionalField;
use keyward_server::db::{Arg, FieldType};
use serde_json::{Value, json};

fn assert_session_keys(body: &Value) {
    let mut session_keys: Vec<&str> = body["session"]
        .as_object()
        .expect("session")
        .keys()
        .map(String::as_str)
        .collect();
    session_keys.sort_unstable();
    assert_eq!(
        session_keys,
        [
            "createdAt",
            "expiresAt",
            "id",
            "ipAddress",
            "token",
            "updatedAt",
            "userAgent",
            "userId"
        ]
    );
    let mut user_keys: Vec<&str> = body["user"]
        .as_object()
        .expect("user")
        .keys()
        .map(String::as_str)
        .collect();
    user_keys.sort_unstable();
    assert_eq!(
        user_keys,
        [
            "createdAt",
            "email",
            "emailVerified",
            "id",
            "image",
            "name",
            "updatedAt"
        ]
    );
}

on_both_databases! {
    async fn get_session_with_cookie_and_bearer(backend: Backend) {
        let app = TestApp::new(backend).await;
        let client = app.sign_up("Alice", "alice@example.com", "password123").await;

        let anonymous = app.get("/get-session").send().await;
        assert_eq!(anonymous.status, StatusCode::OK);
        assert_eq!(anonymous.text(), "null");
        assert_eq!(anonymous.header("cache-control").as_deref(), Some("no-store"));
        assert_eq!(anonymous.header("pragma").as_deref(), Some("no-cache"));

        let by_cookie = app.get("/get-session").cookies(&client).send().await;
        assert_eq!(by_cookie.status, StatusCode::OK);
        let body = by_cookie.json();
        assert_session_keys(&body);
        assert_eq!(body["user"]["email"], "alice@example.com");
        assert_eq!(body["session"]["token"], client.token.clone().expect("token").as_str());
        assert!(by_cookie.set_cookies().is_empty(), "a fresh session is not refreshed");

        let unsigned = client.token.clone().expect("token");
        let by_unsigned = app.get("/get-session").bearer(&unsigned).send().await;
        assert_eq!(by_unsigned.json()["user"]["email"], "alice@example.com");
        let signed = percent_encoding::percent_decode_str(client.session_cookie().expect("cookie"))
            .decode_utf8()
            .expect("utf8")
            .into_owned();
        let by_signed = app.get("/get-session").bearer(&signed).send().await;
        assert_eq!(by_signed.json()["user"]["email"], "alice@example.com");
        let lowercase_scheme = app.get("/get-session").header("authorization", &format!("bearer {unsigned}")).send().await;
        assert_eq!(lowercase_scheme.json()["user"]["email"], "alice@example.com");
    }
}

#[tokio::test]
async fn invalid_credentials_read_as_signed_out() {
    let app = TestApp::new(Backend::Sqlite).await;
    let client = app.sign_up("Alice", "alice@example.com", "password123").await;
    for cookie in [
        "better-auth.session_token=garbage".to_owned(),
        "better-auth.session_token=abc.def".to_owned(),
        format!(
            "better-auth.session_token={}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D",
            client.session_token()
        ),
        "better-auth.session_token=%ZZ%".to_owned(),
    ] {
        let response = app.get("/get-session").header("cookie", &cookie).send().await;
        assert_eq!(response.status, StatusCode::OK, "{cookie}");
        assert_eq!(response.text(), "null", "{cookie}");
    }
    for bearer in ["Bearer ", "Bearer garbage.token", "Basic abc", "Bearer notarealtoken"] {
        let response = app.get("/get-session").header("authorization", bearer).send().await;
        assert_eq!(response.text(), "null", "{bearer}");
    }
    // A well-signed token of a session that no longer exists: signed out, cookies cleared.
    let forged = format!(
        "better-auth.session_token={}",
        keyward_server::cookies::encode_uri_component(&keyward_server::cookies::sign_cookie_value(
            "0123456789abcdef0123456789abcdef",
            common::SECRET
        ))
    );
    let gone = app.get("/get-session").header("cookie", &forged).send().await;
    assert_eq!(gone.text(), "null");
    assert!(
        gone.cookie("better-auth.session_token")
            .expect("expired")
            .attributes
            .contains("Max-Age=0")
    );
    assert_eq!(app.count("session").await, 1, "nothing else was touched");
}

on_both_databases! {
    async fn expired_sessions_are_deleted(backend: Backend) {
        let app = TestApp::new(backend).await;
        let client = app.sign_up("Alice", "alice@example.com", "password123").await;
        app.sql(r#"update "session" set "expiresAt" = $1"#, vec![Arg::from(Utc::now() - Duration::minutes(1))]).await;
        let response = app.get("/get-session").cookies(&client).send().await;
        assert_eq!(response.text(), "null");
        for name in ["better-auth.session_token", "better-auth.session_data", "better-auth.dont_remember"] {
            assert!(response.cookie(name).expect(name).attributes.starts_with("Max-Age=0"));
        }
        assert_eq!(app.count("session").await, 0);
    }
}

on_both_databases! {
    async fn refreshes_after_update_age(backend: Backend) {
        let app = TestApp::new(backend).await;
        let client = app.sign_up("Alice", "alice@example.com", "password123").await;
        // Two days after sign-in, the expiry is five days away: due for a refresh.
        let expires = Utc::now() + Duration::days(5);
        app.sql(r#"update "session" set "expiresAt" = $1"#, vec![Arg::from(expires)]).await;
        let response = app.get("/get-session").cookies(&client).send().await;
        let body = response.json();
        let new_expiry = keyward_server::wire::time::parse_iso(body["session"]["expiresAt"].as_str().expect("date"))
            .expect("iso");
        assert!(new_expiry > Utc::now() + Duration::days(6), "rolled forward to seven days");
        let cookie = response.cookie("better-auth.session_token").expect("cookie re-set");
        assert!(cookie.attributes.starts_with("Max-Age=604800"));
        assert_eq!(cookie.value, client.session_cookie().expect("cookie").clone(), "same token");
        assert!(response.header("set-auth-token").is_some());
        let stored = app.sql_rows(r#"select "expiresAt" from "session""#, vec![]).await;
        assert!(stored[0].time("expiresAt").expect("time") > Utc::now() + Duration::days(6));

        // disableRefresh (any value, as better-auth coerces it) leaves it alone.
        app.sql(r#"update "session" set "expiresAt" = $1"#, vec![Arg::from(expires)]).await;
        let untouched = app.get("/get-session?disableRefresh=false").cookies(&client).send().await;
        assert!(untouched.set_cookies().is_empty());
        let stored = app.sql_rows(r#"select "expiresAt" from "session""#, vec![]).await;
        assert!(stored[0].time("expiresAt").expect("time") < Utc::now() + Duration::days(6));
    }
}

#[tokio::test]
async fn dont_remember_sessions_are_never_refreshed() {
    let app = TestApp::with(Backend::Sqlite, |config| {
        config.session.update_age = std::time::Duration::ZERO
    })
    .await;
    app.sign_up("Alice", "alice@example.com", "password123").await;
    let sign_in = app
        .post("/sign-in/email")
        .json(&json!({"email": "alice@example.com", "password": "password123", "rememberMe": false}))
        .send()
        .await;
    let mut client = Client::default();
    client.store(&sign_in);
    let response = app.get("/get-session").cookies(&client).send().await;
    assert_eq!(response.json()["user"]["email"], "alice@example.com");
    assert!(
        response.set_cookies().is_empty(),
        "no refresh while dont_remember is present"
    );
    // A bearer client never sends dont_remember, so it is refreshed (better-auth does the same).
    let bearer = app
        .get("/get-session")
        .bearer(sign_in.json()["token"].as_str().expect("t"))
        .send()
        .await;
    assert!(bearer.cookie("better-auth.session_token").is_some());
}

#[tokio::test]
async fn post_get_session_needs_deferred_refresh() {
    let app = TestApp::new(Backend::Sqlite).await;
    let response = app.post("/get-session").json(&json!({})).send().await;
    response.assert_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED",
    );
}

on_both_databases! {
    async fn deferred_refresh(backend: Backend) {
        let app = TestApp::with(backend, |config| config.session.defer_session_refresh = true).await;
        let client = app.sign_up("Alice", "alice@example.com", "password123").await;
        let fresh = app.get("/get-session").cookies(&client).send().await;
        assert_eq!(fresh.json()["needsRefresh"], false);
        let expires = Utc::now() + Duration::days(5);
        app.sql(r#"update "session" set "expiresAt" = $1"#, vec![Arg::from(expires)]).await;
        let due = app.get("/get-session").cookies(&client).send().await;
        assert_eq!(due.json()["needsRefresh"], true);
        assert!(due.set_cookies().is_empty(), "GET never writes in deferred mode");
        let refreshed = app.post("/get-session").cookies(&client).json(&json!({})).send().await;
        assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text());
        assert!(refreshed.json().get("needsRefresh").is_none());
        assert!(refreshed.cookie("better-auth.session_token").is_some());
    }
}

on_both_databases! {
    async fn list_and_revoke_sessions(backend: Backend) {
        let app = TestApp::new(backend).await;
        let first = app.sign_up("Alice", "alice@example.com", "password123").await;
        let second_response = app
            .post("/sign-in/email")
            .json(&json!({"email": "alice@example.com", "password": "password123"}))
            .send()
            .await;
        let mut second = Client::default();
        second.store(&second_response);
        let bob = app.sign_up("Bob", "bob@example.com", "password123").await;

        let list = app.get("/list-sessions").cookies(&first).send().await;
        assert_eq!(list.status, StatusCode::OK);
        let sessions = list.json();
        assert_eq!(sessions.as_array().expect("array").len(), 2);
        assert!(sessions.as_array().expect("array").iter().all(|s| s["userId"] == sessions[0]["userId"]));

        // Revoking someone else's token does nothing, yet answers {status:true}.
        let bob_token = bob.token.clone().expect("token");
        let other = app.post("/revoke-session").cookies(&first).json(&json!({"token": bob_token})).send().await;
        assert_eq!(other.json(), json!({"status": true}));
        assert_eq!(app.get("/get-session").bearer(&bob_token).send().await.json()["user"]["name"], "Bob");
        let unknown = app.post("/revoke-session").cookies(&first).json(&json!({"token": "nonexistent"})).send().await;
        assert_eq!(unknown.json(), json!({"status": true}));
        let missing = app.post("/revoke-session").cookies(&first).json(&json!({})).send().await;
        missing.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");

        // Revoking the second device.
        let second_token = second.session_token();
        let revoked = app.post("/revoke-session").cookies(&first).json(&json!({"token": second_token})).send().await;
        assert!(revoked.set_cookies().is_empty(), "not the current session");
        assert_eq!(app.get("/get-session").cookies(&second).send().await.text(), "null");

        // Revoking the current one clears its cookies.
        let current = first.session_token();
        let own = app.post("/revoke-session").cookies(&first).json(&json!({"token": current})).send().await;
        assert!(own.cookie("better-auth.session_token").expect("expired").attributes.contains("Max-Age=0"));
        assert_eq!(app.get("/get-session").cookies(&first).send().await.text(), "null");
    }
}

on_both_databases! {
    async fn revoke_other_and_all_sessions(backend: Backend) {
        let app = TestApp::new(backend).await;
        let first = app.sign_up("Alice", "alice@example.com", "password123").await;
        let mut others = Vec::new();
        for _ in 0..2 {
            let response = app
                .post("/sign-in/email")
                .json(&json!({"email": "alice@example.com", "password": "password123"}))
                .send()
                .await;
            let mut client = Client::default();
            client.store(&response);
            others.push(client);
        }
        let response = app.post("/revoke-other-sessions").cookies(&first).send().await;
        assert_eq!(response.json(), json!({"status": true}));
        assert_eq!(app.get("/get-session").cookies(&first).send().await.json()["user"]["name"], "Alice");
        for other in &others {
            assert_eq!(app.get("/get-session").cookies(other).send().await.text(), "null");
        }
        let all = app.post("/revoke-sessions").cookies(&first).json(&json!({})).send().await;
        assert_eq!(all.json(), json!({"status": true}));
        assert!(all.cookie("better-auth.session_token").expect("expired").attributes.contains("Max-Age=0"));
        assert_eq!(app.count("session").await, 0);
        let unauthenticated = app.post("/revoke-sessions").send().await;
        unauthenticated.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    }
}

on_both_databases! {
    async fn list_sessions_requires_a_fresh_session(backend: Backend) {
        let app = TestApp::new(backend).await;
        let client = app.sign_up("Alice", "alice@example.com", "password123").await;
        app.sql(r#"update "session" set "createdAt" = $1"#, vec![Arg::from(Utc::now() - Duration::days(2))]).await;
        let response = app.get("/list-sessions").cookies(&client).send().await;
        response.assert_error(StatusCode::FORBIDDEN, "SESSION_NOT_FRESH");
        let anonymous = app.get("/list-sessions").send().await;
        anonymous.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
        assert_eq!(anonymous.message(), "Unauthorized");
    }
}

on_both_databases! {
    async fn update_session_fields(backend: Backend) {
        let app = TestApp::with(backend, |config| {
            config.session.additional_fields =
                vec![AdditionalField::new("theme", FieldType::String).default_value("light")];
        })
        .await;
        let client = app.sign_up("Alice", "alice@example.com", "password123").await;
        let before = app.get("/get-session").cookies(&client).send().await.json();
        assert_eq!(before["session"]["theme"], "light");
        let response = app.post("/update-session").cookies(&client).json(&json!({"theme": "dark"})).send().await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        assert_eq!(response.json()["session"]["theme"], "dark");
        assert!(response.cookie("better-auth.session_token").is_some());
        let after = app.get("/get-session").cookies(&client).send().await.json();
        assert_eq!(after["session"]["theme"], "dark");
        let nothing = app.post("/update-session").cookies(&client).json(&json!({"other": 1})).send().await;
        assert_eq!(nothing.status, StatusCode::BAD_REQUEST);
        assert_eq!(nothing.json(), json!({"message": "No fields to update"}));
        let not_object = app.post("/update-session").cookies(&client).json(&json!([1])).send().await;
        not_object.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
        let wrong_type = app.post("/update-session").cookies(&client).json(&json!({"theme": 5})).send().await;
        wrong_type.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
    }
}

#[tokio::test]
async fn cookie_cache_serves_and_expires_session_data() {
    let app = TestApp::with(Backend::Sqlite, |config| config.session.cookie_cache.enabled = true).await;
    let sign_up = app
        .post("/sign-up/email")
        .json(&json!({"name": "Alice", "email": "alice@example.com", "password": "password123"}))
        .send()
        .await;
    let data = sign_up
        .cookie("better-auth.session_data")
        .expect("cache cookie set on sign-up");
    assert_eq!(data.attributes, "Max-Age=300; Path=/; HttpOnly; SameSite=Lax");
    let mut client = Client::default();
    client.store(&sign_up);

    // Served from the cookie while it is valid: a database change is not seen...
    app.sql(r#"update "user" set "name" = 'Changed'"#, vec![]).await;
    let cached = app.get("/get-session").cookies(&client).send().await;
    assert_eq!(cached.json()["user"]["name"], "Alice");
    // ...unless the cache is bypassed.
    let fresh = app
        .get("/get-session?disableCookieCache=true")
        .cookies(&client)
        .send()
        .await;
    assert_eq!(fresh.json()["user"]["name"], "Changed");

    // A tampered cache is ignored and expired.
    let mut tampered = client.clone();
    let value = tampered.cookies.get("better-auth.session_data").expect("cache").clone();
    tampered
        .cookies
        .insert("better-auth.session_data".into(), format!("x{value}"));
    let response = app.get("/get-session").cookies(&tampered).send().await;
    assert_eq!(response.json()["user"]["name"], "Changed");

    // Sensitive endpoints read the database: a revoked session stops working at once.
    app.sql(r#"delete from "session""#, vec![]).await;
    let list = app.post("/revoke-other-sessions").cookies(&client).send().await;
    list.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}

#[tokio::test]
async fn stale_cache_cookie_is_cleaned_when_caching_is_off() {
    let app = TestApp::new(Backend::Sqlite).await;
    let mut client = app.sign_up("Alice", "alice@example.com", "password123").await;
    client.cookies.insert("better-auth.session_data".into(), "stale".into());
    let response = app.get("/get-session").cookies(&client).send().await;
    assert_eq!(response.json()["user"]["name"], "Alice");
    assert!(
        response
            .cookie("better-auth.session_data")
            .expect("expired")
            .attributes
            .starts_with("Max-Age=0")
    );
}

/// An empty `session_data=` is no cache cookie: better-auth neither decodes nor expires
/// it, so no route answers it with an expiring `Set-Cookie` (with the cache off or on).
#[tokio::test]
async fn an_empty_cache_cookie_is_left_alone() {
    let expired = |response: &common::TestResponse| {
        response
            .set_cookies()
            .into_iter()
            .filter(|cookie| cookie.attributes.contains("Max-Age=0"))
            .map(|cookie| cookie.name)
            .collect::<Vec<_>>()
    };
    for cache in [false, true] {
        let app = TestApp::with(Backend::Sqlite, |config| config.session.cookie_cache.enabled = cache).await;
        let mut client = app.sign_up("Alice", "alice@example.com", "password123").await;
        client.cookies.insert("better-auth.session_data".into(), String::new());
        let signed_in = app.get("/get-session").cookies(&client).send().await;
        assert_eq!(signed_in.json()["user"]["name"], "Alice");
        assert_eq!(expired(&signed_in), Vec::<String>::new(), "cache {cache}");
        let listed = app.get("/list-sessions").cookies(&client).send().await;
        assert_eq!(listed.status, StatusCode::OK);
        assert_eq!(expired(&listed), Vec::<String>::new(), "cache {cache}");

        let anonymous = app
            .get("/get-session")
            .header("cookie", "better-auth.session_data=")
            .send()
            .await;
        assert_eq!(anonymous.json(), Value::Null);
        assert!(
            anonymous.set_cookies().is_empty(),
            "cache {cache}: {:?}",
            anonymous.set_cookies()
        );
    }
}

// Many users' lookups at once (on PostgreSQL they are coalesced into shared statements):
// each gets exactly its own session, unknown and signed-out tokens get `null`.
on_both_databases! {
    async fn concurrent_lookups_each_get_their_own_session(backend: Backend) {
        let app = std::sync::Arc::new(TestApp::new(backend).await);
        let mut users = Vec::new();
        for n in 0..8 {
            let email = format!("user{n}@example.com");
            users.push((email.clone(), app.sign_up("User", &email, "password123").await));
        }
        let gone = app.sign_up("Gone", "gone@example.com", "password123").await;
        let out = app.post("/sign-out").cookies(&gone).json(&json!({})).send().await;
        assert_eq!(out.status, StatusCode::OK);
        let stranger = Client {
            token: Some("not-a-session-token-at-all-00000".to_owned()),
            ..Client::default()
        };

        let mut lookups = tokio::task::JoinSet::new();
        for round in 0..25 {
            for (email, client) in &users {
                let (app, client, email) = (app.clone(), client.clone(), email.clone());
                lookups.spawn(async move {
                    let body = app.get("/get-session").cookies(&client).send().await.json();
                    assert_eq!(body["user"]["email"], email.as_str(), "round {round}");
                    assert_eq!(body["session"]["token"], client.token.as_deref().expect("token"));
                });
            }
            for client in [&gone, &stranger] {
                let (app, client) = (app.clone(), client.clone());
                lookups.spawn(async move {
                    let response = match client.token.as_deref() {
                        Some(token) if client.cookies.is_empty() => app.get("/get-session").bearer(token).send().await,
                        _ => app.get("/get-session").cookies(&client).send().await,
                    };
                    assert_eq!(response.json(), Value::Null);
                });
            }
        }
        while let Some(done) = lookups.join_next().await {
            done.expect("every lookup answered right");
        }
    }
}

// A lookup that starts after a sign-out finished never sees the ended session, even
// while other lookups keep the readers busy (it does not join a read already under way).
on_both_databases! {
    async fn a_lookup_after_sign_out_misses_the_session_under_load(backend: Backend) {
        let app = std::sync::Arc::new(TestApp::new(backend).await);
        let busy = app.sign_up("Busy", "busy@example.com", "password123").await;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut load = tokio::task::JoinSet::new();
        for _ in 0..6 {
            let (app, busy, stop) = (app.clone(), busy.clone(), stop.clone());
            load.spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let body = app.get("/get-session").cookies(&busy).send().await.json();
                    assert_eq!(body["user"]["email"], "busy@example.com");
                }
            });
        }
        let mut ada = app.sign_up("Ada", "ada@example.com", "password123").await;
        for attempt in 0..15 {
            let before = app.get("/get-session").cookies(&ada).send().await.json();
            assert_eq!(before["user"]["email"], "ada@example.com", "attempt {attempt}");
            let out = app.post("/sign-out").cookies(&ada).json(&json!({})).send().await;
            assert_eq!(out.status, StatusCode::OK);
            let after = app.get("/get-session").cookies(&ada).send().await.json();
            assert_eq!(after, Value::Null, "attempt {attempt}: signed out");
            let response = app
                .post("/sign-in/email")
                .origin()
                .json(&json!({"email": "ada@example.com", "password": "password123"}))
                .send()
                .await;
            assert_eq!(response.status, StatusCode::OK);
            ada = Client::default();
            ada.store(&response);
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        while let Some(done) = load.join_next().await {
            done.expect("the background lookups stayed right");
        }
    }
}

// Lookups cancelled midway (clients that hang up) leave no reader behind: the lookups
// after them are all answered.
on_both_databases! {
    async fn cancelled_lookups_do_not_stall_later_ones(backend: Backend) {
        let app = std::sync::Arc::new(TestApp::new(backend).await);
        let ada = app.sign_up("Ada", "ada@example.com", "password123").await;
        for _ in 0..5 {
            let mut lookups = tokio::task::JoinSet::new();
            for _ in 0..40 {
                let (app, ada) = (app.clone(), ada.clone());
                lookups.spawn(async move { app.get("/get-session").cookies(&ada).send().await });
            }
            // Let some start, then hang up on all of them.
            tokio::task::yield_now().await;
            lookups.abort_all();
            while lookups.join_next().await.is_some() {}
        }
        let answered = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            let mut lookups = tokio::task::JoinSet::new();
            for _ in 0..40 {
                let (app, ada) = (app.clone(), ada.clone());
                lookups.spawn(async move { app.get("/get-session").cookies(&ada).send().await.json() });
            }
            let mut answered = 0;
            while let Some(body) = lookups.join_next().await {
                assert_eq!(body.expect("answered")["user"]["email"], "ada@example.com");
                answered += 1;
            }
            answered
        })
        .await
        .expect("no lookup waits forever for a reader that was cancelled");
        assert_eq!(answered, 40);
    }
}

// The statement behind coalesced lookups, on both dialects (`= any($1)` on PostgreSQL,
// `json_each` on SQLite): each known token once, with its own user; unknown ones missing.
on_both_databases! {
    async fn sessions_are_found_by_a_list_of_tokens(backend: Backend) {
        use keyward_server::db::{ModelFields, sessions};
        let app = TestApp::new(backend).await;
        let ada = app.sign_up("Ada", "ada@example.com", "password123").await;
        let bob = app.sign_up("Bob", "bob@example.com", "password123").await;
        let (ada, bob) = (ada.token.expect("token"), bob.token.expect("token"));
        let mut db = app.auth.db().clone();
        let tokens = vec![ada.clone(), "unknown".to_owned(), bob.clone(), "it's \"quoted\"".to_owned()];
        let mut found: Vec<(String, String)> = sessions::find_many_with_user(&mut db, &ModelFields::default(), tokens)
            .await
            .expect("reads")
            .into_iter()
            .map(|data| (data.session.token.expose().to_owned(), data.user.email))
            .collect();
        found.sort();
        let mut expected = vec![(ada, "ada@example.com".to_owned()), (bob, "bob@example.com".to_owned())];
        expected.sort();
        assert_eq!(found, expected);
        let none = sessions::find_many_with_user(&mut db, &ModelFields::default(), Vec::new())
            .await
            .expect("reads");
        assert!(none.is_empty());
    }
}
