// A local OpenID Connect provider (the real `oidc-provider` from npm) for Keyward's social
// sign-in tests: authorization code flow with PKCE (S256 only), RS256 ID tokens carrying the
// email and profile claims, refresh tokens, and oidc-provider's development login and
// consent pages ("devInteractions"), which tests drive over HTTP (tests/src/oidc.rs).
//
// Configured only by environment variables:
//   PORT                   port on 127.0.0.1 (default 0: a free port); the issuer is
//                          http://127.0.0.1:<port>
//   OIDC_CLIENTS           JSON array of clients:
//                          [{"client_id", "client_secret", "redirect_uris": [...],
//                            "token_endpoint_auth_method"?}]  (the method defaults to
//                          client_secret_post, better-auth's default)
//   OIDC_ACCOUNTS          JSON object, login -> claims
//                          {"email", "email_verified", "name", "picture"}; any other login
//                          signs in as `<login>@example.com`, email_verified true, name <login>
//                          (the login is also the `sub`)
//   OIDC_ACCESS_TOKEN_TTL  access token lifetime in seconds (default 3600); the provider
//                          allows no clock tolerance, so /me refuses it once expired
//   OIDC_ID_TOKEN_TTL      ID token lifetime in seconds (default 3600)
//   OIDC_EXIT_WITH_STDIN   0: keep running when stdin closes (a shell script's background
//                          provider, stopped by SIGTERM); default 1
//
// Dev interactions: GET /auth?... answers 303 /interaction/<uid>; POST there
// `prompt=login&login=<login>&password=<anything>` signs in, POST `prompt=consent` grants;
// GET /interaction/<uid>/abort (the pages' "[ Cancel ]" link) denies, and the client is sent
// `error=access_denied`. Each step answers 303 /auth/<uid>, which resumes the flow.
//
// Prints exactly one line, "listening <issuer>", on stdout once it accepts connections;
// logs every request (and provider errors) to stderr. Exits when stdin closes (unless
// OIDC_EXIT_WITH_STDIN=0) or on SIGTERM.
import http from "node:http";

// oidc-provider prints notices with console.info: keep stdout for the "listening" line.
console.info = console.error;
console.log = console.error;

const { default: Provider } = await import("oidc-provider");

const env = process.env;

function json(name, fallback) {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  try {
    return JSON.parse(text);
  } catch (err) {
    console.error(`${name} is not valid JSON: ${err.message}`);
    process.exit(2);
  }
}

const clients = (json("OIDC_CLIENTS", []) ?? []).map((client) => ({
  client_id: client.client_id,
  client_secret: client.client_secret,
  redirect_uris: client.redirect_uris,
  token_endpoint_auth_method: client.token_endpoint_auth_method ?? "client_secret_post",
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  id_token_signed_response_alg: "RS256",
}));
const accounts = json("OIDC_ACCOUNTS", {}) ?? {};
const accessTokenTtl = Number(env.OIDC_ACCESS_TOKEN_TTL ?? 3600);
const idTokenTtl = Number(env.OIDC_ID_TOKEN_TTL ?? 3600);

function claimsOf(login) {
  const known = Object.hasOwn(accounts, login) ? accounts[login] : undefined;
  const claims = known ?? { email: `${login}@example.com`, email_verified: true, name: login };
  return { ...claims, sub: login };
}

// Listen first, so that PORT=0 gives the port the issuer needs.
let handler = (_req, res) => {
  res.statusCode = 503;
  res.end();
};
const server = http.createServer((req, res) => {
  const started = Date.now();
  res.on("finish", () => {
    const location = res.getHeader("location");
    console.error(
      `${req.method} ${req.url} -> ${res.statusCode}${location ? ` ${location}` : ""} (${Date.now() - started} ms)`,
    );
  });
  handler(req, res);
});
await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(Number(env.PORT ?? 0), "127.0.0.1", resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  pkce: { required: () => true },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "picture"],
  },
  // The scope's claims in the ID token too (by default, with response_type=code, they are
  // only at the userinfo endpoint).
  conformIdTokenClaims: false,
  // A refresh token with every code exchange, without the offline_access scope.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
  ttl: {
    AccessToken: accessTokenTtl,
    AuthorizationCode: 600,
    IdToken: idTokenTtl,
    RefreshToken: 86400,
    Interaction: 3600,
    Session: 86400,
    Grant: 86400,
  },
  async findAccount(_ctx, id) {
    return { accountId: id, claims: async () => claimsOf(id) };
  },
  features: { devInteractions: { enabled: true } },
  // Expired means expired (the default, 15 s, keeps a short-lived access token valid longer).
  clockTolerance: 0,
  cookies: { keys: ["keyward-tests-oidc-provider-cookie-key"] },
});
for (const event of ["server_error", "authorization.error", "grant.error", "userinfo.error"]) {
  provider.on(event, (_ctx, err) => {
    console.error(`${event}: ${err.name}: ${err.message}${err.error_description ? ` (${err.error_description})` : ""}`);
  });
}
handler = provider.callback();

process.stdout.write(`listening ${issuer}\n`);

const stop = () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
if (env.OIDC_EXIT_WITH_STDIN !== "0") {
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.resume();
}
