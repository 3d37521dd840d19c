//! The anonymous plugin's options (better-auth `anonymous(options)`).

use std::sync::Arc;

use axum::http::HeaderMap;

use crate::auth::Auth;
use crate::error::ApiResult;
use keyward_client::wire::SessionData;

/// The anonymous plugin (better-auth `anonymous`): `POST /sign-in/anonymous` makes a user
/// without credentials, `POST /delete-anonymous-user` deletes them, and a sign-in or
/// sign-up by any other method from an anonymous session links the two
/// ([`AnonymousConfig::on_link_account`]) and deletes the anonymous user.
#[derive(Clone, Debug, Default)]
pub struct AnonymousConfig {
    /// The domain of anonymous users' addresses, `temp-<id>@<domain>` (`emailDomainName`);
    /// without one, better-auth's placeholder `<id>@anonymous.placeholder.invalid`.
    pub email_domain_name: Option<String>,
    /// Keeps the anonymous user after a link, and refuses `/delete-anonymous-user`
    /// (`disableDeleteAnonymousUser`).
    pub disable_delete_anonymous_user: bool,
    /// Names anonymous users instead of `Anonymous` (`generateName`).
    pub generate_name: Option<Arc<dyn AnonymousNameGenerator>>,
    /// Makes their addresses instead (`generateRandomEmail`); it must make valid,
    /// unused addresses.
    pub generate_random_email: Option<Arc<dyn AnonymousEmailGenerator>>,
    /// Runs when an anonymous user signs in or up by another method
    /// (`onLinkAccount`), before the anonymous user is deleted.
    pub on_link_account: Option<Arc<dyn OnLinkAccount>>,
}

impl AnonymousConfig {
    /// Sets the domain of anonymous users' addresses.
    pub fn email_domain_name(mut self, domain: impl Into<String>) -> Self {
        self.email_domain_name = Some(domain.into());
        self
    }

    /// Keeps anonymous users after a link and refuses their deletion.
    pub fn disable_delete_anonymous_user(mut self) -> Self {
        self.disable_delete_anonymous_user = true;
        self
    }

    /// Names anonymous users with `generator`.
    pub fn generate_name(mut self, generator: impl AnonymousNameGenerator) -> Self {
        self.generate_name = Some(Arc::new(generator));
        self
    }

    /// Makes anonymous users' addresses with `generator`.
    pub fn generate_random_email(mut self, generator: impl AnonymousEmailGenerator) -> Self {
        self.generate_random_email = Some(Arc::new(generator));
        self
    }

    /// Runs `hook` on every link.
    pub fn on_link_account(mut self, hook: impl OnLinkAccount) -> Self {
        self.on_link_account = Some(Arc::new(hook));
        self
    }
}

/// Names anonymous users (better-auth's `generateName`).
#[async_trait::async_trait]
pub trait AnonymousNameGenerator: Send + Sync + 'static {
    /// The name of the user `/sign-in/anonymous` is about to create, from the request's
    /// headers; an empty name is `Anonymous`.
    async fn generate_name(&self, headers: &HeaderMap) -> String;
}

impl std::fmt::Debug for dyn AnonymousNameGenerator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnonymousNameGenerator(..)")
    }
}

/// Makes anonymous users' addresses (better-auth's `generateRandomEmail`).
#[async_trait::async_trait]
pub trait AnonymousEmailGenerator: Send + Sync + 'static {
    /// A new, unused address. An empty one falls back to the default; one that is not an
    /// address fails the sign-in with `INVALID_EMAIL_FORMAT`.
    async fn generate_email(&self) -> String;
}

impl std::fmt::Debug for dyn AnonymousEmailGenerator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnonymousEmailGenerator(..)")
    }
}

/// An anonymous user signing in or up by another method.
#[derive(Clone, Debug)]
pub struct AnonymousLink {
    /// The anonymous user and the session the request carried.
    pub anonymous: SessionData,
    /// The user and session the request started.
    pub new: SessionData,
}

/// Runs when an anonymous user links (better-auth's `onLinkAccount`): move what the
/// anonymous user owns (a cart, drafts) to the new user here.
///
/// ```
/// use keyward_server::config::{AnonymousLink, OnLinkAccount};
/// use keyward_server::{ApiResult, Auth};
///
/// struct MoveCart;
///
/// #[async_trait::async_trait]
/// impl OnLinkAccount for MoveCart {
///     async fn on_link_account(&self, _auth: &Auth, link: &AnonymousLink) -> ApiResult<()> {
///         println!("cart of {} goes to {}", link.anonymous.user.id, link.new.user.id);
///         Ok(())
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait OnLinkAccount: Send + Sync + 'static {
    /// Runs after the new session was made and before the anonymous user is deleted. An
    /// error is the client's answer (the new session's cookie is still set, and the
    /// anonymous user is kept), as a throwing `onLinkAccount` is in better-auth.
    async fn on_link_account(&self, auth: &Auth, link: &AnonymousLink) -> ApiResult<()>;
}

impl std::fmt::Debug for dyn OnLinkAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnLinkAccount(..)")
    }
}
