//! One module per endpoint group, mirroring the protocol (and the server's layout).

pub mod account;
pub mod email_verification;
pub mod organization;
pub mod password;
pub mod session;
pub mod sign_in;
pub mod sign_up;
pub mod two_factor;
pub mod user;
