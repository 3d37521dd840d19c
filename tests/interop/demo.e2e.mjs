// The Leptos demo (leptos-ui/demo) in headless Chromium, against the Keyward server that
// serves it: sign-up, profile update without reload, cross-tab sign-out, two-factor
// enrolment and sign-in, organizations, passkeys with Chromium's virtual authenticator,
// social sign-in through the local OpenID Connect provider (its login and consent
// pages, and a cancelled sign-in coming back as a typed error), and the device
// authorization page (/device) approving a code a device requested over HTTP; usernames
// (sign-up with the availability check, sign-in by username), a magic link read from the
// server's development mail log, and the "last used" marker of the sign-in methods.
//
//   DEMO_URL      the server's origin, e.g. http://localhost:3000 (the demo at /)
//   SERVER_LOG    the server's log (development emails are read from it)
//   ARTIFACTS     where screenshots and measurements go
//   CHROMIUM      optional: the browser (default /usr/bin/chromium)
//
// Run: node --test --test-concurrency=1 demo.e2e.mjs   (scripts/test does)
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import * as OTPAuth from "otpauth";

const base = process.env.DEMO_URL;
const artifacts = process.env.ARTIFACTS ?? "artifacts";
assert.ok(base, "DEMO_URL is required");
fs.mkdirSync(artifacts, { recursive: true });

const password = "correct-horse-battery";
const email = `leptos-${process.pid}-${Date.now()}@example.com`;
const username = `ada_${process.pid}`;
let browser;
let context;
let tabA;
const measurements = {};

async function shot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

/** Waits for text inside a selector (Playwright auto-waits up to the timeout). */
async function expectText(page, selector, text) {
  await page.locator(selector).filter({ hasText: text }).first().waitFor({ timeout: 15_000 });
}

async function signIn(page, login = email) {
  const form = page.locator(".kw-sign-in-form").first();
  await form.locator("input[name=login]").fill(login);
  await form.locator("input[name=password]").fill(password);
  await form.locator("button[type=submit]").click();
}

async function signOut(page) {
  await page.locator("header .kw-sign-out").click();
  await page.locator("#sign-in .kw-sign-in-form").waitFor();
}

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
    ],
  });
  context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  tabA = await context.newPage();
  tabA.on("pageerror", (error) => console.error("page error:", error));
});

after(async () => {
  fs.writeFileSync(path.join(artifacts, "measurements.json"), JSON.stringify(measurements, null, 2));
  await browser?.close();
});

test("a visitor signs up and sees the signed-in page", async () => {
  await tabA.goto(base);
  await tabA.locator("#sign-up .kw-sign-up-form").waitFor();
  measurements.firstSessionRenderSignedOutMs = Number(await tabA.locator("body").getAttribute("data-first-session-ms"));
  await shot(tabA, "01-signed-out");
  const form = tabA.locator("#sign-up .kw-sign-up-form");
  await form.locator("input[name=name]").fill("Ada Lovelace");
  await form.locator("input[name=email]").fill(email);
  // Leaving the username field asks the server whether the name is free.
  await form.locator("input[name=username]").fill(username);
  await form.locator("input[name=password]").focus();
  await expectText(tabA, "#sign-up .kw-field-status", "Available");
  await form.locator("input[name=password]").fill(password);
  await form.locator("button[type=submit]").click();
  await expectText(tabA, "#user-name", "Ada Lovelace");
  await expectText(tabA, "header .kw-user-email", email);
  await expectText(tabA, ".kw-session-this", "This device");
  await shot(tabA, "02-signed-in");
});

test("a bad password shows the server's typed error", async () => {
  const probe = await context.browser().newContext();
  const page = await probe.newPage();
  await page.goto(base);
  await page.locator("#sign-in .kw-sign-in-form").waitFor();
  const form = page.locator("#sign-in .kw-sign-in-form");
  await form.locator("input[name=login]").fill(email);
  await form.locator("input[name=password]").fill("not-the-password");
  await form.locator("button[type=submit]").click();
  await expectText(page, "#sign-in .kw-error", "Wrong email or password.");
  await probe.close();
});

test("updating the name changes the page without a reload", async () => {
  await tabA.evaluate(() => {
    window.__sameDocument = true;
  });
  const form = tabA.locator(".profile-form");
  // The avatar's initials are uppercased by the browser (String.toUpperCase), in full
  // Unicode: "ß" becomes "SS".
  await form.locator("input[name=display-name]").fill("émile ßmith");
  await form.locator("button[type=submit]").click();
  await expectText(tabA, "header .kw-user-name", "émile ßmith");
  assert.equal(await tabA.locator("header .kw-avatar").textContent(), "ÉSS");
  await form.locator("input[name=display-name]").fill("Ada King");
  await form.locator("button[type=submit]").click();
  await expectText(tabA, "#user-name", "Ada King");
  await expectText(tabA, "header .kw-user-name", "Ada King");
  assert.equal(await tabA.locator("header .kw-avatar").textContent(), "AK");
  assert.equal(await tabA.evaluate(() => window.__sameDocument), true, "no reload happened");
});

test("signing out in tab B signs tab A out", async () => {
  const tabB = await context.newPage();
  await tabB.goto(base);
  await expectText(tabB, "#user-name", "Ada King");
  // A profile change in B shows in A.
  const form = tabB.locator(".profile-form");
  await form.locator("input[name=display-name]").fill("Ada Byron");
  await form.locator("button[type=submit]").click();
  await expectText(tabA, "#user-name", "Ada Byron");
  // The sign-out in B signs A out (better-auth.message in localStorage).
  await signOut(tabB);
  await tabA.locator("#sign-in .kw-sign-in-form").waitFor({ timeout: 15_000 });
  assert.equal(await tabA.evaluate(() => window.__sameDocument), true, "tab A followed without a reload");
  const message = JSON.parse(await tabA.evaluate(() => localStorage.getItem("better-auth.message")));
  assert.equal(message.event, "session");
  assert.equal(message.data.trigger, "signout");
  await shot(tabA, "03-signed-out-by-other-tab");
  await tabB.close();
});

test("two-factor: enrol with the QR code's secret, then sign in with a code", async () => {
  await signIn(tabA);
  await expectText(tabA, "#user-name", "Ada Byron");
  const setup = tabA.locator(".kw-two-factor");
  await setup.locator("input[name=password]").fill(password);
  await setup.locator("button[type=submit]").click();
  await setup.locator(".kw-qr svg").waitFor();
  const uri = await setup.locator(".kw-totp-uri").getAttribute("href");
  assert.match(uri, /^otpauth:\/\/totp\//);
  assert.equal((await setup.locator(".kw-backup-codes li").allTextContents()).length, 10);
  await shot(tabA, "04-two-factor-setup");
  const totp = OTPAuth.URI.parse(uri);
  await setup.locator("input[name=code]").fill(totp.generate());
  await setup.locator("button[type=submit]").click();
  await expectText(tabA, ".kw-two-factor .kw-status", "Two-factor authentication is on.");

  await signOut(tabA);
  await signIn(tabA);
  const challenge = tabA.locator(".kw-second-factor");
  await challenge.waitFor();
  await shot(tabA, "05-second-factor");
  await challenge.locator("input[name=code]").fill("000000");
  await challenge.locator("button[type=submit]").click();
  await expectText(tabA, ".kw-second-factor .kw-error", "That code is not right.");
  await challenge.locator("input[name=code]").fill(totp.generate());
  await challenge.locator("button[type=submit]").click();
  await expectText(tabA, "#user-name", "Ada Byron");
});

test("organizations: create two, switch between them", async () => {
  const card = tabA.locator("#organizations");
  // Slugs are global: on a database that already has "acme-labs" (a second run), the
  // switcher picks a suffixed slug instead of failing.
  for (const name of ["Acme Labs", "Beta Co"]) {
    await card.locator("input[name=organization-name]").fill(name);
    await card.locator(".kw-create-organization button[type=submit]").click();
    await expectText(tabA, "#active-organization", `${name} (owner)`);
  }
  const select = card.locator("select[name=organization]");
  const acme = await select.locator("option", { hasText: "Acme Labs" }).getAttribute("value");
  await select.selectOption(acme);
  await expectText(tabA, "#active-organization", "Acme Labs (owner)");
  await expectText(tabA, "#active-organization li", "Ada Byron · owner");
  // The header's switcher follows the same store.
  assert.equal(await tabA.locator("header select[name=organization]").inputValue(), acme);
  await shot(tabA, "06-organizations");
});

test("passkeys: register with the virtual authenticator, then sign in with it", async () => {
  const cdp = await context.newCDPSession(tabA);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const list = tabA.locator("#passkeys");
  await list.locator("input[name=passkey-name]").fill("Laptop");
  await list.locator(".kw-add-passkey button[type=submit]").click();
  await expectText(tabA, ".kw-passkey-name", "Laptop");
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  assert.equal(credentials.length, 1, "the authenticator holds one discoverable credential");
  assert.equal(credentials[0].rpId, new URL(base).hostname);
  await shot(tabA, "07-passkey-registered");

  await signOut(tabA);
  await tabA.locator(".kw-passkey-button button").click();
  await expectText(tabA, "#user-name", "Ada Byron");
  const after = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  assert.ok(after.credentials[0].signCount >= 1, "the assertion counted");
  await shot(tabA, "08-signed-in-with-passkey");
});

test("a reload while signed in renders the session without a signed-out flash", async () => {
  await tabA.addInitScript(() => {
    window.__sawSignedOut = false;
    new MutationObserver(() => {
      if (document.querySelector("#sign-in")) window.__sawSignedOut = true;
    }).observe(document, { childList: true, subtree: true });
  });
  await tabA.reload();
  await expectText(tabA, "#user-name", "Ada Byron");
  measurements.firstSessionRenderSignedInMs = Number(await tabA.locator("body").getAttribute("data-first-session-ms"));
  assert.equal(await tabA.evaluate(() => window.__sawSignedOut), false, "never showed signed-out content");
  const wasm = await tabA.evaluate(async () => {
    const response = await fetch("/pkg/keyward_demo_bg.wasm");
    return (await response.arrayBuffer()).byteLength;
  });
  measurements.wasmBytes = wasm;
  console.log(`measurements: ${JSON.stringify(measurements)}`);
});

test("a new tab takes the session the page preloaded: one request, made by the <link>", async () => {
  const page = await context.newPage();
  const requests = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/api/auth/get-session") requests.push(request.url());
  });
  await page.goto(base);
  // The session renders only once the client's first session request has its answer.
  await expectText(page, "#user-name", "Ada Byron");
  const entries = await page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .filter((entry) => new URL(entry.name).pathname === "/api/auth/get-session")
      .map((entry) => entry.initiatorType),
  );
  assert.deepEqual(requests, [`${base.replace(/\/$/, "")}/api/auth/get-session`], "one session request");
  assert.deepEqual(entries, ["link"], "the preload's answer, not a second fetch");
  await page.close();
});

test("a sign-out announced by a better-auth JS tab signs the Leptos tab out", async () => {
  // What better-auth's JS client does on signOut(): POST /sign-out, then the
  // `better-auth.message` entry in localStorage (client/broadcast-channel.ts).
  const jsTab = await context.newPage();
  await jsTab.goto(`${base}/api/auth/ok`);
  await jsTab.evaluate(async () => {
    const response = await fetch("/api/auth/sign-out", {
      method: "POST",
      credentials: "include",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    if (!response.ok) throw new Error(`sign-out answered ${response.status}`);
  });
  // The cookie is gone, but nothing told tab A yet: it still shows the session.
  await tabA.waitForTimeout(1_000);
  assert.equal(await tabA.locator("#user-name").count(), 1, "tab A has not refetched on its own");
  await jsTab.evaluate(() => {
    localStorage.setItem(
      "better-auth.message",
      JSON.stringify({
        event: "session",
        data: { trigger: "signout" },
        clientId: Math.random().toString(36).slice(2),
        timestamp: Math.floor(Date.now() / 1000),
      }),
    );
  });
  await tabA.locator("#sign-in .kw-sign-in-form").waitFor({ timeout: 15_000 });
  await jsTab.close();
});

/** Signs in as `login` on the local provider's development pages (and consents). */
async function providerLogin(page, login) {
  await page.waitForURL(/\/interaction\//, { timeout: 15_000 });
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("any");
  await page.locator("button[type=submit]").click();
  await page.waitForURL(/\/interaction\//, { timeout: 15_000 });
  await page.locator("button[type=submit]").click();
}

test("social sign-in: the local provider's button signs in, a cancelled sign-in shows its error", async () => {
  const social = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await social.newPage();
  page.on("pageerror", (error) => console.error("page error:", error));
  await page.goto(base);
  const button = page.locator(".kw-social-sign-in button[data-provider=local]");
  await button.waitFor({ timeout: 15_000 });
  await shot(page, "social-signed-out");
  await button.click();
  await providerLogin(page, "alice");
  await expectText(page, "#user-name", "Alice Liddell");
  assert.equal(new URL(page.url()).origin, new URL(base).origin, "back on the demo");
  await shot(page, "social-signed-in");
  await signOut(page);

  // A fresh browser cancels at the provider: back on the page with ?error=access_denied.
  const other = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const cancelled = await other.newPage();
  await cancelled.goto(base);
  await cancelled.locator(".kw-social-sign-in button[data-provider=local]").click();
  await cancelled.waitForURL(/\/interaction\//, { timeout: 15_000 });
  await cancelled.getByText("Cancel").click();
  const alert = cancelled.locator(".kw-social-sign-in [role=alert]");
  await alert.waitFor({ timeout: 15_000 });
  assert.equal(await alert.getAttribute("data-code"), "access_denied");
  assert.match(await alert.textContent(), /cancelled at the provider/);
  assert.match(cancelled.url(), /error=access_denied/);
  await shot(cancelled, "social-cancelled");
  await other.close();
  await social.close();
});

test("device authorization: a code requested over HTTP is approved on /device, and the poll gets a token", async () => {
  const api = `${base}/api/auth`;
  const json = { "content-type": "application/json" };
  const requested = await fetch(`${api}/device/code`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ client_id: "e2e-cli", scope: "profile" }),
  });
  assert.equal(requested.status, 200);
  const code = await requested.json();
  assert.match(code.user_code, /^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$/);
  assert.equal(code.verification_uri, `${base}/device`);
  const poll = async () =>
    (
      await fetch(`${api}/device/token`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({
          grant_type: "urn:ietf:params:oauth:grant-type:device_code",
          device_code: code.device_code,
          client_id: "e2e-cli",
        }),
      })
    ).json();
  assert.equal((await poll()).error, "authorization_pending");

  // A browser without a session follows the complete URI: it signs up there, then sees
  // the request and approves it.
  const device = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await device.newPage();
  page.on("pageerror", (error) => console.error("page error:", error));
  await page.goto(code.verification_uri_complete);
  await expectText(page, "#sign-in h2", "Sign in to connect your device");
  const deviceEmail = `device-${process.pid}-${Date.now()}@example.com`;
  const form = page.locator("#sign-up .kw-sign-up-form");
  await form.locator("input[name=name]").fill("Grace Hopper");
  await form.locator("input[name=email]").fill(deviceEmail);
  await form.locator("input[name=username]").fill(`grace_${process.pid}`);
  await form.locator("input[name=password]").fill(password);
  await form.locator("button[type=submit]").click();
  await expectText(page, ".kw-device-client", "e2e-cli");
  await expectText(page, ".kw-device-scope", "profile");
  await shot(page, "device-request");
  await page.locator(".kw-device-approve").click();
  await expectText(page, ".kw-device-done", "Device connected");
  await shot(page, "device-approved");

  // The device's poll (every second: slow_down until its interval has passed) gets a
  // session of the approving user.
  let answer;
  for (let i = 0; i < 20; i++) {
    answer = await poll();
    if (answer.access_token || !["authorization_pending", "slow_down"].includes(answer.error)) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  assert.equal(answer.token_type, "Bearer", JSON.stringify(answer));
  assert.equal(answer.scope, "profile");
  const session = await (
    await fetch(`${api}/get-session`, { headers: { authorization: `Bearer ${answer.access_token}` } })
  ).json();
  assert.equal(session.user.email, deviceEmail);

  // Typing a wrong code on the page shows a typed error.
  await page.goto(`${base}/device`);
  const codeForm = page.locator(".kw-device-code-form");
  await codeForm.locator("input[name=user_code]").fill("zzzz-zzzz");
  await codeForm.locator("button[type=submit]").click();
  await expectText(page, ".kw-device-approval [role=alert]", "That code is not right");
  await device.close();
});

const linusEmail = `linus-${process.pid}-${Date.now()}@example.com`;
const linusUsername = `linus_${process.pid}`;

test("usernames: a taken name is flagged at sign-up, and the user signs in by username", async () => {
  const visitor = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await visitor.newPage();
  page.on("pageerror", (error) => console.error("page error:", error));
  await page.goto(base);
  const form = page.locator("#sign-up .kw-sign-up-form");
  await form.locator("input[name=name]").fill("Linus Torvalds");
  await form.locator("input[name=email]").fill(linusEmail);
  await form.locator("input[name=password]").fill(password);
  // The server compares usernames lower-cased: Ada's name capitalised is taken too.
  await form.locator("input[name=username]").fill(username.toUpperCase());
  await form.locator("input[name=name]").focus();
  await expectText(page, "#sign-up .kw-field-status", "Taken");
  assert.equal(await page.locator("#sign-up .kw-field-status").getAttribute("data-available"), "false");
  await form.locator("button[type=submit]").click();
  await expectText(page, "#sign-up .kw-error", "This username is taken");
  await shot(page, "username-taken");
  await form.locator("input[name=username]").fill(linusUsername);
  await form.locator("input[name=name]").focus();
  await expectText(page, "#sign-up .kw-field-status", "Available");
  await form.locator("button[type=submit]").click();
  await expectText(page, "#user-name", "Linus Torvalds");
  await signOut(page);

  // A wrong password for the username is the username plugin's own error.
  const signInForm = page.locator("#sign-in .kw-sign-in-form");
  await signInForm.locator("input[name=login]").fill(linusUsername);
  await signInForm.locator("input[name=password]").fill("not-the-password");
  await signInForm.locator("button[type=submit]").click();
  await expectText(page, "#sign-in .kw-error", "Wrong username or password.");
  await signIn(page, linusUsername);
  await expectText(page, "header .kw-user-email", linusEmail);
  await shot(page, "username-signed-in");
  await visitor.close();
});

/**
 * The newest development message (`what`: "development email" or "development SMS") to
 * `to` in the server's log: its `field` (link or code).
 */
async function logged(what, to, field, skip = 0) {
  const log = process.env.SERVER_LOG;
  assert.ok(log, "SERVER_LOG is required to read the development emails");
  for (let i = 0; i < 100; i++) {
    const lines = fs
      .readFileSync(log, "utf8")
      .replace(/\x1b\[[0-9;]*m/g, "")
      .split("\n")
      .filter((line) => line.includes(what) && line.includes(to));
    const value = lines.length > skip ? lines.at(-1)?.match(new RegExp(`${field}=(\\S+)`))?.[1] : undefined;
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${what} to ${to} in ${log}`);
}

const mailedLink = (address) => logged("development email", address, "link");

test("magic link: the mailed link signs in, is marked last used, and a used link comes back with its error", async () => {
  const visitor = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await visitor.newPage();
  page.on("pageerror", (error) => console.error("page error:", error));
  const address = `magic-${process.pid}-${Date.now()}@example.com`;
  await page.goto(base);
  const form = page.locator("#sign-in .kw-magic-link-form");
  await form.waitFor({ timeout: 15_000 });
  assert.equal(await page.locator(".kw-last-used").count(), 0, "a new browser has no last method");
  await form.locator("input[name=email]").fill(address);
  await form.locator("button[type=submit]").click();
  await expectText(page, "#sign-in .kw-magic-link-form .kw-sent", address);
  await shot(page, "magic-link-sent");

  const link = await mailedLink(address);
  assert.match(link, /\/api\/auth\/magic-link\/verify\?token=/);
  await page.goto(link);
  await expectText(page, "header .kw-user-email", address);
  assert.equal(new URL(page.url()).origin, new URL(base).origin, "back on the demo");
  await shot(page, "magic-link-signed-in");

  // Signed out, the sign-in page marks the magic link as the method used last.
  await signOut(page);
  const marker = page.locator("#sign-in .kw-last-used");
  await marker.first().waitFor({ timeout: 15_000 });
  assert.equal(await marker.count(), 1);
  assert.equal(await marker.getAttribute("data-method"), "magic-link");
  assert.equal(await page.locator("#sign-in .kw-magic-link-form .kw-last-used").count(), 1);
  await shot(page, "magic-link-last-used");

  // The same link again is used up: back on the page, the form says why.
  await page.goto(link);
  const alert = page.locator("#sign-in .kw-magic-link-form [role=alert]");
  await alert.waitFor({ timeout: 15_000 });
  assert.equal(await alert.getAttribute("data-code"), "INVALID_TOKEN");
  assert.match(await alert.textContent(), /already used or has expired/);
  assert.equal(new URL(page.url()).searchParams.get("error"), "INVALID_TOKEN");
  assert.equal(await page.locator(".kw-social-sign-in [role=alert]").count(), 0, "not shown as a social error");

  // A password sign-in moves the marker to the password form.
  await signIn(page, linusEmail);
  await expectText(page, "header .kw-user-email", linusEmail);
  await signOut(page);
  await page.locator("#sign-in .kw-sign-in-form .kw-last-used[data-method=email]").waitFor({ timeout: 15_000 });
  assert.equal(await page.locator("#sign-in .kw-last-used").count(), 1);
  await visitor.close();
});

test("email OTP: a wrong code is refused, the mailed code signs in, and is marked last used", async () => {
  const visitor = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await visitor.newPage();
  page.on("pageerror", (error) => console.error("page error:", error));
  const address = `otp-${process.pid}-${Date.now()}@example.com`;
  await page.goto(base);
  const form = page.locator("#sign-in .kw-email-otp-form");
  await form.locator("input[name=email]").fill(address);
  await form.locator("button[type=submit]").click();
  await expectText(page, "#sign-in .kw-email-otp-form .kw-sent", address);
  const code = await logged("development email", address, "code");
  assert.match(code, /^[0-9]{6}$/);
  await form.locator("input[name=otp]").fill(code === "000000" ? "111111" : "000000");
  await form.locator("button[type=submit]").click();
  await expectText(page, "#sign-in .kw-email-otp-form .kw-error", "That code is not right.");
  await shot(page, "email-otp-wrong-code");
  await form.locator("input[name=otp]").fill(code);
  await form.locator("button[type=submit]").click();
  await expectText(page, "header .kw-user-email", address);
  await signOut(page);
  await page.locator("#sign-in .kw-email-otp-form .kw-last-used[data-method=email-otp]").waitFor({ timeout: 15_000 });
  await visitor.close();
});

test("phone: a texted code signs the number's user in", async () => {
  // The number is first set on Linus's account (verified by its code through the API),
  // then a fresh browser signs in with it.
  const api = `${base}/api/auth`;
  // Node's fetch marks its requests as a browser's (sec-fetch-mode), so they name the origin.
  const json = { "content-type": "application/json", origin: base };
  const number = `+1555${String(process.pid % 10_000_000).padStart(7, "0")}`;
  const signedIn = await fetch(`${api}/sign-in/email`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ email: linusEmail, password }),
  });
  assert.equal(signedIn.status, 200, await signedIn.clone().text());
  const bearer = { ...json, authorization: `Bearer ${signedIn.headers.get("set-auth-token")}` };
  assert.equal((await fetch(`${api}/phone-number/send-otp`, { method: "POST", headers: bearer, body: JSON.stringify({ phoneNumber: number }) })).status, 200);
  const first = await logged("development SMS", number, "code");
  const set = await fetch(`${api}/phone-number/verify`, {
    method: "POST",
    headers: bearer,
    body: JSON.stringify({ phoneNumber: number, code: first, updatePhoneNumber: true }),
  });
  assert.equal(set.status, 200, await set.text());

  const visitor = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await visitor.newPage();
  page.on("pageerror", (error) => console.error("page error:", error));
  await page.goto(base);
  const form = page.locator("#sign-in .kw-phone-sign-in");
  await form.locator("input[name=phone]").fill(number);
  await form.locator("button[type=submit]").click();
  await expectText(page, "#sign-in .kw-phone-sign-in .kw-sent", number);
  const code = await logged("development SMS", number, "code", 1);
  await form.locator("input[name=code]").fill(code);
  await form.locator("button[type=submit]").click();
  await expectText(page, "header .kw-user-email", linusEmail);
  await shot(page, "phone-signed-in");
  await visitor.close();
});

test("anonymous: a guest signs in, then signs up, and the page follows", async () => {
  const visitor = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await visitor.newPage();
  page.on("pageerror", (error) => console.error("page error:", error));
  await page.goto(base);
  await page.locator("#sign-in .kw-guest-button button").click();
  await expectText(page, "#user-name", "Anonymous");
  await expectText(page, "#upgrade h3", "You are signed in as a guest");
  await shot(page, "guest");
  const address = `guest-${process.pid}-${Date.now()}@example.com`;
  const form = page.locator("#upgrade .kw-sign-up-form");
  await form.locator("input[name=name]").fill("Grace Guest");
  await form.locator("input[name=email]").fill(address);
  await form.locator("input[name=username]").fill(`guest_${process.pid}`);
  await form.locator("input[name=password]").fill(password);
  await form.locator("button[type=submit]").click();
  await expectText(page, "#user-name", "Grace Guest");
  await expectText(page, "header .kw-user-email", address);
  assert.equal(await page.locator("#upgrade").count(), 0, "no longer a guest");
  await shot(page, "guest-upgraded");
  await visitor.close();
});

test("multi-session: a second account is added, and the two are switched without a reload", async () => {
  const visitor = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await visitor.newPage();
  page.on("pageerror", (error) => console.error("page error:", error));
  await page.goto(base);
  const signUp = page.locator("#sign-up .kw-sign-up-form");
  await signUp.locator("input[name=name]").fill("Mia Multi");
  await signUp.locator("input[name=email]").fill(`mia-${process.pid}-${Date.now()}@example.com`);
  await signUp.locator("input[name=username]").fill(`mia_${process.pid}`);
  await signUp.locator("input[name=password]").fill(password);
  await signUp.locator("button[type=submit]").click();
  await expectText(page, "#user-name", "Mia Multi");
  await page.evaluate(() => {
    window.__sameDocument = true;
  });
  const switcher = page.locator("#accounts .kw-account-switcher");
  await expectText(page, "#accounts .kw-account-active .kw-account-name", "Mia Multi");
  await switcher.locator(".kw-account-add").click();
  const add = switcher.locator(".kw-add-account");
  await add.locator("input[name=email]").fill(linusEmail);
  await add.locator("input[name=password]").fill(password);
  await add.locator("button[type=submit]").click();
  await expectText(page, "#user-name", "Linus Torvalds");
  await expectText(page, "#accounts .kw-account-active .kw-account-name", "Linus Torvalds");
  await page.locator("#accounts .kw-account").nth(1).waitFor({ timeout: 15_000 });
  assert.equal(await page.locator("#accounts .kw-account").count(), 2);
  await shot(page, "multi-session-two-accounts");
  await page.locator("#accounts .kw-account:not(.kw-account-active) .kw-account-switch").click();
  await expectText(page, "#user-name", "Mia Multi");
  await expectText(page, "#accounts .kw-account-active .kw-account-name", "Mia Multi");
  // Signing Linus out of this device leaves Mia signed in.
  await page.locator("#accounts .kw-account:not(.kw-account-active) .kw-account-sign-out").click();
  await expect1(page);
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "no reload happened");
  await visitor.close();
});

/** Waits until the device holds one account. */
async function expect1(page) {
  for (let i = 0; i < 150; i++) {
    if ((await page.locator("#accounts .kw-account").count()) === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail("the revoked account is still listed");
}
