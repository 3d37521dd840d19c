//! The username plugin: usernames on sign-up and update-user (normalised, validated,
//! unique), `/sign-in/username`, `/is-username-available`, the options and the column
//! migration.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, Client, TestApp, TestResponse};
use keyward_server::config::{Normalization, UsernameConfig};
use serde_json::{Value, json};

const PASSWORD: &str = "correct-horse-battery";

async fn app(backend: Backend, options: UsernameConfig) -> TestApp {
    TestApp::with(backend, |config| config.username = Some(options)).await
}

async fn sign_up(app: &TestApp, email: &str, extra: Value) -> TestResponse {
    let mut body = json!({"name": "Ada", "email": email, "password": PASSWORD});
    body.as_object_mut()
        .expect("object")
        .extend(extra.as_object().expect("object").clone());
    app.post("/sign-up/email").json(&body).send().await
}

async fn sign_in(app: &TestApp, body: Value) -> TestResponse {
    app.post("/sign-in/username").json(&body).send().await
}

async fn available(app: &TestApp, username: &str) -> TestResponse {
    app.post("/is-username-available")
        .json(&json!({"username": username}))
        .send()
        .await
}

async fn update(app: &TestApp, client: &Client, body: Value) -> TestResponse {
    app.post("/update-user").cookies(client).json(&body).send().await
}

/// The stored username columns of the user with `email`.
async fn stored(app: &TestApp, email: &str) -> (Option<String>, Option<String>) {
    let rows = app
        .sql_rows(
            r#"select "username", "displayUsername" from "user" where "email" = $1"#,
            keyward_server::args![email],
        )
        .await;
    let row = rows.first().expect("the user");
    (
        row.opt_text("username").expect("username"),
        row.opt_text("displayUsername").expect("displayUsername"),
    )
}

on_both_databases! {
    async fn a_username_is_stored_normalised_and_signs_in_in_any_casing(backend: Backend) {
        let app = app(backend, UsernameConfig::default()).await;
        let answer = sign_up(&app, "ada@example.com", json!({"username": "Ada_Lovelace"})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(answer.json()["user"]["username"], "ada_lovelace");
        assert_eq!(answer.json()["user"]["displayUsername"], "Ada_Lovelace");
        assert_eq!(
            stored(&app, "ada@example.com").await,
            (Some("ada_lovelace".into()), Some("Ada_Lovelace".into()))
        );

        for casing in ["ada_lovelace", "ADA_LOVELACE", "Ada_Lovelace"] {
            let answer = sign_in(&app, json!({"username": casing, "password": PASSWORD})).await;
            assert_eq!(answer.status, StatusCode::OK, "{casing}: {}", answer.text());
            let body = answer.json();
            assert_eq!(body["redirect"], false);
            assert!(body.get("url").is_none(), "{body}");
            assert_eq!(body["user"]["email"], "ada@example.com");
            assert_eq!(body["user"]["username"], "ada_lovelace");
            let mut client = Client::default();
            client.store(&answer);
            assert_eq!(client.session_token(), body["token"].as_str().expect("a token"));
        }

        let answer = sign_in(
            &app,
            json!({"username": "ada_lovelace", "password": PASSWORD, "callbackURL": "/home", "rememberMe": false}),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(answer.json()["redirect"], true);
        assert_eq!(answer.json()["url"], "/home");
        assert_eq!(answer.header("location").as_deref(), Some("/home"));
        let cookie = answer.cookie("better-auth.session_token").expect("session cookie");
        assert!(!cookie.attributes.contains("Max-Age"), "a browser-session cookie: {}", cookie.attributes);
    }
}

on_both_databases! {
    async fn wrong_credentials_are_one_answer_and_malformed_usernames_are_422(backend: Backend) {
        let app = app(backend, UsernameConfig::default()).await;
        let answer = sign_up(&app, "ada@example.com", json!({"username": "ada"})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        // A user without a username, and one whose password was never set, sign in by email only.
        app.sign_up("Bob", "bob@example.com", PASSWORD).await;

        for body in [
            json!({"username": "ada", "password": "wrong-password-1"}),
            json!({"username": "nobody", "password": PASSWORD}),
            json!({"username": "", "password": PASSWORD}),
            json!({"username": "ada", "password": ""}),
        ] {
            sign_in(&app, body.clone())
                .await
                .assert_error(StatusCode::UNAUTHORIZED, "INVALID_USERNAME_OR_PASSWORD");
        }
        for (username, code) in [
            ("ad", "USERNAME_TOO_SHORT"),
            (&*"a".repeat(31), "USERNAME_TOO_LONG"),
            ("ada lovelace", "INVALID_USERNAME"),
            ("ada@example", "INVALID_USERNAME"),
        ] {
            sign_in(&app, json!({"username": username, "password": PASSWORD}))
                .await
                .assert_error(StatusCode::UNPROCESSABLE_ENTITY, code);
        }
        sign_in(&app, json!({"username": "ada", "password": "x".repeat(200)}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "PASSWORD_TOO_LONG");
        for body in [json!({"username": "ada"}), json!({"username": 7, "password": PASSWORD}), json!([])] {
            let answer = sign_in(&app, body).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
            assert!(answer.json()["message"].is_string(), "{}", answer.text());
        }
    }
}

on_both_databases! {
    async fn sign_up_refuses_taken_and_invalid_usernames(backend: Backend) {
        let app = app(backend, UsernameConfig::default()).await;
        let answer = sign_up(&app, "ada@example.com", json!({"username": "ada"})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        for (extra, code) in [
            (json!({"username": "ADA"}), "USERNAME_IS_ALREADY_TAKEN"),
            (json!({"username": "ab"}), "USERNAME_TOO_SHORT"),
            (json!({"username": "a".repeat(31)}), "USERNAME_TOO_LONG"),
            (json!({"username": "not valid"}), "INVALID_USERNAME"),
            (json!({"username": "ïda"}), "INVALID_USERNAME"),
        ] {
            sign_up(&app, "eve@example.com", extra.clone())
                .await
                .assert_error(StatusCode::BAD_REQUEST, code);
        }
        assert_eq!(app.count("user").await, 1, "nothing was created");
        // A username that is not a string is the field's type error.
        let answer = sign_up(&app, "eve@example.com", json!({"username": 12345})).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
        assert_eq!(app.count("user").await, 1);
    }
}

on_both_databases! {
    async fn a_display_username_alone_gives_the_username_when_it_is_valid(backend: Backend) {
        let app = app(backend, UsernameConfig::default()).await;
        let answer = sign_up(&app, "ada@example.com", json!({"displayUsername": "Ada.L"})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(stored(&app, "ada@example.com").await, (Some("ada.l".into()), Some("Ada.L".into())));
        // Not a valid username: the display username is kept, no username is made.
        let answer = sign_up(&app, "bob@example.com", json!({"displayUsername": "Bob the Builder"})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(stored(&app, "bob@example.com").await, (None, Some("Bob the Builder".into())));
        // Both given: each as given (the username normalised).
        let answer = sign_up(&app, "cy@example.com", json!({"username": "Cy", "displayUsername": "C.Y."})).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "two letters are too short: {}", answer.text());
        let answer = sign_up(&app, "cy@example.com", json!({"username": "Cyd", "displayUsername": "C.Y.D"})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(stored(&app, "cy@example.com").await, (Some("cyd".into()), Some("C.Y.D".into())));
        // A taken display-derived username is refused as a taken username.
        sign_up(&app, "dee@example.com", json!({"displayUsername": "ADA.L"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "USERNAME_IS_ALREADY_TAKEN");
    }
}

on_both_databases! {
    async fn availability_is_checked_on_the_normalised_username(backend: Backend) {
        let app = app(backend, UsernameConfig::default()).await;
        assert_eq!(available(&app, "Ada").await.json(), json!({"available": true}));
        sign_up(&app, "ada@example.com", json!({"username": "ada"})).await;
        for name in ["ada", "ADA", "Ada"] {
            let answer = available(&app, name).await;
            assert_eq!(answer.status, StatusCode::OK);
            assert_eq!(answer.json(), json!({"available": false}), "{name}");
        }
        for (name, code) in [
            ("", "INVALID_USERNAME"),
            ("ab", "USERNAME_TOO_SHORT"),
            (&*"b".repeat(31), "USERNAME_TOO_LONG"),
            ("a b c", "INVALID_USERNAME"),
        ] {
            available(&app, name)
                .await
                .assert_error(StatusCode::UNPROCESSABLE_ENTITY, code);
        }
        let answer = app.post("/is-username-available").json(&json!({})).send().await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
    }
}

on_both_databases! {
    async fn update_user_changes_the_username_unless_taken_or_immutable(backend: Backend) {
        let app = app(backend, UsernameConfig::default()).await;
        let ada = sign_up(&app, "ada@example.com", json!({"username": "ada"})).await;
        let mut ada_client = Client::default();
        ada_client.store(&ada);
        sign_up(&app, "bob@example.com", json!({"username": "bob"})).await;

        let answer = update(&app, &ada_client, json!({"username": "Countess"})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(stored(&app, "ada@example.com").await, (Some("countess".into()), Some("ada".into())));
        // Their own username, in another casing, is not taken.
        let answer = update(&app, &ada_client, json!({"username": "COUNTESS", "displayUsername": "Countess"})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(stored(&app, "ada@example.com").await, (Some("countess".into()), Some("Countess".into())));
        update(&app, &ada_client, json!({"username": "BOB"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "USERNAME_IS_ALREADY_TAKEN");
        update(&app, &ada_client, json!({"username": "x"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "USERNAME_TOO_SHORT");
        // Signed out: a taken username is refused before the session is asked for.
        update(&app, &Client::default(), json!({"username": "bob"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "USERNAME_IS_ALREADY_TAKEN");
        let answer = update(&app, &Client::default(), json!({"username": "free_name"})).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.text());
        assert_eq!(stored(&app, "ada@example.com").await.0.as_deref(), Some("countess"));

        let answer = sign_in(&app, json!({"username": "Countess", "password": PASSWORD})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let session = app.get("/get-session").cookies(&ada_client).send().await;
        assert_eq!(session.json()["user"]["username"], "countess");
        assert_eq!(session.json()["user"]["displayUsername"], "Countess");
    }
}

on_both_databases! {
    async fn options_change_the_rules(backend: Backend) {
        let options = UsernameConfig::default()
            .lengths(5, 8)
            .immutable_username(true)
            .username_normalization(Normalization::None)
            .display_username_validator(|name: &str| !name.contains('!'));
        let app = app(backend, options).await;
        sign_up(&app, "ada@example.com", json!({"username": "abcd"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "USERNAME_TOO_SHORT");
        sign_up(&app, "ada@example.com", json!({"username": "abcdefghi"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "USERNAME_TOO_LONG");
        sign_up(&app, "ada@example.com", json!({"username": "AdaLo", "displayUsername": "Ada!"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "INVALID_DISPLAY_USERNAME");
        let ada = sign_up(&app, "ada@example.com", json!({"username": "AdaLo"})).await;
        assert_eq!(ada.status, StatusCode::OK, "{}", ada.text());
        // Without normalisation the casing is the username's own.
        assert_eq!(stored(&app, "ada@example.com").await.0.as_deref(), Some("AdaLo"));
        assert_eq!(available(&app, "adalo").await.json(), json!({"available": true}));
        let answer = sign_up(&app, "bob@example.com", json!({"username": "adalo"})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        sign_in(&app, json!({"username": "ADALO", "password": PASSWORD}))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "INVALID_USERNAME_OR_PASSWORD");

        let mut client = Client::default();
        client.store(&ada);
        update(&app, &client, json!({"username": "Other"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "USERNAME_IS_IMMUTABLE");
        let same = update(&app, &client, json!({"username": "AdaLo", "name": "Ada L"})).await;
        assert_eq!(same.status, StatusCode::OK, "the same username is no change: {}", same.text());
        // A user without a username may set one.
        let bob_free = sign_up(&app, "cy@example.com", json!({})).await;
        let mut cy = Client::default();
        cy.store(&bob_free);
        let answer = update(&app, &cy, json!({"username": "cyril"})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    }
}

on_both_databases! {
    async fn email_verification_gates_username_sign_in_too(backend: Backend) {
        let app = TestApp::with(backend, |config| {
            config.username = Some(UsernameConfig::default());
            config.email_and_password.require_email_verification = true;
        })
        .await;
        let answer = sign_up(&app, "ada@example.com", json!({"username": "ada"})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        sign_in(&app, json!({"username": "ada", "password": PASSWORD}))
            .await
            .assert_error(StatusCode::FORBIDDEN, "EMAIL_NOT_VERIFIED");
    }
}

on_both_databases! {
    async fn the_column_is_added_with_better_auths_unique_index(backend: Backend) {
        let plain = TestApp::new(backend).await;
        plain.sign_up("Ada", "ada@example.com", PASSWORD).await;
        plain.sign_up("Bob", "bob@example.com", PASSWORD).await;
        let before = plain
            .post("/sign-in/username")
            .json(&json!({"username": "ada", "password": PASSWORD}))
            .send()
            .await;
        assert_eq!(before.status, StatusCode::NOT_FOUND, "no route before the plugin");
        let app = plain.beside(|config| config.username = Some(UsernameConfig::default())).await;
        let sql = match backend {
            Backend::Sqlite => r#"select "name" from sqlite_master where "type" = 'index' and "name" = 'user_username_uidx'"#,
            Backend::Postgres => r#"select indexname::text as "name" from pg_indexes where indexname = 'user_username_uidx'"#,
        };
        assert_eq!(app.sql_rows(sql, vec![]).await.len(), 1, "the unique index better-auth names");
        // Users without a username coexist (nulls are not duplicates).
        assert_eq!(stored(&app, "ada@example.com").await, (None, None));
        let taken = app
            .sql(r#"update "user" set "username" = 'same' where "email" = 'ada@example.com'"#, vec![])
            .await;
        assert_eq!(taken, 1);
        let answer = app
            .post("/sign-up/email")
            .json(&json!({"name": "Cy", "email": "cy@example.com", "password": PASSWORD, "username": "same"}))
            .send()
            .await;
        answer.assert_error(StatusCode::BAD_REQUEST, "USERNAME_IS_ALREADY_TAKEN");
    }
}

#[tokio::test]
async fn without_the_plugin_there_are_no_username_routes_and_no_field() {
    let app = TestApp::new(Backend::Sqlite).await;
    let answer = app
        .post("/is-username-available")
        .json(&json!({"username": "ada"}))
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let answer = sign_up(&app, "ada@example.com", json!({"username": "ada"})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert!(answer.json()["user"].get("username").is_none(), "{}", answer.text());
}

on_both_databases! {
    async fn a_second_factor_challenges_a_username_sign_in(backend: Backend) {
        let app = TestApp::with(backend, |config| {
            config.username = Some(UsernameConfig::default());
            config.two_factor = Some(keyward_server::config::TwoFactorConfig::default());
        })
        .await;
        let answer = sign_up(&app, "ada@example.com", json!({"username": "ada"})).await;
        let mut ada = Client::default();
        ada.store(&answer);
        let enabled = app
            .post("/two-factor/enable")
            .cookies(&ada)
            .json(&json!({"password": PASSWORD, "method": "otp"}))
            .send()
            .await;
        assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.text());
        let answer = sign_in(&app, json!({"username": "ADA", "password": PASSWORD})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        assert_eq!(answer.json()["twoFactorRedirect"], true, "{}", answer.text());
        assert!(answer.json().get("token").is_none(), "no session before the second factor");
        assert!(
            answer.cookie("better-auth.two_factor").is_some(),
            "the challenge cookie: {:?}",
            answer.set_cookies()
        );
    }
}

on_both_databases! {
    async fn an_admins_update_of_a_username_is_checked_as_the_users_own(backend: Backend) {
        let app = TestApp::with(backend, |config| {
            config.username = Some(UsernameConfig::default());
            config.admin = Some(keyward_server::config::AdminConfig::default());
        })
        .await;
        let root = app.sign_up("Root", "root@example.com", PASSWORD).await;
        app.sql(
            r#"update "user" set "role" = 'admin' where "email" = $1"#,
            keyward_server::args!["root@example.com"],
        )
        .await;
        let ada = sign_up(&app, "ada@example.com", json!({"username": "ada"})).await;
        let ada_id = ada.json()["user"]["id"].as_str().expect("id").to_owned();
        let bob = sign_up(&app, "bob@example.com", json!({"username": "bob"})).await;
        let bob_id = bob.json()["user"]["id"].as_str().expect("id").to_owned();
        let admin_update = |user_id: String, data: Value| {
            app.post("/admin/update-user")
                .cookies(&root)
                .json(&json!({"userId": user_id, "data": data}))
                .send()
        };

        admin_update(bob_id.clone(), json!({"username": "ADA"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "USERNAME_IS_ALREADY_TAKEN");
        admin_update(bob_id.clone(), json!({"username": "b"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "USERNAME_TOO_SHORT");
        admin_update(bob_id.clone(), json!({"username": "bad name!"}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "INVALID_USERNAME");
        let renamed = admin_update(bob_id.clone(), json!({"username": "Robert"})).await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text());
        assert_eq!(renamed.json()["username"], "robert", "stored normalised");
        let same = admin_update(ada_id, json!({"username": "Ada"})).await;
        assert_eq!(same.status, StatusCode::OK, "a user's own username: {}", same.text());
        assert_eq!(available(&app, "bob").await.json()["available"], true);
    }
}
