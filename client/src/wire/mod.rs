//! The wire protocol of better-auth 1.7, shared by the Keyward client and server.
//!
//! Everything here is plain data: request bodies (with the schema the server enforces),
//! response bodies, models, error codes, secret newtypes, and the endpoints themselves
//! ([`routes`]: each one's method, path and types, once). It has no transport
//! dependency, so the server compiles against exactly the types the client sends.

pub mod account;
pub mod admin;
pub mod anonymous;
pub mod api_key;
pub mod common;
pub mod device_authorization;
pub mod electron;
pub mod email_otp;
pub mod email_verification;
pub mod error;
pub mod jwt;
pub mod magic_link;
pub mod models;
pub mod multi_session;
mod object;
pub mod one_time_token;
pub mod open_api;
pub mod organization;
pub mod passkey;
pub mod password;
pub mod phone_number;
pub mod routes;
pub mod schema;
pub mod secret;
pub mod session;
pub mod sign_in;
pub mod sign_out;
pub mod sign_up;
pub mod time;
pub mod two_factor;
pub mod user;
pub mod username;

pub use account::*;
pub use anonymous::*;
pub use api_key::*;
pub use common::*;
pub use device_authorization::*;
pub use electron::*;
pub use email_otp::*;
pub use email_verification::*;
pub use error::{ErrorBody, ErrorCode};
pub use jwt::*;
pub use magic_link::*;
pub use models::*;
pub use multi_session::*;
pub use one_time_token::*;
pub use passkey::*;
pub use password::*;
pub use phone_number::*;
pub use schema::{BodyShape, FieldKind, FieldSpec, RequestSchema};
pub use secret::{
    ApiKeySecret, BackupCode, ClientSecret, DeviceCode, ElectronCode, EmailToken, JsonWebToken, MagicLinkToken,
    OneTimeToken, OtpCode, Password, PkceVerifier, ProviderToken, SessionToken, TotpSecret, TotpUri, TrustedDevice,
    UserCode,
};
pub use session::*;
pub use sign_in::*;
pub use sign_out::*;
pub use sign_up::*;
pub use two_factor::*;
pub use user::*;
pub use username::*;

/// The path under which better-auth mounts its endpoints unless configured otherwise.
pub const DEFAULT_BASE_PATH: &str = "/api/auth";

/// The better-auth release whose protocol these types follow.
pub const BETTER_AUTH_VERSION: &str = "1.7.25";
