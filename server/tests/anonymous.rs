//! The anonymous plugin: `/sign-in/anonymous`, `/delete-anonymous-user`, the
//! `isAnonymous` column, and the link of an anonymous user who signs in or up by another
//! method (email sign-up and sign-in, magic link, email code, texted code), with its
//! options.

use crate::common;

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use common::{Backend, Client, ORIGIN, TestApp, TestResponse};
use keyward_server::config::{
    AnonymousConfig, AnonymousEmailGenerator, AnonymousLink, AnonymousNameGenerator, EmailOtpConfig, MagicLinkConfig,
    OnLinkAccount, PhoneNumberConfig, SignUpOnVerification,
};
use keyward_server::wire::ErrorCode;
use keyward_server::{ApiError, ApiResult, Auth, args};
use serde_json::{Value, json};

const PASSWORD: &str = "correct-horse-battery";

async fn app(backend: Backend, options: AnonymousConfig) -> TestApp {
    TestApp::with(backend, |config| {
        config.anonymous = Some(options);
        config.magic_link = Some(MagicLinkConfig::default());
        config.email_otp = Some(EmailOtpConfig::default());
        config.phone_number = Some(
            PhoneNumberConfig::default()
                .sign_up_on_verification(SignUpOnVerification::with_domain("phone.example.com")),
        );
    })
    .await
}

/// Signs in anonymously; the answer and the client holding its cookie.
async fn anonymous(app: &TestApp) -> (TestResponse, Client) {
    let answer = app.post("/sign-in/anonymous").origin().send().await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let mut client = Client::default();
    client.store(&answer);
    (answer, client)
}

/// `isAnonymous` of the user row `id`, `None` when there is no such user.
async fn stored_flag(app: &TestApp, id: &str) -> Option<bool> {
    app.sql_rows(
        r#"select "isAnonymous" from "user" where "id" = $1"#,
        args![id.to_owned()],
    )
    .await
    .first()
    .map(|row| row.bool("isAnonymous").expect("isAnonymous"))
}

/// Records every link the plugin makes.
#[derive(Clone, Default)]
struct Links(Arc<Mutex<Vec<(String, String)>>>);

#[async_trait::async_trait]
impl OnLinkAccount for Links {
    async fn on_link_account(&self, _auth: &Auth, link: &AnonymousLink) -> ApiResult<()> {
        assert!(link.anonymous.user.is_anonymous());
        assert_ne!(link.anonymous.session.token, link.new.session.token);
        let pair = (link.anonymous.user.id.clone(), link.new.user.id.clone());
        self.0.lock().expect("lock").push(pair);
        Ok(())
    }
}

impl Links {
    fn taken(&self) -> Vec<(String, String)> {
        self.0.lock().expect("lock").clone()
    }
}

on_both_databases! {
    async fn an_anonymous_sign_in_makes_a_flagged_user_once(backend: Backend) {
        let app = app(backend, AnonymousConfig::default()).await;
        let (answer, guest) = anonymous(&app).await;
        let body = answer.json();
        let user = &body["user"];
        let id = user["id"].as_str().expect("id");
        assert_eq!(user["name"], "Anonymous");
        let email = user["email"].as_str().expect("email");
        let (local, domain) = email.split_once('@').expect("an address");
        assert_eq!(domain, "anonymous.placeholder.invalid");
        assert_eq!(local.len(), 32);
        assert_eq!(local, local.to_lowercase(), "stored lowercase");
        assert_eq!(user["emailVerified"], false);
        assert_eq!(user["isAnonymous"], true);
        assert_eq!(body.as_object().expect("object").len(), 2, "token and user: {body}");
        assert_eq!(body["token"].as_str(), Some(guest.session_token().as_str()));
        let exposed = answer.header("set-auth-token").expect("the bearer plugin's header");
        assert!(exposed.starts_with(body["token"].as_str().expect("token")), "{exposed}");
        assert_eq!(stored_flag(&app, id).await, Some(true));
        let session = app.get("/get-session").cookies(&guest).send().await;
        assert_eq!(session.json()["user"]["isAnonymous"], true);

        let again = app.post("/sign-in/anonymous").cookies(&guest).send().await;
        again.assert_error(StatusCode::BAD_REQUEST, "ANONYMOUS_USERS_CANNOT_SIGN_IN_AGAIN_ANONYMOUSLY");
        assert_eq!(again.message(), "Anonymous users cannot sign in again anonymously");
        let token = body["token"].as_str().expect("token");
        let by_bearer = app.post("/sign-in/anonymous").bearer(token).send().await;
        by_bearer.assert_error(StatusCode::BAD_REQUEST, "ANONYMOUS_USERS_CANNOT_SIGN_IN_AGAIN_ANONYMOUSLY");
        assert_eq!(app.count("user").await, 1);

        // A signed-in regular user may start an anonymous session; a body is ignored.
        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let regular = app.post("/sign-in/anonymous").cookies(&ada).json(&json!({"name": "x"})).send().await;
        assert_eq!(regular.status, StatusCode::OK, "{}", regular.text());
        assert_eq!(regular.json()["user"]["name"], "Anonymous");
        assert_eq!(app.count("user").await, 3);
        let ada_id = app.sql_rows(r#"select "id" from "user" where "email" = 'ada@example.com'"#, vec![]).await[0]
            .text("id")
            .expect("id");
        assert_eq!(stored_flag(&app, &ada_id).await, Some(false), "a regular user's flag is false");

        // isAnonymous is not an input.
        let forged = app
            .post("/sign-up/email")
            .origin()
            .json(&json!({"name": "Eve", "email": "eve@example.com", "password": PASSWORD, "isAnonymous": true}))
            .send()
            .await;
        assert_eq!(forged.status, StatusCode::OK, "{}", forged.text());
        assert_eq!(forged.json()["user"]["isAnonymous"], false);
    }
}

struct Named;

#[async_trait::async_trait]
impl AnonymousNameGenerator for Named {
    async fn generate_name(&self, headers: &HeaderMap) -> String {
        let agent = headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("nobody");
        format!("Guest of {agent}")
    }
}

struct Fixed(&'static str);

#[async_trait::async_trait]
impl AnonymousEmailGenerator for Fixed {
    async fn generate_email(&self) -> String {
        self.0.to_owned()
    }
}

on_both_databases! {
    async fn names_and_addresses_follow_the_options(backend: Backend) {
        let app = app(backend, AnonymousConfig::default().email_domain_name("guests.example.com").generate_name(Named)).await;
        let answer = app.post("/sign-in/anonymous").header("user-agent", "curl").send().await;
        let user = answer.json()["user"].clone();
        assert_eq!(user["name"], "Guest of curl");
        let email = user["email"].as_str().expect("email");
        assert!(email.starts_with("temp-") && email.ends_with("@guests.example.com"), "{email}");
        assert_eq!(email.len(), "temp-".len() + 32 + "@guests.example.com".len());

        let app = self::app(backend, AnonymousConfig::default().generate_random_email(Fixed("Guest.One@Example.com"))).await;
        let answer = app.post("/sign-in/anonymous").send().await;
        assert_eq!(answer.json()["user"]["email"], "guest.one@example.com", "lowercased as every address");
        let taken = app.post("/sign-in/anonymous").send().await;
        taken.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "FAILED_TO_CREATE_USER");
        assert!(taken.cookie("better-auth.session_token").is_none());

        let app = self::app(backend, AnonymousConfig::default().generate_random_email(Fixed("not an address"))).await;
        let refused = app.post("/sign-in/anonymous").send().await;
        refused.assert_error(StatusCode::BAD_REQUEST, "INVALID_EMAIL_FORMAT");
        assert_eq!(refused.message(), "Email was not generated in a valid format");
        assert_eq!(app.count("user").await, 0);

        let app = self::app(backend, AnonymousConfig::default().generate_random_email(Fixed(""))).await;
        let fallback = app.post("/sign-in/anonymous").send().await;
        let email = fallback.json()["user"]["email"].as_str().expect("email").to_owned();
        assert!(email.ends_with("@anonymous.placeholder.invalid"), "an empty address is the default: {email}");
    }
}

on_both_databases! {
    async fn only_anonymous_users_are_deleted_and_only_when_allowed(backend: Backend) {
        let app = app(backend, AnonymousConfig::default()).await;
        let nobody = app.post("/delete-anonymous-user").origin().send().await;
        nobody.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");

        let ada = app.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let regular = app.post("/delete-anonymous-user").cookies(&ada).send().await;
        regular.assert_error(StatusCode::FORBIDDEN, "USER_IS_NOT_ANONYMOUS");
        assert_eq!(regular.message(), "User is not anonymous");

        let (_, guest) = anonymous(&app).await;
        let (_, other_device) = anonymous(&app).await;
        assert_eq!(app.count("user").await, 3);
        let deleted = app.post("/delete-anonymous-user").cookies(&guest).send().await;
        assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text());
        assert_eq!(deleted.json(), json!({"success": true}));
        let cleared = deleted.cookie("better-auth.session_token").expect("the cookie is cleared");
        assert!(cleared.value.is_empty() && cleared.attributes.contains("Max-Age=0"), "{cleared:?}");
        assert_eq!(app.count("user").await, 2);
        assert_eq!(app.count("session").await, 2, "the deleted user's session went with them");
        let gone = app.get("/get-session").cookies(&guest).send().await;
        assert_eq!(gone.json(), Value::Null);
        let again = app.post("/delete-anonymous-user").cookies(&guest).send().await;
        again.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
        let token = other_device.session_token();
        let by_bearer = app.post("/delete-anonymous-user").bearer(&token).send().await;
        assert_eq!(by_bearer.status, StatusCode::OK, "{}", by_bearer.text());
        assert_eq!(app.count("user").await, 1);

        let kept = self::app(backend, AnonymousConfig::default().disable_delete_anonymous_user()).await;
        let (_, guest) = anonymous(&kept).await;
        let refused = kept.post("/delete-anonymous-user").cookies(&guest).send().await;
        refused.assert_error(StatusCode::BAD_REQUEST, "DELETE_ANONYMOUS_USER_DISABLED");
        assert_eq!(refused.message(), "Deleting anonymous users is disabled");
        let ada = kept.sign_up("Ada", "ada@example.com", PASSWORD).await;
        let regular = kept.post("/delete-anonymous-user").cookies(&ada).send().await;
        regular.assert_error(StatusCode::BAD_REQUEST, "DELETE_ANONYMOUS_USER_DISABLED");
        assert_eq!(kept.count("user").await, 2);
    }
}

on_both_databases! {
    async fn signing_up_or_in_by_email_links_and_deletes_the_anonymous_user(backend: Backend) {
        let links = Links::default();
        let app = app(backend, AnonymousConfig::default().on_link_account(links.clone())).await;
        let (answer, guest) = anonymous(&app).await;
        let guest_id = answer.json()["user"]["id"].as_str().expect("id").to_owned();
        let signed_up = app
            .post("/sign-up/email")
            .cookies(&guest)
            .json(&json!({"name": "Ada", "email": "ada@example.com", "password": PASSWORD}))
            .send()
            .await;
        assert_eq!(signed_up.status, StatusCode::OK, "{}", signed_up.text());
        let ada_id = signed_up.json()["user"]["id"].as_str().expect("id").to_owned();
        assert_eq!(signed_up.json()["user"]["isAnonymous"], false);
        assert_eq!(links.taken(), [(guest_id.clone(), ada_id.clone())]);
        assert_eq!(stored_flag(&app, &guest_id).await, None, "the anonymous user is deleted");
        assert_eq!(app.count("user").await, 1);
        assert_eq!(app.count("session").await, 1, "with their session");

        // Signing in (bearer) from an anonymous session links too.
        let (answer, _) = anonymous(&app).await;
        let guest_id = answer.json()["user"]["id"].as_str().expect("id").to_owned();
        let token = answer.json()["token"].as_str().expect("token").to_owned();
        let wrong = app
            .post("/sign-in/email")
            .bearer(&token)
            .json(&json!({"email": "ada@example.com", "password": "wrong-password-here"}))
            .send()
            .await;
        wrong.assert_error(StatusCode::UNAUTHORIZED, "INVALID_EMAIL_OR_PASSWORD");
        assert_eq!(stored_flag(&app, &guest_id).await, Some(true), "a failed sign-in links nothing");
        let signed_in = app
            .post("/sign-in/email")
            .bearer(&token)
            .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
            .send()
            .await;
        assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text());
        assert_eq!(links.taken().len(), 2);
        assert_eq!(links.taken()[1], (guest_id.clone(), ada_id.clone()));
        assert_eq!(stored_flag(&app, &guest_id).await, None);

        // A regular session signing in again links nothing.
        let mut ada = Client::default();
        ada.store(&signed_in);
        let again = app
            .post("/sign-in/email")
            .cookies(&ada)
            .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
            .send()
            .await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(links.taken().len(), 2);
    }
}

on_both_databases! {
    async fn a_magic_link_opened_by_an_anonymous_user_links_them(backend: Backend) {
        let links = Links::default();
        let app = app(backend, AnonymousConfig::default().on_link_account(links.clone())).await;
        let (answer, guest) = anonymous(&app).await;
        let guest_id = answer.json()["user"]["id"].as_str().expect("id").to_owned();
        let asked = app
            .post("/sign-in/magic-link")
            .cookies(&guest)
            .json(&json!({"email": "ada@example.com"}))
            .send()
            .await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.text());
        assert_eq!(links.taken(), [], "asking for a link signs nobody in");
        let sent = app.wait_for_email("magic-link", "ada@example.com").await;
        let url = sent["url"].as_str().expect("url");
        let path = url.strip_prefix(&format!("{ORIGIN}/api/auth")).expect("under the base path");
        let path = path.replace("&callbackURL=%2F", "");
        let opened = app.get(&path).cookies(&guest).send().await;
        assert_eq!(opened.status, StatusCode::OK, "{}", opened.text());
        let ada_id = opened.json()["user"]["id"].as_str().expect("id").to_owned();
        assert_eq!(links.taken(), [(guest_id.clone(), ada_id)]);
        assert_eq!(stored_flag(&app, &guest_id).await, None);
    }
}

on_both_databases! {
    async fn with_deletion_disabled_the_anonymous_user_stays(backend: Backend) {
        let links = Links::default();
        let options = AnonymousConfig::default()
            .disable_delete_anonymous_user()
            .on_link_account(links.clone());
        let app = app(backend, options).await;
        let (answer, guest) = anonymous(&app).await;
        let guest_id = answer.json()["user"]["id"].as_str().expect("id").to_owned();
        let signed_up = app
            .post("/sign-up/email")
            .cookies(&guest)
            .json(&json!({"name": "Ada", "email": "ada@example.com", "password": PASSWORD}))
            .send()
            .await;
        assert_eq!(signed_up.status, StatusCode::OK);
        assert_eq!(links.taken().len(), 1, "the link hook still runs");
        assert_eq!(stored_flag(&app, &guest_id).await, Some(true));
        assert_eq!(app.count("session").await, 2);
    }
}

/// Refuses every link.
struct Refuse;

#[async_trait::async_trait]
impl OnLinkAccount for Refuse {
    async fn on_link_account(&self, _auth: &Auth, _link: &AnonymousLink) -> ApiResult<()> {
        Err(ApiError::with_message(
            StatusCode::CONFLICT,
            ErrorCode::Other("CART_NOT_MOVED".into()),
            "The cart could not be moved",
        ))
    }
}

on_both_databases! {
    async fn a_failing_link_hook_is_the_answer_and_keeps_the_anonymous_user(backend: Backend) {
        let app = app(backend, AnonymousConfig::default().on_link_account(Refuse)).await;
        let (answer, guest) = anonymous(&app).await;
        let guest_id = answer.json()["user"]["id"].as_str().expect("id").to_owned();
        let signed_up = app
            .post("/sign-up/email")
            .cookies(&guest)
            .json(&json!({"name": "Ada", "email": "ada@example.com", "password": PASSWORD}))
            .send()
            .await;
        signed_up.assert_error(StatusCode::CONFLICT, "CART_NOT_MOVED");
        assert!(
            signed_up.cookie("better-auth.session_token").is_some_and(|c| !c.value.is_empty()),
            "the new session's cookie is set all the same, as in better-auth"
        );
        assert_eq!(stored_flag(&app, &guest_id).await, Some(true));
        assert_eq!(app.count("user").await, 2);
    }
}

on_both_databases! {
    async fn an_email_code_or_a_texted_code_used_by_an_anonymous_user_links_them(backend: Backend) {
        let links = Links::default();
        let app = app(backend, AnonymousConfig::default().on_link_account(links.clone())).await;

        // An email code: asking for it links nobody, signing in with it does.
        let (answer, guest) = anonymous(&app).await;
        let guest_id = answer.json()["user"]["id"].as_str().expect("id").to_owned();
        let asked = app
            .post("/email-otp/send-verification-otp")
            .origin()
            .cookies(&guest)
            .json(&json!({"email": "ada@example.com", "type": "sign-in"}))
            .send()
            .await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.text());
        assert_eq!(links.taken(), [], "asking for a code signs nobody in");
        let code = app.wait_for_email("email-otp", "ada@example.com").await;
        let otp = code["token"].as_str().expect("the code");
        let signed_in = app
            .post("/sign-in/email-otp")
            .origin()
            .cookies(&guest)
            .json(&json!({"email": "ada@example.com", "otp": otp}))
            .send()
            .await;
        assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text());
        let ada_id = signed_in.json()["user"]["id"].as_str().expect("id").to_owned();
        assert_eq!(links.taken(), [(guest_id.clone(), ada_id)]);
        assert_eq!(stored_flag(&app, &guest_id).await, None, "the guest is gone");

        // A texted code that signs a new number's user up.
        let (answer, guest) = anonymous(&app).await;
        let guest_id = answer.json()["user"]["id"].as_str().expect("id").to_owned();
        let sent = app
            .post("/phone-number/send-otp")
            .origin()
            .cookies(&guest)
            .json(&json!({"phoneNumber": "+15550001111"}))
            .send()
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.text());
        let texted = app.wait_for_email("phone-number-otp", "+15550001111").await;
        let code = texted["token"].as_str().expect("the code");
        let verified = app
            .post("/phone-number/verify")
            .origin()
            .cookies(&guest)
            .json(&json!({"phoneNumber": "+15550001111", "code": code}))
            .send()
            .await;
        assert_eq!(verified.status, StatusCode::OK, "{}", verified.text());
        let phone_user = verified.json()["user"]["id"].as_str().expect("id").to_owned();
        assert_eq!(verified.json()["user"]["isAnonymous"], json!(false));
        assert_eq!(links.taken().last(), Some(&(guest_id.clone(), phone_user)));
        assert_eq!(stored_flag(&app, &guest_id).await, None, "the guest is gone");
    }
}
