//! One module per endpoint group, mirroring the protocol (and the server's layout).

pub mod account;
pub mod admin;
pub mod anonymous;
pub mod api_key;
pub mod device_authorization;
pub mod electron;
pub mod email_otp;
pub mod email_verification;
pub mod jwt;
pub mod last_login_method;
pub mod magic_link;
pub mod multi_session;
pub mod one_time_token;
pub mod organization;
pub mod passkey;
pub mod password;
pub mod phone_number;
pub mod session;
pub mod sign_in;
pub mod sign_up;
pub mod two_factor;
pub mod user;
pub mod username;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};

/// A query string from a query type (its `None` fields left out).
pub(crate) fn query_string<B: Serialize>(query: &B) -> Result<String> {
    let value = serde_json::to_value(query).map_err(|e| Error::InvalidRequest { message: e.to_string() })?;
    let mut out = form_urlencoded::Serializer::new(String::new());
    if let Value::Object(map) = value {
        for (key, value) in map {
            match value {
                Value::Null => {}
                Value::String(text) => {
                    out.append_pair(&key, &text);
                }
                // A list is the parameter repeated (better-call reads it back as a list).
                Value::Array(items) => {
                    for item in items {
                        match item {
                            Value::String(text) => out.append_pair(&key, &text),
                            other => out.append_pair(&key, &other.to_string()),
                        };
                    }
                }
                other => {
                    out.append_pair(&key, &other.to_string());
                }
            }
        }
    }
    Ok(out.finish())
}
