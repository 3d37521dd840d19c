//! Every plugin variable sets its field when the plugin is on, and is refused when it is off.

use std::time::Duration;

use keyward_client::wire::AuthenticatorAttachment;
use keyward_client::wire::organization::Permissions;

use super::ENV_VARIABLES;
use super::tests::{config, refused};
use crate::config::{BackupCodeStorage, EmailOtpStorage, OtpStorage, ResendStrategy, TokenStorage};

const fn secs(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}

#[test]
fn two_factor_variables_set_their_fields() {
    let options = config(&[
        ("KEYWARD_PLUGINS", "two-factor"),
        ("KEYWARD_TWO_FACTOR_ISSUER", "Acme"),
        ("KEYWARD_TWO_FACTOR_TOTP", "off"),
        ("KEYWARD_TWO_FACTOR_TOTP_DIGITS", "8"),
        ("KEYWARD_TWO_FACTOR_TOTP_PERIOD", "60"),
        ("KEYWARD_TWO_FACTOR_OTP", "off"),
        ("KEYWARD_TWO_FACTOR_OTP_DIGITS", "8"),
        ("KEYWARD_TWO_FACTOR_OTP_PERIOD", "120"),
        ("KEYWARD_TWO_FACTOR_OTP_STORAGE", "hashed"),
        ("KEYWARD_TWO_FACTOR_OTP_ALLOWED_ATTEMPTS", "3"),
        ("KEYWARD_TWO_FACTOR_BACKUP_CODES_AMOUNT", "12"),
        ("KEYWARD_TWO_FACTOR_BACKUP_CODES_LENGTH", "16"),
        ("KEYWARD_TWO_FACTOR_BACKUP_CODES_STORAGE", "plain"),
        ("KEYWARD_TWO_FACTOR_SKIP_VERIFICATION_ON_ENABLE", "on"),
        ("KEYWARD_TWO_FACTOR_ALLOW_PASSWORDLESS", "on"),
        ("KEYWARD_TWO_FACTOR_TRUST_DEVICE_MAX_AGE", "86400"),
        ("KEYWARD_TWO_FACTOR_CHALLENGE_MAX_AGE", "300"),
        ("KEYWARD_TWO_FACTOR_LOCKOUT", "off"),
        ("KEYWARD_TWO_FACTOR_LOCKOUT_MAX_FAILED_ATTEMPTS", "4"),
        ("KEYWARD_TWO_FACTOR_LOCKOUT_DURATION", "60"),
    ])
    .two_factor
    .expect("enabled");
    assert_eq!(options.issuer.as_deref(), Some("Acme"));
    assert!(options.totp.disabled);
    assert_eq!(options.totp.digits, 8);
    assert_eq!(options.totp.period, 60);
    assert!(!options.otp.enabled);
    assert_eq!(options.otp.digits, 8);
    assert_eq!(options.otp.period, secs(120));
    assert_eq!(options.otp.storage, OtpStorage::Hashed);
    assert_eq!(options.otp.allowed_attempts, 3);
    assert_eq!(options.backup_codes.amount, 12);
    assert_eq!(options.backup_codes.length, 16);
    assert_eq!(options.backup_codes.storage, BackupCodeStorage::Plain);
    assert!(options.skip_verification_on_enable);
    assert!(options.allow_passwordless);
    assert_eq!(options.trust_device_max_age, secs(86400));
    assert_eq!(options.challenge_max_age, secs(300));
    assert!(!options.account_lockout.enabled);
    assert_eq!(options.account_lockout.max_failed_attempts, 4);
    assert_eq!(options.account_lockout.duration, secs(60));
    let encrypted = config(&[
        ("KEYWARD_PLUGINS", "two-factor"),
        ("KEYWARD_TWO_FACTOR_OTP_STORAGE", "encrypted"),
    ]);
    assert_eq!(
        encrypted.two_factor.expect("enabled").otp.storage,
        OtpStorage::Encrypted
    );
}

const STATEMENTS: &str = r#"{"organization": ["update", "delete"], "member": ["create", "update", "delete"],
    "invitation": ["create", "cancel"], "team": ["create", "update", "delete"],
    "ac": ["create", "read", "update", "delete"], "project": ["create", "share"]}"#;

const ROLES: &str = r#"{"owner": {"organization": ["update", "delete"], "project": ["create", "share"]},
    "member": {"project": ["create"]}}"#;

#[test]
fn organization_variables_set_their_fields() {
    let options = config(&[
        ("KEYWARD_PLUGINS", "organization"),
        ("KEYWARD_ORGANIZATION_ALLOW_USER_TO_CREATE", "off"),
        ("KEYWARD_ORGANIZATION_LIMIT", "3"),
        ("KEYWARD_ORGANIZATION_CREATOR_ROLE", "admin"),
        ("KEYWARD_ORGANIZATION_MEMBERSHIP_LIMIT", "50"),
        ("KEYWARD_ORGANIZATION_INVITATION_LIMIT", "20"),
        ("KEYWARD_ORGANIZATION_INVITATION_EXPIRES_IN", "3600"),
        ("KEYWARD_ORGANIZATION_CANCEL_PENDING_INVITATIONS_ON_RE_INVITE", "on"),
        ("KEYWARD_ORGANIZATION_REQUIRE_EMAIL_VERIFICATION_ON_INVITATION", "on"),
        ("KEYWARD_ORGANIZATION_DISABLE_DELETION", "on"),
        ("KEYWARD_ORGANIZATION_SEND_INVITATION_EMAIL", "off"),
        (
            "KEYWARD_ORGANIZATION_INVITATION_LINK",
            "https://app.example.com/invitations/{id}",
        ),
        ("KEYWARD_ORGANIZATION_TEAMS", "on"),
        ("KEYWARD_ORGANIZATION_TEAMS_DEFAULT_TEAM", "off"),
        ("KEYWARD_ORGANIZATION_TEAMS_MAXIMUM", "5"),
        ("KEYWARD_ORGANIZATION_TEAMS_MAXIMUM_MEMBERS", "10"),
        ("KEYWARD_ORGANIZATION_TEAMS_ALLOW_REMOVING_ALL", "on"),
        ("KEYWARD_ORGANIZATION_ACCESS_CONTROL", STATEMENTS),
        ("KEYWARD_ORGANIZATION_ROLES", ROLES),
        ("KEYWARD_ORGANIZATION_DYNAMIC_ACCESS_CONTROL", "on"),
        ("KEYWARD_ORGANIZATION_DYNAMIC_ACCESS_CONTROL_MAXIMUM_ROLES", "7"),
    ])
    .organization
    .expect("enabled");
    assert!(!options.allow_user_to_create_organization);
    assert_eq!(options.organization_limit, Some(3));
    assert_eq!(options.creator_role, "admin");
    assert_eq!(options.membership_limit, 50);
    assert_eq!(options.invitation_limit, 20);
    assert_eq!(options.invitation_expires_in, secs(3600));
    assert!(options.cancel_pending_invitations_on_re_invite);
    assert!(options.require_email_verification_on_invitation);
    assert!(options.disable_organization_deletion);
    assert!(!options.send_invitation_email);
    assert_eq!(
        options.invitation_link.as_deref(),
        Some("https://app.example.com/invitations/{id}")
    );
    assert!(options.teams.enabled);
    assert!(!options.teams.default_team);
    assert_eq!(options.teams.maximum_teams, Some(5));
    assert_eq!(options.teams.maximum_members_per_team, Some(10));
    assert!(options.teams.allow_removing_all_teams);
    let statements = options.access_control.expect("statements");
    assert_eq!(
        statements.statements().0.get("project"),
        Some(&vec!["create".to_owned(), "share".to_owned()])
    );
    let roles = options.roles.expect("roles");
    assert_eq!(roles.0.keys().collect::<Vec<_>>(), ["member", "owner"]);
    let create = Permissions::new().with("project", ["create"]);
    let share = Permissions::new().with("project", ["share"]);
    assert!(roles.allows("member", &create));
    assert!(!roles.allows("member", &share));
    assert!(roles.allows("owner", &share));
    let dynamic = options.dynamic_access_control.expect("dynamic roles");
    assert_eq!(dynamic.maximum_roles_per_organization, Some(7));
}

#[test]
fn organization_roles_and_statements_must_agree() {
    let (name, reason) = refused(&[
        ("KEYWARD_PLUGINS", "organization"),
        ("KEYWARD_ORGANIZATION_ACCESS_CONTROL", r#"{"project": ["create"]}"#),
        ("KEYWARD_ORGANIZATION_ROLES", r#"{"owner": {"project": ["delete"]}}"#),
    ]);
    assert_eq!(name, "KEYWARD_ORGANIZATION_ROLES");
    assert!(reason.contains("project: delete"), "{reason}");
    let (name, _) = refused(&[
        ("KEYWARD_PLUGINS", "organization"),
        ("KEYWARD_ORGANIZATION_DYNAMIC_ACCESS_CONTROL", "on"),
    ]);
    assert_eq!(
        name, "KEYWARD_ORGANIZATION_DYNAMIC_ACCESS_CONTROL",
        "stored roles need statements"
    );
    let (name, _) = refused(&[
        ("KEYWARD_PLUGINS", "organization"),
        ("KEYWARD_ORGANIZATION_ACCESS_CONTROL", STATEMENTS),
        ("KEYWARD_ORGANIZATION_DYNAMIC_ACCESS_CONTROL_MAXIMUM_ROLES", "3"),
    ]);
    assert_eq!(name, "KEYWARD_ORGANIZATION_DYNAMIC_ACCESS_CONTROL_MAXIMUM_ROLES");
    for bad in ["{}", r#"{"": ["x"]}"#, r#"{"project": [""]}"#] {
        let (name, _) = refused(&[
            ("KEYWARD_PLUGINS", "organization"),
            ("KEYWARD_ORGANIZATION_ACCESS_CONTROL", bad),
        ]);
        assert_eq!(name, "KEYWARD_ORGANIZATION_ACCESS_CONTROL", "{bad}");
    }
    for bad in ["{}", r#"{"a,b": {}}"#, r#"{" owner": {}}"#] {
        let (name, _) = refused(&[("KEYWARD_PLUGINS", "organization"), ("KEYWARD_ORGANIZATION_ROLES", bad)]);
        assert_eq!(name, "KEYWARD_ORGANIZATION_ROLES", "{bad}");
    }
}

#[test]
fn passkey_variables_set_their_fields() {
    let options = config(&[
        ("KEYWARD_PLUGINS", "passkey"),
        ("KEYWARD_PASSKEY_RP_ID", "example.com"),
        ("KEYWARD_PASSKEY_RP_NAME", "Acme"),
        (
            "KEYWARD_PASSKEY_ORIGINS",
            "https://app.example.com, android:apk-key-hash:abc",
        ),
        ("KEYWARD_PASSKEY_AUTHENTICATOR_ATTACHMENT", "cross-platform"),
        ("KEYWARD_PASSKEY_RESIDENT_KEY", "required"),
        ("KEYWARD_PASSKEY_REQUIRE_RESIDENT_KEY", "on"),
        ("KEYWARD_PASSKEY_USER_VERIFICATION", "discouraged"),
        ("KEYWARD_PASSKEY_REQUIRE_SESSION", "off"),
        ("KEYWARD_PASSKEY_CHALLENGE_MAX_AGE", "120"),
        ("KEYWARD_PASSKEY_CHALLENGE_COOKIE", "acme-passkey"),
    ])
    .passkey
    .expect("enabled");
    assert_eq!(options.rp_id.as_deref(), Some("example.com"));
    assert_eq!(options.rp_name.as_deref(), Some("Acme"));
    assert_eq!(options.origins, ["https://app.example.com", "android:apk-key-hash:abc"]);
    let selection = &options.authenticator_selection;
    assert_eq!(
        selection.authenticator_attachment,
        Some(AuthenticatorAttachment::CrossPlatform)
    );
    assert_eq!(selection.resident_key.as_deref(), Some("required"));
    assert_eq!(selection.require_resident_key, Some(true));
    assert_eq!(selection.user_verification.as_deref(), Some("discouraged"));
    assert!(!options.require_session);
    assert_eq!(options.challenge_max_age, secs(120));
    assert_eq!(options.challenge_cookie, "acme-passkey");
    let platform = config(&[
        ("KEYWARD_PLUGINS", "passkey"),
        ("KEYWARD_PASSKEY_AUTHENTICATOR_ATTACHMENT", "platform"),
    ]);
    assert_eq!(
        platform
            .passkey
            .expect("enabled")
            .authenticator_selection
            .authenticator_attachment,
        Some(AuthenticatorAttachment::Platform)
    );
}

#[test]
fn admin_variables_set_their_fields() {
    let options = config(&[
        ("KEYWARD_PLUGINS", "admin"),
        ("KEYWARD_ADMIN_DEFAULT_ROLE", "member"),
        ("KEYWARD_ADMIN_ADMIN_ROLES", "admin, superadmin"),
        ("KEYWARD_ADMIN_USER_IDS", "u1, u2"),
        (
            "KEYWARD_ADMIN_ROLES",
            r#"{"superadmin": {"user": ["create", "list", "ban"]}, "member": {"user": []}}"#,
        ),
        ("KEYWARD_ADMIN_IMPERSONATION_SESSION_DURATION", "600"),
        ("KEYWARD_ADMIN_ALLOW_IMPERSONATING_ADMINS", "on"),
        ("KEYWARD_ADMIN_BANNED_USER_MESSAGE", "Banned."),
        ("KEYWARD_ADMIN_DEFAULT_BAN_REASON", "Spam"),
        ("KEYWARD_ADMIN_DEFAULT_BAN_EXPIRES_IN", "604800"),
    ])
    .admin
    .expect("enabled");
    assert_eq!(options.default_role, "member");
    assert_eq!(options.admin_roles, ["admin", "superadmin"]);
    assert_eq!(options.admin_user_ids, ["u1", "u2"]);
    assert!(options.custom_roles, "set-role then refuses unknown roles");
    assert!(options.roles.contains("superadmin") && !options.roles.contains("admin"));
    let ban = Permissions::new().with("user", ["ban"]);
    assert!(options.roles.allows("superadmin", &ban));
    assert!(!options.roles.allows("member", &ban));
    assert_eq!(options.impersonation_session_duration, secs(600));
    assert!(options.allow_impersonating_admins);
    assert_eq!(options.banned_user_message, "Banned.");
    assert_eq!(options.default_ban_reason.as_deref(), Some("Spam"));
    assert_eq!(options.default_ban_expires_in, Some(secs(604800)));
}

#[test]
fn one_time_token_variables_set_their_fields() {
    let defaults = config(&[("KEYWARD_PLUGINS", "one-time-token")])
        .one_time_token
        .expect("enabled");
    assert_eq!(defaults.expires_in, secs(180), "better-auth's three minutes");
    assert!(matches!(defaults.store_token, TokenStorage::Plain));
    assert!(!defaults.disable_client_request && !defaults.disable_set_session_cookie);
    assert!(!defaults.set_ott_header_on_new_session);
    let options = config(&[
        ("KEYWARD_PLUGINS", "one-time-token"),
        ("KEYWARD_ONE_TIME_TOKEN_EXPIRES_IN", "30"),
        ("KEYWARD_ONE_TIME_TOKEN_STORE_TOKEN", "hashed"),
        ("KEYWARD_ONE_TIME_TOKEN_DISABLE_CLIENT_REQUEST", "on"),
        ("KEYWARD_ONE_TIME_TOKEN_DISABLE_SET_SESSION_COOKIE", "on"),
        ("KEYWARD_ONE_TIME_TOKEN_SET_OTT_HEADER_ON_NEW_SESSION", "on"),
    ])
    .one_time_token
    .expect("enabled");
    assert_eq!(options.expires_in, secs(30));
    assert!(matches!(options.store_token, TokenStorage::Hashed));
    assert!(options.disable_client_request && options.disable_set_session_cookie);
    assert!(options.set_ott_header_on_new_session);
    let (name, _) = refused(&[
        ("KEYWARD_PLUGINS", "one-time-token"),
        ("KEYWARD_ONE_TIME_TOKEN_STORE_TOKEN", "encrypted"),
    ]);
    assert_eq!(name, "KEYWARD_ONE_TIME_TOKEN_STORE_TOKEN");
    let (name, _) = refused(&[
        ("KEYWARD_PLUGINS", "one-time-token"),
        ("KEYWARD_ONE_TIME_TOKEN_EXPIRES_IN", "0"),
    ]);
    assert_eq!(name, "KEYWARD_ONE_TIME_TOKEN_EXPIRES_IN");
}

#[test]
fn electron_variables_set_their_fields() {
    let defaults = config(&[("KEYWARD_PLUGINS", "electron")]).electron.expect("enabled");
    assert_eq!(defaults, crate::config::ElectronConfig::default());
    let options = config(&[
        ("KEYWARD_PLUGINS", "electron"),
        ("KEYWARD_ELECTRON_CODE_EXPIRES_IN", "60"),
        ("KEYWARD_ELECTRON_REDIRECT_COOKIE_EXPIRES_IN", "30"),
        ("KEYWARD_ELECTRON_COOKIE_PREFIX", "my-app"),
        ("KEYWARD_ELECTRON_CLIENT_ID", "desktop"),
        ("KEYWARD_ELECTRON_DEEP_LINK_SCHEMES", "MyApp, com.example.app"),
    ])
    .electron
    .expect("enabled");
    assert_eq!(options.code_expires_in, secs(60));
    assert_eq!(options.redirect_cookie_expires_in, secs(30));
    assert_eq!(options.cookie_prefix, "my-app");
    assert_eq!(options.client_id, "desktop");
    assert_eq!(options.deep_link_schemes, ["myapp", "com.example.app"]);
    for scheme in ["https", "http", "javascript", "my app"] {
        let (name, reason) = refused(&[
            ("KEYWARD_PLUGINS", "electron"),
            ("KEYWARD_ELECTRON_DEEP_LINK_SCHEMES", scheme),
        ]);
        assert_eq!(name, "KEYWARD_ELECTRON_DEEP_LINK_SCHEMES", "{scheme}: {reason}");
    }
}

#[test]
fn device_authorization_variables_set_their_fields() {
    let defaults = config(&[("KEYWARD_PLUGINS", "device-authorization")])
        .device_authorization
        .expect("enabled");
    assert_eq!(defaults.expires_in, secs(1800), "better-auth's 30 minutes");
    assert_eq!(defaults.interval, secs(5));
    assert_eq!((defaults.device_code_length, defaults.user_code_length), (40, 8));
    assert!(defaults.validate_client.is_none() && defaults.verification_uri.is_none());
    let options = config(&[
        ("KEYWARD_PLUGINS", "device-authorization"),
        ("KEYWARD_DEVICE_AUTHORIZATION_EXPIRES_IN", "600"),
        ("KEYWARD_DEVICE_AUTHORIZATION_INTERVAL", "0.5"),
        ("KEYWARD_DEVICE_AUTHORIZATION_DEVICE_CODE_LENGTH", "64"),
        ("KEYWARD_DEVICE_AUTHORIZATION_USER_CODE_LENGTH", "10"),
        ("KEYWARD_DEVICE_AUTHORIZATION_CLIENT_IDS", "cli, tv"),
        (
            "KEYWARD_DEVICE_AUTHORIZATION_VERIFICATION_URI",
            "https://example.com/activate",
        ),
    ])
    .device_authorization
    .expect("enabled");
    assert_eq!(options.expires_in, secs(600));
    assert_eq!(options.interval, Duration::from_millis(500));
    assert_eq!((options.device_code_length, options.user_code_length), (64, 10));
    let validator = options.validate_client.expect("a client list");
    assert!(validator.is_valid("cli") && validator.is_valid("tv") && !validator.is_valid("other"));
    assert_eq!(
        options.verification_uri.as_deref(),
        Some("https://example.com/activate")
    );
    for (name, value) in [
        ("KEYWARD_DEVICE_AUTHORIZATION_USER_CODE_LENGTH", "192"),
        ("KEYWARD_DEVICE_AUTHORIZATION_DEVICE_CODE_LENGTH", "0"),
        ("KEYWARD_DEVICE_AUTHORIZATION_INTERVAL", "soon"),
    ] {
        let (refused_name, _) = refused(&[("KEYWARD_PLUGINS", "device-authorization"), (name, value)]);
        assert_eq!(refused_name, name);
    }
}

#[test]
fn magic_link_variables_set_their_fields() {
    let defaults = config(&[("KEYWARD_PLUGINS", "magic-link")])
        .magic_link
        .expect("enabled");
    assert_eq!(defaults.expires_in, secs(300), "better-auth's five minutes");
    assert!(matches!(defaults.store_token, TokenStorage::Plain));
    assert!(!defaults.disable_sign_up);
    assert_eq!((defaults.rate_limit.window, defaults.rate_limit.max), (secs(60), 5));
    let options = config(&[
        ("KEYWARD_PLUGINS", "magic-link"),
        ("KEYWARD_MAGIC_LINK_EXPIRES_IN", "60"),
        ("KEYWARD_MAGIC_LINK_STORE_TOKEN", "hashed"),
        ("KEYWARD_MAGIC_LINK_DISABLE_SIGN_UP", "on"),
    ])
    .magic_link
    .expect("enabled");
    assert_eq!(options.expires_in, secs(60));
    assert!(matches!(options.store_token, TokenStorage::Hashed));
    assert!(options.disable_sign_up);
    let (name, _) = refused(&[
        ("KEYWARD_PLUGINS", "magic-link"),
        ("KEYWARD_MAGIC_LINK_STORE_TOKEN", "encrypted"),
    ]);
    assert_eq!(name, "KEYWARD_MAGIC_LINK_STORE_TOKEN");
}

#[test]
fn username_variables_set_their_fields() {
    use crate::config::{Normalization, Order};
    let defaults = config(&[("KEYWARD_PLUGINS", "username")]).username.expect("enabled");
    assert_eq!((defaults.min_username_length, defaults.max_username_length), (3, 30));
    assert!(matches!(defaults.username_normalization, Normalization::Lowercase));
    assert!(defaults.display_username && !defaults.immutable_username);
    let options = config(&[
        ("KEYWARD_PLUGINS", "username"),
        ("KEYWARD_USERNAME_MIN_USERNAME_LENGTH", "5"),
        ("KEYWARD_USERNAME_MAX_USERNAME_LENGTH", "12"),
        ("KEYWARD_USERNAME_NORMALIZATION", "none"),
        ("KEYWARD_USERNAME_VALIDATION_ORDER", "post-normalization"),
        ("KEYWARD_USERNAME_DISPLAY_VALIDATION_ORDER", "post-normalization"),
        ("KEYWARD_USERNAME_IMMUTABLE_USERNAME", "true"),
        ("KEYWARD_USERNAME_DISPLAY_USERNAME", "false"),
    ])
    .username
    .expect("enabled");
    assert_eq!((options.min_username_length, options.max_username_length), (5, 12));
    assert!(matches!(options.username_normalization, Normalization::None));
    assert_eq!(options.validation_order.username, Order::PostNormalization);
    assert_eq!(options.validation_order.display_username, Order::PostNormalization);
    assert!(options.immutable_username && !options.display_username);
    let (name, reason) = refused(&[
        ("KEYWARD_PLUGINS", "username"),
        ("KEYWARD_USERNAME_MIN_USERNAME_LENGTH", "20"),
        ("KEYWARD_USERNAME_MAX_USERNAME_LENGTH", "10"),
    ]);
    assert_eq!(name, "KEYWARD_USERNAME_MIN_USERNAME_LENGTH", "{reason}");
}

#[test]
fn email_otp_variables_set_their_fields() {
    let defaults = config(&[("KEYWARD_PLUGINS", "email-otp")]).email_otp.expect("enabled");
    assert_eq!(defaults.expires_in, secs(300), "better-auth's five minutes");
    assert_eq!((defaults.otp_length, defaults.allowed_attempts), (6, 3));
    assert!(matches!(defaults.store_otp, EmailOtpStorage::Plain));
    assert_eq!(defaults.resend_strategy, ResendStrategy::Rotate);
    assert!(!defaults.disable_sign_up && !defaults.send_verification_on_sign_up);
    assert!(!defaults.override_default_email_verification);
    assert!(!defaults.change_email.enabled && !defaults.change_email.verify_current_email);
    assert_eq!((defaults.rate_limit.window, defaults.rate_limit.max), (secs(60), 3));
    let options = config(&[
        ("KEYWARD_PLUGINS", "email-otp"),
        ("KEYWARD_EMAIL_OTP_LENGTH", "8"),
        ("KEYWARD_EMAIL_OTP_EXPIRES_IN", "60"),
        ("KEYWARD_EMAIL_OTP_ALLOWED_ATTEMPTS", "5"),
        ("KEYWARD_EMAIL_OTP_STORE_OTP", "encrypted"),
        ("KEYWARD_EMAIL_OTP_RESEND_STRATEGY", "reuse"),
        ("KEYWARD_EMAIL_OTP_DISABLE_SIGN_UP", "on"),
        ("KEYWARD_EMAIL_OTP_SEND_VERIFICATION_ON_SIGN_UP", "on"),
        ("KEYWARD_EMAIL_OTP_OVERRIDE_DEFAULT_EMAIL_VERIFICATION", "on"),
        ("KEYWARD_EMAIL_OTP_CHANGE_EMAIL", "on"),
        ("KEYWARD_EMAIL_OTP_CHANGE_EMAIL_VERIFY_CURRENT_EMAIL", "on"),
    ])
    .email_otp
    .expect("enabled");
    assert_eq!((options.otp_length, options.allowed_attempts), (8, 5));
    assert_eq!(options.expires_in, secs(60));
    assert!(matches!(options.store_otp, EmailOtpStorage::Encrypted));
    assert_eq!(options.resend_strategy, ResendStrategy::Reuse);
    assert!(options.disable_sign_up && options.send_verification_on_sign_up);
    assert!(options.override_default_email_verification);
    assert!(options.change_email.enabled && options.change_email.verify_current_email);
    let hashed = config(&[
        ("KEYWARD_PLUGINS", "email-otp"),
        ("KEYWARD_EMAIL_OTP_STORE_OTP", "hashed"),
    ]);
    assert!(matches!(
        hashed.email_otp.expect("enabled").store_otp,
        EmailOtpStorage::Hashed
    ));
}

#[test]
fn phone_number_variables_set_their_fields() {
    let defaults = config(&[("KEYWARD_PLUGINS", "phone-number")])
        .phone_number
        .expect("enabled");
    assert_eq!((defaults.otp_length, defaults.allowed_attempts), (6, 3));
    assert_eq!(defaults.expires_in, std::time::Duration::from_secs(300));
    assert!(!defaults.require_verification);
    assert!(defaults.sign_up_on_verification.is_none() && defaults.phone_number_validator.is_none());
    let options = config(&[
        ("KEYWARD_PLUGINS", "phone-number"),
        ("KEYWARD_PHONE_NUMBER_OTP_LENGTH", "8"),
        ("KEYWARD_PHONE_NUMBER_EXPIRES_IN", "60"),
        ("KEYWARD_PHONE_NUMBER_ALLOWED_ATTEMPTS", "5"),
        ("KEYWARD_PHONE_NUMBER_REQUIRE_VERIFICATION", "true"),
        ("KEYWARD_PHONE_NUMBER_SIGN_UP_ON_VERIFICATION", "true"),
        ("KEYWARD_PHONE_NUMBER_TEMP_EMAIL_DOMAIN", "Phone.Example.com"),
        ("KEYWARD_PHONE_NUMBER_VALIDATOR", "e164"),
    ])
    .phone_number
    .expect("enabled");
    assert_eq!((options.otp_length, options.allowed_attempts), (8, 5));
    assert_eq!(options.expires_in, std::time::Duration::from_secs(60));
    assert!(options.require_verification);
    let sign_up = options.sign_up_on_verification.expect("signs up");
    assert_eq!((sign_up.temp_email)("+1 (555) 0001"), "+15550001@phone.example.com");
    assert!(sign_up.temp_name.is_none());
    let validator = options.phone_number_validator.expect("validates");
    assert!(validator.is_valid("+15550001") && !validator.is_valid("15550001") && !validator.is_valid("+0123"));
    let default_domain = config(&[
        ("KEYWARD_PLUGINS", "phone-number"),
        ("KEYWARD_PHONE_NUMBER_SIGN_UP_ON_VERIFICATION", "true"),
    ])
    .phone_number
    .and_then(|options| options.sign_up_on_verification)
    .expect("signs up");
    assert_eq!((default_domain.temp_email)("+15550001"), "+15550001@phone.invalid");
    let (name, reason) = refused(&[
        ("KEYWARD_PLUGINS", "phone-number"),
        ("KEYWARD_PHONE_NUMBER_TEMP_EMAIL_DOMAIN", "phone.example.com"),
    ]);
    assert_eq!(name, "KEYWARD_PHONE_NUMBER_TEMP_EMAIL_DOMAIN", "{reason}");
}

#[test]
fn anonymous_variables_set_their_fields() {
    let defaults = config(&[("KEYWARD_PLUGINS", "anonymous")]).anonymous.expect("enabled");
    assert_eq!(defaults.email_domain_name, None);
    assert!(!defaults.disable_delete_anonymous_user);
    let options = config(&[
        ("KEYWARD_PLUGINS", "anonymous"),
        ("KEYWARD_ANONYMOUS_EMAIL_DOMAIN_NAME", "guests.example.com"),
        ("KEYWARD_ANONYMOUS_DISABLE_DELETE_ANONYMOUS_USER", "on"),
    ])
    .anonymous
    .expect("enabled");
    assert_eq!(options.email_domain_name.as_deref(), Some("guests.example.com"));
    assert!(options.disable_delete_anonymous_user);
    let (name, _) = refused(&[
        ("KEYWARD_PLUGINS", "anonymous"),
        ("KEYWARD_ANONYMOUS_EMAIL_DOMAIN_NAME", "guests@example.com"),
    ]);
    assert_eq!(name, "KEYWARD_ANONYMOUS_EMAIL_DOMAIN_NAME");
}

#[test]
fn multi_session_variables_set_their_fields() {
    let defaults = config(&[("KEYWARD_PLUGINS", "multi-session")])
        .multi_session
        .expect("enabled");
    assert_eq!(defaults.maximum_sessions, 5);
    let options = config(&[
        ("KEYWARD_PLUGINS", "multi-session"),
        ("KEYWARD_MULTI_SESSION_MAXIMUM_SESSIONS", "2"),
    ])
    .multi_session
    .expect("enabled");
    assert_eq!(options.maximum_sessions, 2);
}

#[test]
fn plugin_variables_need_their_plugin() {
    for variable in ENV_VARIABLES.iter().filter(|v| v.plugin.is_some()) {
        let plugin = variable.plugin.expect("a plugin");
        let (name, reason) = refused(&[(variable.name, "on")]);
        assert_eq!(name, variable.name);
        assert!(
            reason.contains(plugin) && reason.contains("KEYWARD_PLUGINS"),
            "{name}: {reason}"
        );
        let others: Vec<&str> = [
            "two-factor",
            "organization",
            "passkey",
            "admin",
            "one-time-token",
            "electron",
            "device-authorization",
            "magic-link",
            "username",
            "email-otp",
            "phone-number",
            "anonymous",
            "multi-session",
        ]
        .into_iter()
        .filter(|other| *other != plugin)
        .collect();
        let (name, _) = refused(&[(variable.name, "on"), ("KEYWARD_PLUGINS", &others.join(","))]);
        assert_eq!(name, variable.name, "the other plugins do not count");
    }
}

#[test]
fn additional_fields_may_not_take_plugin_columns() {
    let (name, reason) = refused(&[
        ("KEYWARD_PLUGINS", "admin"),
        ("KEYWARD_USER_ADDITIONAL_FIELDS", "role:string"),
    ]);
    assert_eq!(name, "KEYWARD_USER_ADDITIONAL_FIELDS");
    assert!(reason.contains("role"), "{reason}");
    let (name, _) = refused(&[
        ("KEYWARD_PLUGINS", "organization"),
        ("KEYWARD_SESSION_ADDITIONAL_FIELDS", "activeOrganizationId:string"),
    ]);
    assert_eq!(name, "KEYWARD_SESSION_ADDITIONAL_FIELDS");
    let without_admin = config(&[("KEYWARD_USER_ADDITIONAL_FIELDS", "role:string")]);
    assert_eq!(without_admin.user.additional_fields[0].name, "role");
}
