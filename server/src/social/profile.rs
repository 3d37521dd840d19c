//! Who the user is at the provider: each provider's user-info call (or ID token) and its
//! mapping to better-auth's `{id, name, email, image, emailVerified}`.

use serde_json::{Map, Value};

use super::http::ProviderHttp;
use super::id_token::claims_unverified;
use super::oauth::ProviderTokens;
use super::provider::ProviderKind;

/// The user as a provider describes them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ProviderProfile {
    /// The provider's user id (the account row's `accountId`).
    pub account_id: String,
    pub name: String,
    pub email: Option<String>,
    pub image: Option<String>,
    pub email_verified: bool,
    /// The raw profile (`/account-info`'s `data`).
    pub data: Value,
}

/// better-auth's `parseStringBoolean`: `true` and `"true"` only.
fn truthy(value: Option<&Value>) -> bool {
    matches!(value, Some(Value::Bool(true))) || value.and_then(Value::as_str) == Some("true")
}

/// A JSON id as better-auth's `String(...)` gives it; nothing for null or missing.
fn id_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn text(profile: &Map<String, Value>, key: &str) -> Option<String> {
    profile
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Maps an OpenID Connect claim set (Google, Apple, Microsoft, Facebook's limited login,
/// generic providers).
fn from_claims(kind: &ProviderKind, claims: Map<String, Value>, apple_user: Option<&Value>) -> Option<ProviderProfile> {
    let account_id = match kind {
        ProviderKind::Microsoft { .. } => id_text(claims.get("oid"))?,
        ProviderKind::Facebook => id_text(claims.get("sub")).or_else(|| id_text(claims.get("id")))?,
        _ => id_text(claims.get("sub"))?,
    };
    let email_verified = match kind {
        ProviderKind::Facebook => false,
        ProviderKind::Microsoft { .. } if !claims.contains_key("email_verified") => {
            let email = claims.get("email");
            ["verified_primary_email", "verified_secondary_email"]
                .iter()
                .any(|key| {
                    claims
                        .get(*key)
                        .and_then(Value::as_array)
                        .is_some_and(|list| email.is_some_and(|email| list.contains(email)))
                })
        }
        _ => truthy(claims.get("email_verified")),
    };
    let name = match (kind, apple_user) {
        (ProviderKind::Apple, Some(user)) => {
            let part = |key: &str| {
                user.pointer(&format!("/name/{key}"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
            };
            let full = format!("{} {}", part("firstName"), part("lastName")).trim().to_owned();
            if full.is_empty() {
                text(&claims, "name").unwrap_or_default()
            } else {
                full
            }
        }
        _ => text(&claims, "name").unwrap_or_default(),
    };
    let image = match kind {
        ProviderKind::Apple => None,
        _ => text(&claims, "picture"),
    };
    let mut data = Map::new();
    data.insert("id".to_owned(), Value::String(account_id.clone()));
    data.insert("emailVerified".to_owned(), Value::Bool(email_verified));
    data.insert(
        "image".to_owned(),
        image.clone().map(Value::String).unwrap_or(Value::Null),
    );
    data.extend(claims.clone());
    Some(ProviderProfile {
        account_id,
        name,
        email: text(&claims, "email"),
        image,
        email_verified,
        data: Value::Object(data),
    })
}

/// The profile of the user the tokens belong to. `verified_claims` are the ID token's
/// claims when the caller verified it (generic OpenID Connect providers, ID-token
/// sign-in); other providers' ID tokens came straight from their token endpoint.
pub(crate) async fn fetch(
    kind: &ProviderKind,
    user_info_url: Option<&str>,
    http: &ProviderHttp,
    tokens: &ProviderTokens,
    verified_claims: Option<Map<String, Value>>,
    apple_user: Option<&Value>,
) -> Option<ProviderProfile> {
    let access = tokens.access_token.as_deref();
    let decoded = || tokens.id_token.as_deref().and_then(claims_unverified);
    match kind {
        ProviderKind::Google | ProviderKind::Apple => from_claims(kind, verified_claims.or_else(decoded)?, apple_user),
        ProviderKind::Microsoft { .. } => {
            let mut profile = from_claims(kind, verified_claims.or_else(decoded)?, None)?;
            if let Some(access) = access {
                // better-auth's default: the 48×48 photo from Microsoft Graph as a data URI.
                let photo = "https://graph.microsoft.com/v1.0/me/photos/48x48/$value";
                if let Ok((content_type, bytes)) = http.get_bytes(photo, access).await {
                    profile.image = Some(photo_data_uri(&content_type, &bytes));
                }
            }
            Some(profile)
        }
        ProviderKind::Facebook => match verified_claims.or_else(decoded) {
            Some(claims) => from_claims(kind, claims, None),
            None => facebook_graph_profile(http.get_json(user_info_url?, access).await.ok()?),
        },
        ProviderKind::Github => github(http, user_info_url?, access?).await,
        ProviderKind::Discord => {
            let profile = http.get_json(user_info_url?, access).await.ok()?;
            discord(profile)
        }
        ProviderKind::Gitlab { .. } => {
            let profile = http.get_json(user_info_url?, access).await.ok()?;
            let object = profile.as_object()?;
            if object.get("state").and_then(Value::as_str) != Some("active")
                || object.get("locked").and_then(Value::as_bool) == Some(true)
            {
                return None;
            }
            Some(ProviderProfile {
                account_id: id_text(object.get("id"))?,
                name: text(object, "name")
                    .or_else(|| text(object, "username"))
                    .unwrap_or_default(),
                email: text(object, "email"),
                image: text(object, "avatar_url"),
                email_verified: truthy(object.get("email_verified")),
                data: profile.clone(),
            })
        }
        ProviderKind::OpenIdConnect { .. } | ProviderKind::OAuth2 { .. } => {
            generic(kind, user_info_url, http, access, verified_claims).await
        }
    }
}

fn photo_data_uri(content_type: &str, bytes: &[u8]) -> String {
    format!("data:{content_type};base64,{}", crate::crypto::base64(bytes))
}

/// The answer of Facebook's `debug_token` for an opaque (limited-login) token: the user it
/// belongs to, when it is valid and was issued to one of `app_ids`.
fn facebook_token_user(debug: &Value, app_ids: &[String]) -> Option<String> {
    let data = debug.get("data")?;
    let valid = data.get("is_valid").and_then(Value::as_bool) == Some(true);
    let app = id_text(data.get("app_id"))?;
    (valid && app_ids.contains(&app))
        .then(|| id_text(data.get("user_id")))
        .flatten()
}

/// A Facebook token that is not a JWT (better-auth's `allowOpaqueToken`): checked with the
/// app's credentials at `debug_token`, then the profile of the user it names.
pub(crate) async fn facebook_opaque(
    http: &ProviderHttp,
    token: &str,
    app_ids: &[String],
    app_secret: &str,
) -> Option<ProviderProfile> {
    let mut debug_url = url::Url::parse("https://graph.facebook.com/debug_token").ok()?;
    let app_token = format!("{}|{app_secret}", app_ids.first()?);
    debug_url
        .query_pairs_mut()
        .append_pair("input_token", token)
        .append_pair("access_token", &app_token);
    let debug = http.get_json(debug_url.as_str(), None).await.ok()?;
    let user_id = facebook_token_user(&debug, app_ids)?;
    let profile = http
        .get_json(
            "https://graph.facebook.com/me?fields=id,name,email,picture",
            Some(token),
        )
        .await
        .ok()?;
    facebook_graph_profile(profile).filter(|profile| profile.account_id == user_id)
}

/// Facebook's mapping of a Graph API `/me` answer.
fn facebook_graph_profile(profile: Value) -> Option<ProviderProfile> {
    let object = profile.as_object()?;
    Some(ProviderProfile {
        account_id: id_text(object.get("id"))?,
        name: text(object, "name").unwrap_or_default(),
        email: text(object, "email"),
        image: profile
            .pointer("/picture/data/url")
            .and_then(Value::as_str)
            .map(str::to_owned),
        email_verified: truthy(object.get("email_verified")),
        data: profile.clone(),
    })
}

async fn github(http: &ProviderHttp, user_url: &str, access: &str) -> Option<ProviderProfile> {
    let mut profile = http.get_json(user_url, Some(access)).await.ok()?;
    let emails = http
        .get_json("https://api.github.com/user/emails", Some(access))
        .await
        .ok()
        .and_then(|v| v.as_array().cloned());
    github_profile(&mut profile, emails.as_deref())
}

/// GitHub's mapping; a private address comes from `/user/emails` (the primary one).
fn github_profile(profile: &mut Value, emails: Option<&[Value]>) -> Option<ProviderProfile> {
    let object = profile.as_object_mut()?;
    if text(object, "email").is_none()
        && let Some(list) = emails
    {
        let chosen = list
            .iter()
            .find(|e| e.get("primary").and_then(Value::as_bool) == Some(true))
            .or(list.first());
        if let Some(address) = chosen.and_then(|e| e.get("email")).cloned() {
            object.insert("email".to_owned(), address);
        }
    }
    let email = text(object, "email");
    let email_verified = emails
        .and_then(|list| {
            list.iter()
                .find(|e| e.get("email").and_then(Value::as_str) == email.as_deref())
        })
        .and_then(|e| e.get("verified").and_then(Value::as_bool))
        .unwrap_or(false);
    Some(ProviderProfile {
        account_id: id_text(object.get("id"))?,
        name: text(object, "name")
            .or_else(|| text(object, "login"))
            .unwrap_or_default(),
        email,
        image: text(object, "avatar_url"),
        email_verified,
        data: profile.clone(),
    })
}

/// Discord's mapping, with its default avatar when the user has none.
fn discord(profile: Value) -> Option<ProviderProfile> {
    let object = profile.as_object()?;
    let id = id_text(object.get("id"))?;
    let image = match text(object, "avatar") {
        Some(avatar) => {
            let extension = if avatar.starts_with("a_") { "gif" } else { "png" };
            format!("https://cdn.discordapp.com/avatars/{id}/{avatar}.{extension}")
        }
        None => {
            let discriminator = text(object, "discriminator").unwrap_or_else(|| "0".to_owned());
            let index = if discriminator == "0" {
                id.parse::<u64>().map(|n| (n >> 22) % 6).unwrap_or(0)
            } else {
                discriminator.parse::<u64>().map(|n| n % 5).unwrap_or(0)
            };
            format!("https://cdn.discordapp.com/embed/avatars/{index}.png")
        }
    };
    Some(ProviderProfile {
        account_id: id,
        name: text(object, "global_name")
            .or_else(|| text(object, "username"))
            .unwrap_or_default(),
        email: text(object, "email"),
        image: Some(image),
        email_verified: truthy(object.get("verified")),
        data: profile.clone(),
    })
}

/// genericOAuth's user info: the verified ID token's claims when they name the user and
/// an address, else the user-info endpoint (whose `sub` must be the token's).
async fn generic(
    kind: &ProviderKind,
    user_info_url: Option<&str>,
    http: &ProviderHttp,
    access: Option<&str>,
    claims: Option<Map<String, Value>>,
) -> Option<ProviderProfile> {
    let token_subject = claims.as_ref().and_then(|c| id_text(c.get("sub")));
    if let Some(claims) = &claims
        && claims.contains_key("sub")
        && claims.contains_key("email")
    {
        return from_claims(kind, claims.clone(), None);
    }
    let profile = http.get_json(user_info_url?, access).await.ok()?;
    let object = profile.as_object()?;
    if let Some(subject) = &token_subject
        && id_text(object.get("sub")).as_ref() != Some(subject)
    {
        return None;
    }
    let openid = matches!(kind, ProviderKind::OpenIdConnect { .. });
    let account_id = if openid {
        token_subject.or_else(|| id_text(object.get("sub")))?
    } else {
        id_text(object.get("id"))?
    };
    let email_verified = truthy(object.get("email_verified"));
    let image = text(object, "picture");
    let mut data = object.clone();
    data.insert("emailVerified".to_owned(), Value::Bool(email_verified));
    data.insert(
        "image".to_owned(),
        image.clone().map(Value::String).unwrap_or(Value::Null),
    );
    Some(ProviderProfile {
        account_id,
        name: text(object, "name").unwrap_or_default(),
        email: text(object, "email"),
        image,
        email_verified,
        data: Value::Object(data),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn github_takes_the_primary_private_address_and_its_verification() {
        let mut profile =
            json!({"id": 583231, "login": "octocat", "name": null, "email": null, "avatar_url": "https://a/o.png"});
        let emails = [
            json!({"email": "old@example.com", "primary": false, "verified": true}),
            json!({"email": "octo@example.com", "primary": true, "verified": true}),
        ];
        let mapped = github_profile(&mut profile, Some(&emails)).expect("maps");
        assert_eq!(mapped.account_id, "583231");
        assert_eq!(mapped.name, "octocat");
        assert_eq!(mapped.email.as_deref(), Some("octo@example.com"));
        assert!(mapped.email_verified);
        let mut public = json!({"id": 1, "login": "l", "name": "N", "email": "pub@example.com"});
        let unverified = github_profile(&mut public, None).expect("maps");
        assert!(
            !unverified.email_verified,
            "without the e-mail list nothing is verified"
        );
    }

    #[test]
    fn facebook_opaque_tokens_must_be_valid_and_the_apps() {
        let apps = ["1234".to_owned()];
        let good = json!({"data": {"is_valid": true, "app_id": "1234", "user_id": "99"}});
        assert_eq!(facebook_token_user(&good, &apps).as_deref(), Some("99"));
        let other_app = json!({"data": {"is_valid": true, "app_id": "5678", "user_id": "99"}});
        assert_eq!(facebook_token_user(&other_app, &apps), None);
        let expired = json!({"data": {"is_valid": false, "app_id": "1234", "user_id": "99"}});
        assert_eq!(facebook_token_user(&expired, &apps), None);
        assert_eq!(
            photo_data_uri("image/png", b"\x89PNG"),
            format!("data:image/png;base64,{}", crate::crypto::base64(b"\x89PNG"))
        );
    }

    #[test]
    fn discord_computes_the_default_avatar() {
        let mapped = discord(
            json!({"id": "80351110224678912", "username": "nelly", "global_name": null,
            "discriminator": "0", "avatar": null, "email": "n@example.com", "verified": true}),
        )
        .expect("maps");
        assert_eq!(mapped.name, "nelly");
        assert_eq!(
            mapped.image.as_deref(),
            Some(&*format!(
                "https://cdn.discordapp.com/embed/avatars/{}.png",
                (80351110224678912u64 >> 22) % 6
            ))
        );
        assert!(mapped.email_verified);
        let animated = discord(json!({"id": "1", "username": "u", "avatar": "a_hash"})).expect("maps");
        assert_eq!(
            animated.image.as_deref(),
            Some("https://cdn.discordapp.com/avatars/1/a_hash.gif")
        );
    }

    #[test]
    fn claims_map_per_provider() {
        let claims = |v: Value| v.as_object().cloned().expect("object");
        let microsoft = ProviderKind::Microsoft {
            tenant: "common".into(),
            authority: "https://login.microsoftonline.com".into(),
        };
        let mapped = from_claims(
            &microsoft,
            claims(json!({"sub": "s", "oid": "o-1", "email": "m@example.com", "name": "M",
                "verified_primary_email": ["m@example.com"]})),
            None,
        )
        .expect("maps");
        assert_eq!(mapped.account_id, "o-1");
        assert!(mapped.email_verified);
        let apple = from_claims(
            &ProviderKind::Apple,
            claims(json!({"sub": "a", "email": "a@example.com", "email_verified": "true"})),
            Some(&json!({"name": {"firstName": "Ada", "lastName": "Lovelace"}})),
        )
        .expect("maps");
        assert_eq!(apple.name, "Ada Lovelace");
        assert!(apple.email_verified);
        let facebook = from_claims(
            &ProviderKind::Facebook,
            claims(json!({"sub": "f", "email": "f@example.com", "email_verified": true})),
            None,
        )
        .expect("maps");
        assert!(!facebook.email_verified, "better-auth never trusts Facebook's claim");
    }
}
