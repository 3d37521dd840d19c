//! [`Config::from_lookup`]: the environment variables, parsed and checked.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use super::{AdminConfig, Config, ConfigError, OrganizationConfig, PasskeyConfig, TrustedProxy, TwoFactorConfig};

/// Reads the whole configuration.
pub(super) fn read(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
    let mut builder = Config::builder();
    if let Some(secret) = get("BETTER_AUTH_SECRET").or_else(|| get("AUTH_SECRET")) {
        builder = builder.secret(secret);
    }
    if let Some(list) = get("BETTER_AUTH_SECRETS") {
        builder = builder.versioned_secrets(parse_versioned_secrets(&list)?);
    }
    let port = match get("PORT") {
        Some(raw) => raw.trim().parse::<u16>().map_err(|e| ConfigError::InvalidVariable {
            name: "PORT",
            reason: e.to_string(),
        })?,
        None => 3000,
    };
    builder = builder.port(port);
    // Read by the hashing pool itself (`password.rs`); checked here so a typo stops
    // the server instead of being ignored.
    if let Some(raw) = get("KEYWARD_HASH_CONCURRENCY")
        && !raw.trim().parse::<usize>().is_ok_and(|slots| slots > 0)
    {
        return Err(ConfigError::InvalidVariable {
            name: "KEYWARD_HASH_CONCURRENCY",
            reason: format!("`{raw}` is not a positive number of concurrent hashes"),
        });
    }
    let base_url = match get("BETTER_AUTH_URL") {
        Some(raw) => Url::parse(raw.trim()).map_err(|e| ConfigError::InvalidVariable {
            name: "BETTER_AUTH_URL",
            reason: e.to_string(),
        })?,
        None => Url::parse(&format!("http://localhost:{port}")).expect("localhost URL parses"),
    };
    // A path on BETTER_AUTH_URL is the base path, as in better-auth.
    let path = base_url.path().trim_end_matches('/').to_owned();
    let mut origin = base_url.clone();
    origin.set_path("");
    builder = builder.base_url(origin);
    if !path.is_empty() {
        builder = builder.base_path(path);
    }
    if let Some(url) = get("DATABASE_URL") {
        builder = builder.database_url(url);
    }
    if let Some(origins) = get("BETTER_AUTH_TRUSTED_ORIGINS") {
        builder = builder.trusted_origins(origins.split(',').map(str::trim).filter(|o| !o.is_empty()));
    }
    let trusted_proxies = match get("KEYWARD_TRUSTED_PROXIES") {
        Some(list) if list.trim() == "none" => Some(Vec::new()),
        Some(list) => Some(
            list.split(',')
                .map(str::trim)
                .filter(|entry| !entry.is_empty())
                .map(|entry| {
                    TrustedProxy::parse(entry).ok_or_else(|| ConfigError::InvalidVariable {
                        name: "KEYWARD_TRUSTED_PROXIES",
                        reason: format!("`{entry}` is not `*`, `none`, an IP address or `address/bits`"),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    if let Some(value) = get("KEYWARD_RATE_LIMIT") {
        builder = builder.rate_limit_enabled(parse_switch("KEYWARD_RATE_LIMIT", &value)?);
    }
    let mut config = builder.build_unchecked();
    if let Some(trusted_proxies) = trusted_proxies {
        config.advanced.trusted_proxies = trusted_proxies;
    }
    config.email.outbox = get("KEYWARD_OUTBOX").map(PathBuf::from);
    config.email.smtp_url = get("SMTP_URL");
    config.email.smtp_from = get("SMTP_FROM");
    if config.email.outbox.is_some() || config.email.smtp_url.is_some() {
        config.email.log_links = false;
    }
    if let Some(raw) = get("KEYWARD_HEADER_READ_TIMEOUT") {
        config.connection_limits.header_read_timeout = parse_seconds("KEYWARD_HEADER_READ_TIMEOUT", &raw)?;
    }
    if let Some(raw) = get("KEYWARD_BODY_READ_TIMEOUT") {
        config.connection_limits.body_read_timeout = parse_seconds("KEYWARD_BODY_READ_TIMEOUT", &raw)?;
    }
    if let Some(raw) = get("KEYWARD_MAX_CONNECTIONS") {
        config.connection_limits.max_connections =
            raw.trim()
                .parse::<usize>()
                .ok()
                .filter(|max| *max > 0)
                .ok_or_else(|| ConfigError::InvalidVariable {
                    name: "KEYWARD_MAX_CONNECTIONS",
                    reason: format!("`{raw}` is not a positive number of connections"),
                })?;
    }
    if let Some(value) = get("KEYWARD_SESSION_IP_FROM_PEER") {
        config.advanced.session_ip_from_peer = parse_switch("KEYWARD_SESSION_IP_FROM_PEER", &value)?;
    }
    if let Some(app_name) = get("KEYWARD_APP_NAME") {
        config.app_name = app_name;
    }
    config.secondary_storage.redis_url = get("REDIS_URL").filter(|url| !url.trim().is_empty());
    if let Some(prefix) = get("KEYWARD_REDIS_PREFIX") {
        config.secondary_storage.key_prefix = prefix;
    }
    if let Some(value) = get("KEYWARD_SESSION_IN_DATABASE") {
        config.session.store_session_in_database = parse_switch("KEYWARD_SESSION_IN_DATABASE", &value)?;
    }
    if let Some(value) = get("KEYWARD_VERIFICATION_IN_DATABASE") {
        config.verification.store_in_database = parse_switch("KEYWARD_VERIFICATION_IN_DATABASE", &value)?;
    }
    if let Some(value) = get("KEYWARD_PRESERVE_SESSION_IN_DATABASE") {
        config.session.preserve_session_in_database = parse_switch("KEYWARD_PRESERVE_SESSION_IN_DATABASE", &value)?;
    }
    if let Some(plugins) = get("KEYWARD_PLUGINS") {
        for plugin in plugins.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match plugin {
                "two-factor" => config.two_factor = Some(TwoFactorConfig::default()),
                "organization" => config.organization = Some(OrganizationConfig::default()),
                "passkey" => config.passkey = Some(PasskeyConfig::default()),
                "admin" => config.admin = Some(AdminConfig::default()),
                other => {
                    return Err(ConfigError::InvalidVariable {
                        name: "KEYWARD_PLUGINS",
                        reason: format!("unknown plugin `{other}` (known: two-factor, organization, passkey, admin)"),
                    });
                }
            }
        }
    }
    if let Some(value) = get("KEYWARD_ADMIN_USER_IDS")
        && let Some(admin) = &mut config.admin
    {
        admin.admin_user_ids = value
            .split(',')
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .collect();
    }
    if let Some(value) = get("KEYWARD_ORGANIZATION_TEAMS") {
        let on = parse_switch("KEYWARD_ORGANIZATION_TEAMS", &value)?;
        if let Some(organization) = &mut config.organization {
            organization.teams.enabled = on;
        }
    }
    if let Some(passkey) = &mut config.passkey {
        passkey.rp_id = get("KEYWARD_PASSKEY_RP_ID");
        passkey.rp_name = get("KEYWARD_PASSKEY_RP_NAME");
        if let Some(origins) = get("KEYWARD_PASSKEY_ORIGINS") {
            passkey.origins = origins
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect();
        }
    }
    config.validate()?;
    Ok(config)
}

/// A positive number of seconds, fractions allowed (`0.5`).
fn parse_seconds(name: &'static str, value: &str) -> Result<Duration, ConfigError> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .ok_or_else(|| ConfigError::InvalidVariable {
            name,
            reason: format!("`{value}` is not a positive number of seconds"),
        })
}

/// `on`/`off` (or `1`/`0`, `true`/`false`).
fn parse_switch(name: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim() {
        "off" | "0" | "false" => Ok(false),
        "on" | "1" | "true" => Ok(true),
        other => Err(ConfigError::InvalidVariable {
            name,
            reason: format!("expected on or off, got `{other}`"),
        }),
    }
}

/// Parses `BETTER_AUTH_SECRETS`: `"<version>:<secret>,…"`, newest first.
fn parse_versioned_secrets(list: &str) -> Result<Vec<(u32, String)>, ConfigError> {
    list.split(',')
        .enumerate()
        .map(|(index, entry)| {
            let entry = entry.trim();
            let (version, value) = entry.split_once(':').ok_or_else(|| {
                ConfigError::InvalidSecrets(format!("entry {} is not `<version>:<secret>`", index + 1))
            })?;
            let version = version.trim().parse::<u32>().map_err(|_| {
                ConfigError::InvalidSecrets(format!("entry {} has no non-negative integer version", index + 1))
            })?;
            Ok((version, value.trim().to_owned()))
        })
        .collect()
}
