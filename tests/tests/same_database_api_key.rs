//! API keys on one database shared by Keyward and better-auth (written below).
