//! The two-factor plugin's options (better-auth `twoFactor(options)`).

use std::time::Duration;

/// The two-factor plugin (better-auth `twoFactor`).
#[derive(Clone, Debug)]
pub struct TwoFactorConfig {
    /// Issuer shown by authenticator apps (default: the application name).
    pub issuer: Option<String>,
    /// Authenticator-app codes.
    pub totp: TotpConfig,
    /// Emailed or texted codes.
    pub otp: OtpConfig,
    /// Recovery codes.
    pub backup_codes: BackupCodeConfig,
    /// Switch TOTP on at `/two-factor/enable` without a first code.
    pub skip_verification_on_enable: bool,
    /// Users without a password (passkey or social only) may manage two-factor without one.
    pub allow_passwordless: bool,
    /// How long a trusted device skips the second factor (30 days).
    pub trust_device_max_age: Duration,
    /// How long a sign-in challenge stays open (10 minutes).
    pub challenge_max_age: Duration,
    /// Lock after repeated wrong codes.
    pub account_lockout: AccountLockoutConfig,
}

impl Default for TwoFactorConfig {
    fn default() -> Self {
        Self {
            issuer: None,
            totp: TotpConfig::default(),
            otp: OtpConfig::default(),
            backup_codes: BackupCodeConfig::default(),
            skip_verification_on_enable: false,
            allow_passwordless: false,
            trust_device_max_age: Duration::from_secs(2_592_000),
            challenge_max_age: Duration::from_secs(600),
            account_lockout: AccountLockoutConfig::default(),
        }
    }
}

/// How stored one-time codes are kept (better-auth `otpOptions.storeOTP`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OtpStorage {
    /// As issued (better-auth's default).
    #[default]
    Plain,
    /// `base64url(SHA-256(code))`.
    Hashed,
    /// Encrypted with the server secret.
    Encrypted,
}

/// How backup codes are kept (better-auth `backupCodeOptions.storeBackupCodes`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BackupCodeStorage {
    /// Encrypted JSON array (better-auth's default).
    #[default]
    Encrypted,
    /// Plain JSON array.
    Plain,
}

/// Authenticator-app codes (better-auth `totpOptions`).
#[derive(Clone, Debug)]
pub struct TotpConfig {
    /// Digits per code (6).
    pub digits: u32,
    /// Seconds per code (30).
    pub period: u64,
    /// Turn TOTP off (only emailed or texted codes remain).
    pub disabled: bool,
}

impl Default for TotpConfig {
    fn default() -> Self {
        Self {
            digits: 6,
            period: 30,
            disabled: false,
        }
    }
}

/// Codes sent by email or SMS (better-auth `otpOptions`).
#[derive(Clone, Debug)]
pub struct OtpConfig {
    /// Offer OTP when a sender is available (the email sender unless another is set).
    pub enabled: bool,
    /// Lifetime of a code (3 minutes).
    pub period: Duration,
    /// Digits per code (6).
    pub digits: usize,
    /// How codes are stored until used.
    pub storage: OtpStorage,
    /// Wrong guesses allowed per code (5).
    pub allowed_attempts: u32,
}

impl Default for OtpConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            period: Duration::from_secs(180),
            digits: 6,
            storage: OtpStorage::Plain,
            allowed_attempts: 5,
        }
    }
}

/// Recovery codes (better-auth `backupCodeOptions`).
#[derive(Clone, Debug)]
pub struct BackupCodeConfig {
    /// Codes per set (10).
    pub amount: usize,
    /// Characters per code before the dash is inserted (10: `XXXXX-XXXXX`).
    pub length: usize,
    /// How codes are stored.
    pub storage: BackupCodeStorage,
}

impl Default for BackupCodeConfig {
    fn default() -> Self {
        Self {
            amount: 10,
            length: 10,
            storage: BackupCodeStorage::Encrypted,
        }
    }
}

/// Locks an account's second factor after repeated wrong codes during sign-in (better-auth
/// `accountLockout`).
#[derive(Clone, Debug)]
pub struct AccountLockoutConfig {
    /// On by default.
    pub enabled: bool,
    /// Consecutive failures before locking (10).
    pub max_failed_attempts: i64,
    /// How long the lock lasts (15 minutes).
    pub duration: Duration,
}

impl Default for AccountLockoutConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_failed_attempts: 10,
            duration: Duration::from_secs(900),
        }
    }
}
