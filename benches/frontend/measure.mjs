// Time to first session render of one page, in headless Chromium: from navigation start to
// the first frame that shows either the sign-in form (signed out) or the user's name
// (signed in), observed the same way on every page (a MutationObserver installed before
// the page's own scripts run). Every load is a first visit: a new browser context, so no
// HTTP cache; JavaScript and WebAssembly are downloaded and compiled each time.
//
// For the SSR example (label `ssr`) also the time until its body is marked hydrated.
// With `slow4g` every load goes through Chromium's network emulation at DevTools' "Slow
// 4G" preset: 1.6 Mbps down, 750 kbps up, 150 ms round trips.
//
//   node measure.mjs <origin> <label> <rounds> [slow4g]   → one JSON line on stdout
import { chromium } from "playwright-core";

const [origin, label, roundsArg, network] = process.argv.slice(2);
// The SSR example: also the time until the page is hydrated.
const waitForHydration = label === "ssr";
const rounds = Number(roundsArg ?? 15);
const throttle = network === "slow4g"
  ? { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 }
  : null;
const name = `Bench ${process.pid}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
});

async function firstRender(cookies) {
  const context = await browser.newContext();
  if (cookies) await context.addCookies(cookies);
  const page = await context.newPage();
  if (throttle) {
    const devtools = await context.newCDPSession(page);
    await devtools.send("Network.enable");
    await devtools.send("Network.emulateNetworkConditions", throttle);
  }
  await page.addInitScript((name) => {
    const check = () => {
      if (window.__firstSession) return;
      const signedOut = document.querySelector("input[name=password]");
      const signedIn = document.body && document.body.textContent.includes(name);
      if (signedOut || signedIn) window.__firstSession = { ms: performance.now(), signedIn: !!signedIn };
    };
    // A server-rendered page marks its body `data-hydrated` once the browser took it over.
    const hydrated = () => {
      if (!window.__hydratedMs && document.body?.dataset.hydrated === "true") window.__hydratedMs = performance.now();
    };
    new MutationObserver(() => { check(); hydrated(); })
      .observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
  }, name);
  await page.goto(origin);
  await page.waitForFunction(() => window.__firstSession, null, { timeout: 30_000 });
  if (waitForHydration) await page.waitForFunction(() => window.__hydratedMs, null, { timeout: 30_000 });
  const result = await page.evaluate(() => ({ ...window.__firstSession, hydratedMs: window.__hydratedMs }));
  await context.close();
  return result;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

// A user for the signed-in loads.
const setup = await browser.newContext();
const signUp = await setup.request.post(`${origin}/api/auth/sign-up/email`, {
  headers: { origin },
  data: { name, email: `bench-${process.pid}-${Date.now()}@example.com`, password: "correct-horse-battery" },
});
if (!signUp.ok()) throw new Error(`sign-up failed: ${signUp.status()} ${await signUp.text()}`);
const cookies = await setup.cookies();
await setup.close();

const signedOut = [];
const signedIn = [];
const hydratedOut = [];
const hydratedIn = [];
await firstRender(null); // warm the server and the OS file cache
for (let round = 0; round < rounds; round++) {
  const out = await firstRender(null);
  if (out.signedIn) throw new Error("a visitor saw a signed-in page");
  signedOut.push(out.ms);
  hydratedOut.push(out.hydratedMs);
  const inside = await firstRender(cookies);
  if (!inside.signedIn) throw new Error("a signed-in user saw the signed-out page");
  signedIn.push(inside.ms);
  hydratedIn.push(inside.hydratedMs);
}
await browser.close();
const hydration = waitForHydration
  ? { hydratedOutMs: median(hydratedOut).toFixed(1), hydratedInMs: median(hydratedIn).toFixed(1) }
  : {};
console.log(JSON.stringify({
  label, rounds, network: network ?? "loopback",
  signedOutMs: median(signedOut).toFixed(1), signedInMs: median(signedIn).toFixed(1), ...hydration,
}));
