// The SSR example (leptos-ui/ssr-example) in headless Chromium: the server renders the
// page with the session of the request's cookie; the browser hydrates it with the same
// session. The first HTML is already right, hydration raises no error, and the hydrated
// page is interactive.
//
//   SSR_URL   the example server's origin, e.g. http://localhost:3000
//
// Run: node --test --test-concurrency=1 ssr.e2e.mjs   (scripts/test does)
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const base = process.env.SSR_URL;
assert.ok(base, "SSR_URL is required");
const password = "correct-horse-battery";
const email = `ssr-${process.pid}-${Date.now()}@example.com`;
let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
  });
  const response = await fetch(`${base}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ name: "SSR Ada", email, password }),
  });
  assert.equal(response.status, 200, await response.text());
});

after(async () => {
  await browser?.close();
});

/** A page that records console errors and whether signed-out content ever appeared. */
async function watchedPage(context) {
  const page = await context.newPage();
  const errors = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.addInitScript(() => {
    window.__sawSignedOut = false;
    new MutationObserver(() => {
      if (document.querySelector(".kw-sign-in-form")) window.__sawSignedOut = true;
    }).observe(document, { childList: true, subtree: true });
  });
  return { page, errors };
}

test("a visitor gets the sign-in form from the server, and it works once hydrated", async () => {
  const context = await browser.newContext();
  const html = await (await context.request.get(base)).text();
  assert.match(html, /class="kw-sign-in-form"/);
  assert.doesNotMatch(html, /kw-pending/);
  const { page, errors } = await watchedPage(context);
  await page.goto(base);
  await page.locator("body[data-hydrated=true]").waitFor();
  await page.locator("input[name=email]").fill(email);
  await page.locator("input[name=password]").fill(password);
  await page.locator("button[type=submit]").click();
  await page.locator("#who").filter({ hasText: "Signed in as SSR Ada" }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("a signed-in request is rendered signed in, hydrates without a flash, and signs out", async () => {
  const context = await browser.newContext();
  const signIn = await context.request.post(`${base}/api/auth/sign-in/email`, {
    headers: { origin: base },
    data: { email, password },
  });
  assert.equal(signIn.status(), 200);
  const html = await (await context.request.get(base)).text();
  assert.match(html, /Signed in as <strong>SSR Ada<\/strong>/, "the server rendered the cookie's session");
  assert.match(html, /"name":"SSR Ada"/, "and embedded it for hydration");
  const { page, errors } = await watchedPage(context);
  await page.goto(base);
  await page.locator("body[data-hydrated=true]").waitFor();
  assert.equal(await page.evaluate(() => window.__sawSignedOut), false, "never showed signed-out content");
  await page.locator(".kw-sign-out").click();
  await page.locator(".kw-sign-in-form").waitFor();
  assert.deepEqual(errors, [], "no hydration error");
  await context.close();
});
