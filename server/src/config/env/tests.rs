//! Every core variable sets its field when read through `Config::from_lookup`, and the
//! formats refuse what they do not describe.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::config::{Config, ConfigError, RateLimitRule, TrustedProxy};
use crate::db::FieldType;

pub(super) const SECRET: &str = "0123456789abcdef0123456789abcdef";
pub(super) const ALL_PLUGINS: &str = "two-factor,organization,passkey,admin,one-time-token,electron,device-authorization,magic-link,username,email-otp,phone-number,anonymous,multi-session,jwt,api-key,open-api";

/// [`Config::from_lookup`] over `vars`, with a secret unless `vars` gives one.
pub(super) fn read(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let vars: BTreeMap<&str, &str> = vars.iter().copied().collect();
    Config::from_lookup(|name| match vars.get(name) {
        Some(value) => Some((*value).to_owned()),
        None => (name == "BETTER_AUTH_SECRET").then(|| SECRET.to_owned()),
    })
}

pub(super) fn config(vars: &[(&str, &str)]) -> Config {
    read(vars).unwrap_or_else(|error| panic!("{vars:?} is valid: {error}"))
}

/// The variable an `InvalidVariable` names, and its reason.
pub(super) fn refused(vars: &[(&str, &str)]) -> (&'static str, String) {
    match read(vars) {
        Err(ConfigError::InvalidVariable { name, reason }) => (name, reason),
        other => panic!("{vars:?} should be refused, got {other:?}"),
    }
}

const fn secs(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}

#[test]
fn server_variables_set_their_fields() {
    let config = config(&[
        ("BETTER_AUTH_SECRET", "a-different-secret-of-32-characters!"),
        ("BETTER_AUTH_URL", "https://auth.example.com/auth/"),
        ("BETTER_AUTH_TRUSTED_ORIGINS", "https://app.example.com, myapp://"),
        ("DATABASE_URL", "postgres://localhost/test"),
        ("PORT", "8080"),
        ("KEYWARD_APP_NAME", "Acme"),
        ("KEYWARD_BODY_LIMIT", "65536"),
        ("KEYWARD_HEADER_READ_TIMEOUT", "2.5"),
        ("KEYWARD_BODY_READ_TIMEOUT", "7"),
        ("KEYWARD_MAX_CONNECTIONS", "64"),
        ("KEYWARD_CORS", "off"),
        ("KEYWARD_ERROR_URL", "https://app.example.com/auth-error"),
        ("KEYWARD_HASH_CONCURRENCY", "3"),
    ]);
    assert_eq!(config.secret, "a-different-secret-of-32-characters!");
    assert!(!config.using_development_secret);
    assert_eq!(config.base_url.as_str(), "https://auth.example.com/");
    assert_eq!(config.base_path, "/auth");
    assert_eq!(config.auth_url(), "https://auth.example.com/auth");
    assert_eq!(config.trusted_origins, ["https://app.example.com", "myapp://"]);
    assert_eq!(config.database_url, "postgres://localhost/test");
    assert_eq!(config.port, 8080);
    assert_eq!(config.app_name, "Acme");
    assert_eq!(config.body_limit, 65536);
    assert_eq!(
        config.connection_limits.header_read_timeout,
        Duration::from_millis(2500)
    );
    assert_eq!(config.connection_limits.body_read_timeout, secs(7));
    assert_eq!(config.connection_limits.max_connections, 64);
    assert!(!config.cors);
    assert_eq!(config.error_url.as_deref(), Some("https://app.example.com/auth-error"));
    let relative = self::config(&[("KEYWARD_ERROR_URL", "/auth-error")]);
    assert_eq!(relative.error_url.as_deref(), Some("/auth-error"));

    let fallback = Config::from_lookup(|name| (name == "AUTH_SECRET").then(|| SECRET.to_owned())).expect("valid");
    assert_eq!(fallback.secret, SECRET);
    assert!(!fallback.using_development_secret);

    let path = self::config(&[
        ("BETTER_AUTH_URL", "https://auth.example.com"),
        ("KEYWARD_BASE_PATH", "/v1/auth/"),
    ]);
    assert_eq!(path.auth_url(), "https://auth.example.com/v1/auth");
    let same = self::config(&[
        ("BETTER_AUTH_URL", "https://auth.example.com/v1/auth"),
        ("KEYWARD_BASE_PATH", "/v1/auth"),
    ]);
    assert_eq!(same.base_path, "/v1/auth");
    let (name, reason) = refused(&[
        ("BETTER_AUTH_URL", "https://auth.example.com/auth"),
        ("KEYWARD_BASE_PATH", "/api/auth"),
    ]);
    assert_eq!(name, "KEYWARD_BASE_PATH");
    assert!(reason.contains("BETTER_AUTH_URL"), "{reason}");
}

#[test]
fn versioned_secrets_rotate() {
    let env = |name: &str| match name {
        "BETTER_AUTH_SECRET" => Some(SECRET.to_owned()),
        "BETTER_AUTH_SECRETS" => Some("2:the-new-secret-0123456789abcdefghij, 1:old".to_owned()),
        _ => None,
    };
    let config = Config::from_lookup(env).expect("valid");
    assert_eq!(config.secret, "the-new-secret-0123456789abcdefghij");
    assert_eq!(config.legacy_secret.as_deref(), Some(SECRET));
    assert_eq!(config.versioned_secrets.len(), 2);
    assert!(config.encryption_keys().encrypt("x").starts_with("$ba$2$"));
    for bad in [
        "nocolon",
        "1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,1:b",
        "x:secret",
        "1:",
    ] {
        let result = read(&[("BETTER_AUTH_SECRETS", bad)]);
        assert!(
            matches!(&result, Err(ConfigError::InvalidSecrets(_))),
            "{bad}: {result:?}"
        );
        let message = result.expect_err("refused").to_string();
        assert!(message.contains("BETTER_AUTH_SECRETS"), "{message}");
    }
}

#[test]
fn email_transport_variables_set_their_fields() {
    let config = config(&[
        ("KEYWARD_OUTBOX", "/tmp/outbox.jsonl"),
        ("SMTP_URL", "smtps://user:pass@smtp.example.com"),
        ("SMTP_FROM", "Keyward <auth@example.com>"),
        ("KEYWARD_LOG_EMAIL_LINKS", "on"),
    ]);
    assert_eq!(
        config.email.outbox.as_deref(),
        Some(std::path::Path::new("/tmp/outbox.jsonl"))
    );
    assert_eq!(
        config.email.smtp_url.as_deref(),
        Some("smtps://user:pass@smtp.example.com")
    );
    assert_eq!(config.email.smtp_from.as_deref(), Some("Keyward <auth@example.com>"));
    assert!(
        config.email.log_links,
        "set explicitly, links are logged beside the outbox"
    );
    let outbox_only = self::config(&[("KEYWARD_OUTBOX", "/tmp/outbox.jsonl")]);
    assert!(!outbox_only.email.log_links, "an email transport stops the link log");
    let (name, _) = refused(&[("SMTP_URL", "smtp://smtp.example.com")]);
    assert_eq!(name, "SMTP_FROM", "SMTP_URL needs a sender");
    let (name, _) = refused(&[("SMTP_FROM", "auth@example.com")]);
    assert_eq!(name, "SMTP_FROM", "a sender without SMTP_URL is a mistake");
}

#[test]
fn email_and_password_variables_set_their_fields() {
    let options = config(&[
        ("KEYWARD_EMAIL_PASSWORD", "off"),
        ("KEYWARD_EMAIL_PASSWORD_DISABLE_SIGN_UP", "on"),
        ("KEYWARD_EMAIL_PASSWORD_REQUIRE_EMAIL_VERIFICATION", "true"),
        ("KEYWARD_EMAIL_PASSWORD_MIN_LENGTH", "12"),
        ("KEYWARD_EMAIL_PASSWORD_MAX_LENGTH", "64"),
        ("KEYWARD_EMAIL_PASSWORD_AUTO_SIGN_IN", "0"),
        ("KEYWARD_EMAIL_PASSWORD_RESET_TOKEN_EXPIRES_IN", "900"),
        ("KEYWARD_EMAIL_PASSWORD_REVOKE_SESSIONS_ON_RESET", "1"),
    ])
    .email_and_password;
    assert!(!options.enabled);
    assert!(options.disable_sign_up);
    assert!(options.require_email_verification);
    assert_eq!(options.min_password_length, 12);
    assert_eq!(options.max_password_length, 64);
    assert!(!options.auto_sign_in);
    assert_eq!(options.reset_password_token_expires_in, secs(900));
    assert!(options.revoke_sessions_on_password_reset);
    let (name, _) = refused(&[("KEYWARD_EMAIL_PASSWORD_MIN_LENGTH", "200")]);
    assert_eq!(
        name, "KEYWARD_EMAIL_PASSWORD_MIN_LENGTH",
        "above the default maximum of 128"
    );
}

#[test]
fn email_verification_variables_set_their_fields() {
    let options = config(&[
        ("KEYWARD_EMAIL_VERIFICATION_SEND_ON_SIGN_UP", "on"),
        ("KEYWARD_EMAIL_VERIFICATION_SEND_ON_SIGN_IN", "on"),
        ("KEYWARD_EMAIL_VERIFICATION_AUTO_SIGN_IN", "on"),
        ("KEYWARD_EMAIL_VERIFICATION_EXPIRES_IN", "86400"),
    ])
    .email_verification;
    assert_eq!(options.send_on_sign_up, Some(true));
    assert!(options.send_on_sign_in);
    assert!(options.auto_sign_in_after_verification);
    assert_eq!(options.expires_in, secs(86400));
    let off = config(&[("KEYWARD_EMAIL_VERIFICATION_SEND_ON_SIGN_UP", "off")]);
    assert_eq!(off.email_verification.send_on_sign_up, Some(false));
    assert_eq!(config(&[]).email_verification.send_on_sign_up, None);
}

#[test]
fn user_variables_set_their_fields() {
    let options = config(&[
        ("KEYWARD_USER_CHANGE_EMAIL", "on"),
        ("KEYWARD_USER_CHANGE_EMAIL_WITHOUT_VERIFICATION", "on"),
        ("KEYWARD_USER_CHANGE_EMAIL_CONFIRMATION", "on"),
        ("KEYWARD_USER_DELETE_USER", "on"),
        ("KEYWARD_USER_DELETE_USER_VERIFICATION", "on"),
        ("KEYWARD_USER_DELETE_USER_TOKEN_EXPIRES_IN", "600"),
        (
            "KEYWARD_USER_ADDITIONAL_FIELDS",
            "plan:string:required:default=free, age:number, tier:string:server-only:hidden:default=basic",
        ),
    ])
    .user;
    assert!(options.change_email.enabled);
    assert!(options.change_email.update_email_without_verification);
    assert!(options.change_email.send_change_email_confirmation);
    assert!(options.delete_user.enabled);
    assert!(options.delete_user.send_delete_account_verification);
    assert_eq!(options.delete_user.delete_token_expires_in, secs(600));
    use crate::config::AdditionalField;
    assert_eq!(
        options.additional_fields,
        [
            AdditionalField::new("plan", FieldType::String)
                .required()
                .default_value("free"),
            AdditionalField::new("age", FieldType::Number),
            AdditionalField::new("tier", FieldType::String)
                .server_only()
                .hidden()
                .default_value("basic"),
        ]
    );
}

#[test]
fn additional_fields_take_every_type_and_refuse_mistakes() {
    let fields = config(&[(
        "KEYWARD_SESSION_ADDITIONAL_FIELDS",
        "trusted:boolean:default=false,score:number:default=2.5,quota:bigint:default=9007199254740993,\
         seen:date:default=2025-01-31T12:30:00Z,note:string:default=a:b",
    )])
    .session
    .additional_fields;
    let defaults: Vec<_> = fields
        .iter()
        .map(|f| (f.name.as_str(), f.field_type, f.default.clone()))
        .collect();
    assert_eq!(
        defaults,
        [
            ("trusted", FieldType::Boolean, Some(false.into())),
            ("score", FieldType::Number, Some(2.5.into())),
            ("quota", FieldType::BigInt, Some(9_007_199_254_740_993_i64.into())),
            ("seen", FieldType::Date, Some("2025-01-31T12:30:00Z".into())),
            ("note", FieldType::String, Some("a:b".into())),
        ]
    );
    for bad in [
        "plan",
        "plan:text",
        "plan:string:optional",
        "9lives:number",
        "my-plan:string",
        "pl\"an:string",
        "age:number:default=old",
        "flag:boolean:default=yes",
        "when:date:default=yesterday",
        "big:bigint:default=1.5",
        "plan:string,plan:number",
        "email:string",
        "id:string",
        "plan:string:required:server-only",
    ] {
        let (name, reason) = refused(&[("KEYWARD_USER_ADDITIONAL_FIELDS", bad)]);
        assert_eq!(name, "KEYWARD_USER_ADDITIONAL_FIELDS", "{bad}");
        assert!(!reason.is_empty());
    }
    let (name, _) = refused(&[("KEYWARD_SESSION_ADDITIONAL_FIELDS", "token:string")]);
    assert_eq!(name, "KEYWARD_SESSION_ADDITIONAL_FIELDS", "a core session column");
}

#[test]
fn session_variables_set_their_fields() {
    let options = config(&[
        ("KEYWARD_SESSION_EXPIRES_IN", "3600"),
        ("KEYWARD_SESSION_UPDATE_AGE", "0"),
        ("KEYWARD_SESSION_FRESH_AGE", "0"),
        ("KEYWARD_SESSION_DISABLE_REFRESH", "on"),
        ("KEYWARD_SESSION_DEFER_REFRESH", "on"),
        ("KEYWARD_SESSION_COOKIE_CACHE", "on"),
        ("KEYWARD_SESSION_COOKIE_CACHE_MAX_AGE", "60"),
        ("KEYWARD_SESSION_ADDITIONAL_FIELDS", "device:string"),
        ("KEYWARD_SESSION_IN_DATABASE", "on"),
        ("KEYWARD_PRESERVE_SESSION_IN_DATABASE", "on"),
    ])
    .session;
    assert_eq!(options.expires_in, secs(3600));
    assert_eq!(options.update_age, Duration::ZERO);
    assert_eq!(options.fresh_age, Duration::ZERO);
    assert!(options.disable_session_refresh);
    assert!(options.defer_session_refresh);
    assert!(options.cookie_cache.enabled);
    assert_eq!(options.cookie_cache.max_age, secs(60));
    assert_eq!(options.additional_fields.len(), 1);
    assert_eq!(options.additional_fields[0].name, "device");
    assert!(options.store_session_in_database);
    assert!(options.preserve_session_in_database);
}

#[test]
fn account_and_rate_limit_variables_set_their_fields() {
    let config = config(&[
        ("KEYWARD_ACCOUNT_ALLOW_UNLINKING_ALL", "on"),
        ("KEYWARD_RATE_LIMIT", "on"),
        ("KEYWARD_RATE_LIMIT_WINDOW", "60"),
        ("KEYWARD_RATE_LIMIT_MAX", "500"),
        (
            "KEYWARD_RATE_LIMIT_RULES",
            "/sign-in/*=5/60, /get-session=off,/organization/*=20/10",
        ),
    ]);
    assert!(config.account.allow_unlinking_all);
    let rate_limit = &config.rate_limit;
    assert!(rate_limit.enabled);
    let rule = |max, window| {
        Some(RateLimitRule {
            window: secs(window),
            max,
        })
    };
    assert_eq!(rate_limit.default_rule, rule(500, 60).expect("rule"));
    assert_eq!(
        rate_limit.custom_rules,
        [
            ("/sign-in/*".to_owned(), rule(5, 60)),
            ("/get-session".to_owned(), None),
            ("/organization/*".to_owned(), rule(20, 10)),
        ]
    );
    use crate::rate_limit::rule_for;
    assert_eq!(
        rule_for(rate_limit, &[], "/sign-in/email"),
        rule(5, 60),
        "the rule replaces 3 per 10 s"
    );
    assert_eq!(rule_for(rate_limit, &[], "/get-session"), None);
    assert_eq!(rule_for(rate_limit, &[], "/list-sessions"), rule(500, 60));
    for bad in [
        "/sign-in",
        "sign-in=5/60",
        "/sign-in=5",
        "/sign-in=0/60",
        "/sign-in=5/0",
        "/sign-in=5/1.5",
        "/sign-in=five/60",
        "/sign-in=5/60,/sign-in=off",
    ] {
        let (name, _) = refused(&[("KEYWARD_RATE_LIMIT_RULES", bad)]);
        assert_eq!(name, "KEYWARD_RATE_LIMIT_RULES", "{bad}");
    }
}

#[test]
fn advanced_variables_set_their_fields() {
    let options = config(&[
        ("KEYWARD_COOKIE_PREFIX", "acme"),
        ("KEYWARD_SECURE_COOKIES", "on"),
        ("KEYWARD_IP_ADDRESS_HEADERS", "CF-Connecting-IP, x-forwarded-for"),
        ("KEYWARD_TRUSTED_PROXIES", "10.0.0.0/8, ::1"),
        ("KEYWARD_SESSION_IP_FROM_PEER", "on"),
        ("KEYWARD_DISABLE_ORIGIN_CHECK", "on"),
        ("KEYWARD_DISABLE_CSRF_CHECK", "on"),
    ])
    .advanced;
    assert_eq!(options.cookie_prefix, "acme");
    assert_eq!(options.use_secure_cookies, Some(true));
    assert_eq!(options.ip_address_headers, ["cf-connecting-ip", "x-forwarded-for"]);
    assert_eq!(
        options.trusted_proxies,
        [
            TrustedProxy::Network("10.0.0.0".parse().expect("ip"), 8),
            TrustedProxy::Network("::1".parse().expect("ip"), 128)
        ]
    );
    assert!(options.session_ip_from_peer);
    assert!(options.disable_origin_check);
    assert!(options.disable_csrf_check);
    assert_eq!(
        config(&[("KEYWARD_SECURE_COOKIES", "off")]).advanced.use_secure_cookies,
        Some(false)
    );
    assert_eq!(config(&[]).advanced.use_secure_cookies, None);
}

#[test]
fn storage_variables_set_their_fields() {
    let config = config(&[
        ("REDIS_URL", "redis://127.0.0.1:6379/2"),
        ("KEYWARD_REDIS_PREFIX", "auth:"),
        ("KEYWARD_VERIFICATION_IN_DATABASE", "1"),
    ]);
    assert_eq!(
        config.secondary_storage.redis_url.as_deref(),
        Some("redis://127.0.0.1:6379/2")
    );
    assert_eq!(config.secondary_storage.key_prefix, "auth:");
    assert!(config.verification.store_in_database);
}

#[test]
fn trusted_proxies_match_their_networks() {
    let parse = |value: &str| TrustedProxy::parse(value).expect("parses");
    let ip = |value: &str| value.parse::<std::net::IpAddr>().expect("ip");
    assert!(parse("10.0.0.0/8").contains(ip("10.200.3.4")));
    assert!(!parse("10.0.0.0/8").contains(ip("11.0.0.1")));
    assert!(parse("192.168.1.7").contains(ip("192.168.1.7")));
    assert!(!parse("192.168.1.7").contains(ip("192.168.1.8")));
    assert!(parse("0.0.0.0/0").contains(ip("8.8.8.8")));
    assert!(parse("fd00::/8").contains(ip("fd12::1")));
    assert!(!parse("fd00::/8").contains(ip("fe80::1")));
    assert!(parse("127.0.0.1").contains(ip("::ffff:127.0.0.1")), "IPv4-mapped");
    assert!(parse("*").contains(ip("2001:db8::1")));
    assert!(!parse("127.0.0.0/8").contains(ip("::2")));
    for bad in ["10.0.0.0/33", "::1/129", "localhost", "10.0.0.0/x", ""] {
        assert_eq!(TrustedProxy::parse(bad), None, "{bad}");
    }
    assert!(
        config(&[("KEYWARD_TRUSTED_PROXIES", "none")])
            .advanced
            .trusted_proxies
            .is_empty()
    );
    assert_eq!(config(&[]).advanced.trusted_proxies, TrustedProxy::loopback());
}

#[test]
fn release_builds_refuse_the_development_secret() {
    let config = Config::from_lookup(|_| None);
    if let Ok(config) = config {
        assert!(matches!(config.validate_for(true), Err(ConfigError::MissingSecret)));
        assert!(config.validate_for(false).is_ok());
        let message = ConfigError::MissingSecret.to_string();
        assert!(message.contains("BETTER_AUTH_SECRET") && message.contains("keyward-server secret"));
    }
    let configured = Config::builder().secret(SECRET).build().expect("valid");
    assert!(configured.validate_for(true).is_ok());
}

#[test]
fn empty_environment_gives_development_defaults() {
    let config = Config::from_lookup(|_| None);
    if cfg!(debug_assertions) {
        let config = config.expect("debug builds start with the development secret");
        assert!(config.using_development_secret);
        assert_eq!(config.database_url, "sqlite://keyward.db");
        assert_eq!(config.auth_url(), "http://localhost:3000/api/auth");
        assert!(config.email.log_links);
    } else {
        assert!(matches!(config, Err(ConfigError::MissingSecret)));
    }
    let blank = Config::from_lookup(|name| {
        (name == "BETTER_AUTH_SECRET")
            .then(|| SECRET.to_owned())
            .or(Some("  ".into()))
    })
    .expect("blank values count as unset");
    assert_eq!(blank.port, 3000);
    assert!(blank.two_factor.is_none());
}
