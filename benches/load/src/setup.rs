//! The data every workload reads, created once per storage through Keyward's public API
//! in the database both servers share, then checked on both servers.

use serde_json::{Value, json};

use keyward_bench::load::{Call, Target, call};

/// The password of every bench user.
pub const PASSWORD: &str = "bench-password-1234";

/// Members of the benchmark organization, the owner included.
pub const ORGANIZATION_MEMBERS: usize = 100;

/// Cookies and credentials the workloads use.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// Session cookie of the get-session user.
    pub reader: String,
    /// Session cookie of a user with six sessions (list-sessions).
    pub lister: String,
    /// Email of the sign-in user.
    pub signer_email: String,
    /// Session cookie and email of the mixed-workload user.
    pub mixed: String,
    /// Email of the mixed-workload user (its 1% sign-ins).
    pub mixed_email: String,
    /// Session cookie of the organization's owner.
    pub owner: String,
    /// The organization with [`ORGANIZATION_MEMBERS`] members.
    pub organization_id: String,
}

fn session_cookie(set_cookies: &[String]) -> Option<String> {
    set_cookies.iter().find_map(|line| {
        let pair = line.split(';').next()?.trim();
        (pair.starts_with("better-auth.session_token=") && pair.len() > "better-auth.session_token=".len())
            .then(|| pair.to_owned())
    })
}

async fn expect_ok(target: &Target, request: Call) -> Result<(Vec<String>, Value), String> {
    let (status, cookies, body) = call(target, &request).await?;
    if status != 200 {
        return Err(format!("{} {} -> {status} {body}", request.method, request.path));
    }
    Ok((cookies, body))
}

async fn sign_up(target: &Target, email: &str, name: &str) -> Result<String, String> {
    let body = json!({"email": email, "password": PASSWORD, "name": name});
    let (cookies, _) = expect_ok(target, Call::post("/sign-up/email", None, &body)).await?;
    session_cookie(&cookies).ok_or_else(|| format!("sign-up of {email} set no session cookie"))
}

async fn sign_in(target: &Target, email: &str) -> Result<String, String> {
    let body = json!({"email": email, "password": PASSWORD});
    let (cookies, _) = expect_ok(target, Call::post("/sign-in/email", None, &body)).await?;
    session_cookie(&cookies).ok_or_else(|| format!("sign-in of {email} set no session cookie"))
}

/// Creates the users, sessions and the organization through `keyward`.
pub async fn create(keyward: &Target, tag: &str) -> Result<Fixture, String> {
    let email = |who: &str| format!("{who}-{tag}@bench.example");
    let reader = sign_up(keyward, &email("reader"), "Reader").await?;
    sign_up(keyward, &email("lister"), "Lister").await?;
    let mut lister = String::new();
    for _ in 0..5 {
        // Sign-up made the first of six sessions.
        lister = sign_in(keyward, &email("lister")).await?;
    }
    sign_up(keyward, &email("signer"), "Signer").await?;
    let mixed = sign_up(keyward, &email("mixed"), "Mixed").await?;
    let owner = sign_up(keyward, &email("owner"), "Owner").await?;
    let create = json!({"name": format!("Bench {tag}"), "slug": format!("bench-{tag}")});
    let (_, organization) = expect_ok(keyward, Call::post("/organization/create", Some(&owner), &create)).await?;
    let organization_id = organization["id"]
        .as_str()
        .ok_or("organization/create returned no id")?
        .to_owned();
    for index in 1..ORGANIZATION_MEMBERS {
        let member_email = email(&format!("member{index}"));
        let member = sign_up(keyward, &member_email, &format!("Member {index}")).await?;
        let invite = json!({"email": member_email, "role": "member", "organizationId": organization_id});
        let (_, invitation) = expect_ok(
            keyward,
            Call::post("/organization/invite-member", Some(&owner), &invite),
        )
        .await?;
        let invitation_id = invitation["id"].as_str().ok_or("invite-member returned no id")?;
        let accept = json!({"invitationId": invitation_id});
        expect_ok(
            keyward,
            Call::post("/organization/accept-invitation", Some(&member), &accept),
        )
        .await?;
    }
    Ok(Fixture {
        reader,
        lister,
        signer_email: email("signer"),
        mixed,
        mixed_email: email("mixed"),
        owner,
        organization_id,
    })
}

/// Checks that `target` sees the fixture as Keyward made it: same user behind the
/// cookie, six sessions, a full organization.
pub async fn check(target: &Target, fixture: &Fixture) -> Result<(), String> {
    let (_, session) = expect_ok(target, Call::get("/get-session", Some(&fixture.reader))).await?;
    if session["user"]["name"] != "Reader" {
        return Err(format!("get-session on {}: unexpected {session}", target.origin));
    }
    let (_, sessions) = expect_ok(target, Call::get("/list-sessions", Some(&fixture.lister))).await?;
    if sessions.as_array().map(Vec::len) != Some(6) {
        return Err(format!(
            "list-sessions on {}: expected 6, got {sessions}",
            target.origin
        ));
    }
    let path = format!(
        "/organization/get-full-organization?organizationId={}",
        fixture.organization_id
    );
    let (_, organization) = expect_ok(target, Call::get(path, Some(&fixture.owner))).await?;
    let members = organization["members"].as_array().map(Vec::len);
    if members != Some(ORGANIZATION_MEMBERS) {
        return Err(format!(
            "get-full-organization on {}: expected {ORGANIZATION_MEMBERS} members, got {members:?}",
            target.origin
        ));
    }
    Ok(())
}
