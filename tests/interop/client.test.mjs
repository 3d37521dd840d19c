// better-auth's own JS client (`better-auth/client`) against a server under test, the way a
// browser app uses it: its own cookie jar, and an Origin header on every POST.
//
//   SERVER_URL  the server's origin (Keyward, or better-auth itself as a control)
//   REFRESH_SERVER_URL  the same kind of server with deferred refreshes, updateAge 0 (every
//               session is due for a refresh) and the cookie cache on
//   MULTI_SESSION_SERVER_URL  the same kind of server with the multi-session plugin on
//   OUTBOX      the JSON-lines file the server writes its emails to
//   TARGET      "keyward" or "better-auth" (names the results)
//   OIDC_ISSUER the local OpenID Connect provider (oidc-provider.mjs) the server has as
//               its genericOAuth provider "oidc"; its account "alice" signs in
//   KEYWARD_COMPAT_RESULTS  optional: one JSON line per flow is appended here
//
// Run: node --test client.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { createAuthClient } from "better-auth/client";
import {
  anonymousClient,
  deviceAuthorizationClient,
  emailOTPClient,
  jwtClient,
  magicLinkClient,
  multiSessionClient,
  usernameClient,
  phoneNumberClient,
  oneTimeTokenClient,
  organizationClient,
  twoFactorClient,
} from "better-auth/client/plugins";
import { apiKeyClient } from "@better-auth/api-key/client";
import * as OTPAuth from "otpauth";
import { createLocalJWKSet, jwtVerify } from "jose";

const base = process.env.SERVER_URL;
const refreshBase = process.env.REFRESH_SERVER_URL;
const multiBase = process.env.MULTI_SESSION_SERVER_URL;
const outbox = process.env.OUTBOX;
const oidcIssuer = process.env.OIDC_ISSUER;
const target = process.env.TARGET ?? "keyward";
assert.ok(base, "SERVER_URL is required");
assert.ok(refreshBase, "REFRESH_SERVER_URL is required");
assert.ok(multiBase, "MULTI_SESSION_SERVER_URL is required");
assert.ok(outbox, "OUTBOX is required");
assert.ok(oidcIssuer, "OIDC_ISSUER is required");
const origin = new URL(base).origin;
const password = "correct-horse-battery";
let counter = 0;
const uniqueEmail = (prefix) => `${prefix}-${process.pid}-${Date.now()}-${++counter}@example.com`;

/** Cookies by name, as a browser would keep them for this one origin. */
class CookieJar {
  cookies = new Map();
  apply(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const index = pair.indexOf("=");
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = value === "" || attributes.some((a) => a.trim().toLowerCase() === "max-age=0");
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join("; ");
  }
}

/**
 * A browser-like client: cookies in a jar, Origin on every non-GET request. `requests`
 * lists what it sent: method, path, and the names of the cookies each answer set.
 */
function browserClient(options = {}, server = base) {
  const jar = new CookieJar();
  const requests = [];
  const serverOrigin = new URL(server).origin;
  const customFetchImpl = async (input, init = {}) => {
    const headers = new Headers(init.headers);
    const cookie = jar.header();
    if (cookie) headers.set("cookie", cookie);
    const method = (init.method ?? "GET").toUpperCase();
    if (method !== "GET") headers.set("origin", serverOrigin);
    const response = await fetch(input, { ...init, headers, redirect: "manual" });
    jar.apply(response);
    const cookies = response.headers.getSetCookie().map((line) => line.slice(0, line.indexOf("=")));
    requests.push({ method, path: new URL(input instanceof Request ? input.url : String(input)).pathname, cookies });
    return response;
  };
  const redirects = [];
  const plugins = [
    twoFactorClient({
      onTwoFactorRedirect: (context) => {
        redirects.push(context.twoFactorMethods);
      },
    }),
    organizationClient({ teams: { enabled: true }, dynamicAccessControl: { enabled: true } }),
    oneTimeTokenClient(),
    deviceAuthorizationClient(),
    magicLinkClient(),
    usernameClient(),
    emailOTPClient(),
    phoneNumberClient(),
    anonymousClient(),
    multiSessionClient(),
    jwtClient(),
    apiKeyClient(),
  ];
  const client = createAuthClient({ baseURL: server, fetchOptions: { customFetchImpl }, plugins, ...options });
  return { client, jar, redirects, requests };
}

/** Waits (up to 5 s) until `condition()` holds; `seen()` says what there was instead. */
async function until(what, condition, seen = () => "") {
  for (let i = 0; i < 250; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`waited 5 s for: ${what} ${seen()}`);
}

/** The code an authenticator app shows now for an otpauth:// URI. */
function totp(uri) {
  return OTPAuth.URI.parse(uri).generate();
}

/**
 * A bearer client: no cookies at all, the token from `set-auth-token`. It still sends
 * Origin: Node's fetch adds `Sec-Fetch-Mode: cors`, which makes sign-in and sign-up check
 * the origin even without cookies (both servers agree).
 */
function bearerClient() {
  const state = { token: "" };
  const client = createAuthClient({
    baseURL: base,
    fetchOptions: {
      headers: { origin },
      auth: { type: "Bearer", token: () => state.token },
      onSuccess: (context) => {
        const token = context.response.headers.get("set-auth-token");
        if (token) state.token = token;
      },
    },
  });
  return { client, state };
}

function emails() {
  if (!fs.existsSync(outbox)) return [];
  return fs
    .readFileSync(outbox, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

async function email(kind, to) {
  for (let i = 0; i < 100; i++) {
    const found = emails().reverse().find((e) => e.kind === kind && e.to === to);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${kind} email to ${to}`);
}

/** The rows of the README's compatibility table (keyward-tests `compat::flows`). */
const ROWS = {
  signUp: "Sign-up with email and password",
  signIn: "Sign-in with email and password, sign-out",
  errors: "Error answers (status, code, message)",
  bearer: "Bearer sessions (set-auth-token)",
  cookies: "Cookie sessions and Origin/CSRF rules",
  getSession: "Get-session (flags, refresh, needsRefresh)",
  sessions: "List and revoke sessions",
  updateUser: "Update-user",
  passwords: "Change-password and verify-password",
  verifyEmail: "Email verification",
  resetPassword: "Password reset",
  changeEmail: "Change-email",
  deleteUser: "Delete-user (password, emailed confirmation)",
  accounts: "Accounts (list, unlink, info)",
  social: "Social sign-in (provider URL)",
  socialProvider: "Social sign-in with an OpenID Connect provider (callback, tokens)",
  twoFactorTotp: "Two-factor: TOTP enrolment and sign-in challenge",
  twoFactorBackup: "Two-factor: backup codes",
  twoFactorOtp: "Two-factor: emailed codes (OTP)",
  twoFactorTrust: "Two-factor: trusted devices",
  twoFactorManage: "Two-factor: disable, wrong codes, limits",
  orgCrud: "Organization: create, update, delete, set-active, list",
  orgInvitations: "Organization: invitations (accept, reject, cancel, expiry)",
  orgMembers: "Organization: members, roles and permissions",
  orgTeams: "Organization: teams",
  orgDynamicRoles: "Organization: dynamic roles",
  oneTimeToken: "One-time token: generate, verify on another client",
  oneTimeTokenRefused: "One-time token: single use, expiry, refusals",
  device: "Device authorization: code, approve in a browser, poll for a session",
  deviceRefused: "Device authorization: slow_down, denial, expiry, refusals",
  magicLink: "Magic link: emailed link signs in, creates the user on first use",
  magicLinkRefused: "Magic link: single use, expiry, disabled sign-up, refusals",
  username: "Username: sign-up, sign-in by username, availability, update",
  usernameRefused: "Username: taken, invalid and immutable usernames, wrong credentials",
  emailOtp: "Email OTP: codes sign in and up, verify, reset a password, change the address",
  emailOtpRefused: "Email OTP: attempts, expiry, single use, disabled sign-up, storage modes",
  phoneNumber: "Phone number: texted codes, verification, sign-in, password reset",
  phoneNumberRefused: "Phone number: wrong, reused and expired codes, attempt limit, taken and unverified numbers",
  anonymous: "Anonymous: guest sign-in, deletion, linking on sign-up and sign-in",
  anonymousRefused: "Anonymous: second anonymous sign-in, non-anonymous and disabled deletion",
  multiSession: "Multi-session: several accounts on one device, switching, revoking",
  multiSessionRefused: "Multi-session: unknown tokens, the maximum number of sessions",
  jwt: "JWT: /token, /jwks, set-auth-jwt, signing keys",
  apiKey: "API keys: create, get, list, update, delete, x-api-key sessions",
  apiKeyRefused: "API keys: foreign keys, server-only fields, limits, rate limit, permissions",
  sqlite: "SQLite storage",
};

function record(rows, passed) {
  const path = process.env.KEYWARD_COMPAT_RESULTS;
  if (!path || target !== "keyward") return;
  for (const flow of [...rows, ROWS.sqlite]) {
    fs.appendFileSync(path, JSON.stringify({ flow, direction: "B", passed }) + "\n");
  }
}

/** A test that also records its result under the table rows it covers. */
function flow(name, rows, body) {
  test(name, async () => {
    try {
      await body();
      record(rows, true);
    } catch (error) {
      record(rows, false);
      throw error;
    }
  });
}

async function signedUp(name = "Ada") {
  const { client, jar, redirects } = browserClient();
  const address = uniqueEmail(name.toLowerCase());
  const { data, error } = await client.signUp.email({ name, email: address, password });
  assert.equal(error, null);
  assert.equal(data.user.email, address);
  return { client, jar, address, redirects };
}

/** Signs up and switches TOTP on; returns the URI and backup codes too. */
async function enrolled() {
  const user = await signedUp();
  const enabled = await user.client.twoFactor.enable({ password });
  assert.equal(enabled.error, null);
  assert.equal(enabled.data.backupCodes.length, 10);
  const verified = await user.client.twoFactor.verifyTotp({ code: totp(enabled.data.totpURI) });
  assert.equal(verified.error, null);
  return { ...user, uri: enabled.data.totpURI, codes: enabled.data.backupCodes };
}

/** Signs out and in again, expecting the two-factor challenge. */
async function challenged({ client, address, redirects }) {
  await client.signOut();
  const before = redirects.length;
  const signIn = await client.signIn.email({ email: address, password });
  assert.equal(signIn.error, null);
  assert.equal(signIn.data.twoFactorRedirect, true);
  assert.equal(redirects.length, before + 1, "onTwoFactorRedirect ran");
  return redirects[redirects.length - 1];
}

flow("Sign-up, sign-in, sign-out (cookies)", [ROWS.signUp, ROWS.signIn, ROWS.cookies], async () => {
  const { client, jar, address } = await signedUp();
  assert.ok(jar.cookies.get("better-auth.session_token"), "the session cookie was set");
  let session = await client.getSession();
  assert.equal(session.data.user.email, address);
  assert.equal(typeof session.data.session.token, "string");
  assert.ok(session.data.user.createdAt instanceof Date, "dates revive into Date objects");

  const out = await client.signOut();
  assert.equal(out.data.success, true);
  session = await client.getSession();
  assert.equal(session.data, null);

  const again = await client.signIn.email({ email: address.toUpperCase(), password });
  assert.equal(again.error, null);
  assert.equal(again.data.redirect, false);
  assert.equal(again.data.user.email, address);
  session = await client.getSession();
  assert.equal(session.data.user.email, address);
});

flow("Get-session: flags, deferred refresh, needsRefresh", [ROWS.getSession], async () => {
  // Every session is due for a refresh on this server (updateAge 0), GET defers it to
  // POST, and the session_data cookie caches the session.
  const { client, jar, requests } = browserClient({}, refreshBase);
  const address = uniqueEmail("fresh");
  assert.equal((await client.signUp.email({ name: "Fay", email: address, password })).error, null);
  assert.ok(jar.cookies.get("better-auth.session_data"), "the cookie cache was set");

  const cached = await client.getSession();
  assert.equal(cached.data.user.email, address);
  assert.equal(cached.data.needsRefresh, undefined, "the cookie cache answers without a refresh flag");
  const due = await client.getSession({ query: { disableCookieCache: true } });
  assert.equal(due.data.user.email, address);
  assert.equal(due.data.needsRefresh, true, "read from the database: due, and the GET defers it");
  const read = requests.at(-1);
  assert.equal(read.method, "GET");
  assert.ok(!read.cookies.includes("better-auth.session_token"), `a deferred GET re-sets no session cookie: ${read.cookies}`);
  const unflagged = await client.getSession({ query: { disableCookieCache: true, disableRefresh: true } });
  assert.equal(unflagged.data.needsRefresh, undefined, "disableRefresh: nothing is due");
  assert.equal(unflagged.data.session.expiresAt.getTime(), due.data.session.expiresAt.getTime(), "nothing was written");

  const refreshed = await client.$fetch("/get-session", {
    method: "POST",
    body: {},
    query: { disableCookieCache: true },
  });
  assert.equal(refreshed.error, null);
  assert.equal(refreshed.data.needsRefresh, undefined);
  assert.ok(new Date(refreshed.data.session.expiresAt) >= due.data.session.expiresAt, "the expiry moved on");
  assert.ok(requests.at(-1).cookies.includes("better-auth.session_token"), "POST refreshed the session cookie");

  // Without the cache cookie, the session atom sees needsRefresh and posts the refresh.
  // (Another client: once getSession has been called with a query, better-auth's client
  // no longer fetches when the atom is first subscribed to.)
  const watcher = browserClient({}, refreshBase);
  assert.equal((await watcher.client.signIn.email({ email: address, password })).error, null);
  watcher.jar.cookies.delete("better-auth.session_data");
  const before = watcher.requests.length;
  const states = [];
  const unsubscribe = watcher.client.useSession.subscribe((value) => states.push(value));
  await until(
    "the atom posted the refresh",
    () => watcher.requests.slice(before).some((r) => r.method === "POST" && r.path.endsWith("/get-session")),
    () => JSON.stringify({ requests: watcher.requests.slice(before), states }),
  );
  await until(
    "the atom settled",
    () => states.at(-1)?.data && !states.at(-1).isRefetching,
    () => JSON.stringify(states),
  );
  unsubscribe();
  const calls = watcher.requests
    .slice(before)
    .filter((r) => r.path.endsWith("/get-session"))
    .map((r) => r.method);
  assert.deepEqual(calls.slice(0, 2), ["GET", "POST"], `the atom's requests: ${calls}`);
  assert.equal(states.at(-1).data.user.email, address);
  assert.equal(states.at(-1).data.needsRefresh, undefined, "the atom holds the refreshed session");

  // A revoked session still answers from another device's cookie cache until
  // disableCookieCache reads the database.
  const other = browserClient({}, refreshBase);
  assert.equal((await other.client.signIn.email({ email: address, password })).error, null);
  assert.ok(other.jar.cookies.get("better-auth.session_data"));
  assert.deepEqual((await client.revokeOtherSessions()).data, { status: true });
  const stale = await other.client.getSession();
  assert.equal(stale.data?.user.email, address, "the cache answers for up to its max age");
  const gone = await other.client.getSession({ query: { disableCookieCache: true } });
  assert.equal(gone.data, null, "the database says the session is gone");
});

flow("Error status and code", [ROWS.errors], async () => {
  const { client, address } = await signedUp();
  const wrong = await browserClient().client.signIn.email({ email: address, password: "wrong-password" });
  assert.equal(wrong.data, null);
  assert.equal(wrong.error.status, 401);
  assert.equal(wrong.error.code, "INVALID_EMAIL_OR_PASSWORD");
  assert.equal(wrong.error.message, "Invalid email or password");
  const duplicate = await browserClient().client.signUp.email({ name: "X", email: address, password });
  assert.equal(duplicate.error.status, 422);
  assert.equal(duplicate.error.code, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");
  const invalid = await browserClient().client.signUp.email({ name: "X", email: "not-an-email", password });
  assert.equal(invalid.error.status, 400);
  assert.equal(invalid.error.code, "VALIDATION_ERROR");
  const short = await browserClient().client.signUp.email({ name: "X", email: uniqueEmail("short"), password: "short" });
  assert.equal(short.error.code, "PASSWORD_TOO_SHORT");
  const email = await client.updateUser({ email: "x@example.com" });
  assert.equal(email.error.code, "EMAIL_CAN_NOT_BE_UPDATED");
  const anonymous = await browserClient().client.listSessions();
  assert.equal(anonymous.error.status, 401);
});

flow("Bearer sessions (set-auth-token)", [ROWS.bearer], async () => {
  const { client, state } = bearerClient();
  const address = uniqueEmail("bearer");
  const created = await client.signUp.email({ name: "Bea", email: address, password });
  assert.equal(created.error, null);
  assert.ok(state.token.startsWith(created.data.token + "."), "set-auth-token carries the signed token");
  const session = await client.getSession();
  assert.equal(session.data.user.email, address);
  const updated = await client.updateUser({ name: "Bea Bearer" });
  assert.equal(updated.error, null, "a bearer POST needs no Origin");
  assert.equal((await client.getSession()).data.user.name, "Bea Bearer");
  state.token = "garbage.token";
  assert.equal((await client.getSession()).data, null);
});

flow("Update-user and the session atom", [ROWS.updateUser], async () => {
  const { client } = await signedUp();
  const seen = [];
  const unsubscribe = client.useSession.subscribe((value) => seen.push(value.data?.user?.name ?? null));
  const { data, error } = await client.updateUser({ name: "Ada Lovelace", image: "https://img.example/a.png" });
  assert.equal(error, null);
  assert.deepEqual(data, { status: true });
  for (let i = 0; i < 50 && !seen.includes("Ada Lovelace"); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  unsubscribe();
  assert.ok(seen.includes("Ada Lovelace"), `the atom refetched after /update-user: ${JSON.stringify(seen)}`);
  const session = await client.getSession();
  assert.equal(session.data.user.image, "https://img.example/a.png");
});

flow("List and revoke sessions", [ROWS.sessions], async () => {
  const { client, address } = await signedUp();
  const other = browserClient();
  await other.client.signIn.email({ email: address, password });
  const third = browserClient();
  await third.client.signIn.email({ email: address, password });
  const listed = await client.listSessions();
  assert.equal(listed.data.length, 3);
  const otherToken = (await other.client.getSession()).data.session.token;
  const revoked = await client.revokeSession({ token: otherToken });
  assert.deepEqual(revoked.data, { status: true });
  assert.equal((await other.client.getSession()).data, null);
  await client.revokeOtherSessions();
  assert.equal((await third.client.getSession()).data, null);
  assert.equal((await client.listSessions()).data.length, 1);
  await client.revokeSessions();
  assert.equal((await client.getSession()).data, null);
});

flow("Change password (revoking other sessions)", [ROWS.passwords], async () => {
  const { client, address } = await signedUp();
  const other = browserClient();
  await other.client.signIn.email({ email: address, password });
  const wrong = await client.changePassword({ currentPassword: "wrong-password", newPassword: "new-password-1" });
  assert.equal(wrong.error.code, "INVALID_PASSWORD");
  const changed = await client.changePassword({ currentPassword: password, newPassword: "new-password-1", revokeOtherSessions: true });
  assert.equal(changed.error, null);
  assert.equal(typeof changed.data.token, "string");
  assert.equal((await other.client.getSession()).data, null);
  assert.equal((await client.getSession()).data.user.email, address, "this client got the new session cookie");
  const signIn = await browserClient().client.signIn.email({ email: address, password: "new-password-1" });
  assert.equal(signIn.error, null);
});

flow("Email verification through the outbox", [ROWS.verifyEmail], async () => {
  const { client, address } = await signedUp();
  const sent = await client.sendVerificationEmail({ email: address, callbackURL: "/verified" });
  assert.equal(sent.error, null);
  const message = await email("verify-email", address);
  const token = new URL(message.url).searchParams.get("token");
  const verified = await client.verifyEmail({ query: { token } });
  assert.equal(verified.error, null);
  const session = await client.getSession({ query: { disableCookieCache: true } });
  assert.equal(session.data.user.emailVerified, true);
  const again = await client.sendVerificationEmail({ email: address });
  assert.equal(again.error.code, "EMAIL_ALREADY_VERIFIED");
});

flow("Password reset through the outbox", [ROWS.resetPassword], async () => {
  const { address } = await signedUp();
  const { client } = browserClient();
  const requested = await client.requestPasswordReset({ email: address, redirectTo: "/reset" });
  assert.equal(requested.error, null);
  assert.equal(requested.data.status, true);
  const message = await email("reset-password", address);
  const token = message.token;
  assert.ok(message.url.includes(`/reset-password/${token}?callbackURL=%2Freset`));
  const reset = await client.resetPassword({ newPassword: "reset-password-1", token });
  assert.deepEqual(reset.data, { status: true });
  const reused = await client.resetPassword({ newPassword: "reset-password-2", token });
  assert.equal(reused.error.code, "INVALID_TOKEN");
  const signIn = await browserClient().client.signIn.email({ email: address, password: "reset-password-1" });
  assert.equal(signIn.error, null);
});

flow("Origin rules (CSRF)", [ROWS.cookies], async () => {
  const { jar } = await signedUp();
  const response = await fetch(`${base}/api/auth/update-user`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: jar.header(), origin: "https://evil.example" },
    body: JSON.stringify({ name: "Mallory" }),
  });
  assert.equal(response.status, 403);
  assert.equal((await response.json()).code, "INVALID_ORIGIN");
  const missing = await fetch(`${base}/api/auth/update-user`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: jar.header() },
    body: JSON.stringify({ name: "Mallory" }),
  });
  assert.equal((await missing.json()).code, "MISSING_OR_NULL_ORIGIN");
});

flow("Change email through the outbox", [ROWS.changeEmail], async () => {
  const { client, address } = await signedUp();
  const newAddress = uniqueEmail("changed");
  const same = await client.changeEmail({ newEmail: address });
  assert.equal(same.error.status, 400);
  assert.equal(same.error.message, "Email is the same");
  const started = await client.changeEmail({ newEmail: newAddress, callbackURL: "/settings" });
  assert.equal(started.error, null);
  assert.equal((await client.getSession()).data.user.email, address, "unchanged until the link is opened");
  const message = await email("verify-email", newAddress);
  const token = new URL(message.url).searchParams.get("token");
  const verified = await client.verifyEmail({ query: { token } });
  assert.equal(verified.error, null);
  assert.equal(verified.data.user.email, newAddress);
  assert.equal((await client.getSession()).data.user.email, newAddress);
});

flow("Delete user", [ROWS.deleteUser], async () => {
  const { client, address } = await signedUp();
  const wrong = await client.deleteUser({ password: "wrong-password" });
  assert.equal(wrong.error.code, "INVALID_PASSWORD");
  const deleted = await client.deleteUser({ password });
  assert.deepEqual(deleted.data, { success: true, message: "User deleted" });
  assert.equal((await client.getSession()).data, null);
  const signIn = await browserClient().client.signIn.email({ email: address, password });
  assert.equal(signIn.error.code, "INVALID_EMAIL_OR_PASSWORD");
});

flow("List and unlink accounts", [ROWS.accounts], async () => {
  const { client } = await signedUp();
  const accounts = await client.listAccounts();
  assert.equal(accounts.data.length, 1);
  assert.equal(accounts.data[0].providerId, "credential");
  assert.deepEqual(accounts.data[0].scopes, []);
  const last = await client.unlinkAccount({ accountId: accounts.data[0].id });
  assert.equal(last.error.code, "FAILED_TO_UNLINK_LAST_ACCOUNT");
  const info = await client.accountInfo({ query: { accountId: "nope" } });
  assert.equal(info.error.code, "ACCOUNT_NOT_FOUND");
});

flow("Two-factor: TOTP enrolment and sign-in", [ROWS.twoFactorTotp], async () => {
  const user = await signedUp();
  const { client, jar, address } = user;
  const wrong = await client.twoFactor.enable({ password: "wrong-password" });
  assert.equal(wrong.error.code, "INVALID_PASSWORD");
  const enabled = await client.twoFactor.enable({ password });
  assert.equal(enabled.error, null);
  assert.ok(enabled.data.totpURI.startsWith("otpauth://totp/Keyward:"), enabled.data.totpURI);
  assert.equal((await client.getSession()).data.user.twoFactorEnabled, false);
  const oldCookie = jar.cookies.get("better-auth.session_token");
  const verified = await client.twoFactor.verifyTotp({ code: totp(enabled.data.totpURI) });
  assert.equal(verified.error, null);
  assert.notEqual(jar.cookies.get("better-auth.session_token"), oldCookie, "the session was rotated");
  assert.equal((await client.getSession()).data.user.twoFactorEnabled, true);
  const uri = await client.twoFactor.getTotpUri({ password });
  assert.equal(uri.data.totpURI, enabled.data.totpURI);

  const methods = await challenged(user);
  assert.deepEqual(methods, ["totp", "otp"]);
  assert.ok(jar.cookies.get("better-auth.two_factor"), "the challenge cookie was set");
  assert.equal((await client.getSession()).data, null, "no session before the second factor");
  const bad = await client.twoFactor.verifyTotp({ code: "000000" === totp(uri.data.totpURI) ? "111111" : "000000" });
  assert.equal(bad.error.code, "INVALID_CODE");
  const done = await client.twoFactor.verifyTotp({ code: totp(uri.data.totpURI) });
  assert.equal(done.error, null);
  assert.equal(done.data.user.email, address);
  assert.equal(jar.cookies.get("better-auth.two_factor"), undefined, "the challenge cookie was cleared");
  assert.equal((await client.getSession()).data.user.email, address);
});

flow("Two-factor: backup codes", [ROWS.twoFactorBackup], async () => {
  const user = await enrolled();
  const { client, codes } = user;
  await challenged(user);
  const first = await client.twoFactor.verifyBackupCode({ code: codes[0] });
  assert.equal(first.error, null);
  await challenged(user);
  const reused = await client.twoFactor.verifyBackupCode({ code: codes[0] });
  assert.equal(reused.error.code, "INVALID_BACKUP_CODE");
  const second = await client.twoFactor.verifyBackupCode({ code: codes[1] });
  assert.equal(second.error, null);
  const fresh = await client.twoFactor.generateBackupCodes({ password });
  assert.equal(fresh.error, null);
  assert.equal(fresh.data.backupCodes.length, 10);
  await challenged(user);
  const old = await client.twoFactor.verifyBackupCode({ code: codes[2] });
  assert.equal(old.error.code, "INVALID_BACKUP_CODE");
  const renewed = await client.twoFactor.verifyBackupCode({ code: fresh.data.backupCodes[0] });
  assert.equal(renewed.error, null);
});

flow("Two-factor: emailed codes", [ROWS.twoFactorOtp], async () => {
  const user = await signedUp();
  const { client, address } = user;
  const enabled = await client.twoFactor.enable({ password, method: "otp" });
  assert.deepEqual(enabled.data, { method: "otp" });
  assert.equal((await client.getSession()).data.user.twoFactorEnabled, true);
  assert.deepEqual(await challenged(user), ["otp"]);
  const sent = await client.twoFactor.sendOtp();
  assert.equal(sent.error, null);
  const code = (await email("two-factor-otp", address)).token;
  const wrong = await client.twoFactor.verifyOtp({ code: code === "000000" ? "111111" : "000000" });
  assert.equal(wrong.error.code, "INVALID_CODE");
  const done = await client.twoFactor.verifyOtp({ code });
  assert.equal(done.error, null);
  assert.equal((await client.getSession()).data.user.email, address);
});

flow("Two-factor: trusted devices", [ROWS.twoFactorTrust], async () => {
  const user = await enrolled();
  const { client, jar, address } = user;
  await challenged(user);
  const trusted = await client.twoFactor.verifyTotp({ code: totp(user.uri), trustDevice: true });
  assert.equal(trusted.error, null);
  assert.ok(jar.cookies.get("better-auth.trust_device"), "the trust cookie was set");
  await client.signOut();
  const direct = await client.signIn.email({ email: address, password });
  assert.equal(direct.error, null);
  assert.equal(direct.data.twoFactorRedirect, undefined, "a trusted device skips the second factor");
  assert.equal(typeof direct.data.token, "string");
  const other = browserClient();
  const challenge = await other.client.signIn.email({ email: address, password });
  assert.equal(challenge.data.twoFactorRedirect, true, "other devices are challenged");
});

flow("Two-factor: disable and limits", [ROWS.twoFactorManage], async () => {
  const user = await enrolled();
  const { client, jar, address } = user;
  await challenged(user);
  for (let i = 0; i < 5; i++) {
    const wrong = await client.twoFactor.verifyTotp({ code: "abcdef" });
    assert.equal(wrong.error.code, "INVALID_CODE");
  }
  const closed = await client.twoFactor.verifyTotp({ code: totp(user.uri) });
  assert.equal(closed.error.code, "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE");
  assert.equal(jar.cookies.get("better-auth.two_factor"), undefined);
  await challenged(user);
  assert.equal((await client.twoFactor.verifyTotp({ code: totp(user.uri) })).error, null);
  const wrongPassword = await client.twoFactor.disable({ password: "wrong-password" });
  assert.equal(wrongPassword.error.code, "INVALID_PASSWORD");
  const disabled = await client.twoFactor.disable({ password });
  assert.deepEqual(disabled.data, { status: true });
  assert.equal((await client.getSession()).data.user.twoFactorEnabled, false);
  await client.signOut();
  const plain = await client.signIn.email({ email: address, password });
  assert.equal(plain.data.twoFactorRedirect, undefined);
  const missing = await client.twoFactor.getTotpUri({ password });
  assert.equal(missing.error.code, "TOTP_NOT_ENABLED");
});

flow("Organization: create, update, set-active, delete", [ROWS.orgCrud], async () => {
  const { client } = await signedUp();
  const slug = `acme-${process.pid}-${++counter}`;
  const created = await client.organization.create({ name: "Acme", slug, metadata: { plan: "pro" } });
  assert.equal(created.error, null);
  assert.equal(created.data.members[0].role, "owner");
  assert.deepEqual(created.data.metadata, { plan: "pro" });
  const session = await client.getSession();
  assert.equal(session.data.session.activeOrganizationId, created.data.id);
  assert.equal((await client.organization.list()).data.length, 1);
  const taken = await client.organization.checkSlug({ slug });
  assert.equal(taken.error.code, "ORGANIZATION_SLUG_ALREADY_TAKEN");
  const updated = await client.organization.update({ data: { name: "Acme Inc" } });
  assert.equal(updated.data.name, "Acme Inc");
  const cleared = await client.organization.setActive({ organizationId: null });
  assert.equal(cleared.data, null);
  assert.equal((await client.organization.getFullOrganization()).data, null);
  await client.organization.setActive({ organizationSlug: slug });
  const full = await client.organization.getFullOrganization();
  assert.equal(full.data.name, "Acme Inc");
  assert.ok(full.data.members[0].user.email.endsWith("@example.com"));
  const deleted = await client.organization.delete({ organizationId: created.data.id });
  assert.equal(deleted.data.id, created.data.id);
  assert.equal((await client.organization.list()).data.length, 0);
  assert.equal((await client.getSession()).data.session.activeOrganizationId, null);
});

flow("Organization: invitations", [ROWS.orgInvitations], async () => {
  const owner = await signedUp("Owner");
  const invitee = await signedUp("Invitee");
  const outsider = await signedUp("Outsider");
  const org = await owner.client.organization.create({ name: "Inv", slug: `inv-${process.pid}-${++counter}` });
  const invited = await owner.client.organization.inviteMember({ email: invitee.address, role: "member" });
  assert.equal(invited.error, null);
  const message = await email("organization-invitation", invitee.address);
  assert.equal(message.token, invited.data.id);
  const again = await owner.client.organization.inviteMember({ email: invitee.address, role: "member" });
  assert.equal(again.error.code, "USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION");
  const details = await invitee.client.organization.getInvitation({ query: { id: invited.data.id } });
  assert.equal(details.data.organizationName, "Inv");
  const stolen = await outsider.client.organization.acceptInvitation({ invitationId: invited.data.id });
  assert.equal(stolen.error.code, "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION");
  const accepted = await invitee.client.organization.acceptInvitation({ invitationId: invited.data.id });
  assert.equal(accepted.data.member.role, "member");
  assert.equal((await invitee.client.getSession()).data.session.activeOrganizationId, org.data.id);
  const toOutsider = await owner.client.organization.inviteMember({ email: outsider.address, role: "member" });
  const rejected = await outsider.client.organization.rejectInvitation({ invitationId: toOutsider.data.id });
  assert.equal(rejected.data.invitation.status, "rejected");
  const third = await owner.client.organization.inviteMember({ email: outsider.address, role: "admin" });
  const canceled = await owner.client.organization.cancelInvitation({ invitationId: third.data.id });
  assert.equal(canceled.data.status, "canceled");
  const listed = await owner.client.organization.listInvitations();
  assert.equal(listed.data.length, 3);
});

flow("Organization: members, roles and permissions", [ROWS.orgMembers], async () => {
  const owner = await signedUp("Owner");
  const member = await signedUp("Member");
  await owner.client.organization.create({ name: "Perm", slug: `perm-${process.pid}-${++counter}` });
  const invited = await owner.client.organization.inviteMember({ email: member.address, role: "member" });
  await member.client.organization.acceptInvitation({ invitationId: invited.data.id });
  const ownerMay = await owner.client.organization.hasPermission({ permissions: { member: ["create"] } });
  assert.equal(ownerMay.data.success, true);
  const memberMay = await member.client.organization.hasPermission({ permissions: { member: ["create"] } });
  assert.equal(memberMay.data.success, false);
  assert.equal(owner.client.organization.checkRolePermission({ role: "admin", permissions: { organization: ["delete"] } }), false);
  const denied = await member.client.organization.inviteMember({ email: "x@example.com", role: "member" });
  assert.equal(denied.error.code, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION");
  const members = await owner.client.organization.listMembers();
  assert.equal(members.data.total, 2);
  const target = members.data.members.find((m) => m.user.email === member.address);
  const promoted = await owner.client.organization.updateMemberRole({ memberId: target.id, role: ["admin", "auditor"] });
  assert.equal(promoted.data.role, "admin,auditor");
  const role = await member.client.organization.getActiveMemberRole();
  assert.equal(role.data.role, "admin,auditor");
  const active = await member.client.organization.getActiveMember();
  assert.equal(active.data.user.email, member.address);
  const lastOwner = await owner.client.organization.leave({ organizationId: target.organizationId });
  assert.equal(lastOwner.error.code, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER");
  const removed = await owner.client.organization.removeMember({ memberIdOrEmail: member.address });
  assert.equal(removed.data.member.id, target.id);
});

flow("Organization: teams", [ROWS.orgTeams], async () => {
  const owner = await signedUp("Owner");
  const member = await signedUp("Member");
  await owner.client.organization.create({ name: "Teams", slug: `teams-${process.pid}-${++counter}` });
  const team = await owner.client.organization.createTeam({ name: "Core" });
  assert.equal(team.error, null);
  const invited = await owner.client.organization.inviteMember({ email: member.address, role: "member", teamId: team.data.id });
  assert.equal(invited.data.teamId, team.data.id);
  await member.client.organization.acceptInvitation({ invitationId: invited.data.id });
  assert.equal((await member.client.getSession()).data.session.activeTeamId, team.data.id);
  const teamMembers = await member.client.organization.listTeamMembers();
  assert.equal(teamMembers.data.length, 1);
  const teams = await owner.client.organization.listTeams();
  assert.equal(teams.data.length, 2);
  const renamed = await owner.client.organization.updateTeam({ teamId: team.data.id, data: { name: "Core 2" } });
  assert.equal(renamed.data.name, "Core 2");
  const mine = await member.client.organization.listUserTeams();
  assert.equal(mine.data.length, 1);
  const removed = await owner.client.organization.removeTeam({ teamId: team.data.id });
  assert.equal(removed.data.message, "Team removed successfully.");
});

flow("Organization: dynamic roles", [ROWS.orgDynamicRoles], async () => {
  const owner = await signedUp("Owner");
  await owner.client.organization.create({ name: "Roles", slug: `roles-${process.pid}-${++counter}` });
  const created = await owner.client.organization.createRole({ role: "Recruiter", permission: { invitation: ["create"] } });
  assert.equal(created.error, null);
  assert.equal(created.data.roleData.role, "recruiter");
  const listed = await owner.client.organization.listRoles();
  assert.equal(listed.data.length, 1);
  const fetched = await owner.client.organization.getRole({ query: { roleName: "recruiter" } });
  assert.deepEqual(fetched.data.permission, { invitation: ["create"] });
  const updated = await owner.client.organization.updateRole({ roleName: "recruiter", data: { permission: { invitation: ["create", "cancel"] } } });
  assert.deepEqual(updated.data.roleData.permission, { invitation: ["create", "cancel"] });
  const predefined = await owner.client.organization.deleteRole({ roleName: "owner" });
  assert.equal(predefined.error.code, "CANNOT_DELETE_A_PRE_DEFINED_ROLE");
  const deleted = await owner.client.organization.deleteRole({ roleName: "recruiter" });
  assert.deepEqual(deleted.data, { success: true });
});

/**
 * Signs `login` in at the local provider's development pages and grants consent: the
 * redirect back to the server (`…/callback/oidc?code=…&state=…&iss=…`), not followed.
 */
async function authorizeAtProvider(authorizationUrl, login) {
  const jar = new CookieJar();
  const go = async (url, form) => {
    const response = await fetch(new URL(url, oidcIssuer), {
      method: form ? "POST" : "GET",
      headers: { cookie: jar.header(), ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
      body: form ? new URLSearchParams(form) : undefined,
      redirect: "manual",
    });
    jar.apply(response);
    assert.ok([302, 303].includes(response.status), `${url}: ${response.status} ${await response.text()}`);
    return new URL(response.headers.get("location"), oidcIssuer).toString();
  };
  let next = await go(authorizationUrl);
  next = await go(next, { prompt: "login", login, password: "x" });
  next = await go(next);
  next = await go(next, { prompt: "consent" });
  return go(next);
}

flow("Username: sign-up, sign-in by username, availability, update", [ROWS.username, ROWS.usernameRefused], async () => {
  const handle = `user_${Math.random().toString(36).slice(2, 10)}`;
  const shown = `U${handle.slice(1)}`.replace("_", "_X");
  const { client } = browserClient();
  const free = await client.isUsernameAvailable({ username: shown });
  assert.equal(free.error, null);
  assert.equal(free.data.available, true);
  const address = uniqueEmail("username");
  const created = await client.signUp.email({ name: "Ada", email: address, password, username: shown });
  assert.equal(created.error, null);
  assert.equal(created.data.user.username, shown.toLowerCase(), "stored lowercase");
  assert.equal(created.data.user.displayUsername, shown, "shown as typed");
  const taken = await client.isUsernameAvailable({ username: shown.toUpperCase() });
  assert.equal(taken.data.available, false);

  const other = browserClient();
  const signedIn = await other.client.signIn.username({ username: shown.toUpperCase(), password });
  assert.equal(signedIn.error, null);
  assert.equal(signedIn.data.user.email, address);
  assert.ok(other.jar.cookies.get("better-auth.session_token"), "the session cookie was set");
  const session = await other.client.getSession();
  assert.equal(session.data.user.username, shown.toLowerCase());

  const renamed = `${handle}_2`;
  const updated = await other.client.updateUser({ username: renamed });
  assert.equal(updated.error, null);
  const again = await browserClient().client.signIn.username({ username: renamed.toUpperCase(), password });
  assert.equal(again.error, null);
  assert.equal(again.data.user.email, address);

  const wrong = await browserClient().client.signIn.username({ username: renamed, password: "wrong-password" });
  assert.equal(wrong.error.status, 401);
  assert.equal(wrong.error.code, "INVALID_USERNAME_OR_PASSWORD");
  const short = await browserClient().client.signIn.username({ username: "ab", password });
  assert.equal(short.error.status, 422);
  assert.equal(short.error.code, "USERNAME_TOO_SHORT");
  const duplicate = await browserClient().client.signUp.email({
    name: "Eve",
    email: uniqueEmail("eve"),
    password,
    username: renamed.toUpperCase(),
  });
  assert.equal(duplicate.error.status, 400);
  assert.equal(duplicate.error.code, "USERNAME_IS_ALREADY_TAKEN");
  const malformed = await browserClient().client.isUsernameAvailable({ username: "not valid" });
  assert.equal(malformed.error.status, 422);
  assert.equal(malformed.error.code, "INVALID_USERNAME");
});

flow("Phone number: a texted code verifies the number, then number and password sign in", [ROWS.phoneNumber, ROWS.phoneNumberRefused], async () => {
  const number = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
  const otherThan = (code) => (code.startsWith("0") ? "1" : "0").repeat(code.length);
  const { client, address } = await signedUp();
  const sent = await client.phoneNumber.sendOtp({ phoneNumber: number });
  assert.equal(sent.error, null);
  assert.equal(sent.data.message, "code sent");
  const code = (await email("phone-number-otp", number)).token;
  const wrong = await client.phoneNumber.verify({ phoneNumber: number, code: otherThan(code), updatePhoneNumber: true });
  assert.equal(wrong.error.status, 400);
  assert.equal(wrong.error.code, "INVALID_OTP");
  const verified = await client.phoneNumber.verify({ phoneNumber: number, code, updatePhoneNumber: true });
  assert.equal(verified.error, null);
  assert.equal(verified.data.user.phoneNumber, number);
  assert.equal(verified.data.user.phoneNumberVerified, true);
  const session = await client.getSession();
  assert.equal(session.data.user.phoneNumber, number);
  const reused = await client.phoneNumber.verify({ phoneNumber: number, code });
  assert.equal(reused.error.code, "OTP_NOT_FOUND");

  const other = browserClient();
  const signedIn = await other.client.signIn.phoneNumber({ phoneNumber: number, password });
  assert.equal(signedIn.error, null);
  assert.equal(signedIn.data.user.email, address);
  assert.ok(other.jar.cookies.get("better-auth.session_token"), "the session cookie was set");
  const bad = await browserClient().client.signIn.phoneNumber({ phoneNumber: number, password: "wrong-password" });
  assert.equal(bad.error.status, 401);
  assert.equal(bad.error.code, "INVALID_PHONE_NUMBER_OR_PASSWORD");
  const taken = await signedUp("Bob");
  await taken.client.phoneNumber.sendOtp({ phoneNumber: number });
  const takenCode = (await email("phone-number-otp", number)).token;
  const exists = await taken.client.phoneNumber.verify({ phoneNumber: number, code: takenCode, updatePhoneNumber: true });
  assert.equal(exists.error.code, "PHONE_NUMBER_EXIST");

  const device = browserClient();
  await device.client.phoneNumber.sendOtp({ phoneNumber: number });
  const login = (await email("phone-number-otp", number)).token;
  const byCode = await device.client.phoneNumber.verify({ phoneNumber: number, code: login });
  assert.equal(byCode.error, null);
  assert.ok(byCode.data.token);
  assert.ok(device.jar.cookies.get("better-auth.session_token"), "verify set the session cookie");

  const asked = await device.client.phoneNumber.requestPasswordReset({ phoneNumber: number });
  assert.equal(asked.data.status, true);
  const otp = (await email("phone-number-reset", number)).token;
  const reset = await device.client.phoneNumber.resetPassword({ otp, phoneNumber: number, newPassword: "another-password-1" });
  assert.equal(reset.error, null);
  assert.equal(reset.data.status, true);
  const again = await device.client.phoneNumber.resetPassword({ otp, phoneNumber: number, newPassword: "a-third-password-1" });
  assert.equal(again.error.code, "OTP_NOT_FOUND");
  const renewed = await browserClient().client.signIn.phoneNumber({ phoneNumber: number, password: "another-password-1" });
  assert.equal(renewed.error, null);
});

flow("Anonymous: a guest signs up, another signs in, a third leaves", [ROWS.anonymous, ROWS.anonymousRefused], async () => {
  const guest = browserClient();
  const signedIn = await guest.client.signIn.anonymous();
  assert.equal(signedIn.error, null);
  assert.equal(signedIn.data.user.isAnonymous, true);
  assert.equal(signedIn.data.user.name, "Anonymous");
  assert.match(signedIn.data.user.email, /^[a-z0-9]{32}@anonymous\.placeholder\.invalid$/);
  assert.ok(guest.jar.cookies.get("better-auth.session_token"), "the session cookie was set");
  const session = await guest.client.getSession();
  assert.equal(session.data.user.isAnonymous, true);
  const again = await guest.client.signIn.anonymous();
  assert.equal(again.error.status, 400);
  assert.equal(again.error.code, "ANONYMOUS_USERS_CANNOT_SIGN_IN_AGAIN_ANONYMOUSLY");
  const address = uniqueEmail("guest");
  const created = await guest.client.signUp.email({ name: "Ada", email: address, password });
  assert.equal(created.error, null);
  assert.equal(created.data.user.isAnonymous, false);
  const linked = await guest.client.getSession();
  assert.equal(linked.data.user.email, address);
  const regular = await guest.client.deleteAnonymousUser();
  assert.equal(regular.error.status, 403);
  assert.equal(regular.error.code, "USER_IS_NOT_ANONYMOUS");

  const second = browserClient();
  const secondGuest = await second.client.signIn.anonymous();
  assert.equal(secondGuest.error, null);
  const guestCookie = second.jar.header();
  const signedInAgain = await second.client.signIn.email({ email: address, password });
  assert.equal(signedInAgain.error, null);
  const old = await fetch(`${base}/api/auth/get-session`, { headers: { cookie: guestCookie } });
  assert.equal(await old.json(), null, "the linked guest is deleted with their session");

  const leaving = browserClient();
  assert.equal((await leaving.client.signIn.anonymous()).error, null);
  const deleted = await leaving.client.deleteAnonymousUser();
  assert.equal(deleted.error, null);
  assert.equal(deleted.data.success, true);
  assert.equal(leaving.jar.cookies.get("better-auth.session_token"), undefined, "the cookie is cleared");
  const gone = await leaving.client.getSession();
  assert.equal(gone.data, null);
});

flow("Multi-session: two accounts in one browser, switched, one revoked, then signed out", [ROWS.multiSession, ROWS.multiSessionRefused], async () => {
  const browser = browserClient({}, multiBase);
  const first = uniqueEmail("multi");
  const second = uniqueEmail("multi");
  assert.equal((await browser.client.signUp.email({ name: "Ada", email: first, password })).error, null);
  assert.equal((await browser.client.signUp.email({ name: "Bob", email: second, password })).error, null);
  const held = [...browser.jar.cookies.keys()].filter((name) => name.includes("_multi-"));
  assert.equal(held.length, 2, `two multi-session cookies: ${held}`);
  const listed = await browser.client.multiSession.listDeviceSessions();
  assert.equal(listed.error, null);
  assert.deepEqual(listed.data.map((entry) => entry.user.email).sort(), [first, second].sort());
  const ada = listed.data.find((entry) => entry.user.email === first);
  const bob = listed.data.find((entry) => entry.user.email === second);
  const active = await browser.client.multiSession.setActive({ sessionToken: ada.session.token });
  assert.equal(active.error, null);
  assert.equal(active.data.user.email, first);
  assert.equal((await browser.client.getSession()).data.user.email, first);
  const unknown = await browser.client.multiSession.setActive({ sessionToken: "not-held-here" });
  assert.equal(unknown.error.status, 401);
  assert.equal(unknown.error.code, "INVALID_SESSION_TOKEN");
  const revoked = await browser.client.multiSession.revoke({ sessionToken: bob.session.token });
  assert.equal(revoked.error, null);
  assert.equal(revoked.data.status, true);
  const left = await browser.client.multiSession.listDeviceSessions();
  assert.deepEqual(left.data.map((entry) => entry.user.email), [first]);
  const again = await browser.client.multiSession.revoke({ sessionToken: bob.session.token });
  assert.equal(again.error.status, 401);
  assert.equal(again.error.code, "INVALID_SESSION_TOKEN");
  assert.equal((await browser.client.signOut()).error, null);
  const none = await browser.client.multiSession.listDeviceSessions();
  assert.deepEqual(none.data, []);
  const gone = [...browser.jar.cookies.keys()].filter((name) => name.includes("_multi-"));
  assert.deepEqual(gone, [], "sign-out expires every multi-session cookie");
});

flow("JWT: a token for the session, the key set, and set-auth-jwt on get-session", [ROWS.jwt], async () => {
  const { client, address } = await signedUp();
  const keys = await client.jwks();
  assert.equal(keys.error, null);
  assert.equal(keys.data.keys[0].alg, "EdDSA");
  assert.equal(keys.data.keys[0].crv, "Ed25519");
  const keySet = createLocalJWKSet(keys.data);
  const token = await client.token();
  assert.equal(token.error, null);
  const { payload, protectedHeader } = await jwtVerify(token.data.token, keySet, { issuer: origin, audience: origin });
  assert.equal(payload.email, address);
  assert.equal(payload.sub, payload.id);
  assert.equal(payload.exp - payload.iat, 900);
  assert.equal(protectedHeader.kid, keys.data.keys[0].kid);
  let header = null;
  const session = await client.getSession({
    fetchOptions: { onSuccess: (context) => { header = context.response.headers.get("set-auth-jwt"); } },
  });
  assert.equal(session.data.user.email, address);
  assert.ok(header, "get-session sends set-auth-jwt");
  assert.equal((await jwtVerify(header, keySet, { issuer: origin, audience: origin })).payload.sub, payload.sub);
  const stranger = await browserClient().client.token();
  assert.equal(stranger.error.status, 401);
});

flow("API keys: made, read, listed, changed, a session of their owner, deleted", [ROWS.apiKey, ROWS.apiKeyRefused], async () => {
  const { client, address } = await signedUp();
  const created = await client.apiKey.create({ name: "ci", expiresIn: 86400, prefix: "js_" });
  assert.equal(created.error, null);
  assert.ok(created.data.key.startsWith("js_"));
  assert.equal(created.data.key.length, 67);
  assert.equal(created.data.start, created.data.key.slice(0, 6));
  assert.equal(created.data.rateLimitMax, 10);
  const got = await client.apiKey.get({ query: { id: created.data.id } });
  assert.equal(got.error, null);
  assert.equal(got.data.name, "ci");
  assert.equal(got.data.key, undefined, "the key is answered once");
  const listed = await client.apiKey.list({ query: { sortBy: "createdAt", sortDirection: "desc" } });
  assert.equal(listed.data.total, 1);
  assert.equal(listed.data.apiKeys[0].id, created.data.id);
  const updated = await client.apiKey.update({ keyId: created.data.id, name: "ci-2" });
  assert.equal(updated.error, null);
  assert.equal(updated.data.name, "ci-2");
  const asKey = (key) => fetch(`${base}/api/auth/get-session`, { headers: { "x-api-key": key } });
  const session = await (await asKey(created.data.key)).json();
  assert.equal(session.user.email, address);
  assert.equal(session.session.id, created.data.id);
  const serverOnly = await client.apiKey.create({ remaining: 5 });
  assert.equal(serverOnly.error.status, 400);
  assert.equal(serverOnly.error.code, "SERVER_ONLY_PROPERTY");
  const tooShort = await client.apiKey.create({ expiresIn: 60 });
  assert.equal(tooShort.error.code, "EXPIRES_IN_IS_TOO_SMALL");
  const { client: stranger } = await signedUp("Bob");
  const foreign = await stranger.apiKey.get({ query: { id: created.data.id } });
  assert.equal(foreign.error.status, 404);
  assert.equal(foreign.error.code, "KEY_NOT_FOUND");
  const deleted = await client.apiKey.delete({ keyId: created.data.id });
  assert.equal(deleted.data.success, true);
  const gone = await asKey(created.data.key);
  assert.equal(gone.status, 401);
  assert.equal((await gone.json()).code, "INVALID_API_KEY");
});

flow("One-time token: a session handed to another client", [ROWS.oneTimeToken, ROWS.oneTimeTokenRefused], async () => {
  const { client, address } = await signedUp();
  const generated = await client.oneTimeToken.generate();
  assert.equal(generated.error, null);
  assert.equal(generated.data.token.length, 32);
  const other = browserClient();
  const verified = await other.client.oneTimeToken.verify({ token: generated.data.token });
  assert.equal(verified.error, null);
  assert.equal(verified.data.user.email, address);
  assert.ok(other.jar.cookies.get("better-auth.session_token"), "the session cookie was set");
  const theirs = await other.client.getSession();
  const own = await client.getSession();
  assert.equal(theirs.data.user.email, address);
  assert.equal(theirs.data.session.id, own.data.session.id, "the same session");

  const reused = await browserClient().client.oneTimeToken.verify({ token: generated.data.token });
  assert.equal(reused.error.status, 400);
  assert.equal(reused.error.message, "Invalid token");
  const anonymous = await browserClient().client.oneTimeToken.generate();
  assert.equal(anonymous.error.status, 401);
});

flow("Email OTP: a code signs up, verifies and resets a password", [ROWS.emailOtp, ROWS.emailOtpRefused], async () => {
  const address = uniqueEmail("otp");
  const codeCount = () => emails().filter((e) => e.kind === "email-otp" && e.to === address).length;
  const newCode = async (before) => {
    await until("a new code", () => codeCount() > before, () => JSON.stringify(emails()));
    return (await email("email-otp", address)).token;
  };
  const asker = browserClient();
  const asked = await asker.client.emailOtp.sendVerificationOtp({ email: address, type: "sign-in" });
  assert.equal(asked.error, null);
  assert.deepEqual(asked.data, { success: true });
  const otp = await newCode(0);
  assert.match(otp, /^[0-9]{6}$/);

  const wrongCode = otp.endsWith("0") ? `${otp.slice(0, -1)}1` : `${otp.slice(0, -1)}0`;
  const reader = browserClient();
  const wrong = await reader.client.signIn.emailOtp({ email: address, otp: wrongCode });
  assert.equal(wrong.error.status, 400);
  assert.equal(wrong.error.code, "INVALID_OTP");
  const signedIn = await reader.client.signIn.emailOtp({ email: address.toUpperCase(), otp, name: "Ada" });
  assert.equal(signedIn.error, null);
  assert.equal(signedIn.data.user.email, address);
  assert.equal(signedIn.data.user.name, "Ada");
  assert.equal(signedIn.data.user.emailVerified, true);
  assert.ok(reader.jar.cookies.get("better-auth.session_token"), "the session cookie was set");
  const session = await reader.client.getSession();
  assert.equal(session.data.user.email, address);
  const reused = await browserClient().client.signIn.emailOtp({ email: address, otp });
  assert.equal(reused.error.code, "INVALID_OTP");

  // Verification codes: checked without being used up, then used.
  const before = codeCount();
  await reader.client.emailOtp.sendVerificationOtp({ email: address, type: "email-verification" });
  const verification = await newCode(before);
  const checked = await reader.client.emailOtp.checkVerificationOtp({
    email: address,
    type: "email-verification",
    otp: verification,
  });
  assert.equal(checked.error, null);
  const verified = await reader.client.emailOtp.verifyEmail({ email: address, otp: verification });
  assert.equal(verified.error, null);
  assert.equal(verified.data.status, true);
  assert.equal(verified.data.token, null);
  assert.equal(verified.data.user.emailVerified, true);

  // A password for the code-only user, by the deprecated and the current route.
  const count = codeCount();
  const forgot = await asker.client.forgetPassword.emailOtp({ email: address });
  assert.equal(forgot.error, null);
  await newCode(count);
  const requested = await asker.client.emailOtp.requestPasswordReset({ email: address });
  assert.deepEqual(requested.data, { success: true });
  const resetCode = await newCode(count + 1);
  const short = await asker.client.emailOtp.resetPassword({ email: address, otp: resetCode, password: "short" });
  assert.equal(short.error.code, "PASSWORD_TOO_SHORT");
  const reset = await asker.client.emailOtp.resetPassword({ email: address, otp: resetCode, password });
  assert.equal(reset.error, null);
  const byPassword = await browserClient().client.signIn.email({ email: address, password });
  assert.equal(byPassword.error, null);

  // Three wrong guesses kill a code.
  const last = codeCount();
  await asker.client.emailOtp.sendVerificationOtp({ email: address, type: "sign-in" });
  const doomed = await newCode(last);
  const guess = doomed.endsWith("0") ? `${doomed.slice(0, -1)}1` : `${doomed.slice(0, -1)}0`;
  for (let i = 0; i < 3; i++) {
    const refused = await browserClient().client.signIn.emailOtp({ email: address, otp: guess });
    assert.equal(refused.error.code, "INVALID_OTP");
  }
  const dead = await browserClient().client.signIn.emailOtp({ email: address, otp: doomed });
  assert.equal(dead.error.status, 403);
  assert.equal(dead.error.code, "TOO_MANY_ATTEMPTS");
  const changeType = await asker.client.emailOtp.sendVerificationOtp({ email: address, type: "change-email" });
  assert.equal(changeType.error.status, 400);
  const invalid = await asker.client.emailOtp.sendVerificationOtp({ email: "not-an-address", type: "sign-in" });
  assert.equal(invalid.error.code, "INVALID_EMAIL");
});

flow("Magic link: an emailed link signs up, then in", [ROWS.magicLink, ROWS.magicLinkRefused], async () => {
  const address = uniqueEmail("magic");
  const asker = browserClient();
  const asked = await asker.client.signIn.magicLink({ email: address, name: "Ada", callbackURL: "/dash" });
  assert.equal(asked.error, null);
  assert.deepEqual(asked.data, { status: true });
  const sent = await email("magic-link", address);
  assert.equal(sent.token.length, 32);
  assert.equal(sent.url, `${base}/api/auth/magic-link/verify?token=${sent.token}&callbackURL=%2Fdash`);

  // A client that reads the session from the JSON answer (no callbackURL).
  const reader = browserClient();
  const verified = await reader.client.magicLink.verify({ query: { token: sent.token } });
  assert.equal(verified.error, null);
  assert.equal(verified.data.user.email, address);
  assert.equal(verified.data.user.name, "Ada");
  assert.equal(verified.data.user.emailVerified, true);
  assert.equal(verified.data.token, verified.data.session.token);
  assert.ok(reader.jar.cookies.get("better-auth.session_token"), "the session cookie was set");
  const session = await reader.client.getSession();
  assert.equal(session.data.user.email, address);

  // Opened in a browser: the link redirects, once.
  const again = await asker.client.signIn.magicLink({
    email: address,
    callbackURL: "/dash",
    newUserCallbackURL: "/welcome",
    errorCallbackURL: "/oops",
  });
  assert.equal(again.error, null);
  const second = await until(
    "a second link",
    () => emails().filter((e) => e.kind === "magic-link" && e.to === address).length === 2,
    () => JSON.stringify(emails()),
  ).then(() => email("magic-link", address));
  assert.notEqual(second.token, sent.token);
  const opened = await fetch(second.url, { redirect: "manual" });
  assert.equal(opened.status, 302);
  assert.equal(opened.headers.get("location"), `${origin}/dash`, "an existing user goes to callbackURL");
  assert.ok(opened.headers.getSetCookie().some((line) => line.startsWith("better-auth.session_token=")));
  const reused = await fetch(second.url, { redirect: "manual" });
  assert.equal(reused.headers.get("location"), `${origin}/oops?error=INVALID_TOKEN`);
  const unknown = await reader.client.magicLink.verify({ query: { token: "nope", callbackURL: "/dash" } });
  assert.equal(unknown.error.status, 302);
  const refused = await asker.client.signIn.magicLink({ email: address, callbackURL: "https://evil.example/" });
  assert.equal(refused.error.status, 403);
  assert.equal(refused.error.code, "INVALID_CALLBACK_URL");
  const invalid = await asker.client.signIn.magicLink({ email: "not-an-address" });
  assert.equal(invalid.error.status, 400);
  assert.equal(invalid.error.code, "VALIDATION_ERROR");
});

flow("Device authorization: a device signed in from a browser", [ROWS.device, ROWS.deviceRefused], async () => {
  // The server polls once a second here (interval 1).
  const grant_type = "urn:ietf:params:oauth:grant-type:device_code";
  const device = browserClient().client;
  const code = await device.device.code({ client_id: "js-cli", scope: "profile" });
  assert.equal(code.error, null);
  const { device_code, user_code } = code.data;
  assert.equal(code.data.interval, 1);
  const poll = () => device.device.token({ grant_type, device_code, client_id: "js-cli" });
  const pending = await poll();
  assert.equal(pending.error.status, 400);
  assert.equal(pending.error.error, "authorization_pending");
  assert.equal((await poll()).error.error, "slow_down");

  const { client, address } = await signedUp();
  const unclaimed = await client.device.approve({ userCode: user_code });
  assert.equal(unclaimed.error.error, "invalid_request");
  const status = await client.device({ query: { user_code } });
  assert.equal(status.error, null);
  assert.deepEqual(status.data, { user_code, status: "pending", client_id: "js-cli", scope: "profile" });
  const other = (await signedUp("Grace")).client;
  const foreign = await other.device.deny({ userCode: user_code });
  assert.equal(foreign.error.status, 403);
  assert.equal(foreign.error.error, "access_denied");
  const approved = await client.device.approve({ userCode: user_code });
  assert.deepEqual(approved.data, { success: true });

  await new Promise((resolve) => setTimeout(resolve, 1100));
  const granted = await poll();
  assert.equal(granted.error, null);
  assert.equal(granted.data.token_type, "Bearer");
  assert.equal(granted.data.scope, "profile");
  const session = await fetch(`${base}/api/auth/get-session`, {
    headers: { authorization: `Bearer ${granted.data.access_token}` },
  });
  assert.equal((await session.json()).user.email, address);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  assert.equal((await poll()).error.error, "invalid_grant", "a code is redeemed once");
});

flow("Social sign-in through an OpenID Connect provider", [ROWS.social, ROWS.socialProvider], async () => {
  const { client, jar } = browserClient();
  const started = await client.signIn.social({
    provider: "oidc",
    callbackURL: "/dashboard",
    newUserCallbackURL: "/welcome",
    errorCallbackURL: "/oops",
    disableRedirect: true,
  });
  assert.equal(started.error, null);
  assert.equal(started.data.redirect, false);
  assert.ok(jar.cookies.has("better-auth.state"), "the state cookie ties the flow to this browser");
  const back = await authorizeAtProvider(started.data.url, "alice");
  const callback = await fetch(back, { headers: { cookie: jar.header() }, redirect: "manual" });
  jar.apply(callback);
  assert.equal(callback.status, 302);
  assert.equal(callback.headers.get("location"), "/welcome");
  const session = await client.getSession();
  assert.equal(session.data.user.email, "alice@example.com");
  assert.equal(session.data.user.emailVerified, true);
  const accounts = await client.listAccounts();
  const account = accounts.data.find((a) => a.providerId === "oidc");
  assert.ok(account, "an oidc account");
  assert.deepEqual(account.scopes, ["openid", "email", "profile"]);
  const token = await client.getAccessToken({ accountId: account.id });
  assert.equal(token.error, null);
  assert.ok(token.data.accessToken.length > 0);
  const info = await client.accountInfo({ query: { accountId: account.id } });
  assert.equal(info.error, null);
  assert.equal(info.data.user.email, "alice@example.com");
  // A second sign-in of the same user lands on callbackURL.
  const again = browserClient();
  const second = await again.client.signIn.social({ provider: "oidc", callbackURL: "/dashboard", disableRedirect: true });
  const returned = await fetch(await authorizeAtProvider(second.data.url, "alice"), {
    headers: { cookie: again.jar.header() },
    redirect: "manual",
  });
  assert.equal(returned.headers.get("location"), "/dashboard");
});
