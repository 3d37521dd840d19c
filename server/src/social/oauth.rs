//! The OAuth 2.0 exchanges with a provider, by the `oauth2` crate: the authorization URL
//! (state, PKCE S256, scopes, nonce and the provider's extra parameters), the code
//! exchange and the refresh, each over [`ProviderHttp`].

use chrono::{DateTime, Utc};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, Client, ClientId, CsrfToken, EndpointNotSet, EndpointSet, ExtraTokenFields,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, ResponseType, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

use super::endpoints::Endpoints;
use super::http::{ProviderError, ProviderHttp};
use super::provider::{ProviderKind, SocialProvider, TokenAuth};

/// The token-response fields beyond RFC 6749's.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub(crate) struct ProviderFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token_expires_in: Option<u64>,
}

impl ExtraTokenFields for ProviderFields {}

type ProviderTokenResponse = StandardTokenResponse<ProviderFields, BasicTokenType>;

type OAuthClient = Client<
    BasicErrorResponse,
    ProviderTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Tokens from a code exchange or a refresh, as better-auth maps them.
#[derive(Clone, Debug, Default)]
pub(crate) struct ProviderTokens {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    pub access_token_expires_at: Option<DateTime<Utc>>,
    pub refresh_token_expires_at: Option<DateTime<Utc>>,
    /// The granted scopes the provider reported (none when it reported none).
    pub scopes: Vec<String>,
}

/// What the authorization URL carries for one flow.
pub(crate) struct AuthorizationRequest<'a> {
    pub state: &'a str,
    pub code_verifier: &'a str,
    pub redirect_uri: &'a str,
    /// The request's scopes, asked for besides the provider's.
    pub scopes: &'a [String],
    pub login_hint: Option<&'a str>,
    pub nonce: Option<&'a str>,
    pub additional_params: &'a [(String, String)],
}

/// The parameters a request may not set through `additionalParams`.
pub(crate) const RESERVED_PARAMS: &[&str] = &[
    "state",
    "client_id",
    "redirect_uri",
    "response_type",
    "code_challenge",
    "code_challenge_method",
    "nonce",
    "scope",
];

fn client(provider: &SocialProvider, endpoints: &Endpoints, redirect_uri: &str) -> Result<OAuthClient, ProviderError> {
    let invalid = |what: &str, e: url::ParseError| ProviderError::Invalid(format!("{what}: {e}"));
    let mut client = Client::new(ClientId::new(provider.client_id.clone()))
        .set_auth_uri(AuthUrl::new(endpoints.authorization.clone()).map_err(|e| invalid("authorization URL", e))?)
        .set_token_uri(TokenUrl::new(endpoints.token.clone()).map_err(|e| invalid("token URL", e))?)
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).map_err(|e| invalid("redirect URI", e))?)
        .set_auth_type(match provider.token_auth {
            TokenAuth::Post => AuthType::RequestBody,
            TokenAuth::Basic => AuthType::BasicAuth,
        });
    if let Some(secret) = &provider.client_secret {
        client = client.set_client_secret(oauth2::ClientSecret::new(secret.expose().to_owned()));
    }
    Ok(client)
}

/// The URL that sends the user to the provider.
pub(crate) fn authorization_url(
    provider: &SocialProvider,
    endpoints: &Endpoints,
    request: &AuthorizationRequest<'_>,
) -> Result<Url, ProviderError> {
    let client = client(provider, endpoints, request.redirect_uri)?;
    let state = request.state.to_owned();
    // genericOAuth puts the request's scopes first (and `openid` first of all for an
    // OpenID Connect provider); the built-in providers put the configured ones first.
    // Repeats are kept, as better-auth keeps them.
    let scopes = if provider.is_generic() {
        let mut scopes: Vec<String> = request.scopes.to_vec();
        scopes.extend(provider.configured_scopes());
        if endpoints.is_oidc && !scopes.iter().any(|s| s == "openid") {
            scopes.insert(0, "openid".to_owned());
        }
        scopes
    } else {
        let mut scopes = provider.configured_scopes();
        scopes.extend(request.scopes.iter().cloned());
        scopes
    };
    let mut builder = client
        .authorize_url(move || CsrfToken::new(state))
        .add_scopes(scopes.into_iter().map(Scope::new));
    if matches!(provider.kind, ProviderKind::Apple) {
        builder = builder
            .set_response_type(&ResponseType::new("code id_token".to_owned()))
            .add_extra_param("response_mode", "form_post");
    }
    if let Some(hint) = request.login_hint {
        builder = builder.add_extra_param("login_hint", hint);
    }
    if let Some(nonce) = request.nonce {
        builder = builder.add_extra_param("nonce", nonce);
    }
    if let Some(prompt) = &provider.prompt {
        builder = builder.add_extra_param("prompt", prompt);
    }
    if let Some(access_type) = &provider.access_type {
        builder = builder.add_extra_param("access_type", access_type);
    }
    if provider.pkce {
        // RFC 7636: 43 to 128 characters (the crate asserts it).
        if !(43..=128).contains(&request.code_verifier.len()) {
            return Err(ProviderError::Invalid(
                "the PKCE verifier is not 43 to 128 characters".into(),
            ));
        }
        let verifier = PkceCodeVerifier::new(request.code_verifier.to_owned());
        builder = builder.set_pkce_challenge(PkceCodeChallenge::from_code_verifier_sha256(&verifier));
    }
    if matches!(provider.kind, ProviderKind::Google) {
        builder = builder.add_extra_param("include_granted_scopes", "true");
    }
    for (name, value) in request.additional_params {
        if !RESERVED_PARAMS.contains(&name.as_str()) {
            builder = builder.add_extra_param(name.clone(), value.clone());
        }
    }
    let endpoint_params = Url::parse(&endpoints.authorization)
        .map(|url| url.query_pairs().count())
        .unwrap_or(0);
    Ok(in_better_auths_order(builder.url().0, endpoint_params))
}

/// The order better-auth's `createAuthorizationURL` writes parameters in; others (the
/// provider's extra ones) follow in the order they were added.
const PARAMETER_ORDER: &[&str] = &[
    "response_type",
    "client_id",
    "state",
    "scope",
    "redirect_uri",
    "duration",
    "display",
    "login_hint",
    "nonce",
    "prompt",
    "hd",
    "access_type",
    "response_mode",
    "code_challenge_method",
    "code_challenge",
    "claims",
];

/// The authorization URL with its parameters in better-auth's order (the endpoint's own
/// query first), so both servers send byte-identical URLs but for the random values.
fn in_better_auths_order(mut url: Url, endpoint_params: usize) -> Url {
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let (endpoint, added) = pairs.split_at(endpoint_params.min(pairs.len()));
    let rank = |name: &str| {
        PARAMETER_ORDER
            .iter()
            .position(|p| *p == name)
            .unwrap_or(PARAMETER_ORDER.len())
    };
    let mut added = added.to_vec();
    added.sort_by_key(|(name, _)| rank(name));
    url.query_pairs_mut()
        .clear()
        .extend_pairs(endpoint.iter().chain(&added));
    url
}

fn describe<E>(error: RequestTokenError<ProviderError, E>) -> ProviderError
where
    E: oauth2::ErrorResponse + std::fmt::Display,
{
    match error {
        RequestTokenError::ServerResponse(response) => ProviderError::Invalid(format!("refused: {response}")),
        RequestTokenError::Request(error) => error,
        RequestTokenError::Parse(error, body) => ProviderError::Invalid(format!(
            "{error} in {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        )),
        RequestTokenError::Other(message) => ProviderError::Invalid(message),
    }
}

fn tokens(response: &ProviderTokenResponse, default_lifetime: Option<std::time::Duration>) -> ProviderTokens {
    let now = Utc::now();
    let after = |seconds: u64| {
        (seconds > 0)
            .then(|| chrono::Duration::try_seconds(seconds as i64).map(|d| now + d))
            .flatten()
    };
    let lifetime = response.expires_in().or(default_lifetime);
    ProviderTokens {
        access_token: Some(response.access_token().secret().clone()),
        refresh_token: response.refresh_token().map(|t| t.secret().clone()),
        id_token: response.extra_fields().id_token.clone(),
        access_token_expires_at: lifetime.and_then(|d| after(d.as_secs())),
        refresh_token_expires_at: response.extra_fields().refresh_token_expires_in.and_then(after),
        scopes: response
            .scopes()
            .map(|scopes| scopes.iter().map(|s| s.to_string()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default(),
    }
}

/// Exchanges an authorization code (with the PKCE verifier when the flow used one).
pub(crate) async fn exchange_code(
    provider: &SocialProvider,
    endpoints: &Endpoints,
    http: &ProviderHttp,
    code: &str,
    code_verifier: &str,
    redirect_uri: &str,
) -> Result<ProviderTokens, ProviderError> {
    let client = client(provider, endpoints, redirect_uri)?;
    let mut request = client.exchange_code(AuthorizationCode::new(code.to_owned()));
    if provider.pkce {
        request = request.set_pkce_verifier(PkceCodeVerifier::new(code_verifier.to_owned()));
    }
    let response = request.request_async(http).await.map_err(describe)?;
    Ok(tokens(&response, provider.access_token_expires_in))
}

/// Gets a new access token with a refresh token.
pub(crate) async fn refresh(
    provider: &SocialProvider,
    endpoints: &Endpoints,
    http: &ProviderHttp,
    refresh_token: &str,
    redirect_uri: &str,
) -> Result<ProviderTokens, ProviderError> {
    let client = client(provider, endpoints, redirect_uri)?;
    let refresh_token = RefreshToken::new(refresh_token.to_owned());
    let mut request = client.exchange_refresh_token(&refresh_token);
    if let ProviderKind::Microsoft { .. } = provider.kind {
        request = request.add_scopes(provider.configured_scopes().into_iter().map(Scope::new));
    }
    let response = request.request_async(http).await.map_err(describe)?;
    Ok(tokens(&response, provider.access_token_expires_in))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoints() -> Endpoints {
        Endpoints {
            authorization: "https://idp.example.com/authorize?tenant=a".to_owned(),
            token: "https://idp.example.com/token".to_owned(),
            user_info: None,
            issuer: None,
            id_token: None,
            is_oidc: true,
        }
    }

    #[test]
    fn the_authorization_url_carries_state_pkce_scopes_and_nonce() {
        let provider = SocialProvider::openid_connect("corp", "https://idp.example.com/.well-known", "client", "s")
            .with_scopes(["email", "profile"]);
        let verifier = "v".repeat(128);
        let request = AuthorizationRequest {
            state: "the-state",
            code_verifier: &verifier,
            redirect_uri: "https://auth.example.com/api/auth/callback/corp",
            scopes: &["offline_access".to_owned()],
            login_hint: Some("a@b.c"),
            nonce: Some("n-1"),
            additional_params: &[
                ("state".to_owned(), "evil".to_owned()),
                ("foo".to_owned(), "bar baz".to_owned()),
            ],
        };
        let url = authorization_url(&provider, &endpoints(), &request).expect("url");
        let query: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(query["tenant"], "a");
        assert_eq!(query["state"], "the-state");
        assert_eq!(query["client_id"], "client");
        assert_eq!(query["scope"], "openid offline_access email profile");
        assert_eq!(query["code_challenge_method"], "S256");
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier));
        assert_eq!(&query["code_challenge"], challenge.as_str());
        assert_eq!(query["nonce"], "n-1");
        assert_eq!(query["login_hint"], "a@b.c");
        assert_eq!(query["foo"], "bar baz");
        assert_eq!(url.query_pairs().filter(|(k, _)| k == "state").count(), 1);
        let names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
        assert_eq!(
            names,
            [
                "tenant",
                "response_type",
                "client_id",
                "state",
                "scope",
                "redirect_uri",
                "login_hint",
                "nonce",
                "code_challenge_method",
                "code_challenge",
                "foo"
            ],
            "better-auth's order"
        );
    }

    #[test]
    fn built_in_providers_put_their_scopes_first_and_apple_posts_the_form() {
        let apple = SocialProvider::apple("app", "jwt");
        let verifier = "v".repeat(43);
        let request = AuthorizationRequest {
            state: "s",
            code_verifier: &verifier,
            redirect_uri: "https://auth.example.com/api/auth/callback/apple",
            scopes: &["extra".to_owned()],
            login_hint: None,
            nonce: None,
            additional_params: &[],
        };
        let url = authorization_url(&apple, &endpoints(), &request).expect("url");
        let query: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(query["scope"], "email name extra");
        assert_eq!(query["response_type"], "code id_token");
        assert_eq!(query["response_mode"], "form_post");
    }
}
