#!/usr/bin/env node
// The "system browser" of the Tauri end-to-end test: the app opens sign-in URLs through
// $BROWSER (the `webbrowser` crate runs `$BROWSER <url>`), and this script is that
// browser. It opens the URL in headless Chromium (Playwright), signs in at the local
// OpenID Connect provider's development pages and grants consent, and follows the
// server's redirect: to the app's loopback listener (it records how the page there ended),
// or to a deep link of the app's own scheme, which it hands to the desktop with `xdg-open`
// as Chromium does with a scheme it does not handle (it records "deep link").
//
//   SYSTEM_BROWSER_CONTROL  optional file: "ignore" makes the browser do nothing (the
//                           user walked away), so the app's Cancel can be tested
//   SYSTEM_BROWSER_LOG      file the outcome is appended to: "<h1 of the loopback page>"
//   SYSTEM_BROWSER_LOGIN    the provider login (default "desk-oidc")
//   ARTIFACTS               where the loopback page's screenshot goes
//   CHROMIUM                the browser (default /usr/bin/chromium)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const url = process.argv[2];
const log = (line) => {
  if (process.env.SYSTEM_BROWSER_LOG) fs.appendFileSync(process.env.SYSTEM_BROWSER_LOG, `${line}\n`);
};
const control = process.env.SYSTEM_BROWSER_CONTROL;
if (control && fs.existsSync(control) && fs.readFileSync(control, "utf8").trim() === "ignore") {
  log("ignored");
  process.exit(0);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
});
try {
  const page = await browser.newPage();
  // The server's redirect to a scheme that is not the web's: the app's deep link.
  let deepLink;
  page.on("response", (response) => {
    const location = response.headers().location;
    if (location && /^[a-z][a-z0-9+.-]*:/i.test(location) && !/^https?:/i.test(location)) deepLink = location;
  });
  await page.goto(url);
  await page.locator("input[name=login]").fill(process.env.SYSTEM_BROWSER_LOGIN ?? "desk-oidc");
  await page.locator("input[name=password]").fill("any");
  await page.locator("button[type=submit]").click();
  await page.locator("button[type=submit]", { hasText: "Continue" }).click();
  const loopback = page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback/, { timeout: 30_000 });
  loopback.catch(() => {});
  const deadline = Date.now() + 30_000;
  const landed = await Promise.race([
    loopback.then(() => "loopback"),
    (async () => {
      while (!deepLink && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      if (!deepLink) throw new Error("no loopback page and no deep link within 30 s");
      return "deep link";
    })(),
  ]);
  if (landed === "deep link") {
    const opened = spawnSync("xdg-open", [deepLink], { stdio: "inherit", timeout: 30_000 });
    if (opened.status !== 0) throw new Error(`xdg-open ${deepLink.split(":")[0]}:… exited with ${opened.status}`);
    log("deep link");
  } else {
    const heading = await page.locator("h1").innerText({ timeout: 30_000 });
    if (process.env.ARTIFACTS) {
      fs.mkdirSync(process.env.ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(process.env.ARTIFACTS, "browser-loopback.png") });
    }
    log(heading);
  }
} catch (error) {
  log(`error ${error.message.split("\n")[0]}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
