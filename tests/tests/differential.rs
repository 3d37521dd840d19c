//! The differential check: the same request sequence goes to Keyward and to the real
//! better-auth 1.7.25, and the answers are compared: status, the whole JSON body (every
//! value, every array element), error codes and messages, cookie names and attributes,
//! `set-auth-token`, cache and CORS headers, redirect targets.
//!
//! What must differ between two servers is masked first, in each answer (see [`Masker`]):
//!
//! - by pattern, in any JSON string: a value this server's run captured (`{org}`); a
//!   generated id or token (20 to 64 ASCII letters and digits, nothing else), numbered
//!   by first appearance within the answer (`<id:1>`), so an answer that repeats an id
//!   (a member's `userId` and its `user.id`) must repeat it on both servers; an RFC 3339
//!   time, as seconds from when the request was sent (`<time:+604800s>`), equal within
//!   [`TIME_TOLERANCE_SECONDS`]; the server's own origin (`{origin}`, also
//!   percent-encoded); and in a URL the values of the query parameters in
//!   [`MASKED_QUERY_PARAMETERS`] (`secret=<secret>`, `token=<token>`);
//! - an address whose local part is a generated id (an anonymous user's,
//!   `<generated>@anonymous.placeholder.invalid`, `temp-<generated>@…`);
//! - by key: each element of `backupCodes` that has the `xxxxx-xxxxx` form of a backup
//!   code (`<backup-code>`);
//! - a JSON Web Token (any string of three base64url parts), as its `alg` and claim
//!   names, here and in `set-auth-jwt`; a public key's `x`, `y` and `n`
//!   (`<key-material>`);
//! - a multi-session cookie's name, which holds its session's token (`…_multi-<token>`);
//! - cookie values (only whether one is empty), the `set-auth-token` value (only whether
//!   it is sent), signatures with them.
//!
//! Anything else is compared as it is. A difference fails the test unless
//! `tests/interop/differences.json` lists it (step and aspect) with a reason; entries that
//! no longer match fail it too, and so does an entry naming a step no sequence has, so the
//! list stays true. Each step's outcome is recorded for the README (`compat`): alike, or
//! different as listed, or different.

mod admin;
mod anonymous;
mod api_key;
mod base;
mod device_authorization;
mod email_otp;
mod jwt;
mod magic_link;
mod masking;
mod multi_session;
mod one_time_token;
mod organization;
mod phone_number;
mod session;
mod social;
mod two_factor;
mod username;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use keyward_server::db::{Db, Exec};
use keyward_tests::compat::write_differential;
use keyward_tests::totp::{code_from_uri, wrong_code_for};
use keyward_tests::{BetterAuthServer, Database, TestServer, interop_dir};
use reqwest::Method;
use serde_json::{Value, json};

use masking::{Masker, body_differences, masked_jwt};
use session::{Answer, Session};

/// How far apart (in seconds) two masked times may be and still count as the same: the
/// two servers answer a step moments apart, and a value made steps earlier (a creation
/// time) is as old on both within the time the steps in between took.
const TIME_TOLERANCE_SECONDS: i64 = 10;

/// Query parameters whose values are generated (tokens, secrets, OAuth state).
const MASKED_QUERY_PARAMETERS: [&str; 7] = [
    "token",
    "secret",
    "state",
    "code_challenge",
    "nonce",
    "signature",
    "user_code",
];

/// The aspects an answer is compared by; `body` differences are named by JSON pointer
/// (`body:/session/ipAddress`), and an allow-list entry `body` covers all of a step's.
const ASPECTS: [&str; 4] = ["status", "body", "code", "cookies"];

/// The headers compared (besides cookies).
const HEADERS: [&str; 8] = [
    "content-type",
    "cache-control",
    "pragma",
    "x-retry-after",
    "set-auth-token",
    "set-auth-jwt",
    "access-control-expose-headers",
    "location",
];

/// How a step authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Credential {
    None,
    /// Cookies and the server's own Origin, as a browser.
    Cookie,
    /// Cookies, no Origin.
    CookieWithoutOrigin,
    /// Cookies, an untrusted Origin.
    CookieFromEvil,
    /// Cookies and Origin, the session cookie's signature altered by one character.
    CookieTampered,
    /// `Authorization: Bearer <set-auth-token>`.
    Bearer,
    /// `Authorization: Bearer <token from the JSON body>`.
    BearerUnsigned,
    /// A bearer token that is no session's.
    BearerGarbage,
}

struct Step {
    name: &'static str,
    method: Method,
    path: &'static str,
    credential: Credential,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
    headers: Vec<(&'static str, &'static str)>,
    /// Which user's session sends it (0 unless set).
    actor: usize,
    /// Values to remember from the answer: name and JSON pointer (`/id`). Later paths
    /// and bodies use them as `{name}`; each server remembers its own.
    captures: Vec<(&'static str, &'static str)>,
    /// Instead of a request: SQL run on each server's database (not compared), to set
    /// up what no endpoint may (an admin's role).
    sql: Option<&'static str>,
}

fn step(name: &'static str, method: Method, path: &'static str, credential: Credential) -> Step {
    Step {
        name,
        method,
        path,
        credential,
        content_type: None,
        body: None,
        headers: Vec::new(),
        actor: 0,
        captures: Vec::new(),
        sql: None,
    }
}

/// A setup step: `statement` runs on both databases.
fn sql(name: &'static str, statement: &'static str) -> Step {
    Step {
        sql: Some(statement),
        ..step(name, Method::GET, "", Credential::None)
    }
}

impl Step {
    fn json(mut self, body: Value) -> Self {
        self.body = Some(serde_json::to_vec(&body).expect("json"));
        self.content_type = Some("application/json");
        self
    }

    fn raw(mut self, content_type: &'static str, body: &[u8]) -> Self {
        self.body = Some(body.to_vec());
        self.content_type = Some(content_type);
        self
    }

    fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }

    fn by(mut self, actor: usize) -> Self {
        self.actor = actor;
        self
    }

    fn capture(mut self, name: &'static str, pointer: &'static str) -> Self {
        self.captures.push((name, pointer));
        self
    }
}

/// Replaces `{name}` with remembered values (and `{origin}` with the server's origin).
fn fill_vars(text: &str, vars: &BTreeMap<String, String>) -> String {
    vars.iter().fold(text.to_owned(), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

fn differing_aspects(keyward: &Answer, better_auth: &Answer) -> Vec<String> {
    let mut aspects = Vec::new();
    if keyward.status != better_auth.status {
        aspects.push("status".to_owned());
    }
    let mut pointers = Vec::new();
    body_differences(&keyward.body, &better_auth.body, "", &mut pointers);
    aspects.extend(pointers.into_iter().map(|pointer| format!("body:{pointer}")));
    if keyward.code != better_auth.code {
        aspects.push("code".to_owned());
    }
    if keyward.cookies != better_auth.cookies {
        aspects.push("cookies".to_owned());
    }
    for (name, value) in &better_auth.headers {
        if keyward.headers.get(name) != Some(value) {
            aspects.push(format!("header:{name}"));
        }
    }
    aspects
}

/// One allow-list entry.
struct Allowed {
    step: String,
    aspect: String,
}

impl Allowed {
    /// Whether this entry covers a differing `aspect` of `step` (an entry `body` covers
    /// every `body:<pointer>`).
    fn covers(&self, step: &str, aspect: &str) -> bool {
        self.step == step && (self.aspect == aspect || (self.aspect == "body" && aspect.starts_with("body:")))
    }
}

/// The allow-list, each entry checked for a reason and a known aspect.
fn allowed_differences() -> Vec<Allowed> {
    let allowed: Value = serde_json::from_str(
        &std::fs::read_to_string(interop_dir().join("differences.json")).expect("differences.json is readable"),
    )
    .expect("differences.json is JSON");
    allowed["differences"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|entry| {
            assert!(
                entry["reason"].as_str().is_some_and(|r| r.len() > 20),
                "every difference needs a reason: {entry}"
            );
            let aspect = entry["aspect"].as_str().expect("aspect").to_owned();
            let known = ASPECTS.contains(&aspect.as_str())
                || aspect
                    .strip_prefix("body:")
                    .is_some_and(|p| p.is_empty() || p.starts_with('/'))
                || aspect.strip_prefix("header:").is_some_and(|h| HEADERS.contains(&h));
            assert!(known, "not an aspect the check compares: {entry}");
            Allowed {
                step: entry["step"].as_str().expect("step").to_owned(),
                aspect,
            }
        })
        .collect()
}

/// Sends `steps` to both servers and fails on differences the allow-list does not name,
/// and on allow-list entries for these steps that no longer differ.
async fn run_both(steps: Vec<Step>, keyward: &TestServer, better_auth: &BetterAuthServer) {
    let allowed = allowed_differences();
    let actors = steps.iter().map(|s| s.actor).max().unwrap_or(0) + 1;
    let mut ours: Vec<Session> = (0..actors)
        .map(|_| Session::new(&keyward.url, &keyward.outbox))
        .collect();
    let mut theirs: Vec<Session> = (0..actors)
        .map(|_| Session::new(&better_auth.url, &better_auth.outbox))
        .collect();
    let mut our_vars = BTreeMap::from([("origin".to_owned(), ours[0].origin.clone())]);
    let mut their_vars = BTreeMap::from([("origin".to_owned(), theirs[0].origin.clone())]);
    let names: BTreeSet<String> = steps.iter().map(|s| s.name.to_owned()).collect();
    assert_eq!(names.len(), steps.len(), "step names are unique");
    let mut databases: Option<(Db, Db)> = None;
    let mut unexpected = Vec::new();
    let mut used = BTreeSet::new();
    for step in steps {
        if let Some(statement) = step.sql {
            if databases.is_none() {
                let theirs = better_auth.database_url().expect("better-auth on SQL storage");
                databases = Some((
                    keyward.auth.db().clone(),
                    Db::connect(&theirs).await.expect("opens better-auth's database"),
                ));
            }
            let (our_db, their_db) = databases.as_mut().expect("connected");
            our_db
                .execute(statement, vec![])
                .await
                .expect("runs on Keyward's database");
            their_db
                .execute(statement, vec![])
                .await
                .expect("runs on better-auth's database");
            continue;
        }
        let our_answer = ours[step.actor].send(&step, &mut our_vars).await;
        let their_answer = theirs[step.actor].send(&step, &mut their_vars).await;
        if std::env::var_os("KEYWARD_DIFF_TRACE").is_some() {
            eprintln!(
                "{} -> {} / {}\n  keyward:     {}\n  better-auth: {}",
                step.name, our_answer.status, their_answer.status, our_answer.body, their_answer.body
            );
        }
        let aspects = differing_aspects(&our_answer, &their_answer);
        let mut step_unexpected = Vec::new();
        for aspect in &aspects {
            match allowed.iter().position(|entry| entry.covers(step.name, aspect)) {
                Some(index) => {
                    used.insert(index);
                }
                None => step_unexpected.push(aspect.clone()),
            }
        }
        write_differential(step.name, aspects.is_empty(), step_unexpected.is_empty());
        if !step_unexpected.is_empty() {
            unexpected.push(format!(
                "{}: {step_unexpected:?}\n  keyward:     {our_answer:?}\n  better-auth: {their_answer:?}",
                step.name
            ));
        }
    }
    if let Some((_, their_db)) = databases {
        their_db.close().await;
    }
    let stale: Vec<String> = allowed
        .iter()
        .enumerate()
        .filter(|(index, entry)| names.contains(&entry.step) && !used.contains(index))
        .map(|(_, entry)| format!("{} / {}", entry.step, entry.aspect))
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected differences:\n{}",
        unexpected.join("\n")
    );
    assert!(
        stale.is_empty(),
        "differences.json lists differences that no longer exist: {stale:?}"
    );
}

/// Every allow-list entry names a step of some sequence (so none outlives a renamed or
/// removed step unnoticed) and an aspect the check compares.
#[test]
fn every_listed_difference_names_a_step() {
    let all: Vec<Step> = [
        base::sequence(),
        two_factor::sequence(),
        organization::sequence(),
        admin::sequence(),
        social::sequence(),
        one_time_token::sequence(),
        device_authorization::sequence(),
        magic_link::sequence(),
        username::sequence(),
        email_otp::sequence(),
        email_otp::change_sequence(),
        phone_number::sequence(),
        anonymous::sequence(),
        multi_session::sequence(),
        api_key::sequence(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let steps: BTreeSet<&str> = all.iter().map(|step| step.name).collect();
    let orphans: Vec<String> = allowed_differences()
        .into_iter()
        .filter(|entry| !steps.contains(entry.step.as_str()))
        .map(|entry| format!("{} / {}", entry.step, entry.aspect))
        .collect();
    assert!(
        orphans.is_empty(),
        "differences.json names steps no sequence has: {orphans:?}"
    );
}
