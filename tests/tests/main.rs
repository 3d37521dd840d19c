//! Keyward's client against Keyward's server and against the real better-auth from npm,
//! one module per concern, in one test binary (each binary links the client, the server
//! and their dependencies; one saves the other links, issue 28). The keychain tests are
//! a binary of their own: `scripts/test` runs them inside a private keyring.

mod client_admin;
mod client_anonymous;
mod client_api_key;
mod client_device_authorization;
mod client_electron;
mod client_email_otp;
mod client_endpoints;
mod client_jwt;
mod client_magic_link;
mod client_multi_session;
mod client_one_time_token;
mod client_organization;
mod client_passkey;
mod client_phone_number;
mod client_store;
mod client_two_factor;
mod client_username;
mod differential;
mod electron;
mod electron_interop;
mod extending;
mod js_client;
mod last_login_method;
mod open_api;
mod same_database;
mod same_database_anonymous;
mod same_database_api_key;
mod same_database_device_authorization;
mod same_database_email_otp;
mod same_database_jwt;
mod same_database_magic_link;
mod same_database_multi_session;
mod same_database_one_time_token;
mod same_database_phone_number;
mod same_database_username;
mod shared_storage;
mod social;
mod social_anonymous;
mod social_interop;
mod social_peer;
mod verifier;
mod verifier_api_key;
mod verifier_service;
