//! Either server, behind one interface, so client scenarios are written once.

use keyward_client::{AuthClient, CredentialMode, MemoryStore, TokenStore};
use keyward_server::config::{AdditionalField, TwoFactorConfig};
use keyward_server::db::{Db, FieldType};
use serde_json::Value;
use url::Url;

mod api_key;
mod options;

pub use options::*;

use crate::better_auth::BetterAuthServer;
use crate::{Database, TestServer};

/// Which server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerKind {
    /// Keyward's server.
    Keyward,
    /// The real better-auth 1.7.25.
    BetterAuth,
}

/// Options both servers understand, mapped to each one's configuration.
#[derive(Clone, Debug, Default)]
pub struct PeerOptions {
    /// PostgreSQL instead of SQLite.
    pub postgres: bool,
    /// Optional string fields on `user` (`additionalFields`).
    pub user_fields: Vec<String>,
    /// Optional string fields on `session`.
    pub session_fields: Vec<String>,
    /// Email a confirmation link before deleting a user.
    pub delete_verification: bool,
    /// Require a verified email before sign-in.
    pub require_verification: bool,
    /// Enable rate limiting (better-auth's default rules).
    pub rate_limit: bool,
    /// Defer session refreshes to `POST /get-session`.
    pub defer_refresh: bool,
    /// Plugins to enable on either server (`two-factor`, `organization`, `passkey`, `admin`,
    /// `one-time-token`, `device-authorization`, `magic-link`, `username`, `email-otp`,
    /// `phone-number`, `anonymous`, `multi-session`, `jwt`, `api-key`).
    pub plugins: Vec<&'static str>,
    /// Organization plugin limits and rules.
    pub organization: OrganizationOptions,
    /// One-time-token plugin options.
    pub one_time_token: OneTimeTokenOptions,
    /// Device-authorization plugin options.
    pub device_authorization: DeviceAuthorizationOptions,
    /// Magic-link plugin options.
    pub magic_link: MagicLinkOptions,
    /// Username plugin options.
    pub username: UsernameOptions,
    /// Email-OTP plugin options.
    pub email_otp: EmailOtpOptions,
    /// Phone-number plugin options.
    pub phone_number: PhoneNumberOptions,
    /// Anonymous plugin options.
    pub anonymous: AnonymousOptions,
    /// Multi-session plugin options.
    pub multi_session: MultiSessionOptions,
    /// Api-key plugin options.
    pub api_key: ApiKeyOptions,
    /// Jwt plugin options.
    pub jwt: JwtOptions,
}

/// A running server of either kind.
pub enum Peer {
    /// Keyward.
    Keyward(TestServer),
    /// better-auth.
    BetterAuth(BetterAuthServer),
}

impl Peer {
    /// Starts a server of `kind` with `options`.
    pub async fn start(kind: PeerKind, options: PeerOptions) -> Self {
        let database = if options.postgres {
            Database::Postgres
        } else {
            Database::Sqlite
        };
        match kind {
            PeerKind::Keyward => Peer::Keyward(
                TestServer::start_with(database, |config| {
                    config.user.additional_fields = options
                        .user_fields
                        .iter()
                        .map(|f| AdditionalField::new(f.as_str(), FieldType::String))
                        .collect();
                    config.session.additional_fields = options
                        .session_fields
                        .iter()
                        .map(|f| AdditionalField::new(f.as_str(), FieldType::String))
                        .collect();
                    config.user.delete_user.send_delete_account_verification = options.delete_verification;
                    config.email_and_password.require_email_verification = options.require_verification;
                    config.rate_limit.enabled = options.rate_limit;
                    config.session.defer_session_refresh = options.defer_refresh;
                    // The peer's GitHub provider (dummy credentials: only URLs are made).
                    config
                        .social_providers
                        .push(keyward_server::social::SocialProvider::github(
                            "keyward-interop",
                            "keyward-interop-secret",
                        ));
                    for plugin in &options.plugins {
                        match *plugin {
                            "two-factor" => config.two_factor = Some(TwoFactorConfig::default()),
                            "organization" => crate::organization_like_the_peer(config),
                            "passkey" => crate::passkey_like_the_peer(config),
                            "admin" => config.admin = Some(keyward_server::config::AdminConfig::default()),
                            "one-time-token" => {
                                let o = &options.one_time_token;
                                config.one_time_token = Some(keyward_server::config::OneTimeTokenConfig {
                                    store_token: if o.hashed {
                                        keyward_server::config::TokenStorage::Hashed
                                    } else {
                                        keyward_server::config::TokenStorage::Plain
                                    },
                                    disable_set_session_cookie: o.disable_set_session_cookie,
                                    set_ott_header_on_new_session: o.set_ott_header_on_new_session,
                                    ..Default::default()
                                })
                            }
                            "device-authorization" => {
                                let o = &options.device_authorization;
                                let mut device = keyward_server::config::DeviceAuthorizationConfig::default();
                                if let Some(interval) = o.interval {
                                    device.interval = std::time::Duration::from_secs(interval);
                                }
                                if let Some(expires_in) = o.expires_in {
                                    device.expires_in = std::time::Duration::from_secs(expires_in);
                                }
                                if !o.client_ids.is_empty() {
                                    device = device.allowed_clients(o.client_ids.clone());
                                }
                                config.device_authorization = Some(device);
                            }
                            "magic-link" => {
                                let o = &options.magic_link;
                                let mut magic = keyward_server::config::MagicLinkConfig {
                                    disable_sign_up: o.disable_sign_up,
                                    ..Default::default()
                                };
                                if o.hashed {
                                    magic.store_token = keyward_server::config::TokenStorage::Hashed;
                                }
                                if let Some(expires_in) = o.expires_in {
                                    magic.expires_in = std::time::Duration::from_secs(expires_in);
                                }
                                config.magic_link = Some(magic);
                            }
                            "username" => {
                                let o = &options.username;
                                config.username = Some(keyward_server::config::UsernameConfig {
                                    min_username_length: o.min_length.unwrap_or(3),
                                    max_username_length: o.max_length.unwrap_or(30),
                                    immutable_username: o.immutable,
                                    ..Default::default()
                                });
                            }
                            "email-otp" => {
                                use keyward_server::config::{EmailOtpConfig, EmailOtpStorage, ResendStrategy};
                                let o = &options.email_otp;
                                let mut otp = EmailOtpConfig {
                                    disable_sign_up: o.disable_sign_up,
                                    override_default_email_verification: o.override_default_email_verification,
                                    send_verification_on_sign_up: o.send_verification_on_sign_up,
                                    ..Default::default()
                                };
                                otp.change_email.verify_current_email = o.verify_current_email;
                                otp.store_otp = match o.store_otp {
                                    Some("hashed") => EmailOtpStorage::Hashed,
                                    Some("encrypted") => EmailOtpStorage::Encrypted,
                                    _ => EmailOtpStorage::Plain,
                                };
                                if let Some(expires_in) = o.expires_in {
                                    otp.expires_in = std::time::Duration::from_secs(expires_in);
                                }
                                if let Some(attempts) = o.allowed_attempts {
                                    otp.allowed_attempts = attempts;
                                }
                                if o.reuse {
                                    otp.resend_strategy = ResendStrategy::Reuse;
                                }
                                otp.change_email.enabled = o.change_email;
                                config.email_otp = Some(otp);
                            }
                            "phone-number" => {
                                let o = &options.phone_number;
                                let mut phone = keyward_server::config::PhoneNumberConfig::default()
                                    .require_verification(o.require_verification);
                                if let Some(length) = o.otp_length {
                                    phone.otp_length = length;
                                }
                                if let Some(expires_in) = o.expires_in {
                                    phone.expires_in = std::time::Duration::from_secs(expires_in);
                                }
                                if let Some(attempts) = o.allowed_attempts {
                                    phone.allowed_attempts = attempts;
                                }
                                if let Some(domain) = o.sign_up_domain {
                                    phone = phone.sign_up_on_verification(
                                        keyward_server::config::SignUpOnVerification::with_domain(domain),
                                    );
                                }
                                if o.e164 {
                                    phone = phone.phone_number_validator(keyward_server::config::is_e164);
                                }
                                config.phone_number = Some(phone);
                            }
                            "anonymous" => {
                                let o = &options.anonymous;
                                let outbox = config.email.outbox.clone().expect("the test server's outbox");
                                config.anonymous = Some(keyward_server::config::AnonymousConfig {
                                    email_domain_name: o.email_domain_name.clone(),
                                    disable_delete_anonymous_user: o.disable_delete,
                                    on_link_account: Some(std::sync::Arc::new(OutboxLinks(outbox))),
                                    ..Default::default()
                                });
                            }
                            "multi-session" => {
                                let mut multi = keyward_server::config::MultiSessionConfig::default();
                                if let Some(maximum) = options.multi_session.maximum_sessions {
                                    multi.maximum_sessions = maximum;
                                }
                                config.multi_session = Some(multi);
                            }
                            "jwt" => config.jwt = Some(options.jwt.keyward()),
                            "api-key" => config.api_key = Some(options.api_key.keyward()),
                            "open-api" => config.open_api = Some(keyward_server::config::OpenApiConfig::default()),
                            other => panic!("Keyward has no `{other}` plugin yet"),
                        }
                    }
                    if let Some(organization) = &mut config.organization {
                        let o = &options.organization;
                        organization.organization_limit = o.organization_limit;
                        if let Some(limit) = o.membership_limit {
                            organization.membership_limit = limit;
                        }
                        if let Some(limit) = o.invitation_limit {
                            organization.invitation_limit = limit;
                        }
                        organization.teams.maximum_teams = o.maximum_teams;
                        organization.teams.maximum_members_per_team = o.maximum_members_per_team;
                        organization.allow_user_to_create_organization = !o.forbid_creation;
                        organization.require_email_verification_on_invitation = o.require_verified_invitee;
                    }
                })
                .await,
            ),
            PeerKind::BetterAuth => {
                let flag = |on: bool| if on { "1" } else { "0" };
                let user_fields = options.user_fields.join(",");
                let session_fields = options.session_fields.join(",");
                let mut env: Vec<(String, String)> = [
                    ("USER_FIELDS", user_fields.as_str()),
                    ("SESSION_FIELDS", session_fields.as_str()),
                    ("DELETE_VERIFICATION", flag(options.delete_verification)),
                    ("REQUIRE_VERIFICATION", flag(options.require_verification)),
                    ("RATE_LIMIT", flag(options.rate_limit)),
                    ("DEFER_REFRESH", flag(options.defer_refresh)),
                ]
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
                let o = &options.organization;
                let numbers = [
                    ("ORG_LIMIT", o.organization_limit),
                    ("ORG_MEMBERSHIP_LIMIT", o.membership_limit),
                    ("ORG_INVITATION_LIMIT", o.invitation_limit),
                    ("ORG_MAX_TEAMS", o.maximum_teams),
                    ("ORG_MAX_TEAM_MEMBERS", o.maximum_members_per_team),
                ];
                for (name, value) in numbers {
                    if let Some(value) = value {
                        env.push((name.to_owned(), value.to_string()));
                    }
                }
                if o.forbid_creation {
                    env.push(("ORG_ALLOW_CREATE".into(), "0".into()));
                }
                if o.require_verified_invitee {
                    env.push(("ORG_REQUIRE_VERIFIED_INVITEE".into(), "1".into()));
                }
                let ott = &options.one_time_token;
                let switches = [
                    ("OTT_DISABLE_SET_SESSION_COOKIE", ott.disable_set_session_cookie),
                    ("OTT_SET_HEADER_ON_NEW_SESSION", ott.set_ott_header_on_new_session),
                ];
                for (name, on) in switches {
                    if on {
                        env.push((name.to_owned(), "1".to_owned()));
                    }
                }
                if ott.hashed {
                    env.push(("OTT_STORE_TOKEN".into(), "hashed".into()));
                }
                let device = &options.device_authorization;
                if let Some(interval) = device.interval {
                    env.push(("DEVICE_INTERVAL".into(), format!("{interval}s")));
                }
                if let Some(expires_in) = device.expires_in {
                    env.push(("DEVICE_EXPIRES_IN".into(), format!("{expires_in}s")));
                }
                if !device.client_ids.is_empty() {
                    env.push(("DEVICE_CLIENT_IDS".into(), device.client_ids.join(",")));
                }
                let magic = &options.magic_link;
                if magic.hashed {
                    env.push(("MAGIC_LINK_STORE_TOKEN".into(), "hashed".into()));
                }
                if magic.disable_sign_up {
                    env.push(("MAGIC_LINK_DISABLE_SIGN_UP".into(), "1".into()));
                }
                if let Some(expires_in) = magic.expires_in {
                    env.push(("MAGIC_LINK_EXPIRES_IN".into(), expires_in.to_string()));
                }
                let otp = &options.email_otp;
                if let Some(store) = otp.store_otp {
                    env.push(("EMAIL_OTP_STORE_OTP".into(), store.into()));
                }
                if otp.disable_sign_up {
                    env.push(("EMAIL_OTP_DISABLE_SIGN_UP".into(), "1".into()));
                }
                if let Some(expires_in) = otp.expires_in {
                    env.push(("EMAIL_OTP_EXPIRES_IN".into(), expires_in.to_string()));
                }
                if let Some(attempts) = otp.allowed_attempts {
                    env.push(("EMAIL_OTP_ALLOWED_ATTEMPTS".into(), attempts.to_string()));
                }
                if otp.reuse {
                    env.push(("EMAIL_OTP_RESEND_STRATEGY".into(), "reuse".into()));
                }
                if otp.change_email {
                    env.push(("EMAIL_OTP_CHANGE_EMAIL".into(), "1".into()));
                }
                if otp.override_default_email_verification {
                    env.push(("EMAIL_OTP_OVERRIDE_DEFAULT_EMAIL_VERIFICATION".into(), "1".into()));
                }
                if otp.send_verification_on_sign_up {
                    env.push(("EMAIL_OTP_SEND_VERIFICATION_ON_SIGN_UP".into(), "1".into()));
                }
                if otp.verify_current_email {
                    env.push(("EMAIL_OTP_VERIFY_CURRENT_EMAIL".into(), "1".into()));
                }
                let names = &options.username;
                if let Some(min) = names.min_length {
                    env.push(("USERNAME_MIN_LENGTH".into(), min.to_string()));
                }
                if let Some(max) = names.max_length {
                    env.push(("USERNAME_MAX_LENGTH".into(), max.to_string()));
                }
                if names.immutable {
                    env.push(("USERNAME_IMMUTABLE".into(), "1".into()));
                }
                let phone = &options.phone_number;
                let numbers = [
                    ("PHONE_NUMBER_OTP_LENGTH", phone.otp_length.map(|n| n as u64)),
                    ("PHONE_NUMBER_EXPIRES_IN", phone.expires_in),
                    ("PHONE_NUMBER_ALLOWED_ATTEMPTS", phone.allowed_attempts),
                ];
                for (name, value) in numbers {
                    if let Some(value) = value {
                        env.push((name.to_owned(), value.to_string()));
                    }
                }
                if phone.require_verification {
                    env.push(("PHONE_NUMBER_REQUIRE_VERIFICATION".into(), "1".into()));
                }
                if let Some(domain) = phone.sign_up_domain {
                    env.push(("PHONE_NUMBER_SIGN_UP_DOMAIN".into(), domain.into()));
                }
                if phone.e164 {
                    env.push(("PHONE_NUMBER_E164".into(), "1".into()));
                }
                let anonymous = &options.anonymous;
                if let Some(domain) = &anonymous.email_domain_name {
                    env.push(("ANONYMOUS_EMAIL_DOMAIN_NAME".into(), domain.clone()));
                }
                if anonymous.disable_delete {
                    env.push(("ANONYMOUS_DISABLE_DELETE".into(), "1".into()));
                }
                if let Some(maximum) = options.multi_session.maximum_sessions {
                    env.push(("MULTI_SESSION_MAXIMUM".into(), maximum.to_string()));
                }
                env.extend(options.api_key.env());
                env.extend(options.jwt.env());
                let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                Peer::BetterAuth(BetterAuthServer::start_on(database, &options.plugins, &env).await)
            }
        }
    }

    /// Which server this is.
    pub fn kind(&self) -> PeerKind {
        match self {
            Peer::Keyward(_) => PeerKind::Keyward,
            Peer::BetterAuth(_) => PeerKind::BetterAuth,
        }
    }

    /// The server's origin.
    pub fn url(&self) -> Url {
        match self {
            Peer::Keyward(server) => server.url.clone(),
            Peer::BetterAuth(server) => server.url.clone(),
        }
    }

    /// A bearer-mode client with a memory token store.
    pub fn client(&self) -> AuthClient {
        self.client_with(MemoryStore::new())
    }

    /// The page origin passkey ceremonies use with this server (`http://localhost:<port>`).
    pub fn passkey_origin(&self) -> Url {
        passkey_origin_for(&self.url())
    }

    /// A bearer-mode client with `authenticator` for passkey ceremonies.
    pub fn client_with_authenticator(
        &self,
        authenticator: impl keyward_client::authenticator::Authenticator + 'static,
    ) -> AuthClient {
        AuthClient::builder(self.url())
            .authenticator(authenticator)
            .build()
            .expect("client builds")
    }

    /// A bearer-mode client with `store`.
    pub fn client_with(&self, store: impl TokenStore + 'static) -> AuthClient {
        AuthClient::builder(self.url())
            .token_store(store)
            .build()
            .expect("client builds")
    }

    /// A native cookie-mode client.
    pub fn cookie_client(&self) -> AuthClient {
        AuthClient::builder(self.url())
            .credential_mode(CredentialMode::Cookie)
            .build()
            .expect("client builds")
    }

    fn outbox(&self) -> &std::path::Path {
        match self {
            Peer::Keyward(server) => &server.outbox,
            Peer::BetterAuth(server) => &server.outbox,
        }
    }

    /// Every email sent so far.
    pub fn emails(&self) -> Vec<Value> {
        crate::read_outbox(self.outbox())
    }

    /// Waits (up to 5 s) for the newest email of `kind` to `to`.
    pub async fn email(&self, kind: &str, to: &str) -> Value {
        crate::wait_for_email(self.outbox(), kind, to).await
    }

    /// Waits (up to 5 s) for the newest code of `kind` (`phone-number-otp`,
    /// `phone-number-reset`) texted to `phone_number`: both servers' SMS senders write the
    /// outbox in tests.
    pub async fn sms(&self, kind: &str, phone_number: &str) -> String {
        let sms = crate::wait_for_email(self.outbox(), kind, phone_number).await;
        sms["token"].as_str().expect("a code").to_owned()
    }

    /// Stops the server (to test a server that went away).
    pub fn stop(&mut self) {
        match self {
            Peer::Keyward(server) => server.stop(),
            Peer::BetterAuth(server) => server.kill(),
        }
    }

    /// A connection to the server's database (to plant or inspect rows).
    pub async fn db(&self) -> Db {
        match self {
            Peer::Keyward(server) => server.auth.db().clone(),
            Peer::BetterAuth(server) => Db::connect(&server.database_url().expect("a SQL storage"))
                .await
                .expect("connects"),
        }
    }
}

/// Defines a test that runs once against Keyward and once against better-auth.
///
/// The body gets a `kind: PeerKind`; start the server with [`Peer::start`].
#[macro_export]
macro_rules! peer_test {
    ($(#[$meta:meta])* async fn $name:ident($kind:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($kind: $crate::peer::PeerKind) $body
            $(#[$meta])*
            #[tokio::test]
            async fn keyward() {
                run($crate::peer::PeerKind::Keyward).await
            }
            $(#[$meta])*
            #[tokio::test]
            async fn better_auth() {
                run($crate::peer::PeerKind::BetterAuth).await
            }
        }
    };
}

/// `http://localhost:<port of url>`: the page origin of passkey ceremonies in tests
/// (browsers refuse IP addresses as RP ids, so both servers use RP `localhost`).
pub fn passkey_origin_for(url: &Url) -> Url {
    let port = url.port_or_known_default().unwrap_or(80);
    format!("http://localhost:{port}").parse().expect("origin")
}

/// Writes every anonymous link to the outbox, as the peer's `onLinkAccount` does.
struct OutboxLinks(std::path::PathBuf);

#[async_trait::async_trait]
impl keyward_server::config::OnLinkAccount for OutboxLinks {
    async fn on_link_account(
        &self,
        _auth: &keyward_server::Auth,
        link: &keyward_server::config::AnonymousLink,
    ) -> keyward_server::ApiResult<()> {
        use std::io::Write;
        let line = serde_json::json!({
            "kind": "anonymous-link",
            "to": link.new.user.email,
            "anonymousUserId": link.anonymous.user.id,
            "newUserId": link.new.user.id,
        });
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.0)
            .map_err(|error| keyward_server::ApiError::internal("outbox", error.to_string()))?;
        writeln!(file, "{line}").map_err(|error| keyward_server::ApiError::internal("outbox", error.to_string()))?;
        Ok(())
    }
}
