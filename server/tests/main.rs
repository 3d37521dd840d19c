//! The server's integration tests, one module per endpoint group or concern, in one test
//! binary: each binary links the whole server, so one instead of twenty-seven saves their
//! links and the shared harness's compilations (issue 28).

#[macro_use]
mod common;

mod account;
mod admin;
mod anonymous;
mod api_key;
mod attacks;
mod cli;
mod device_authorization;
mod email_otp;
mod email_otp_options;
mod email_verification;
mod embedding;
mod faults;
mod health;
mod hook_cookies;
mod hooks;
mod instances;
mod jwt;
mod magic_link;
mod multi_session;
mod one_time_token;
mod open_api;
mod organization;
mod password;
mod phone_number;
mod phone_number_options;
mod postgres_pool;
mod probe;
mod process_faults;
mod races;
mod secondary_storage;
mod security;
mod session;
mod sign_in;
mod sign_up;
mod smtp;
mod tcp;
mod two_factor;
mod user;
mod username;
mod wire_fixtures;
