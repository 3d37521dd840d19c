//! One server's side of the differential check: its cookies and tokens through the
//! sequence, each step sent and its answer masked.

use super::*;

/// One server's state through the sequence.
pub(super) struct Session {
    base: String,
    pub(super) origin: String,
    cookies: BTreeMap<String, String>,
    signed: Option<String>,
    unsigned: Option<String>,
    http: reqwest::Client,
    /// Where the server writes its emails (for two-factor codes).
    outbox: std::path::PathBuf,
    /// The last `totpURI` the server returned.
    totp_uri: Option<String>,
    /// The last backup codes the server returned.
    backup_codes: Vec<String>,
}

/// An answer, masked for comparison.
#[derive(Debug, PartialEq)]
pub(super) struct Answer {
    pub(super) status: u16,
    /// The masked JSON body, or a marker for an empty or non-JSON one.
    pub(super) body: Value,
    /// `{code, message}` of an error body.
    pub(super) code: Option<Value>,
    pub(super) cookies: BTreeSet<String>,
    pub(super) headers: BTreeMap<String, Option<String>>,
}

impl Session {
    pub(super) fn new(url: &url::Url, outbox: &std::path::Path) -> Self {
        let origin = url.origin().ascii_serialization();
        Session {
            base: format!("{origin}/api/auth"),
            origin,
            cookies: BTreeMap::new(),
            signed: None,
            unsigned: None,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            outbox: outbox.to_owned(),
            totp_uri: None,
            backup_codes: Vec::new(),
        }
    }

    /// The body with this server's codes filled in: `{totp}` (the current code),
    /// `{wrong-totp}`, `{backup}` (the first backup code), `{otp}` (the last emailed
    /// code), `{email-otp}` (the newest email-OTP code) and `{wrong-email-otp}` (that code
    /// with its last digit changed), `{sms}` and `{sms-reset}` (the last texted
    /// verification and reset codes) and `{wrong-sms}`, `{wrong-sms-reset}` (codes that
    /// are not those).
    async fn fill_codes(&self, body: &[u8]) -> Vec<u8> {
        const PLACEHOLDERS: [&str; 7] = [
            "{totp}",
            "{wrong-totp}",
            "{backup}",
            "{otp}",
            "{email-otp}",
            "{wrong-email-otp}",
            "sms",
        ];
        let Ok(text) = std::str::from_utf8(body) else {
            return body.to_vec();
        };
        if !PLACEHOLDERS.iter().any(|p| text.contains(p)) {
            return body.to_vec();
        }
        let mut text = text.to_owned();
        if let Some(uri) = &self.totp_uri {
            text = text.replace("{totp}", &code_from_uri(uri));
            text = text.replace("{wrong-totp}", &wrong_code_for(uri));
        }
        if let Some(code) = self.backup_codes.first() {
            text = text.replace("{backup}", code);
        }
        if text.contains("email-otp}") {
            let code = keyward_tests::read_outbox(&self.outbox)
                .into_iter()
                .rev()
                .find(|email| email["kind"] == "email-otp")
                .and_then(|email| email["token"].as_str().map(str::to_owned))
                .expect("an email code was sent");
            let mut wrong = code.clone();
            let last = wrong.pop().map_or('0', |digit| if digit == '0' { '1' } else { '0' });
            wrong.push(last);
            text = text.replace("{wrong-email-otp}", &wrong);
            text = text.replace("{email-otp}", &code);
        }
        if text.contains("{otp}") {
            let email = keyward_tests::wait_for_email(&self.outbox, "two-factor-otp", "ada@example.com").await;
            text = text.replace("{otp}", email["token"].as_str().unwrap_or_default());
        }
        for (kind, code, wrong) in [
            ("phone-number-otp", "{sms}", "{wrong-sms}"),
            ("phone-number-reset", "{sms-reset}", "{wrong-sms-reset}"),
        ] {
            if !text.contains(code) && !text.contains(wrong) {
                continue;
            }
            let texted = keyward_tests::read_outbox(&self.outbox)
                .into_iter()
                .rev()
                .find(|sms| sms["kind"] == kind)
                .and_then(|sms| sms["token"].as_str().map(str::to_owned))
                .expect("a code was texted");
            let other = if texted.starts_with('0') { "1" } else { "0" }.repeat(texted.len());
            text = text.replace(wrong, &other).replace(code, &texted);
        }
        text.into_bytes()
    }

    /// The session cookie with one character of its signature changed.
    fn tampered_cookies(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| {
                if name != "better-auth.session_token" {
                    return format!("{name}={value}");
                }
                let mut chars: Vec<char> = value.chars().collect();
                let at = chars.len().saturating_sub(6);
                if let Some(c) = chars.get_mut(at) {
                    *c = if *c == 'A' { 'B' } else { 'A' };
                }
                format!("{name}={}", chars.into_iter().collect::<String>())
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The path with `{magic-link}` replaced by the token of the newest magic link this
    /// server sent.
    fn fill_links(&self, path: String) -> String {
        if !path.contains("{magic-link}") {
            return path;
        }
        let token = keyward_tests::read_outbox(&self.outbox)
            .into_iter()
            .rev()
            .find(|email| email["kind"] == "magic-link")
            .and_then(|email| email["token"].as_str().map(str::to_owned))
            .expect("a magic link was sent");
        path.replace("{magic-link}", &token)
    }

    pub(super) async fn send(&mut self, step: &Step, vars: &mut BTreeMap<String, String>) -> Answer {
        let path = self.fill_links(fill_vars(step.path, vars));
        let mut request = self.http.request(step.method.clone(), format!("{}{}", self.base, path));
        let cookie = self
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        match step.credential {
            Credential::None => {}
            Credential::Cookie => request = request.header("cookie", &cookie).header("origin", &self.origin),
            Credential::CookieWithoutOrigin => request = request.header("cookie", &cookie),
            Credential::CookieFromEvil => {
                request = request
                    .header("cookie", &cookie)
                    .header("origin", "https://evil.example")
            }
            Credential::CookieTampered => {
                request = request
                    .header("cookie", self.tampered_cookies())
                    .header("origin", &self.origin)
            }
            Credential::Bearer => request = request.bearer_auth(self.signed.clone().unwrap_or_default()),
            Credential::BearerUnsigned => request = request.bearer_auth(self.unsigned.clone().unwrap_or_default()),
            Credential::BearerGarbage => request = request.bearer_auth("0123456789abcdef0123456789abcdef"),
        }
        if let Some(content_type) = step.content_type {
            request = request.header("content-type", content_type);
        }
        for (name, value) in &step.headers {
            request = request.header(*name, fill_vars(value, vars));
        }
        if let Some(body) = &step.body {
            let body = match std::str::from_utf8(body) {
                Ok(text) if text.contains('{') => fill_vars(text, vars).into_bytes(),
                _ => body.clone(),
            };
            request = request.body(self.fill_codes(&body).await);
        }
        let sent_at = Utc::now();
        let response = request.send().await.expect("server answers");
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap_or("").to_owned())
        };
        let mut headers = BTreeMap::new();
        for name in ["content-type", "cache-control", "pragma", "x-retry-after"] {
            headers.insert(name.to_owned(), header(name));
        }
        let auth_token = header("set-auth-token");
        headers.insert(
            "set-auth-token".into(),
            auth_token.as_ref().map(|_| "<token>".to_owned()),
        );
        headers.insert(
            "set-auth-jwt".into(),
            header("set-auth-jwt").map(|jwt| masked_jwt(&jwt)),
        );
        let expose = header("access-control-expose-headers").map(|v| {
            let mut names: Vec<String> = v.split(',').map(|s| s.trim().to_ascii_lowercase()).collect();
            names.sort();
            names.join(", ")
        });
        headers.insert("access-control-expose-headers".into(), expose);
        let location = header("location");
        let mut cookies = BTreeSet::new();
        for line in response.headers().get_all("set-cookie") {
            let line = line.to_str().unwrap_or("").to_owned();
            let (pair, attributes) = line.split_once("; ").unwrap_or((&line, ""));
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            // A multi-session cookie is named by its session's token: masked.
            let shown = match name.split_once(keyward_client::wire::MULTI_SESSION_MARKER) {
                Some((head, _)) => format!("{head}{}<token>", keyward_client::wire::MULTI_SESSION_MARKER),
                None => name.to_owned(),
            };
            cookies.insert(format!(
                "{shown} [{}] {attributes}",
                if value.is_empty() { "empty" } else { "value" }
            ));
            // A forged cookie came from elsewhere: what the answer sets is not this
            // browser's to keep.
            let forged = step.credential == Credential::CookieTampered;
            if forged {
                continue;
            }
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        if let Some(token) = auth_token {
            self.signed = Some(token);
        }
        let is_html = headers
            .get("content-type")
            .and_then(Option::as_deref)
            .is_some_and(|kind| kind.starts_with("text/html"));
        let bytes = response.bytes().await.expect("body");
        let parsed = if bytes.is_empty() {
            None
        } else {
            serde_json::from_slice::<Value>(&bytes).ok()
        };
        if let Some(value) = &parsed {
            if let Some(token) = value.get("token").and_then(Value::as_str) {
                self.unsigned = Some(token.to_owned());
            }
            if let Some(uri) = value.get("totpURI").and_then(Value::as_str) {
                self.totp_uri = Some(uri.to_owned());
            }
            if let Some(codes) = value.get("backupCodes").and_then(Value::as_array) {
                self.backup_codes = codes.iter().filter_map(Value::as_str).map(str::to_owned).collect();
            }
            for (name, pointer) in &step.captures {
                if let Some(found) = value.pointer(pointer).and_then(Value::as_str) {
                    vars.insert((*name).to_owned(), found.to_owned());
                }
            }
        }
        let mut masker = Masker {
            origin: &self.origin,
            vars,
            sent_at,
            ids: BTreeMap::new(),
        };
        headers.insert("location".into(), location.map(|l| masker.url(&l)));
        let (body, code) = match parsed {
            Some(value) => {
                let masked = masker.value(None, &value);
                let code = masked
                    .get("code")
                    .map(|code| json!({"code": code, "message": masked.get("message")}));
                (masked, code)
            }
            None if bytes.is_empty() => (Value::String("<empty>".into()), None),
            None if is_html => (Value::String(format!("<html> {}", visible_text(&bytes))), None),
            None => (Value::String("<not JSON>".into()), None),
        };
        Answer {
            status,
            body,
            code,
            cookies,
            headers,
        }
    }
}

/// What a person reads on an HTML page: the text outside tags, `<style>`, `<script>` and
/// comments, with runs of white space made one space (two servers' pages may differ in
/// markup and styling, not in what they say).
fn visible_text(html: &[u8]) -> String {
    let html = String::from_utf8_lossy(html);
    let mut text = String::new();
    let mut rest = html.as_ref();
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        text.push(' ');
        let tag = &rest[start..];
        let skip_to = [("<!--", "-->"), ("<style", "</style>"), ("<script", "</script>")]
            .iter()
            .find(|(open, _)| tag.starts_with(open))
            .map_or(">", |(_, close)| close);
        rest = match tag.find(skip_to) {
            Some(end) => &tag[end + skip_to.len()..],
            None => "",
        };
    }
    text.push_str(rest);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
