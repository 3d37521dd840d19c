//! The load generator and server processes shared by `keyward-bench` (Keyward against
//! better-auth) and `keyward-hold` (Keyward instances held under load).

pub mod load;
pub mod servers;
