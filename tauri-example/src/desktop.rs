//! The app's command layer: every Tauri command is one method of [`Desktop`], usable (and
//! tested) without a window. The webview gets [`AppView`]s: after each command, and from
//! [`Desktop::watch`] whenever the session, the connection or the storage changes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use futures::future::{AbortHandle, Abortable};
use futures_signals::map_ref;
use futures_signals::signal::{Mutable, SignalExt};
use keyward_client::api::electron::{BrowserOpener, SystemBrowserSignIn};
use keyward_client::wire::{Password, SessionData, SignInOutcome};
use keyward_client::{AuthClient, BrowserSignInError, CredentialMode, Error, FetchOptions, SessionState, TokenStore};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};
use url::Url;

use crate::storage::{EncryptedFileStore, StorageStatus, open_keychain};

/// What the window shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    /// Resolving the stored token.
    Pending,
    /// Signed in.
    SignedIn,
    /// The password was right; the account needs its second factor.
    SecondFactor,
    /// Nobody is signed in.
    SignedOut,
    /// The server cannot be reached and nothing is known yet.
    Offline,
}

/// The signed-in user, as the window shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Avatar URL.
    pub image: Option<String>,
    /// Whether two-factor authentication is on.
    pub two_factor_enabled: bool,
}

/// Everything the window renders.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppView {
    /// Which screen.
    pub phase: Phase,
    /// The user, when signed in.
    pub user: Option<UserView>,
    /// The server cannot be reached (the app retries in the background).
    pub offline: bool,
    /// Where the token is kept.
    pub storage: StorageStatus,
    /// The factors a pending sign-in can be completed with.
    pub two_factor_methods: Vec<String>,
    /// The providers the window offers a "Sign in with …" button for.
    pub social_providers: Vec<String>,
    /// A sign-in is waiting for the system browser (the window offers to cancel it).
    pub waiting_for_browser: bool,
}

/// A signed-in device.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// The session id (what `revoke_session` takes).
    pub id: String,
    /// The user agent it signed in with.
    pub user_agent: Option<String>,
    /// The IP address it signed in from.
    pub ip_address: Option<String>,
    /// When it signed in (RFC 3339).
    pub created_at: String,
    /// Whether it is this app's session.
    pub current: bool,
}

/// A command's failure, as the webview receives it: better-auth's `{message, code}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct CommandError {
    /// What to show.
    pub message: String,
    /// A stable code: the server's error code, or `NETWORK`, `STORAGE`,
    /// `NO_TOKEN_STORAGE`, `NO_PENDING_SIGN_IN`, `RATE_LIMITED`.
    pub code: String,
}

impl CommandError {
    fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: code.to_owned(),
        }
    }
}

impl From<Error> for CommandError {
    fn from(error: Error) -> Self {
        match &error {
            Error::Api { code, message, .. } => {
                let message = if message.is_empty() {
                    code.default_message().to_owned()
                } else {
                    message.clone()
                };
                Self::new(code.as_str(), message)
            }
            Error::Network { .. } => Self::new("NETWORK", "Cannot reach the server."),
            Error::Storage { message } => Self::new("STORAGE", message.clone()),
            Error::RateLimited { .. } => Self::new("RATE_LIMITED", "Too many attempts; try again in a moment."),
            other => Self::new("CLIENT", other.to_string()),
        }
    }
}

/// The result of a command.
pub type CommandResult<T> = Result<T, CommandError>;

/// How the app starts.
#[derive(Clone)]
pub struct DesktopOptions {
    /// The Keyward (or better-auth) server.
    pub server: Url,
    /// The keychain entry: service name (the app's identifier) …
    pub keychain_service: String,
    /// … and account.
    pub keychain_account: String,
    /// How often to try again while the server cannot be reached.
    pub retry_every: Duration,
    /// The providers to offer (their ids on the server, which must have the electron
    /// plugin): each signs in through the system browser.
    pub social_providers: Vec<String>,
    /// How long a browser sign-in waits before it gives up.
    pub browser_timeout: Duration,
    /// Opens the browser; `None` is the user's default browser.
    pub browser: Option<Arc<dyn BrowserOpener>>,
    /// Where the browser comes back: `None` is a loopback listener on 127.0.0.1; a deep
    /// link (`dev.keyward.desktop:/auth/callback`, a scheme the OS opens this app for and
    /// the server allows) is handed over with [`Desktop::open_deep_link`].
    pub deep_link: Option<Url>,
}

impl std::fmt::Debug for DesktopOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DesktopOptions")
            .field("server", &self.server.as_str())
            .field("keychain_service", &self.keychain_service)
            .field("social_providers", &self.social_providers)
            .field("deep_link", &self.deep_link.as_ref().map(Url::as_str))
            .finish_non_exhaustive()
    }
}

impl DesktopOptions {
    /// Options for `server`, keychain entry `dev.keyward.tauri-example` / `session`.
    pub fn new(server: Url) -> Self {
        Self {
            server,
            keychain_service: "dev.keyward.tauri-example".to_owned(),
            keychain_account: "session".to_owned(),
            retry_every: Duration::from_secs(3),
            social_providers: Vec::new(),
            browser_timeout: Duration::from_secs(5 * 60),
            browser: None,
            deep_link: None,
        }
    }
}

struct Inner {
    options: DesktopOptions,
    client: RwLock<Option<AuthClient>>,
    storage: Mutable<StorageStatus>,
    offline: Mutable<bool>,
    two_factor: Mutable<Vec<String>>,
    session: Mutable<SessionState>,
    retrying: AtomicBool,
    forwarding: RwLock<Option<AbortHandle>>,
    /// Set while a browser sign-in waits: firing it cancels the wait.
    cancel_browser: Mutex<Option<oneshot::Sender<()>>>,
    waiting_for_browser: Mutable<bool>,
    /// Set while a deep-link sign-in waits: where [`Desktop::open_deep_link`] sends links.
    deep_links: Mutex<Option<mpsc::UnboundedSender<String>>>,
}

/// The desktop app's state and commands. Cheap to clone; needs a tokio runtime.
#[derive(Clone)]
pub struct Desktop {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Desktop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desktop").field("view", &self.view()).finish()
    }
}

impl Desktop {
    /// Opens the OS keychain. Where there is none, the app still starts: its view says
    /// `storage: unavailable` and sign-in waits for [`Desktop::use_encrypted_file`].
    pub fn new(options: DesktopOptions) -> Self {
        Self::with_keychain(options, |options| {
            open_keychain(&options.keychain_service, &options.keychain_account)
        })
    }

    /// Like [`Desktop::new`], with the keychain opened by `open`, which answers the store
    /// and the keychain's name (another backend, or a stand-in that fails the way a
    /// missing keychain does).
    pub fn with_keychain<S: TokenStore + 'static>(
        options: DesktopOptions,
        open: impl FnOnce(&DesktopOptions) -> Result<(S, String), String>,
    ) -> Self {
        match open(&options) {
            Ok((store, name)) => Self::with_store(options, store, StorageStatus::Keychain { name }),
            Err(reason) => {
                let desktop = Self::empty(options, StorageStatus::Unavailable { reason });
                desktop.inner.session.set(SessionState {
                    data: None,
                    is_pending: false,
                    is_refetching: false,
                    error: None,
                });
                desktop
            }
        }
    }

    /// With a token store of the caller's choice (and how to describe it).
    pub fn with_store(options: DesktopOptions, store: impl TokenStore + 'static, status: StorageStatus) -> Self {
        let desktop = Self::empty(options, status);
        desktop.install(store);
        desktop
    }

    fn empty(options: DesktopOptions, status: StorageStatus) -> Self {
        Self {
            inner: Arc::new(Inner {
                options,
                client: RwLock::new(None),
                storage: Mutable::new(status),
                offline: Mutable::new(false),
                two_factor: Mutable::new(Vec::new()),
                session: Mutable::new(SessionState::initial()),
                retrying: AtomicBool::new(false),
                forwarding: RwLock::new(None),
                cancel_browser: Mutex::new(None),
                waiting_for_browser: Mutable::new(false),
                deep_links: Mutex::new(None),
            }),
        }
    }

    /// Builds the client on `store` and mirrors its session store.
    fn install(&self, store: impl TokenStore + 'static) {
        let user_agent = format!(
            "Keyward Desktop/{} ({})",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS
        );
        let built = AuthClient::builder(self.inner.options.server.clone())
            .credential_mode(CredentialMode::Bearer)
            .fetch_options(FetchOptions {
                headers: vec![("user-agent".to_owned(), user_agent)],
                origin: None,
            })
            .token_store(store)
            .build();
        let Ok(client) = built else {
            return;
        };
        let mirror = self.inner.session.clone();
        let forward = client.session().signal().for_each(move |state| {
            mirror.set(state);
            async {}
        });
        let (abort, registration) = AbortHandle::new_pair();
        tokio::spawn(async move {
            let _ = Abortable::new(forward, registration).await;
        });
        self.inner.session.set(client.session().get());
        if let Ok(mut slot) = self.inner.forwarding.write()
            && let Some(previous) = slot.replace(abort)
        {
            previous.abort();
        }
        if let Ok(mut slot) = self.inner.client.write() {
            *slot = Some(client);
        }
    }

    fn client(&self) -> CommandResult<AuthClient> {
        self.inner
            .client
            .read()
            .ok()
            .and_then(|client| client.clone())
            .ok_or_else(|| {
                CommandError::new(
                    "NO_TOKEN_STORAGE",
                    "There is no keychain on this system. Choose an encrypted file to keep your sign-in.",
                )
            })
    }

    /// Records what a call says about the connection; on a network failure, starts
    /// retrying in the background.
    fn track<T>(&self, result: Result<T, Error>) -> CommandResult<T> {
        match result {
            Ok(value) => {
                self.inner.offline.set_neq(false);
                Ok(value)
            }
            Err(Error::Network { message }) => {
                self.inner.offline.set_neq(true);
                self.retry_in_background();
                Err(Error::Network { message }.into())
            }
            Err(other) => Err(other.into()),
        }
    }

    fn retry_in_background(&self) {
        if self.inner.retrying.swap(true, Ordering::SeqCst) {
            return;
        }
        let desktop = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(desktop.inner.options.retry_every).await;
                let Ok(client) = desktop.client() else {
                    break;
                };
                match client.restore().await {
                    Err(Error::Network { .. }) => continue,
                    _ => {
                        desktop.inner.offline.set_neq(false);
                        break;
                    }
                }
            }
            desktop.inner.retrying.store(false, Ordering::SeqCst);
        });
    }

    /// At launch: reads the token from the keychain and resolves the session, before the
    /// window paints. A token the server no longer accepts is removed from the keychain;
    /// an unreachable server gives the offline view and a retry in the background.
    pub async fn start(&self) -> AppView {
        if let Ok(client) = self.client() {
            let _ = self.track(client.restore().await);
        }
        self.view()
    }

    /// Opts in to a passphrase-encrypted token file where there is no keychain.
    pub async fn use_encrypted_file(&self, path: String, passphrase: String) -> CommandResult<AppView> {
        let store = EncryptedFileStore::open(&path, &Password::from(passphrase))?;
        self.install(store);
        self.inner.storage.set(StorageStatus::EncryptedFile { path });
        Ok(self.start().await)
    }

    /// Creates an account and signs in.
    pub async fn sign_up(&self, name: String, email: String, password: String) -> CommandResult<AppView> {
        let client = self.client()?;
        self.track(client.sign_up().email(name, email, password).send().await)?;
        Ok(self.view())
    }

    /// Signs in; the view's phase is `secondFactor` when the account needs its code.
    pub async fn sign_in(&self, email: String, password: String) -> CommandResult<AppView> {
        let client = self.client()?;
        match self.track(client.sign_in().email(email, password).send().await)? {
            SignInOutcome::SignedIn(_) => self.inner.two_factor.set(Vec::new()),
            SignInOutcome::TwoFactorRequired(challenge) => self.inner.two_factor.set(challenge.two_factor_methods),
        }
        Ok(self.view())
    }

    fn second_factor_pending(&self) -> CommandResult<()> {
        if self.inner.two_factor.lock_ref().is_empty() {
            return Err(CommandError::new(
                "NO_PENDING_SIGN_IN",
                "Sign in with your password first.",
            ));
        }
        Ok(())
    }

    /// Completes a pending sign-in with the authenticator app's code.
    pub async fn verify_totp(&self, code: String, trust_device: bool) -> CommandResult<AppView> {
        self.second_factor_pending()?;
        let client = self.client()?;
        let call = client.two_factor().verify_totp(code);
        let call = if trust_device { call.trust_device() } else { call };
        self.track(call.send().await)?;
        self.inner.two_factor.set(Vec::new());
        Ok(self.view())
    }

    /// Completes a pending sign-in with a backup code.
    pub async fn verify_backup_code(&self, code: String) -> CommandResult<AppView> {
        self.second_factor_pending()?;
        let client = self.client()?;
        self.track(client.two_factor().verify_backup_code(code).send().await)?;
        self.inner.two_factor.set(Vec::new());
        Ok(self.view())
    }

    /// Signs in with `provider` through the system browser (a loopback redirect, or the
    /// deep link of [`DesktopOptions::deep_link`]): the view says `waitingForBrowser`
    /// until the browser comes back, the wait times out, or
    /// [`Desktop::cancel_browser_sign_in`] is called. Fails with `TIMED_OUT`,
    /// `CANCELLED`, `REFUSED` (the provider or server said no) or `BROWSER` (none could be
    /// opened).
    pub async fn sign_in_with_provider(&self, provider: String) -> CommandResult<AppView> {
        let client = self.client()?;
        if !self.inner.options.social_providers.contains(&provider) {
            return Err(CommandError::new(
                "UNKNOWN_PROVIDER",
                format!("No provider named {provider}."),
            ));
        }
        let (cancel, cancelled) = oneshot::channel();
        if let Ok(mut slot) = self.inner.cancel_browser.lock()
            && let Some(previous) = slot.replace(cancel)
        {
            // One browser sign-in at a time: a new one ends the previous wait.
            let _ = previous.send(());
        }
        self.inner.waiting_for_browser.set(true);
        let mut sign_in = client.sign_in().social(provider).in_system_browser();
        if let Some(opener) = self.inner.options.browser.clone() {
            sign_in = sign_in.open_with(move |url: &Url| opener.open(url));
        }
        let outcome = match self.inner.options.deep_link.clone() {
            None => {
                sign_in
                    .timeout(self.inner.options.browser_timeout)
                    .cancel_on(async move {
                        let _ = cancelled.await;
                    })
                    .await
            }
            Some(deep_link) => self.through_deep_link(sign_in.deep_link(deep_link), cancelled).await,
        };
        if let Ok(mut slot) = self.inner.cancel_browser.lock()
            && slot.as_ref().is_some_and(|sender| sender.is_closed())
        {
            *slot = None;
        }
        self.inner.waiting_for_browser.set(false);
        match outcome {
            Err(Error::BrowserSignIn(error)) => Err(browser_error(&error)),
            other => {
                self.track(other)?;
                self.inner.two_factor.set(Vec::new());
                Ok(self.view())
            }
        }
    }

    /// Opens the browser and waits for [`Desktop::open_deep_link`] to bring its link. A
    /// link of another sign-in (another state: forged, or an old one's) is ignored, as the
    /// loopback ignores such requests, and the wait goes on.
    async fn through_deep_link(
        &self,
        sign_in: SystemBrowserSignIn<'_>,
        cancelled: oneshot::Receiver<()>,
    ) -> Result<SessionData, Error> {
        let (links, mut received) = mpsc::unbounded_channel();
        if let Ok(mut slot) = self.inner.deep_links.lock() {
            *slot = Some(links);
        }
        let wait = async {
            let pending = sign_in.start()?;
            while let Some(link) = received.recv().await {
                match pending.complete(&link).await {
                    Err(Error::BrowserSignIn(BrowserSignInError::InvalidCallback { .. })) => continue,
                    outcome => return outcome,
                }
            }
            Err(BrowserSignInError::Cancelled.into())
        };
        let outcome = tokio::select! {
            outcome = tokio::time::timeout(self.inner.options.browser_timeout, wait) => {
                outcome.unwrap_or_else(|_| Err(BrowserSignInError::TimedOut.into()))
            }
            _ = cancelled => Err(BrowserSignInError::Cancelled.into()),
        };
        if let Ok(mut slot) = self.inner.deep_links.lock() {
            *slot = None;
        }
        outcome
    }

    /// Hands a deep link the OS opened the app with (`tauri-plugin-deep-link`'s
    /// `on_open_url`) to the browser sign-in waiting for it. Answers whether one was
    /// waiting; without one the link means nothing (its verifier died with the sign-in).
    pub fn open_deep_link(&self, link: &str) -> bool {
        self.inner
            .deep_links
            .lock()
            .ok()
            .and_then(|slot| slot.as_ref().map(|links| links.send(link.to_owned()).is_ok()))
            .unwrap_or(false)
    }

    /// Stops waiting for the browser (the window's Cancel button).
    pub fn cancel_browser_sign_in(&self) -> AppView {
        if let Ok(mut slot) = self.inner.cancel_browser.lock()
            && let Some(cancel) = slot.take()
        {
            let _ = cancel.send(());
        }
        self.view()
    }

    /// Signs out and removes the token from the keychain.
    pub async fn sign_out(&self) -> CommandResult<AppView> {
        let client = self.client()?;
        self.inner.two_factor.set(Vec::new());
        self.track(client.sign_out().await)?;
        Ok(self.view())
    }

    /// Changes the display name and/or the avatar.
    pub async fn update_profile(&self, name: Option<String>, image: Option<String>) -> CommandResult<AppView> {
        let client = self.client()?;
        let mut call = client.user().update();
        if let Some(name) = name {
            call = call.name(name);
        }
        if let Some(image) = image {
            call = if image.is_empty() {
                call.clear_image()
            } else {
                call.image(image)
            };
        }
        self.track(call.send().await)?;
        Ok(self.view())
    }

    /// The user's signed-in devices, newest first.
    pub async fn list_sessions(&self) -> CommandResult<Vec<SessionView>> {
        let client = self.client()?;
        let current = client.session().get().data.map(|data| data.session.id);
        let mut sessions = self.track(client.sessions().list().await)?;
        sessions.sort_by_key(|session| std::cmp::Reverse(session.created_at));
        Ok(sessions
            .into_iter()
            .map(|session| SessionView {
                current: current.as_deref() == Some(session.id.as_str()),
                id: session.id,
                user_agent: session.user_agent,
                ip_address: session.ip_address,
                created_at: session.created_at.to_rfc3339(),
            })
            .collect())
    }

    /// Ends one of the user's sessions (this one too: that signs out).
    pub async fn revoke_session(&self, id: String) -> CommandResult<Vec<SessionView>> {
        let client = self.client()?;
        let sessions = self.track(client.sessions().list().await)?;
        let target = sessions
            .into_iter()
            .find(|session| session.id == id)
            .ok_or_else(|| CommandError::new("SESSION_NOT_FOUND", "That session has already ended."))?;
        self.track(client.sessions().revoke(target.token).await)?;
        if client.session().get().data.is_none() {
            return Ok(Vec::new());
        }
        self.list_sessions().await
    }

    /// The current view.
    pub fn view(&self) -> AppView {
        // The client's store is the truth; the mirror may be a task behind it.
        let session = match self.client() {
            Ok(client) => client.session().get(),
            Err(_) => self.inner.session.get_cloned(),
        };
        let mut view = compose(
            &session,
            self.inner.offline.get(),
            &self.inner.storage.get_cloned(),
            &self.inner.two_factor.get_cloned(),
        );
        view.social_providers = self.inner.options.social_providers.clone();
        view.waiting_for_browser = self.inner.waiting_for_browser.get();
        view
    }

    /// Calls `sink` with the view now and after every change (session, connection,
    /// storage, pending second factor) until the handle is aborted: how the webview
    /// follows without polling.
    pub fn watch(&self, sink: impl Fn(AppView) + Send + Sync + 'static) -> AbortHandle {
        let inner = &self.inner;
        let providers = inner.options.social_providers.clone();
        let views = map_ref! {
            let session = inner.session.signal_cloned(),
            let offline = inner.offline.signal(),
            let storage = inner.storage.signal_cloned(),
            let two_factor = inner.two_factor.signal_cloned(),
            let waiting = inner.waiting_for_browser.signal() => {
                let mut view = compose(session, *offline, storage, two_factor);
                view.social_providers = providers.clone();
                view.waiting_for_browser = *waiting;
                view
            }
        };
        let forward = views.dedupe_cloned().for_each(move |view| {
            sink(view);
            async {}
        });
        let (abort, registration) = AbortHandle::new_pair();
        tokio::spawn(async move {
            let _ = Abortable::new(forward, registration).await;
        });
        abort
    }
}

fn compose(session: &SessionState, offline: bool, storage: &StorageStatus, two_factor: &[String]) -> AppView {
    let user = session.data.as_ref().map(|data| UserView {
        name: data.user.name.clone(),
        email: data.user.email.clone(),
        image: data.user.image.clone(),
        two_factor_enabled: data.user.two_factor_enabled(),
    });
    let phase = if user.is_some() {
        Phase::SignedIn
    } else if !two_factor.is_empty() {
        Phase::SecondFactor
    } else if offline {
        Phase::Offline
    } else if session.is_pending {
        Phase::Pending
    } else {
        Phase::SignedOut
    };
    AppView {
        phase,
        user,
        offline,
        storage: storage.clone(),
        two_factor_methods: two_factor.to_vec(),
        social_providers: Vec::new(),
        waiting_for_browser: false,
    }
}

/// A browser sign-in's failure, as the window shows it.
fn browser_error(error: &BrowserSignInError) -> CommandError {
    match error {
        BrowserSignInError::TimedOut => CommandError::new("TIMED_OUT", "The browser did not come back in time."),
        BrowserSignInError::Cancelled => CommandError::new("CANCELLED", "Sign-in cancelled."),
        BrowserSignInError::Refused { error } => {
            CommandError::new("REFUSED", format!("The sign-in was refused ({error})."))
        }
        BrowserSignInError::OpenBrowser { message } => {
            CommandError::new("BROWSER", format!("Cannot open the browser: {message}"))
        }
        other => CommandError::new("BROWSER", other.to_string()),
    }
}
