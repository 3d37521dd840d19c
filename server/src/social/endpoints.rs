//! Where a provider's endpoints are: fixed for the built-in providers, from the discovery
//! document for OpenID Connect ones (fetched on first use and kept; a failed fetch is
//! retried on the next sign-in).

use std::time::Duration;

use jsonwebtoken::Algorithm;
use serde::Deserialize;

use super::http::{ProviderError, ProviderHttp};
use super::provider::{ProviderKind, SocialProvider};

/// How ID tokens of a provider are checked.
#[derive(Clone, Debug)]
pub(crate) struct IdTokenRules {
    /// The key set.
    pub jwks_uri: String,
    /// Accepted `iss` values; empty for Microsoft's multi-tenant endpoints, whose
    /// issuer names the token's own tenant (checked against `tid`).
    pub issuers: Vec<String>,
    /// Accepted signature algorithms.
    pub algorithms: Vec<Algorithm>,
    /// The oldest `iat` accepted, where better-auth sets one (one hour).
    pub max_age: Option<Duration>,
    /// Microsoft: `iss` must be `{authority}/{tid}/v2.0`.
    pub microsoft_authority: Option<String>,
}

/// A provider's endpoints.
#[derive(Clone, Debug)]
pub(crate) struct Endpoints {
    pub authorization: String,
    pub token: String,
    pub user_info: Option<String>,
    /// The issuer an authorization response's `iss` must name (discovered providers).
    pub issuer: Option<String>,
    /// Set when the provider's ID tokens can be verified.
    pub id_token: Option<IdTokenRules>,
    /// An OpenID Connect provider (it lists ID-token signing algorithms).
    pub is_oidc: bool,
}

const HOUR: Option<Duration> = Some(Duration::from_secs(3600));

/// The subset of an OpenID Connect discovery document Keyward reads.
#[derive(Deserialize)]
struct Discovery {
    issuer: Option<String>,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    userinfo_endpoint: Option<String>,
    jwks_uri: Option<String>,
    #[serde(default)]
    id_token_signing_alg_values_supported: Vec<String>,
}

fn algorithm(name: &str) -> Option<Algorithm> {
    name.parse()
        .ok()
        .filter(|alg| *alg != Algorithm::HS256 && *alg != Algorithm::HS384 && *alg != Algorithm::HS512)
}

/// The endpoints of `provider`; only OpenID Connect providers need the network.
pub(crate) async fn resolve(provider: &SocialProvider, http: &ProviderHttp) -> Result<Endpoints, ProviderError> {
    let fixed = |authorization: &str, token: &str, user_info: Option<&str>, id_token: Option<IdTokenRules>| Endpoints {
        authorization: authorization.to_owned(),
        token: token.to_owned(),
        user_info: user_info.map(str::to_owned),
        issuer: None,
        id_token,
        is_oidc: false,
    };
    let rs256 = vec![Algorithm::RS256];
    Ok(match &provider.kind {
        ProviderKind::Github => fixed(
            "https://github.com/login/oauth/authorize",
            "https://github.com/login/oauth/access_token",
            Some("https://api.github.com/user"),
            None,
        ),
        ProviderKind::Google => fixed(
            "https://accounts.google.com/o/oauth2/v2/auth",
            "https://oauth2.googleapis.com/token",
            None,
            Some(IdTokenRules {
                jwks_uri: "https://www.googleapis.com/oauth2/v3/certs".to_owned(),
                issuers: vec![
                    "https://accounts.google.com".to_owned(),
                    "accounts.google.com".to_owned(),
                ],
                algorithms: rs256,
                max_age: HOUR,
                microsoft_authority: None,
            }),
        ),
        ProviderKind::Apple => fixed(
            "https://appleid.apple.com/auth/authorize",
            "https://appleid.apple.com/auth/token",
            None,
            Some(IdTokenRules {
                jwks_uri: "https://appleid.apple.com/auth/keys".to_owned(),
                issuers: vec!["https://appleid.apple.com".to_owned()],
                algorithms: rs256,
                max_age: HOUR,
                microsoft_authority: None,
            }),
        ),
        ProviderKind::Microsoft { tenant, authority } => {
            let base = format!("{}/{tenant}", authority.trim_end_matches('/'));
            let specific = !matches!(tenant.as_str(), "common" | "organizations" | "consumers");
            fixed(
                &format!("{base}/oauth2/v2.0/authorize"),
                &format!("{base}/oauth2/v2.0/token"),
                None,
                Some(IdTokenRules {
                    jwks_uri: format!("{base}/discovery/v2.0/keys"),
                    issuers: if specific {
                        vec![format!("{base}/v2.0")]
                    } else {
                        Vec::new()
                    },
                    algorithms: rs256,
                    max_age: HOUR,
                    microsoft_authority: Some(authority.trim_end_matches('/').to_owned()),
                }),
            )
        }
        ProviderKind::Discord => fixed(
            "https://discord.com/api/oauth2/authorize",
            "https://discord.com/api/oauth2/token",
            Some("https://discord.com/api/users/@me"),
            None,
        ),
        ProviderKind::Gitlab { issuer } => fixed(
            &format!("{issuer}/oauth/authorize"),
            &format!("{issuer}/oauth/token"),
            Some(&format!("{issuer}/api/v4/user")),
            None,
        ),
        ProviderKind::Facebook => fixed(
            "https://www.facebook.com/v24.0/dialog/oauth",
            "https://graph.facebook.com/v24.0/oauth/access_token",
            Some("https://graph.facebook.com/me?fields=id,name,email,picture"),
            Some(IdTokenRules {
                jwks_uri: "https://limited.facebook.com/.well-known/oauth/openid/jwks/".to_owned(),
                issuers: vec!["https://www.facebook.com".to_owned()],
                algorithms: rs256,
                max_age: None,
                microsoft_authority: None,
            }),
        ),
        ProviderKind::OAuth2 {
            authorization_url,
            token_url,
            user_info_url,
        } => fixed(authorization_url, token_url, Some(user_info_url), None),
        ProviderKind::OpenIdConnect { discovery_url } => {
            let document: Discovery = serde_json::from_value(http.get_json(discovery_url, None).await?)
                .map_err(|e| ProviderError::Invalid(format!("discovery document: {e}")))?;
            let (Some(authorization), Some(token)) = (document.authorization_endpoint, document.token_endpoint) else {
                return Err(ProviderError::Invalid(
                    "the discovery document names no authorization or token endpoint".into(),
                ));
            };
            let algorithms: Vec<Algorithm> = document
                .id_token_signing_alg_values_supported
                .iter()
                .filter_map(|name| algorithm(name))
                .collect();
            let is_oidc = !document.id_token_signing_alg_values_supported.is_empty();
            let id_token = match (&document.jwks_uri, &document.issuer) {
                (Some(jwks_uri), Some(issuer)) => Some(IdTokenRules {
                    jwks_uri: jwks_uri.clone(),
                    issuers: vec![issuer.clone()],
                    algorithms: if algorithms.is_empty() {
                        vec![Algorithm::RS256]
                    } else {
                        algorithms
                    },
                    max_age: None,
                    microsoft_authority: None,
                }),
                _ => None,
            };
            Endpoints {
                authorization,
                token,
                user_info: document.userinfo_endpoint,
                issuer: document.issuer,
                id_token,
                is_oidc,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn built_in_endpoints_are_better_auths() {
        let http = ProviderHttp::new(Duration::from_secs(1));
        let microsoft = resolve(&SocialProvider::microsoft("id", "secret", "common"), &http)
            .await
            .expect("fixed");
        assert_eq!(
            microsoft.authorization,
            "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
        );
        let rules = microsoft.id_token.expect("verifiable");
        assert!(rules.issuers.is_empty(), "the tenant's issuer is checked against tid");
        let tenant = resolve(&SocialProvider::microsoft("id", "secret", "contoso-id"), &http)
            .await
            .expect("fixed");
        assert_eq!(
            tenant.id_token.expect("verifiable").issuers,
            ["https://login.microsoftonline.com/contoso-id/v2.0"]
        );
        let gitlab = resolve(
            &SocialProvider::gitlab("id", "secret", "https://git.example.com/"),
            &http,
        )
        .await
        .expect("fixed");
        assert_eq!(gitlab.user_info.as_deref(), Some("https://git.example.com/api/v4/user"));
        let github = resolve(&SocialProvider::github("id", "secret"), &http)
            .await
            .expect("fixed");
        assert!(github.id_token.is_none());
    }

    #[test]
    fn symmetric_algorithms_are_never_accepted_from_a_discovery_document() {
        assert_eq!(algorithm("RS256"), Some(Algorithm::RS256));
        assert_eq!(algorithm("ES256"), Some(Algorithm::ES256));
        assert_eq!(algorithm("HS256"), None);
        assert_eq!(algorithm("none"), None);
    }
}
