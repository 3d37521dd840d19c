//! ID-token verification against the provider's published keys (JWKS), with the
//! `jsonwebtoken` crate: signature, algorithm, issuer, audience, expiry (30 s of leeway,
//! as better-auth's jose call), age where the provider sets one, and the nonce.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
use serde_json::{Map, Value};
use tokio::sync::Mutex;

use super::endpoints::IdTokenRules;
use super::http::ProviderHttp;
use crate::crypto::{hex, sha256};

/// A key set is fetched again for an unknown `kid` at most this often.
const REFETCH_AFTER: Duration = Duration::from_secs(60);

/// Why an ID token was refused (logged; the client sees `INVALID_TOKEN`).
#[derive(Debug, thiserror::Error)]
pub(crate) enum IdTokenError {
    #[error("malformed token: {0}")]
    Malformed(String),
    #[error("algorithm {0:?} is not accepted")]
    Algorithm(jsonwebtoken::Algorithm),
    #[error("no published key matches")]
    UnknownKey,
    #[error("the key set could not be fetched: {0}")]
    Keys(String),
    #[error("{0}")]
    Invalid(String),
    #[error("the nonce does not match")]
    Nonce,
}

/// A provider's key set, kept between verifications.
#[derive(Default)]
pub(crate) struct KeyCache {
    keys: Mutex<Option<(JwkSet, Instant)>>,
}

impl KeyCache {
    async fn key_for(
        &self,
        rules: &IdTokenRules,
        kid: Option<&str>,
        http: &ProviderHttp,
    ) -> Result<DecodingKey, IdTokenError> {
        let mut cached = self.keys.lock().await;
        let find = |set: &JwkSet| match kid {
            Some(kid) => set.find(kid).cloned(),
            None if set.keys.len() == 1 => set.keys.first().cloned(),
            None => None,
        };
        if let Some((set, _)) = cached.as_ref()
            && let Some(jwk) = find(set)
        {
            return DecodingKey::from_jwk(&jwk).map_err(|e| IdTokenError::Malformed(e.to_string()));
        }
        let stale = cached.as_ref().is_none_or(|(_, at)| at.elapsed() >= REFETCH_AFTER);
        if !stale {
            return Err(IdTokenError::UnknownKey);
        }
        let value = http
            .get_json(&rules.jwks_uri, None)
            .await
            .map_err(|e| IdTokenError::Keys(e.to_string()))?;
        let set: JwkSet = serde_json::from_value(value).map_err(|e| IdTokenError::Keys(e.to_string()))?;
        let jwk = find(&set);
        *cached = Some((set, Instant::now()));
        let jwk = jwk.ok_or(IdTokenError::UnknownKey)?;
        DecodingKey::from_jwk(&jwk).map_err(|e| IdTokenError::Malformed(e.to_string()))
    }
}

/// What a verification checks besides the signature.
pub(crate) struct Expectations<'a> {
    pub audiences: &'a [String],
    /// The nonce the token must carry, when the request sent one.
    pub nonce: Option<&'a str>,
    /// Apple's native SDKs put SHA-256(nonce) in the token.
    pub accept_hashed_nonce: bool,
}

/// Verifies `token` and returns its claims.
pub(crate) async fn verify(
    token: &str,
    rules: &IdTokenRules,
    expect: &Expectations<'_>,
    keys: &KeyCache,
    http: &ProviderHttp,
) -> Result<Map<String, Value>, IdTokenError> {
    let header = decode_header(token).map_err(|e| IdTokenError::Malformed(e.to_string()))?;
    if !rules.algorithms.contains(&header.alg) {
        return Err(IdTokenError::Algorithm(header.alg));
    }
    let key = keys.key_for(rules, header.kid.as_deref(), http).await?;
    let mut validation = Validation::new(header.alg);
    validation.algorithms = rules.algorithms.clone();
    validation.leeway = 30;
    validation.set_required_spec_claims(&["iss", "sub", "aud", "exp", "iat"]);
    validation.set_audience(expect.audiences);
    if !rules.issuers.is_empty() {
        validation.set_issuer(&rules.issuers);
    }
    let claims = decode::<Map<String, Value>>(token, &key, &validation)
        .map_err(|e| IdTokenError::Invalid(e.to_string()))?
        .claims;
    if let Some(max_age) = rules.max_age {
        let issued = claims.get("iat").and_then(Value::as_i64).unwrap_or_default();
        let now = chrono::Utc::now().timestamp();
        if now - issued > max_age.as_secs() as i64 + 30 {
            return Err(IdTokenError::Invalid("the token is too old".into()));
        }
    }
    if let Some(authority) = &rules.microsoft_authority {
        let tenant = claims.get("tid").and_then(Value::as_str).unwrap_or_default();
        let issuer = claims.get("iss").and_then(Value::as_str).unwrap_or_default();
        if tenant.is_empty() || issuer != format!("{authority}/{tenant}/v2.0") {
            return Err(IdTokenError::Invalid(
                "the issuer does not name the token's tenant".into(),
            ));
        }
    }
    if let Some(expected) = expect.nonce {
        let actual = claims.get("nonce").and_then(Value::as_str).unwrap_or_default();
        let hashed = expect.accept_hashed_nonce && actual == hex(&sha256(expected.as_bytes()));
        if actual != expected && !hashed {
            return Err(IdTokenError::Nonce);
        }
    }
    Ok(claims)
}

/// The claims of a token the token endpoint itself handed over (better-auth decodes
/// those without a signature check: they came over TLS from the provider).
pub(crate) fn claims_unverified(token: &str) -> Option<Map<String, Value>> {
    jsonwebtoken::dangerous::insecure_decode_claims::<Map<String, Value>>(token).ok()
}
