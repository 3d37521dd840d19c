//! A configured provider: its id, client credentials, endpoints, scopes and rules, with
//! better-auth's ids and defaults for the built-in ones.

use keyward_client::wire::ClientSecret;

/// How the client authenticates at the token endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenAuth {
    /// `client_id` and `client_secret` in the form body (better-auth's default).
    #[default]
    Post,
    /// HTTP Basic authentication.
    Basic,
}

/// Which provider this is: its endpoints, default scopes and profile mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderKind {
    /// GitHub (`read:user user:email`; the private e-mail from `/user/emails`).
    Github,
    /// Google (`email profile openid`; the profile from the ID token).
    Google,
    /// Sign in with Apple (`email name`, `response_mode=form_post`).
    Apple,
    /// Microsoft Entra ID.
    Microsoft {
        /// `common`, `organizations`, `consumers` or a tenant id.
        tenant: String,
        /// `https://login.microsoftonline.com` unless a sovereign cloud.
        authority: String,
    },
    /// Discord (`identify email`).
    Discord,
    /// GitLab, gitlab.com or a self-hosted instance.
    Gitlab {
        /// The instance, `https://gitlab.com` by default.
        issuer: String,
    },
    /// Facebook (`email public_profile`).
    Facebook,
    /// Any OpenID Connect provider, found by its discovery document (better-auth's
    /// `genericOAuth` with `discoveryUrl`).
    OpenIdConnect {
        /// `https://issuer/.well-known/openid-configuration`.
        discovery_url: String,
    },
    /// Any OAuth 2.0 provider by its endpoints (`genericOAuth` without discovery).
    OAuth2 {
        /// The authorization endpoint.
        authorization_url: String,
        /// The token endpoint.
        token_url: String,
        /// The user-info endpoint (JSON with `id`, `email`, `name` …).
        user_info_url: String,
    },
}

/// A provider users can sign in with, configured as better-auth's `socialProviders.<id>`
/// or `genericOAuth({config: [...]})` entries are.
///
/// ```
/// use keyward_server::social::SocialProvider;
/// let github = SocialProvider::github("Iv1.0123", "secret-from-github");
/// let company = SocialProvider::openid_connect(
///     "company",
///     "https://login.example.com/.well-known/openid-configuration",
///     "keyward",
///     "client-secret",
/// );
/// assert_eq!(github.id, "github");
/// assert_eq!(company.id, "company");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocialProvider {
    /// The id in paths and rows (`github`, or a generic provider's `providerId`).
    pub id: String,
    /// Endpoints and mapping.
    pub kind: ProviderKind,
    /// The OAuth client id.
    pub client_id: String,
    /// Further client ids whose ID tokens are accepted (better-auth's `clientId` array:
    /// a web, an iOS and an Android client of one app).
    pub extra_client_ids: Vec<String>,
    /// The OAuth client secret.
    pub client_secret: Option<ClientSecret>,
    /// Scopes added to the defaults (better-auth's `scope`).
    pub scopes: Vec<String>,
    /// Leave the provider's default scopes out.
    pub disable_default_scope: bool,
    /// PKCE (S256); the built-in providers use it where better-auth does, generic ones
    /// unless turned off.
    pub pkce: bool,
    /// How the client authenticates at the token endpoint.
    pub token_auth: TokenAuth,
    /// `prompt` for the authorization request (`select_account`, `consent` …).
    pub prompt: Option<String>,
    /// `access_type` (Google: `offline` for a refresh token).
    pub access_type: Option<String>,
    /// Another redirect URI than `{baseURL}/callback/{id}`.
    pub redirect_uri: Option<String>,
    /// Never create users through this provider.
    pub disable_sign_up: bool,
    /// Create users only when the request asks for it (`requestSignUp`).
    pub disable_implicit_sign_up: bool,
    /// Refuse the ID-token sign-in even where the provider supports it.
    pub disable_id_token_sign_in: bool,
    /// On every sign-in, copy name, image and e-mail from the provider to the user.
    pub override_user_info_on_sign_in: bool,
    /// Sign in only users whose address is verified here (better-auth's
    /// `requireEmailVerification` of a provider): others are created or linked, sent a
    /// verification e-mail where the server sends them on sign-in, and refused with
    /// `email_not_verified`.
    pub require_email_verification: bool,
    /// Generic providers: skip binding a `nonce` to the ID token.
    pub disable_id_token_nonce_binding: bool,
    /// Generic providers: a callback with a code but no state (a sign-in the provider
    /// started) restarts the flow with a fresh state instead of failing
    /// (`allowIdpInitiated`).
    pub allow_idp_initiated: bool,
    /// Generic providers: the access-token lifetime when the provider gives none.
    pub access_token_expires_in: Option<std::time::Duration>,
}

impl SocialProvider {
    fn new(id: &str, kind: ProviderKind, client_id: &str, client_secret: Option<ClientSecret>, pkce: bool) -> Self {
        Self {
            id: id.to_owned(),
            kind,
            client_id: client_id.to_owned(),
            extra_client_ids: Vec::new(),
            client_secret,
            scopes: Vec::new(),
            disable_default_scope: false,
            pkce,
            token_auth: TokenAuth::Post,
            prompt: None,
            access_type: None,
            redirect_uri: None,
            disable_sign_up: false,
            disable_implicit_sign_up: false,
            disable_id_token_sign_in: false,
            override_user_info_on_sign_in: false,
            require_email_verification: false,
            disable_id_token_nonce_binding: false,
            allow_idp_initiated: false,
            access_token_expires_in: None,
        }
    }

    /// GitHub (`GITHUB_CLIENT_ID`, `GITHUB_CLIENT_SECRET`).
    pub fn github(client_id: &str, client_secret: impl Into<ClientSecret>) -> Self {
        Self::new(
            "github",
            ProviderKind::Github,
            client_id,
            Some(client_secret.into()),
            true,
        )
    }

    /// Google (`GOOGLE_CLIENT_ID`, `GOOGLE_CLIENT_SECRET`).
    pub fn google(client_id: &str, client_secret: impl Into<ClientSecret>) -> Self {
        Self::new(
            "google",
            ProviderKind::Google,
            client_id,
            Some(client_secret.into()),
            true,
        )
    }

    /// Apple (`APPLE_CLIENT_ID`, `APPLE_CLIENT_SECRET`: the signed client-secret JWT).
    pub fn apple(client_id: &str, client_secret: impl Into<ClientSecret>) -> Self {
        Self::new(
            "apple",
            ProviderKind::Apple,
            client_id,
            Some(client_secret.into()),
            true,
        )
    }

    /// Microsoft Entra ID for `tenant` (`common` for any account).
    pub fn microsoft(client_id: &str, client_secret: impl Into<ClientSecret>, tenant: &str) -> Self {
        let kind = ProviderKind::Microsoft {
            tenant: tenant.to_owned(),
            authority: "https://login.microsoftonline.com".to_owned(),
        };
        Self::new("microsoft", kind, client_id, Some(client_secret.into()), true)
    }

    /// Discord.
    pub fn discord(client_id: &str, client_secret: impl Into<ClientSecret>) -> Self {
        let mut provider = Self::new(
            "discord",
            ProviderKind::Discord,
            client_id,
            Some(client_secret.into()),
            false,
        );
        provider.prompt = Some("none".to_owned());
        provider
    }

    /// GitLab at `issuer` (`https://gitlab.com` for the public one).
    pub fn gitlab(client_id: &str, client_secret: impl Into<ClientSecret>, issuer: &str) -> Self {
        let kind = ProviderKind::Gitlab {
            issuer: issuer.trim_end_matches('/').to_owned(),
        };
        Self::new("gitlab", kind, client_id, Some(client_secret.into()), true)
    }

    /// Facebook.
    pub fn facebook(client_id: &str, client_secret: impl Into<ClientSecret>) -> Self {
        Self::new(
            "facebook",
            ProviderKind::Facebook,
            client_id,
            Some(client_secret.into()),
            false,
        )
    }

    /// Any OpenID Connect provider under the id `id`, found through `discovery_url`.
    pub fn openid_connect(
        id: &str,
        discovery_url: &str,
        client_id: &str,
        client_secret: impl Into<ClientSecret>,
    ) -> Self {
        let kind = ProviderKind::OpenIdConnect {
            discovery_url: discovery_url.to_owned(),
        };
        Self::new(id, kind, client_id, Some(client_secret.into()), true)
    }

    /// Any OAuth 2.0 provider under the id `id`, by its endpoints.
    pub fn oauth2(
        id: &str,
        authorization_url: &str,
        token_url: &str,
        user_info_url: &str,
        client_id: &str,
        client_secret: impl Into<ClientSecret>,
    ) -> Self {
        let kind = ProviderKind::OAuth2 {
            authorization_url: authorization_url.to_owned(),
            token_url: token_url.to_owned(),
            user_info_url: user_info_url.to_owned(),
        };
        Self::new(id, kind, client_id, Some(client_secret.into()), true)
    }

    /// Adds scopes to the defaults.
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// The scopes every authorization request of this provider asks for, before the
    /// request's own.
    pub(crate) fn configured_scopes(&self) -> Vec<String> {
        let defaults: &[&str] = match &self.kind {
            ProviderKind::Github => &["read:user", "user:email"],
            ProviderKind::Google => &["email", "profile", "openid"],
            ProviderKind::Apple => &["email", "name"],
            ProviderKind::Microsoft { .. } => &["openid", "profile", "email", "User.Read", "offline_access"],
            ProviderKind::Discord => &["identify", "email"],
            ProviderKind::Gitlab { .. } => &["read_user"],
            ProviderKind::Facebook => &["email", "public_profile"],
            ProviderKind::OpenIdConnect { .. } | ProviderKind::OAuth2 { .. } => &[],
        };
        let mut scopes: Vec<String> = if self.disable_default_scope {
            Vec::new()
        } else {
            defaults.iter().map(|s| (*s).to_owned()).collect()
        };
        scopes.extend(self.scopes.iter().cloned());
        scopes
    }

    /// Whether the provider is one better-auth's `genericOAuth` configures.
    pub(crate) fn is_generic(&self) -> bool {
        matches!(
            self.kind,
            ProviderKind::OpenIdConnect { .. } | ProviderKind::OAuth2 { .. }
        )
    }

    /// Every client id whose ID tokens this provider accepts.
    pub(crate) fn audiences(&self) -> Vec<String> {
        std::iter::once(self.client_id.clone())
            .chain(self.extra_client_ids.iter().cloned())
            .collect()
    }
}
