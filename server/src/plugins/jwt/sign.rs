//! Choosing, making and using the signing keys, and the tokens of sessions, as
//! better-auth's jwt plugin does: the newest live key of the configured algorithm signs
//! (a new one is made when there is none, or when rotation expired it), `/jwks` lists
//! every key until its grace period ends, and a session's token carries the user.

use chrono::{DateTime, Utc};
use keyward_verifier::jose::{self, ExpectedClaims, VerifyingKey};
use serde_json::{Map, Value};

use super::keys::{self, KeyError};
use super::store::{self, StoredKey};
use super::{JwtConfig, JwtKeyAlgorithm};
use crate::auth::Auth;
use crate::crypto::generate_id;
use crate::error::{ApiError, ApiResult};
use keyward_client::wire::time::now_millis;
use keyward_client::wire::{JsonWebKeySet, JsonWebToken, PublicJwk, SessionData};

/// The algorithm of `key`: its `alg`, or the configured one for rows without it.
fn algorithm_of<'a>(config: &JwtConfig, key: &'a StoredKey) -> &'a str {
    key.alg.as_deref().unwrap_or(config.algorithm.as_str())
}

fn key_error(error: KeyError) -> ApiError {
    ApiError::internal("jwt signing key", error)
}

fn db_error(error: sqlx::Error) -> ApiError {
    error.into()
}

/// Makes and stores a new key of the configured algorithm.
pub(super) async fn create_key(auth: &Auth, config: &JwtConfig) -> ApiResult<StoredKey> {
    let pair = keys::generate(config.algorithm).map_err(key_error)?;
    let private = Value::Object(pair.private).to_string();
    let private_key = if config.disable_private_key_encryption {
        private
    } else {
        // better-auth stores the JSON string of the ciphertext, quotes included.
        Value::String(auth.0.encryption.encrypt(&private)).to_string()
    };
    let now = now_millis();
    let rotation = config
        .rotation_interval
        .and_then(|every| chrono::Duration::from_std(every).ok());
    let key = StoredKey {
        id: generate_id(),
        public_key: Value::Object(pair.public).to_string(),
        private_key,
        created_at: now,
        expires_at: rotation.map(|every| now + every),
        alg: Some(config.algorithm.as_str().to_owned()),
        crv: pair.crv.map(str::to_owned),
    };
    let mut db = auth.0.db.clone();
    store::insert(&mut db, &key).await.map_err(db_error)?;
    Ok(key)
}

/// Rotates the keys on demand: a new key of the configured algorithm signs from now on,
/// and every other live key expires now, so it stays in `/jwks` only for the grace period
/// (the tokens it signed keep verifying until then). Answers the new key as published.
pub(crate) async fn rotate_key(auth: &Auth, config: &JwtConfig) -> ApiResult<PublicJwk> {
    let key = create_key(auth, config).await?;
    let mut db = auth.0.db.clone();
    store::expire_all_but(&mut db, &key.id, key.created_at)
        .await
        .map_err(db_error)?;
    public_jwk(config, &key).ok_or_else(|| key_error(KeyError("the new key's public half is not JSON".into())))
}

/// The key that signs now: the newest live key of the configured algorithm, else the
/// newest live key Keyward can sign with, else a new one.
pub(super) async fn signing_key(auth: &Auth, config: &JwtConfig) -> ApiResult<StoredKey> {
    let mut db = auth.0.db.clone();
    let now = Utc::now();
    let keys = store::all(&mut db).await.map_err(db_error)?;
    let live = || keys.iter().filter(|key| key.is_live(now));
    let chosen = live()
        .find(|key| algorithm_of(config, key) == config.algorithm.as_str())
        .or_else(|| live().find(|key| JwtKeyAlgorithm::parse(algorithm_of(config, key)).is_some()));
    match chosen {
        Some(key) => Ok(key.clone()),
        None => create_key(auth, config).await,
    }
}

/// The private JWK of a stored key: decrypted unless it was stored as plain JWK JSON.
fn private_jwk(auth: &Auth, key: &StoredKey) -> ApiResult<String> {
    let text = key.private_key.trim();
    if text.starts_with('{') {
        return Ok(text.to_owned());
    }
    let sealed: String = serde_json::from_str(text).unwrap_or_else(|_| text.to_owned());
    auth.0
        .encryption
        .decrypt(&sealed)
        .map_err(|error| ApiError::internal("failed to decrypt the private key of a jwks row", error))
}

/// Signs `claims` with `key` (header `{alg, kid}`, no `typ`, as better-auth's).
pub(super) fn sign_with(
    auth: &Auth,
    config: &JwtConfig,
    key: &StoredKey,
    claims: &Map<String, Value>,
) -> ApiResult<String> {
    let name = algorithm_of(config, key);
    let algorithm =
        JwtKeyAlgorithm::parse(name).ok_or_else(|| key_error(KeyError(format!("cannot sign with {name}"))))?;
    let signing = keys::signing_key(&private_jwk(auth, key)?).map_err(key_error)?;
    signing.sign(algorithm, &key.id, claims).map_err(key_error)
}

/// The base URL's origin: the default issuer and audience.
fn origin(auth: &Auth) -> String {
    auth.0.config.base_url.origin().ascii_serialization()
}

/// `claims` completed as better-auth's `signJWT` completes them: `exp` from the lifetime,
/// `iss` and `aud` from the options or the base URL's origin, unless present.
fn complete(auth: &Auth, config: &JwtConfig, claims: &mut Map<String, Value>, iat: i64) {
    if !claims.contains_key("exp") {
        let lifetime = i64::try_from(config.expiration_time.as_secs()).unwrap_or(i64::MAX);
        claims.insert("exp".into(), Value::from(iat.saturating_add(lifetime)));
    }
    if !claims.contains_key("iss") {
        let issuer = config.issuer.clone().unwrap_or_else(|| origin(auth));
        claims.insert("iss".into(), Value::String(issuer));
    }
    if !claims.contains_key("aud") {
        let audience = match config.audience.as_slice() {
            [] => Value::String(origin(auth)),
            [one] => Value::String(one.clone()),
            many => Value::from(many.to_vec()),
        };
        claims.insert("aud".into(), audience);
    }
}

/// The token of a session (`/token` and `set-auth-jwt`): `iat`, the user (or
/// `define_payload`'s claims), `sub` the user's id, then `exp`, `iss`, `aud`.
pub(super) async fn session_token(auth: &Auth, config: &JwtConfig, session: &SessionData) -> ApiResult<JsonWebToken> {
    let now: DateTime<Utc> = Utc::now();
    let iat = now.timestamp();
    let mut claims = Map::new();
    claims.insert("iat".into(), Value::from(iat));
    let payload = match &config.define_payload {
        Some(define) => define.payload(session),
        None => match serde_json::to_value(&session.user) {
            Ok(Value::Object(user)) => user,
            _ => Map::new(),
        },
    };
    claims.extend(payload);
    claims.insert("sub".into(), Value::String(session.user.id.clone()));
    complete(auth, config, &mut claims, iat);
    let key = signing_key(auth, config).await?;
    sign_with(auth, config, &key, &claims).map(JsonWebToken::new)
}

/// The key set `/jwks` publishes: every key whose grace period has not ended (a first
/// key is made when there is none at all).
pub(super) async fn published_keys(auth: &Auth, config: &JwtConfig) -> ApiResult<JsonWebKeySet> {
    let mut db = auth.0.db.clone();
    let mut keys = store::all(&mut db).await.map_err(db_error)?;
    if keys.is_empty() {
        keys.push(create_key(auth, config).await?);
    }
    let now = Utc::now();
    let grace = chrono::Duration::from_std(config.grace_period).unwrap_or(chrono::Duration::MAX);
    let listed = keys
        .iter()
        .filter(|key| key.expires_at.is_none_or(|expires| expires + grace > now))
        .filter_map(|key| public_jwk(config, key))
        .collect();
    Ok(JsonWebKeySet { keys: listed })
}

/// A stored key as `/jwks` lists it: `alg`, `crv`, the public JWK's members, `kid`.
fn public_jwk(config: &JwtConfig, key: &StoredKey) -> Option<PublicJwk> {
    let public: Map<String, Value> = match serde_json::from_str(&key.public_key) {
        Ok(public) => public,
        Err(error) => {
            tracing::error!(kid = %key.id, %error, "a jwks row's public key is not JSON");
            return None;
        }
    };
    let member = |name: &str| public.get(name).and_then(Value::as_str).map(str::to_owned);
    Some(PublicJwk {
        alg: algorithm_of(config, key).to_owned(),
        crv: key.crv.clone().or_else(|| member("crv")),
        kty: member("kty").unwrap_or_default(),
        x: member("x"),
        y: member("y"),
        n: member("n"),
        e: member("e"),
        kid: key.id.clone(),
    })
}

/// Signs `claims` as better-auth's server-only `signJWT` does: the current key, and
/// `exp`, `iss`, `aud` added unless present (no `iat` unless given).
pub(crate) async fn sign_claims(
    auth: &Auth,
    config: &JwtConfig,
    mut claims: Map<String, Value>,
) -> ApiResult<JsonWebToken> {
    let now = claims
        .get("iat")
        .and_then(Value::as_i64)
        .unwrap_or_else(|| Utc::now().timestamp());
    complete(auth, config, &mut claims, now);
    let key = signing_key(auth, config).await?;
    sign_with(auth, config, &key, &claims).map(JsonWebToken::new)
}

/// The claims of `token` as better-auth's server-only `verifyJWT` accepts them: signed
/// by the stored key its `kid` names (an expired key too) with that key's algorithm, not
/// expired, issued by and addressed to this server (or the configured issuer and
/// audience), with `sub` and `aud`; `None` for anything else.
pub(crate) async fn verify_token(
    auth: &Auth,
    config: &JwtConfig,
    token: &str,
) -> ApiResult<Option<Map<String, Value>>> {
    let Ok(kid) = jose::key_id(token) else {
        return Ok(None);
    };
    let mut db = auth.0.db.clone();
    let Some(key) = store::find(&mut db, &kid).await.map_err(db_error)? else {
        return Ok(None);
    };
    let Some(verifying) = public_jwk(config, &key).and_then(|public| VerifyingKey::from_published(&public)) else {
        return Ok(None);
    };
    let audiences = if config.audience.is_empty() {
        vec![origin(auth)]
    } else {
        config.audience.clone()
    };
    let expected = ExpectedClaims {
        issuers: vec![config.issuer.clone().unwrap_or_else(|| origin(auth))],
        audiences,
        required: &["exp", "sub", "aud"],
    };
    Ok(jose::verify(token, &verifying, &expected).ok())
}
