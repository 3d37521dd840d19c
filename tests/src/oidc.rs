//! A real OpenID Connect provider (npm `oidc-provider`, `tests/interop/oidc-provider.mjs`) as
//! the identity provider of social sign-in tests.
//!
//! The provider runs the authorization code flow with PKCE (S256 only), signs RS256 ID
//! tokens that carry the `email` and `profile` claims, issues refresh tokens, and serves
//! oidc-provider's development login and consent pages, which [`OidcProvider::authorize`]
//! fills in as a user would.

use std::process::Stdio;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use url::Url;

use crate::interop_dir;

/// A client (relying party) registered at the provider. It authenticates at the token
/// endpoint with `client_secret_post` (better-auth's default); `client_secret_basic` is
/// accepted too.
#[derive(Clone, Debug)]
pub struct OidcClient {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
    /// The redirect URIs the provider accepts for it, exactly.
    pub redirect_uris: Vec<String>,
}

/// What the user answers on the provider's consent page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consent {
    /// Allows the client: the provider redirects back with a `code`.
    Grant,
    /// Cancels (the page's "[ Cancel ]" link): the provider redirects back with
    /// `error=access_denied`.
    Deny,
}

/// A running `oidc-provider`, killed when dropped (or when the test process dies: it exits
/// when its stdin closes).
pub struct OidcProvider {
    /// The issuer, `http://127.0.0.1:<port>`. (The provider writes it without the trailing
    /// slash `Url` adds, e.g. in the `iss` parameter and claim.)
    pub issuer: Url,
    clients: Vec<OidcClient>,
    child: Child,
    _stdin: Option<ChildStdin>,
}

impl OidcProvider {
    /// Starts a provider on a free port with `clients` and `accounts`, a JSON object from
    /// login to claims (`email`, `email_verified`, `name`, `picture`). Any other login signs
    /// in as `<login>@example.com`, verified, named `<login>`. The login is the `sub`.
    /// Panics with the provider's output if it does not start.
    pub async fn start(clients: &[OidcClient], accounts: Value) -> Self {
        Self::start_on(0, clients, accounts, &[]).await
    }

    /// [`start`](Self::start) on `port` (0: a free one), with extra environment for
    /// `oidc-provider.mjs`, such as `OIDC_ACCESS_TOKEN_TTL` (seconds).
    pub async fn start_on(port: u16, clients: &[OidcClient], accounts: Value, env: &[(&str, &str)]) -> Self {
        let interop = interop_dir();
        assert!(
            interop.join("node_modules/oidc-provider").exists(),
            "oidc-provider is not installed: run `npm ci` in {} (scripts/test does)",
            interop.display()
        );
        let registered: Vec<Value> = clients
            .iter()
            .map(|client| {
                json!({
                    "client_id": client.client_id,
                    "client_secret": client.client_secret,
                    "redirect_uris": client.redirect_uris,
                })
            })
            .collect();
        let mut command = Command::new("node");
        command
            .arg("oidc-provider.mjs")
            .current_dir(&interop)
            .env("PORT", port.to_string())
            .env("OIDC_CLIENTS", Value::from(registered).to_string())
            .env("OIDC_ACCOUNTS", accounts.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("node starts (is Node.js installed?)");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let mut lines = BufReader::new(stdout).lines();
        let issuer = tokio::time::timeout(Duration::from_secs(60), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(issuer) = line.strip_prefix("listening ") {
                    return Some(issuer.to_owned());
                }
            }
            None
        })
        .await
        .ok()
        .flatten();
        let Some(issuer) = issuer else {
            let _ = child.start_kill();
            let mut errors = String::new();
            let mut reader = BufReader::new(stderr);
            let _ = tokio::time::timeout(
                Duration::from_secs(2),
                tokio::io::AsyncReadExt::read_to_string(&mut reader, &mut errors),
            )
            .await;
            panic!("oidc-provider did not start:\n{errors}");
        };
        // Keep draining the pipes so the provider never blocks on a full one.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                eprintln!("[oidc-provider] {line}");
            }
        });
        OidcProvider {
            issuer: issuer.parse().expect("the provider prints its issuer URL"),
            clients: clients.to_vec(),
            child,
            _stdin: stdin,
        }
    }

    /// The discovery document's URL (`<issuer>/.well-known/openid-configuration`).
    pub fn discovery_url(&self) -> String {
        format!(
            "{}/.well-known/openid-configuration",
            self.issuer.as_str().trim_end_matches('/')
        )
    }

    /// Kills the provider and waits (up to 5 s) for it to exit, to test a provider that
    /// went down.
    pub fn stop(&mut self) {
        let _ = self.child.start_kill();
        for _ in 0..500 {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Follows `authorization_url` (the provider's `/auth?…`, as a relying party built it)
    /// through the provider's pages as a browser with no cookies yet would: signs in as
    /// `login` (any password), then grants or denies consent. Returns the provider's final
    /// redirect to the relying party, without calling it: `<redirect_uri>?code=…&state=…&iss=…`,
    /// or `<redirect_uri>?error=access_denied&…&state=…&iss=…` for [`Consent::Deny`] (or any
    /// other error the provider sends back there, such as a request without PKCE).
    ///
    /// Panics with a clear message when the provider answers a step unexpectedly.
    pub async fn authorize(&self, authorization_url: &str, login: &str, decision: Consent) -> String {
        let mut url: Url = authorization_url
            .parse()
            .unwrap_or_else(|error| panic!("authorization URL {authorization_url:?}: {error}"));
        assert_eq!(
            url.origin(),
            self.issuer.origin(),
            "the authorization URL {authorization_url} is not at the provider {}",
            self.issuer
        );
        let mut browser = Browser::new();
        let mut response = browser.get(&url).await;
        // Login and consent take four redirects; leave room for a few more.
        for _ in 0..12 {
            let location = Browser::redirect(&url, response).await;
            let next = url
                .join(&location)
                .unwrap_or_else(|error| panic!("the provider redirected to {location:?}: {error}"));
            if next.origin() != self.issuer.origin() {
                return location;
            }
            url = next;
            response = if url.path().starts_with("/interaction/") {
                let page = browser.get(&url).await;
                let status = page.status();
                let body = page.text().await.unwrap_or_default();
                assert_eq!(status, StatusCode::OK, "the interaction page {url} answered:\n{body}");
                if body.contains(r#"name="prompt" value="login""#) {
                    browser
                        .post_form(&url, &[("prompt", "login"), ("login", login), ("password", "x")])
                        .await
                } else if body.contains(r#"name="prompt" value="consent""#) {
                    match decision {
                        Consent::Grant => browser.post_form(&url, &[("prompt", "consent")]).await,
                        Consent::Deny => {
                            let mut abort = url.clone();
                            abort.set_path(&format!("{}/abort", url.path()));
                            browser.get(&abort).await
                        }
                    }
                } else {
                    panic!("the interaction page {url} asks neither to sign in nor to consent:\n{body}");
                }
            } else {
                browser.get(&url).await
            };
        }
        panic!("the provider kept redirecting (last at {url})");
    }

    /// An ID token from the provider for the registered client `client_id`, for `login`,
    /// with `nonce`, as a native app holds it after signing in (the code flow, exchanged
    /// with the client's secret at its first redirect URI).
    pub async fn id_token(&self, client_id: &str, login: &str, nonce: &str) -> String {
        let client = self
            .clients
            .iter()
            .find(|client| client.client_id == client_id)
            .unwrap_or_else(|| panic!("no client {client_id} is registered at the provider"));
        let redirect_uri = client
            .redirect_uris
            .first()
            .map(String::as_str)
            .unwrap_or_else(|| panic!("client {client_id} has no redirect URI"));
        let verifier = keyward_server::crypto::random_string(
            64,
            b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~",
        );
        let challenge = keyward_server::crypto::base64url(&keyward_server::crypto::sha256(verifier.as_bytes()));
        let mut authorization = self.issuer.join("auth").expect("authorization endpoint");
        authorization
            .query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", "openid email profile")
            .append_pair("state", "id-token")
            .append_pair("nonce", nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        let back = self.authorize(authorization.as_str(), login, Consent::Grant).await;
        let back: Url = back.parse().expect("the redirect back is a URL");
        let code = back
            .query_pairs()
            .find(|(name, _)| name == "code")
            .map(|(_, code)| code.into_owned())
            .unwrap_or_else(|| panic!("no code in the redirect back: {back}"));
        let token_endpoint = self.issuer.join("token").expect("token endpoint");
        let response = Browser::new()
            .post_form(
                &token_endpoint,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", redirect_uri),
                    ("code_verifier", verifier.as_str()),
                    ("client_id", client_id),
                    ("client_secret", client.client_secret.as_str()),
                ],
            )
            .await;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::OK, "the token endpoint answered:\n{body}");
        let tokens: Value = serde_json::from_str(&body).expect("the token response is JSON");
        tokens["id_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no id_token in {body}"))
            .to_owned()
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// A browser at the provider: no automatic redirects, and the cookies it set (by name and
/// path; the provider scopes its interaction cookies to `/interaction/<uid>` and
/// `/auth/<uid>`).
struct Browser {
    http: reqwest::Client,
    cookies: Vec<Cookie>,
}

struct Cookie {
    name: String,
    path: String,
    value: String,
}

impl Browser {
    fn new() -> Self {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .expect("an HTTP client"),
            cookies: Vec::new(),
        }
    }

    async fn get(&mut self, url: &Url) -> reqwest::Response {
        let request = self.http.get(url.clone());
        self.send(url, request).await
    }

    async fn post_form(&mut self, url: &Url, form: &[(&str, &str)]) -> reqwest::Response {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let request = self
            .http
            .post(url.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        self.send(url, request).await
    }

    async fn send(&mut self, url: &Url, mut request: reqwest::RequestBuilder) -> reqwest::Response {
        let cookies: Vec<String> = self
            .cookies
            .iter()
            .filter(|cookie| path_matches(&cookie.path, url.path()))
            .map(|cookie| format!("{}={}", cookie.name, cookie.value))
            .collect();
        if !cookies.is_empty() {
            request = request.header(COOKIE, cookies.join("; "));
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|error| panic!("the provider does not answer {url}: {error}"));
        for header in response.headers().get_all(SET_COOKIE) {
            if let Ok(text) = header.to_str() {
                self.store(text);
            }
        }
        response
    }

    /// Keeps (or, expired, forgets) the cookie of one `Set-Cookie` header.
    fn store(&mut self, header: &str) {
        let mut parts = header.split(';');
        let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else {
            return;
        };
        let (name, value) = (name.trim().to_owned(), value.trim().to_owned());
        let mut path = "/".to_owned();
        let mut expired = value.is_empty();
        for attribute in parts {
            let (key, argument) = attribute.split_once('=').unwrap_or((attribute, ""));
            let argument = argument.trim();
            match key.trim().to_ascii_lowercase().as_str() {
                "path" => path = argument.to_owned(),
                "max-age" => expired |= argument.parse::<i64>().is_ok_and(|seconds| seconds <= 0),
                "expires" => {
                    expired |= chrono::DateTime::parse_from_rfc2822(argument)
                        .is_ok_and(|expires| expires <= chrono::Utc::now());
                }
                _ => {}
            }
        }
        self.cookies
            .retain(|cookie| !(cookie.name == name && cookie.path == path));
        if !expired {
            self.cookies.push(Cookie { name, path, value });
        }
    }

    /// The `Location` of a `303` (the provider's every redirect), or a panic saying what
    /// came instead.
    async fn redirect(url: &Url, response: reqwest::Response) -> String {
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        match location {
            Some(location) if status.is_redirection() => location,
            _ => {
                let body = response.text().await.unwrap_or_default();
                panic!("the provider answered {url} with {status} instead of a redirect:\n{body}")
            }
        }
    }
}

/// RFC 6265 path matching.
fn path_matches(cookie_path: &str, request_path: &str) -> bool {
    request_path
        .strip_prefix(cookie_path)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || cookie_path.ends_with('/'))
}
