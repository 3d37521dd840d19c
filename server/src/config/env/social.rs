//! Social sign-in from the environment: the built-in providers by better-auth's documented
//! variable names (`GITHUB_CLIENT_ID` / `GITHUB_CLIENT_SECRET` …), generic ones as
//! better-auth's `genericOAuth` config in JSON, and the account-linking options.

use std::time::Duration;

use serde::Deserialize;

use super::formats::check_absolute_url;
use super::{Env, set};
use crate::config::{AccountConfig, Config, ConfigError, StateStrategy};
use crate::social::{ProviderKind, SocialProvider, TokenAuth};

/// One entry of `KEYWARD_GENERIC_OAUTH`, named as better-auth's `genericOAuth` config.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GenericProvider {
    provider_id: String,
    client_id: String,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    discovery_url: Option<String>,
    #[serde(default)]
    authorization_url: Option<String>,
    #[serde(default)]
    token_url: Option<String>,
    #[serde(default)]
    user_info_url: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    pkce: Option<bool>,
    #[serde(default)]
    authentication: Option<String>,
    #[serde(default)]
    prompt: Option<String>,
    #[serde(default)]
    access_type: Option<String>,
    #[serde(default)]
    disable_sign_up: bool,
    #[serde(default)]
    disable_implicit_sign_up: bool,
    #[serde(default)]
    override_user_info: bool,
    #[serde(default)]
    require_email_verification: bool,
    #[serde(default)]
    allow_idp_initiated: bool,
    #[serde(default, rename = "redirectURI")]
    redirect_uri: Option<String>,
}

fn invalid(name: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::InvalidVariable {
        name,
        reason: reason.into(),
    }
}

impl GenericProvider {
    fn into_provider(self) -> Result<SocialProvider, ConfigError> {
        const NAME: &str = "KEYWARD_GENERIC_OAUTH";
        let secret = self.client_secret.clone().unwrap_or_default();
        let mut provider = match (
            self.discovery_url,
            self.authorization_url,
            self.token_url,
            self.user_info_url,
        ) {
            (Some(discovery), None, None, None) => {
                SocialProvider::openid_connect(&self.provider_id, &discovery, &self.client_id, secret)
            }
            (None, Some(authorization), Some(token), Some(user_info)) => SocialProvider::oauth2(
                &self.provider_id,
                &authorization,
                &token,
                &user_info,
                &self.client_id,
                secret,
            ),
            _ => {
                return Err(invalid(
                    NAME,
                    format!(
                        "provider `{}` needs either discoveryUrl, or authorizationUrl, tokenUrl and userInfoUrl",
                        self.provider_id
                    ),
                ));
            }
        };
        if self.client_secret.is_none() {
            provider.client_secret = None;
        }
        provider.scopes = self.scopes;
        provider.pkce = self.pkce.unwrap_or(true);
        provider.token_auth = match self.authentication.as_deref() {
            None | Some("post") => TokenAuth::Post,
            Some("basic") => TokenAuth::Basic,
            Some(other) => {
                return Err(invalid(
                    NAME,
                    format!("authentication `{other}` is not `basic` or `post`"),
                ));
            }
        };
        provider.prompt = self.prompt;
        provider.access_type = self.access_type;
        provider.disable_sign_up = self.disable_sign_up;
        provider.disable_implicit_sign_up = self.disable_implicit_sign_up;
        provider.override_user_info_on_sign_in = self.override_user_info;
        provider.require_email_verification = self.require_email_verification;
        provider.allow_idp_initiated = self.allow_idp_initiated;
        provider.redirect_uri = self.redirect_uri;
        Ok(provider)
    }
}

/// What the built-in providers take besides their client id and secret.
struct Extras {
    apple_bundle: Option<String>,
    microsoft_tenant: String,
    gitlab_issuer: String,
}

/// The built-in providers whose `<NAME>_CLIENT_ID` and `<NAME>_CLIENT_SECRET` are set.
fn built_in(env: &Env) -> Result<Vec<SocialProvider>, ConfigError> {
    let extras = Extras {
        apple_bundle: env.text("APPLE_APP_BUNDLE_IDENTIFIER"),
        microsoft_tenant: env.text("MICROSOFT_TENANT_ID").unwrap_or_else(|| "common".to_owned()),
        gitlab_issuer: env
            .parsed("GITLAB_ISSUER", check_absolute_url)?
            .unwrap_or_else(|| "https://gitlab.com".to_owned()),
    };
    type Make = fn(&str, String, &Extras) -> SocialProvider;
    let providers: [(&'static str, &'static str, Make); 7] = [
        ("GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", |id, secret, _| {
            SocialProvider::github(id, secret)
        }),
        ("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", |id, secret, _| {
            SocialProvider::google(id, secret)
        }),
        ("APPLE_CLIENT_ID", "APPLE_CLIENT_SECRET", |id, secret, extras| {
            let mut apple = SocialProvider::apple(id, secret);
            apple.extra_client_ids.extend(extras.apple_bundle.clone());
            apple
        }),
        (
            "MICROSOFT_CLIENT_ID",
            "MICROSOFT_CLIENT_SECRET",
            |id, secret, extras| SocialProvider::microsoft(id, secret, &extras.microsoft_tenant),
        ),
        ("DISCORD_CLIENT_ID", "DISCORD_CLIENT_SECRET", |id, secret, _| {
            SocialProvider::discord(id, secret)
        }),
        ("GITLAB_CLIENT_ID", "GITLAB_CLIENT_SECRET", |id, secret, extras| {
            SocialProvider::gitlab(id, secret, &extras.gitlab_issuer)
        }),
        ("FACEBOOK_CLIENT_ID", "FACEBOOK_CLIENT_SECRET", |id, secret, _| {
            SocialProvider::facebook(id, secret)
        }),
    ];
    let mut found = Vec::new();
    for (id_name, secret_name, make) in providers {
        match (env.text(id_name), env.raw(secret_name)) {
            (Some(id), Some(secret)) => found.push(make(&id, secret.trim().to_owned(), &extras)),
            (None, None) => {}
            (Some(_), None) => return Err(invalid(id_name, format!("is set without {secret_name}"))),
            (None, Some(_)) => return Err(invalid(secret_name, format!("is set without {id_name}"))),
        }
    }
    Ok(found)
}

/// Reads the providers and the account options of social sign-in.
pub(super) fn social(env: &Env, config: &mut Config) -> Result<(), ConfigError> {
    let mut providers = built_in(env)?;
    if let Some(json) = env.raw("KEYWARD_GENERIC_OAUTH") {
        let generic: Vec<GenericProvider> = serde_json::from_str(&json)
            .map_err(|e| invalid("KEYWARD_GENERIC_OAUTH", format!("not a JSON list of providers: {e}")))?;
        for entry in generic {
            providers.push(entry.into_provider()?);
        }
    }
    for (index, provider) in providers.iter().enumerate() {
        if providers[..index].iter().any(|p| p.id == provider.id) {
            return Err(invalid(
                "KEYWARD_GENERIC_OAUTH",
                format!("the provider id `{}` is configured twice", provider.id),
            ));
        }
        if let ProviderKind::OpenIdConnect { discovery_url } = &provider.kind
            && url::Url::parse(discovery_url).is_err()
        {
            return Err(invalid(
                "KEYWARD_GENERIC_OAUTH",
                format!("the discoveryUrl of `{}` is not a URL", provider.id),
            ));
        }
    }
    config.social_providers.extend(providers);
    if let Some(timeout) = env.seconds("KEYWARD_PROVIDER_TIMEOUT")? {
        config.provider_timeout = timeout.max(Duration::from_secs(1));
    }
    account_linking(env, &mut config.account)
}

fn account_linking(env: &Env, options: &mut AccountConfig) -> Result<(), ConfigError> {
    let linking = &mut options.account_linking;
    set(&mut linking.enabled, env.switch("KEYWARD_ACCOUNT_LINKING")?);
    if let Some(list) = env.list("KEYWARD_ACCOUNT_TRUSTED_PROVIDERS") {
        linking.trusted_providers = list;
    }
    set(
        &mut linking.allow_different_emails,
        env.switch("KEYWARD_ACCOUNT_ALLOW_DIFFERENT_EMAILS")?,
    );
    set(
        &mut linking.update_user_info_on_link,
        env.switch("KEYWARD_ACCOUNT_UPDATE_USER_INFO_ON_LINK")?,
    );
    set(
        &mut linking.disable_implicit_linking,
        env.switch("KEYWARD_ACCOUNT_DISABLE_IMPLICIT_LINKING")?,
    );
    set(
        &mut linking.require_local_email_verified,
        env.switch("KEYWARD_ACCOUNT_REQUIRE_LOCAL_EMAIL_VERIFIED")?,
    );
    set(
        &mut options.encrypt_oauth_tokens,
        env.switch("KEYWARD_ACCOUNT_ENCRYPT_OAUTH_TOKENS")?,
    );
    set(
        &mut options.update_account_on_sign_in,
        env.switch("KEYWARD_ACCOUNT_UPDATE_ON_SIGN_IN")?,
    );
    set(
        &mut options.skip_state_cookie_check,
        env.switch("KEYWARD_ACCOUNT_SKIP_STATE_COOKIE_CHECK")?,
    );
    if let Some(strategy) = env.text("KEYWARD_ACCOUNT_STORE_STATE_STRATEGY") {
        options.store_state_strategy = match strategy.as_str() {
            "database" => StateStrategy::Database,
            "cookie" => StateStrategy::Cookie,
            other => {
                return Err(invalid(
                    "KEYWARD_ACCOUNT_STORE_STATE_STRATEGY",
                    format!("`{other}` is not `database` or `cookie`"),
                ));
            }
        };
    }
    Ok(())
}
