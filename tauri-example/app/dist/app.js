// The window of Keyward Desktop: plain JavaScript, no build step. It renders the
// AppView the Rust side sends (first in window.__KEYWARD_VIEW__, before the first paint,
// then as `auth://view` events) and calls the Tauri commands of the command layer.
"use strict";

const { invoke } = window.__TAURI__.core;
const { listen } = window.__TAURI__.event;
const app = document.getElementById("app");
let view = window.__KEYWARD_VIEW__;
let shown = null;

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else if (value !== false && value != null) node.setAttribute(key, value);
  }
  for (const child of children.flat()) node.append(child);
  return node;
}

function field(label, name, type = "text", extra = {}) {
  return el("label", {}, label, el("input", { name, type, required: true, ...extra }));
}

function showError(error) {
  const box = document.getElementById("error");
  box.hidden = !error;
  box.textContent = error ? error.message ?? String(error) : "";
}

async function run(command, args) {
  showError(null);
  try {
    const result = await invoke(command, args);
    if (result && result.phase) render(result);
    return result;
  } catch (error) {
    showError(error);
    return null;
  }
}

function form(id, title, fields, button, onsubmit) {
  return el("section", { id },
    el("h2", {}, title),
    el("form", { onsubmit: (event) => { event.preventDefault(); onsubmit(new FormData(event.target)); } },
      fields, el("button", { type: "submit" }, button)));
}

function providers() {
  if (!view.socialProviders || view.socialProviders.length === 0) return [];
  if (view.waitingForBrowser) {
    return [el("section", { id: "browser-sign-in" },
      el("p", { id: "browser-waiting" }, "Finish signing in in your browser…"),
      el("button", { id: "cancel-browser", class: "secondary", onclick: () => run("cancel_browser_sign_in", {}) }, "Cancel"))];
  }
  return [el("section", { id: "browser-sign-in" },
    view.socialProviders.map((provider) => el("button", {
      type: "button", "data-provider": provider,
      onclick: () => run("sign_in_with_provider", { provider }),
    }, `Sign in with ${provider}`)))];
}

function signedOut() {
  return [
    ...providers(),
    form("sign-in", "Sign in", [field("Email", "email", "email"), field("Password", "password", "password")], "Sign in",
      (data) => run("sign_in", { email: data.get("email"), password: data.get("password") })),
    form("sign-up", "Create an account",
      [field("Name", "name"), field("Email", "email", "email"), field("Password", "password", "password", { minlength: 8 })],
      "Create account",
      (data) => run("sign_up", { name: data.get("name"), email: data.get("email"), password: data.get("password") })),
  ];
}

function secondFactor() {
  return [
    form("second-factor", "Two-factor code", [
      field("Code from your authenticator app (or a backup code)", "code"),
      el("label", { class: "inline" }, el("input", { type: "checkbox", name: "trust" }), "Trust this device"),
    ], "Verify", (data) => {
      const code = String(data.get("code")).trim();
      if (/^\d{6}$/.test(code)) run("verify_totp", { code, trustDevice: data.get("trust") === "on" });
      else run("verify_backup_code", { code });
    }),
  ];
}

async function loadSessions(list) {
  const sessions = await run("list_sessions", {});
  if (!sessions) return;
  list.replaceChildren(...sessions.map((session) => el("li", {},
    el("span", { class: session.current ? "current" : "" },
      `${session.userAgent || "Unknown device"}${session.current ? " (this app)" : ""}`),
    el("button", { class: "secondary", onclick: async () => {
      const rest = await run("revoke_session", { id: session.id });
      if (rest) loadSessions(list);
    } }, "Revoke"))));
}

function signedIn(user) {
  const sessions = el("ul", { id: "sessions" });
  loadSessions(sessions);
  return [
    el("section", { id: "profile" },
      el("h2", { id: "who" }, `Signed in as ${user.name}`),
      el("p", {}, user.email, user.twoFactorEnabled ? " · two-factor on" : ""),
      el("form", { onsubmit: (event) => { event.preventDefault(); run("update_profile", { name: new FormData(event.target).get("name"), image: null }); } },
        field("Name", "name", "text", { value: user.name }), el("button", { type: "submit" }, "Save")),
      el("button", { id: "sign-out", class: "secondary", onclick: () => run("sign_out", {}) }, "Sign out")),
    el("section", {}, el("h2", {}, "Signed-in devices"), sessions),
  ];
}

function storageChoice(reason) {
  return [
    el("section", { id: "no-keychain" },
      el("h2", {}, "No keychain available"),
      el("p", {}, `This system has no usable keychain (${reason}). To stay signed in, keep your session in a file encrypted with a passphrase — or sign in each time.`),
      el("form", { onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(event.target);
        run("use_encrypted_file", { path: data.get("path"), passphrase: data.get("passphrase") });
      } },
        field("File", "path", "text", { value: "keyward-session.enc" }),
        field("Passphrase (8 characters or more)", "passphrase", "password", { minlength: 8 }),
        el("button", { type: "submit" }, "Use an encrypted file"))),
  ];
}

function render(next) {
  view = next;
  document.getElementById("offline").hidden = !view.offline;
  const storage = view.storage;
  document.getElementById("storage").textContent =
    storage.kind === "keychain" ? `token in ${storage.name}` :
    storage.kind === "encryptedFile" ? `token in ${storage.path} (encrypted)` : "no keychain";
  // Re-render the page only when the screen changes, so typing is never interrupted.
  const key = JSON.stringify([view.phase, view.user, storage.kind, view.waitingForBrowser]);
  if (key === shown) return;
  shown = key;
  let content;
  if (storage.kind === "unavailable" && view.phase !== "signedIn") content = storageChoice(storage.reason);
  else if (view.phase === "signedIn") content = signedIn(view.user);
  else if (view.phase === "secondFactor") content = secondFactor();
  else if (view.phase === "offline") content = [el("section", { id: "offline-start" }, el("p", {}, "Waiting for the server…"))];
  else if (view.phase === "pending") content = [el("p", {}, "Loading…")];
  else content = signedOut();
  app.replaceChildren(...content);
  document.body.dataset.phase = view.phase;
}

if (view) render(view);
else invoke("current_view").then(render);
listen("auth://view", (event) => render(event.payload));
