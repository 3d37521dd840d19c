// Keyward Desktop end to end: the real Tauri app under Xvfb, driven through WebDriver
// (tauri-driver 2.1 + WebKitWebDriver). Sign in through the window, restart the app
// (a new process) and find it signed in from the keychain, sign out, restart again and
// find it signed out; then sign in with a provider through the system browser (a loopback
// redirect; the browser is tests/interop/system-browser.mjs, headless Chromium driven
// through the provider's pages), and cancel a browser sign-in nobody finishes. Then the
// same through the app's deep link (KEYWARD_BROWSER_RETURN=deep-link): the app registers
// itself for dev.keyward.desktop: links, the browser hands the server's redirect to
// xdg-open, the OS starts a second instance with the link, and that instance passes it to
// the running one over D-Bus; a link of another sign-in, opened the same way, is ignored.
// Screenshots go to $ARTIFACTS.
//
//   APP             the built app binary
//   SERVER_URL      a running Keyward server (the app gets it as KEYWARD_SERVER_URL), with
//                   the electron plugin and the provider SOCIAL_PROVIDER
//   SOCIAL_PROVIDER the provider's id on the server
//   SYSTEM_BROWSER  the browser script (the app gets it as $BROWSER)
//   ARTIFACTS       where screenshots go
//   DISPLAY         an X display (Xvfb); run inside `dbus-run-session` (the single-instance
//                   hand-over) and `keyctl session -` (a kernel keyring)
//
// Plain Node (fetch and child_process): no npm packages.
import { spawn, spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const app = process.env.APP;
const server = process.env.SERVER_URL;
const artifacts = process.env.ARTIFACTS ?? "artifacts/tauri";
const provider = process.env.SOCIAL_PROVIDER;
const systemBrowser = process.env.SYSTEM_BROWSER;
assert.ok(app && server && process.env.DISPLAY && provider && systemBrowser,
  "APP, SERVER_URL, DISPLAY, SOCIAL_PROVIDER and SYSTEM_BROWSER are required");
fs.mkdirSync(artifacts, { recursive: true });
const browserLog = path.join(artifacts, "system-browser.log");
const browserControl = path.join(artifacts, "system-browser.control");
fs.rmSync(browserLog, { force: true });
fs.rmSync(browserControl, { force: true });
let driverPort = 4444;
let webdriver = `http://127.0.0.1:${driverPort}`;
const ELEMENT = "element-6066-11e4-a52e-4f735466cecc";
const email = `desktop-${process.pid}-${Date.now()}@example.com`;
const password = "correct-horse-battery";

async function call(method, url, body) {
  const response = await fetch(`${webdriver}${url}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(json.value)}`);
  return json.value;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what, check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

class Window {
  static async open() {
    const session = await call("POST", "/session", {
      capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application: app } } },
    });
    return new Window(session.sessionId);
  }
  constructor(id) {
    this.id = id;
  }
  script(source, ...args) {
    return call("POST", `/session/${this.id}/execute/sync`, { script: source, args });
  }
  phase() {
    return this.script("return document.body.dataset.phase || null;");
  }
  async find(selector) {
    const found = await waitFor(selector, () => call("POST", `/session/${this.id}/element`, { using: "css selector", value: selector }));
    return found[ELEMENT] ?? found.ELEMENT ?? Object.values(found)[0];
  }
  async type(selector, text) {
    await call("POST", `/session/${this.id}/element/${await this.find(selector)}/value`, { text });
  }
  async click(selector) {
    await call("POST", `/session/${this.id}/element/${await this.find(selector)}/click`, {});
  }
  async text(selector) {
    return call("GET", `/session/${this.id}/element/${await this.find(selector)}/text`);
  }
  async screenshot(name) {
    await sleep(500); // let WebKit paint what the DOM already holds
    const png = await call("GET", `/session/${this.id}/screenshot`);
    fs.writeFileSync(path.join(artifacts, `${name}.png`), Buffer.from(png, "base64"));
  }
  close() {
    return call("DELETE", `/session/${this.id}`);
  }
}

assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, "run inside dbus-run-session");
const appEnv = {
  ...process.env,
  KEYWARD_SERVER_URL: server,
  KEYWARD_KEYCHAIN_SERVICE: `keyward-e2e-${process.pid}-${Date.now()}`,
  KEYWARD_SOCIAL_PROVIDERS: provider,
  BROWSER: systemBrowser,
  SYSTEM_BROWSER_LOG: browserLog,
  SYSTEM_BROWSER_CONTROL: browserControl,
  SYSTEM_BROWSER_LOGIN: "desk-oidc",
  ARTIFACTS: artifacts,
};

// tauri-driver in its own process group, so WebKitWebDriver (its child) goes with it.
let driver;
const stopDriver = () => {
  try {
    if (driver) process.kill(-driver.pid, "SIGKILL");
  } catch {}
};
process.on("exit", stopDriver);
async function startDriver(env) {
  stopDriver();
  driverPort += 10; // a fresh port pair (tauri-driver's and WebKitWebDriver's, +1)
  webdriver = `http://127.0.0.1:${driverPort}`;
  driver = spawn("tauri-driver", ["--port", String(driverPort), "--native-port", String(driverPort + 1)], {
    detached: true,
    stdio: ["ignore", "inherit", "inherit"],
    env,
  });
  await waitFor("tauri-driver", async () => (await fetch(`${webdriver}/status`)).ok);
}

try {
  await startDriver(appEnv);
  const signUp = await fetch(`${server}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server },
    body: JSON.stringify({ name: "Desk Ada", email, password }),
  });
  assert.equal(signUp.status, 200, await signUp.text());

  // 1. First launch: signed out; sign in through the window.
  let window = await Window.open();
  assert.equal(await waitFor("the first view", () => window.phase()), "signedOut");
  assert.match(await window.text("#storage"), /token in kernel keyring/);
  await window.type("#sign-in input[name=email]", email);
  await window.type("#sign-in input[name=password]", password);
  await window.click("#sign-in button[type=submit]");
  await waitFor("signed in", async () => (await window.text("#who")) === "Signed in as Desk Ada");
  await window.screenshot("01-signed-in");
  await window.close();
  console.log("ok - signed in through the window");

  // 2. Restart: the token comes back from the keychain before the first paint.
  window = await Window.open();
  assert.equal(await waitFor("the restored view", () => window.phase()), "signedIn", "signed in from the first paint");
  assert.equal(await window.text("#who"), "Signed in as Desk Ada");
  await waitFor("this app among the signed-in devices", async () => /Keyward Desktop.*\(this app\)/.test(await window.text("#sessions")));
  await window.screenshot("02-restarted-signed-in");
  await window.click("#sign-out");
  await waitFor("signed out", async () => (await window.phase()) === "signedOut");
  await window.close();
  console.log("ok - restarted signed in, then signed out");

  // 3. Restart again: the keychain is empty.
  window = await Window.open();
  assert.equal(await waitFor("the view", () => window.phase()), "signedOut");
  await window.screenshot("03-restarted-signed-out");
  console.log("ok - restarted signed out");

  // 4. "Sign in with …": the system browser signs in at the provider and comes back to the
  // app's loopback listener; the app is signed in as the provider's user.
  const browserLines = () => (fs.existsSync(browserLog) ? fs.readFileSync(browserLog, "utf8").trim().split("\n") : []);
  await window.click(`button[data-provider="${provider}"]`);
  await waitFor("signed in through the browser", async () => (await window.text("#who")) === "Signed in as desk-oidc", 60_000);
  await waitFor("the browser's loopback page", () => browserLines().length > 0, 30_000);
  assert.deepEqual(browserLines(), ["Signed in"], "the loopback page said so in the browser");
  await window.screenshot("04-signed-in-through-the-browser");
  await window.click("#sign-out");
  await waitFor("signed out", async () => (await window.phase()) === "signedOut");
  console.log("ok - signed in through the system browser");

  // 5. Nobody finishes in the browser: the window waits with a Cancel button, and Cancel
  // ends the wait with a message.
  fs.writeFileSync(browserControl, "ignore");
  await window.click(`button[data-provider="${provider}"]`);
  await window.find("#cancel-browser");
  assert.equal(await window.text("#browser-waiting"), "Finish signing in in your browser…");
  await window.screenshot("05-waiting-for-the-browser");
  await window.click("#cancel-browser");
  await waitFor("the cancellation", async () => (await window.text("#error")) === "Sign-in cancelled.");
  await waitFor("the sign-in buttons again", () => window.find(`button[data-provider="${provider}"]`));
  assert.equal(await window.phase(), "signedOut");
  await waitFor("the ignoring browser", () => browserLines().length > 1);
  assert.deepEqual(browserLines(), ["Signed in", "ignored"]);
  await window.close();
  console.log("ok - a browser sign-in nobody finishes is cancelled");

  // 6. The same through the deep link: the app, started with KEYWARD_BROWSER_RETURN=
  // deep-link, registers itself as the dev.keyward.desktop: handler (in a desktop of the
  // test's own: XDG_DATA_HOME and XDG_CONFIG_HOME; XDG_CURRENT_DESKTOP=GNOME makes
  // xdg-open use gio, as on a GNOME desktop).
  const desktopHome = fs.mkdtempSync(path.join(fs.realpathSync(artifacts), "xdg-"));
  const deepLinkEnv = {
    ...appEnv,
    KEYWARD_BROWSER_RETURN: "deep-link",
    XDG_DATA_HOME: path.join(desktopHome, "data"),
    XDG_CONFIG_HOME: path.join(desktopHome, "config"),
    XDG_CURRENT_DESKTOP: "GNOME",
  };
  fs.writeFileSync(browserControl, "");
  fs.rmSync(browserLog, { force: true });
  await startDriver(deepLinkEnv);
  window = await Window.open();
  assert.equal(await waitFor("the view", () => window.phase()), "signedOut");
  // What the desktop (gio, as xdg-open uses it here) will open the scheme with.
  const handler = spawnSync("gio", ["mime", "x-scheme-handler/dev.keyward.desktop"], { env: deepLinkEnv, encoding: "utf8" });
  assert.match(handler.stdout, /^Default application for .*: keyward-tauri-app-handler\.desktop$/m, "the app registered its scheme");
  await window.click(`button[data-provider="${provider}"]`);
  await waitFor("signed in through the deep link", async () => (await window.text("#who")) === "Signed in as desk-oidc", 60_000);
  assert.deepEqual(browserLines(), ["deep link"], "the browser handed the deep link to the desktop");
  await window.screenshot("06-signed-in-through-the-deep-link");
  await window.click("#sign-out");
  await waitFor("signed out", async () => (await window.phase()) === "signedOut");
  console.log("ok - signed in through the deep link (a second instance handed it over)");

  // 7. While a sign-in waits, a link of another sign-in (a forged state) reaches the app
  // the same way: a second instance started by the desktop, which hands it over and exits.
  // The app ignores it and keeps waiting; Cancel ends the wait.
  fs.writeFileSync(browserControl, "ignore");
  await window.click(`button[data-provider="${provider}"]`);
  await window.find("#cancel-browser");
  const forged = "dev.keyward.desktop:/auth/callback?electron_authorization_code=forged-code&state=forged-state";
  const opened = spawnSync("xdg-open", [forged], { env: deepLinkEnv, stdio: "inherit", timeout: 30_000 });
  assert.equal(opened.status, 0, "xdg-open opened the forged link");
  const secondInstances = () =>
    spawnSync("pgrep", ["-f", "forged-state"], { encoding: "utf8" }).stdout.trim();
  await waitFor("the second instance to hand over and exit", async () => secondInstances() === "", 30_000);
  await sleep(1000);
  assert.equal(await window.text("#browser-waiting"), "Finish signing in in your browser…", "still waiting");
  assert.equal(await window.text("#error"), "", "no error from the forged link");
  assert.equal(await window.phase(), "signedOut");
  await window.screenshot("07-a-foreign-link-is-ignored");
  await window.click("#cancel-browser");
  await waitFor("the cancellation", async () => (await window.text("#error")) === "Sign-in cancelled.");
  await window.close();
  console.log("ok - a link of another sign-in is ignored while the app waits");
} finally {
  stopDriver();
}
