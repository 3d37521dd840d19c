// The real better-auth, run as a peer for Keyward's interop tests.
//
// Configured only by environment variables, so the Rust test kit can start it like the
// Keyward server and point the same scenarios at either one:
//   PORT            port on 127.0.0.1 (default 3199)
//   BASE_URL        better-auth baseURL (default http://localhost:$PORT)
//   SECRET          better-auth secret
//   STORAGE         memory | sqlite | postgres (default memory)
//   SQLITE_PATH     database file for STORAGE=sqlite
//   SQLITE_WAL      1 opens it with journal_mode=WAL and synchronous=NORMAL (benchmarks)
//   DATABASE_URL    postgres://... for STORAGE=postgres (a `search_path` option selects the schema)
//   MIGRATE         1 (default) runs better-auth's own migrations before serving
//   OUTBOX          JSON-lines file that receives every "email" (one object per line)
//   RATE_LIMIT      1 enables better-auth's rate limiter (default 0)
//   PLUGINS         comma list: bearer (always on), two-factor, organization, passkey, admin,
//                   one-time-token, jwt, electron, device-authorization, last-login-method,
//                   username, magic-link, email-otp, phone-number, anonymous, multi-session,
//                   api-key, open-api
//   OTT_*           one-time-token options: OTT_EXPIRES_IN (minutes, may be fractional),
//                   OTT_STORE_TOKEN (plain | hashed), OTT_DISABLE_CLIENT_REQUEST=1,
//                   OTT_DISABLE_SET_SESSION_COOKIE=1, OTT_SET_HEADER_ON_NEW_SESSION=1
//   ELECTRON_CODE_EXPIRES_IN electron plugin's codeExpiresIn (seconds, default 300)
//   DEVICE_*        device-authorization options: DEVICE_EXPIRES_IN and DEVICE_INTERVAL
//                   (better-auth time strings such as "30m", "5s", "500ms"),
//                   DEVICE_CLIENT_IDS (comma list; validateClient accepts only these),
//                   DEVICE_VERIFICATION_URI (verificationUri)
//   LAST_LOGIN_METHOD_* last-login-method options: _STORE_IN_DATABASE=1, _COOKIE_NAME,
//                   _MAX_AGE (seconds)
//   USERNAME_*      username options: USERNAME_MIN_LENGTH, USERNAME_MAX_LENGTH,
//                   USERNAME_IMMUTABLE=1 (immutableUsername), USERNAME_NO_NORMALIZATION=1
//                   (usernameNormalization: false), USERNAME_NO_DISPLAY=1 (displayUsername: false)
//   EMAIL_OTP_*     email-otp options (codes to the OUTBOX as kind "email-otp"): _STORE_OTP
//                   (plain | hashed | encrypted), _DISABLE_SIGN_UP=1, _EXPIRES_IN (seconds),
//                   _ALLOWED_ATTEMPTS, _RESEND_STRATEGY (rotate | reuse), _CHANGE_EMAIL=1,
//                   _VERIFY_CURRENT_EMAIL=1 (with _CHANGE_EMAIL), _OVERRIDE_DEFAULT_EMAIL_VERIFICATION=1,
//                   _SEND_VERIFICATION_ON_SIGN_UP=1
//   JWT_*           jwt options: JWT_ALG (keyPairConfig.alg), JWT_ROTATION_INTERVAL and
//                   JWT_GRACE_PERIOD (seconds), JWT_DISABLE_PRIVATE_KEY_ENCRYPTION=1,
//                   JWT_EXPIRATION_TIME (jwt.expirationTime, e.g. "1s")
//   PHONE_NUMBER_*  phoneNumber options (codes to the outbox as phone-number-otp and
//                   phone-number-reset): PHONE_NUMBER_OTP_LENGTH, PHONE_NUMBER_EXPIRES_IN,
//                   PHONE_NUMBER_ALLOWED_ATTEMPTS, PHONE_NUMBER_REQUIRE_VERIFICATION=1,
//                   PHONE_NUMBER_SIGN_UP_DOMAIN (signUpOnVerification, <number>@<domain>),
//                   PHONE_NUMBER_E164=1 (phoneNumberValidator)
//   ANONYMOUS_*     anonymous options: ANONYMOUS_EMAIL_DOMAIN_NAME (emailDomainName),
//                   ANONYMOUS_DISABLE_DELETE=1 (disableDeleteAnonymousUser); every link
//                   (onLinkAccount) goes to the outbox as {kind: "anonymous-link", to,
//                   anonymousUserId, newUserId}
//   MULTI_SESSION_MAXIMUM multi-session's maximumSessions (default 5)
//   API_KEY_*       api-key options (@better-auth/api-key): API_KEY_SESSIONS=1
//                   (enableSessionForAPIKeys), API_KEY_RATE_LIMIT_MAX,
//                   API_KEY_RATE_LIMIT_WINDOW (ms), API_KEY_RATE_LIMIT_ENABLED=0,
//                   API_KEY_METADATA=1 (enableMetadata), API_KEY_DEFAULT_PREFIX,
//                   API_KEY_REQUIRE_NAME=1, API_KEY_DEFAULT_PERMISSIONS (JSON),
//                   API_KEY_REFERENCES (user | organization), API_KEY_CONFIGURATIONS (a JSON
//                   list of further configurations, each with its configId). With the
//                   plugin on, POST /__server/api-key/{create,update,verify,delete-expired}
//                   call auth.api.* without headers (better-auth's server-only calls) with
//                   the JSON body, for tests that set what only the server may
//   DEFER_REFRESH   1 sets session.deferSessionRefresh
//   UPDATE_AGE      session.updateAge in seconds (default: better-auth's)
//   FRESH_AGE       session.freshAge in seconds (default: better-auth's)
//   COOKIE_CACHE    1 enables session.cookieCache
//   AUTO_SIGN_IN_AFTER_VERIFICATION 1 sets emailVerification.autoSignInAfterVerification
//   TRUSTED_ORIGINS comma list of extra trusted origins
//   USER_FIELDS     comma list of optional string user fields (user.additionalFields)
//   SESSION_FIELDS  comma list of optional string session fields (session.additionalFields)
//   DELETE_VERIFICATION 1 emails a confirmation link before deleting a user
//   REQUIRE_VERIFICATION 1 sets emailAndPassword.requireEmailVerification
//   REDIS_URL       redis://… : secondaryStorage on Redis (the `redis` package), keys put
//                   after REDIS_PREFIX (default none)
//   SESSION_IN_DATABASE 1 sets session.storeSessionInDatabase (with REDIS_URL)
//   PRESERVE_SESSION_IN_DATABASE 1 sets session.preserveSessionInDatabase
//   ORG_*           organization plugin limits: ORG_LIMIT (organizationLimit),
//                   ORG_MEMBERSHIP_LIMIT, ORG_INVITATION_LIMIT, ORG_MAX_TEAMS,
//                   ORG_MAX_TEAM_MEMBERS, ORG_ALLOW_CREATE=0, ORG_INVITATION_EXPIRES_IN (s),
//                   ORG_REQUIRE_VERIFIED_INVITEE=1 (requireEmailVerificationOnInvitation)
// The organization plugin runs with teams, dynamic access control (ac = the default
// statements) and one custom role, "auditor" (invitation:cancel, ac:read).
// A GitHub provider is configured (dummy credentials: only authorization URLs are made).
//   OIDC_DISCOVERY_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: a genericOAuth provider "oidc"
//                   (scopes openid, email, profile), e.g. the local oidc-provider.mjs
//   ACCOUNT_TRUSTED_PROVIDERS comma list (account.accountLinking.trustedProviders)
//   ENCRYPT_OAUTH_TOKENS 1 sets account.encryptOAuthTokens
//   STORE_STATE_STRATEGY account.storeStateStrategy ("database" or "cookie")
// Prints "ready <port>" on stdout once /api/auth/ok answers.
import http from "node:http";
import fs from "node:fs";
import { betterAuth } from "better-auth";
import { bearer } from "better-auth/plugins";
import { toNodeHandler } from "better-auth/node";
import { getMigrations } from "better-auth/db/migration";
import { getAuthTables } from "better-auth/db";
import { memoryAdapter } from "better-auth/adapters/memory";

const env = process.env;
const port = Number(env.PORT ?? 3199);
const baseURL = env.BASE_URL ?? `http://localhost:${port}`;
const outbox = env.OUTBOX;
const plugins = new Set((env.PLUGINS ?? "bearer").split(",").map((s) => s.trim()).filter(Boolean));

function writeOutbox(entry) {
  const line = JSON.stringify({ ts: new Date().toISOString(), ...entry });
  if (outbox) fs.appendFileSync(outbox, line + "\n");
}

/** better-auth's `secondaryStorage` on Redis, every key after `prefix`. */
async function redisStorage(url, prefix) {
  const { createClient } = await import("redis");
  const client = createClient({ url });
  client.on("error", (error) => console.error("redis:", error.message));
  await client.connect();
  const key = (name) => prefix + name;
  return {
    get: (name) => client.get(key(name)),
    async set(name, value, ttl) {
      if (ttl === undefined || ttl === null) await client.set(key(name), value);
      else if (ttl > 0) await client.set(key(name), value, { EX: Math.floor(ttl) });
      else await client.del(key(name));
    },
    async delete(name) {
      await client.del(key(name));
    },
    getAndDelete: (name) => client.getDel(key(name)),
    async increment(name, ttl) {
      const count = await client.incr(key(name));
      if (count === 1) await client.expire(key(name), Math.floor(ttl));
      return count;
    },
  };
}

async function makeDatabase(storage) {
  if (storage === "sqlite") {
    const { default: Database } = await import("better-sqlite3");
    const database = new Database(env.SQLITE_PATH ?? "better-auth.db");
    if (env.SQLITE_WAL === "1") {
      database.pragma("journal_mode = WAL");
      database.pragma("synchronous = NORMAL");
    }
    return database;
  }
  if (storage === "postgres") {
    const { default: pg } = await import("pg");
    return new pg.Pool({ connectionString: env.DATABASE_URL, max: 10 });
  }
  return null;
}

async function buildPlugins() {
  const list = [bearer()];
  if (plugins.has("two-factor")) {
    const { twoFactor } = await import("better-auth/plugins");
    list.push(
      twoFactor({
        issuer: "Keyward",
        otpOptions: {
          async sendOTP({ user, otp }) {
            writeOutbox({ kind: "two-factor-otp", to: user.email, userId: user.id, token: otp });
          },
        },
      }),
    );
  }
  if (plugins.has("organization")) {
    const { organization } = await import("better-auth/plugins");
    const { defaultAc, defaultRoles } = await import("better-auth/plugins/organization/access");
    const number = (name) => (env[name] === undefined ? undefined : Number(env[name]));
    const teams = { enabled: true };
    if (env.ORG_MAX_TEAMS !== undefined) teams.maximumTeams = number("ORG_MAX_TEAMS");
    if (env.ORG_MAX_TEAM_MEMBERS !== undefined) teams.maximumMembersPerTeam = number("ORG_MAX_TEAM_MEMBERS");
    const options = {
      teams,
      ac: defaultAc,
      roles: { ...defaultRoles, auditor: defaultAc.newRole({ invitation: ["cancel"], ac: ["read"] }) },
      dynamicAccessControl: { enabled: true },
      async sendInvitationEmail(data) {
        writeOutbox({
          kind: "organization-invitation",
          to: data.email,
          invitationId: data.id,
          token: data.id,
          role: data.role,
          organizationId: data.organization.id,
          organizationName: data.organization.name,
          inviterEmail: data.inviter.user.email,
        });
      },
    };
    if (env.ORG_LIMIT !== undefined) options.organizationLimit = number("ORG_LIMIT");
    if (env.ORG_MEMBERSHIP_LIMIT !== undefined) options.membershipLimit = number("ORG_MEMBERSHIP_LIMIT");
    if (env.ORG_INVITATION_LIMIT !== undefined) options.invitationLimit = number("ORG_INVITATION_LIMIT");
    if (env.ORG_INVITATION_EXPIRES_IN !== undefined) options.invitationExpiresIn = number("ORG_INVITATION_EXPIRES_IN");
    if (env.ORG_ALLOW_CREATE === "0") options.allowUserToCreateOrganization = false;
    if (env.ORG_REQUIRE_VERIFIED_INVITEE === "1") options.requireEmailVerificationOnInvitation = true;
    list.push(organization(options));
  }
  if (plugins.has("passkey")) {
    const { passkey } = await import("@better-auth/passkey");
    list.push(passkey({ rpID: new URL(baseURL).hostname, rpName: "Keyward", origin: env.PASSKEY_ORIGIN ?? baseURL }));
  }
  if (plugins.has("admin")) {
    const { admin } = await import("better-auth/plugins");
    list.push(admin());
  }
  if (plugins.has("one-time-token")) {
    const { oneTimeToken } = await import("better-auth/plugins");
    const options = {};
    if (env.OTT_EXPIRES_IN !== undefined) options.expiresIn = Number(env.OTT_EXPIRES_IN);
    if (env.OTT_STORE_TOKEN !== undefined) options.storeToken = env.OTT_STORE_TOKEN;
    if (env.OTT_DISABLE_CLIENT_REQUEST === "1") options.disableClientRequest = true;
    if (env.OTT_DISABLE_SET_SESSION_COOKIE === "1") options.disableSetSessionCookie = true;
    if (env.OTT_SET_HEADER_ON_NEW_SESSION === "1") options.setOttHeaderOnNewSession = true;
    list.push(oneTimeToken(options));
  }
  if (plugins.has("magic-link")) {
    const { magicLink } = await import("better-auth/plugins");
    const options = {
      async sendMagicLink({ email, url, token, metadata }) {
        writeOutbox({ kind: "magic-link", to: email, url, token, metadata });
      },
    };
    if (env.MAGIC_LINK_EXPIRES_IN !== undefined) options.expiresIn = Number(env.MAGIC_LINK_EXPIRES_IN);
    if (env.MAGIC_LINK_STORE_TOKEN !== undefined) options.storeToken = env.MAGIC_LINK_STORE_TOKEN;
    if (env.MAGIC_LINK_DISABLE_SIGN_UP === "1") options.disableSignUp = true;
    list.push(magicLink(options));
  }
  if (plugins.has("email-otp")) {
    const { emailOTP } = await import("better-auth/plugins");
    const options = {
      async sendVerificationOTP({ email, otp, type }) {
        writeOutbox({ kind: "email-otp", to: email, token: otp, type });
      },
    };
    if (env.EMAIL_OTP_STORE_OTP !== undefined) options.storeOTP = env.EMAIL_OTP_STORE_OTP;
    if (env.EMAIL_OTP_DISABLE_SIGN_UP === "1") options.disableSignUp = true;
    if (env.EMAIL_OTP_EXPIRES_IN !== undefined) options.expiresIn = Number(env.EMAIL_OTP_EXPIRES_IN);
    if (env.EMAIL_OTP_ALLOWED_ATTEMPTS !== undefined) options.allowedAttempts = Number(env.EMAIL_OTP_ALLOWED_ATTEMPTS);
    if (env.EMAIL_OTP_RESEND_STRATEGY !== undefined) options.resendStrategy = env.EMAIL_OTP_RESEND_STRATEGY;
    if (env.EMAIL_OTP_CHANGE_EMAIL === "1") {
      options.changeEmail = { enabled: true, verifyCurrentEmail: env.EMAIL_OTP_VERIFY_CURRENT_EMAIL === "1" };
    }
    if (env.EMAIL_OTP_OVERRIDE_DEFAULT_EMAIL_VERIFICATION === "1") options.overrideDefaultEmailVerification = true;
    if (env.EMAIL_OTP_SEND_VERIFICATION_ON_SIGN_UP === "1") options.sendVerificationOnSignUp = true;
    list.push(emailOTP(options));
  }
  if (plugins.has("electron")) {
    const { electron } = await import("@better-auth/electron");
    const options = {};
    if (env.ELECTRON_CODE_EXPIRES_IN !== undefined) options.codeExpiresIn = Number(env.ELECTRON_CODE_EXPIRES_IN);
    list.push(electron(options));
  }
  if (plugins.has("device-authorization")) {
    const { deviceAuthorization } = await import("better-auth/plugins");
    const options = {};
    if (env.DEVICE_EXPIRES_IN !== undefined) options.expiresIn = env.DEVICE_EXPIRES_IN;
    if (env.DEVICE_INTERVAL !== undefined) options.interval = env.DEVICE_INTERVAL;
    if (env.DEVICE_VERIFICATION_URI !== undefined) options.verificationUri = env.DEVICE_VERIFICATION_URI;
    if (env.DEVICE_CLIENT_IDS !== undefined) {
      const allowed = new Set(env.DEVICE_CLIENT_IDS.split(",").filter(Boolean));
      options.validateClient = (clientId) => allowed.has(clientId);
    }
    list.push(deviceAuthorization(options));
  }
  if (plugins.has("last-login-method")) {
    const { lastLoginMethod } = await import("better-auth/plugins");
    const options = {};
    if (env.LAST_LOGIN_METHOD_STORE_IN_DATABASE === "1") options.storeInDatabase = true;
    if (env.LAST_LOGIN_METHOD_COOKIE_NAME !== undefined) options.cookieName = env.LAST_LOGIN_METHOD_COOKIE_NAME;
    if (env.LAST_LOGIN_METHOD_MAX_AGE !== undefined) options.maxAge = Number(env.LAST_LOGIN_METHOD_MAX_AGE);
    list.push(lastLoginMethod(options));
  }
  if (plugins.has("username")) {
    const { username } = await import("better-auth/plugins");
    const options = {};
    if (env.USERNAME_MIN_LENGTH !== undefined) options.minUsernameLength = Number(env.USERNAME_MIN_LENGTH);
    if (env.USERNAME_MAX_LENGTH !== undefined) options.maxUsernameLength = Number(env.USERNAME_MAX_LENGTH);
    if (env.USERNAME_IMMUTABLE === "1") options.immutableUsername = true;
    if (env.USERNAME_NO_NORMALIZATION === "1") options.usernameNormalization = false;
    if (env.USERNAME_NO_DISPLAY === "1") options.displayUsername = false;
    list.push(username(options));
  }
  if (plugins.has("phone-number")) {
    const { phoneNumber } = await import("better-auth/plugins");
    const options = {
      async sendOTP({ phoneNumber, code }) {
        writeOutbox({ kind: "phone-number-otp", to: phoneNumber, token: code });
      },
      async sendPasswordResetOTP({ phoneNumber, code }) {
        writeOutbox({ kind: "phone-number-reset", to: phoneNumber, token: code });
      },
    };
    if (env.PHONE_NUMBER_OTP_LENGTH !== undefined) options.otpLength = Number(env.PHONE_NUMBER_OTP_LENGTH);
    if (env.PHONE_NUMBER_EXPIRES_IN !== undefined) options.expiresIn = Number(env.PHONE_NUMBER_EXPIRES_IN);
    if (env.PHONE_NUMBER_ALLOWED_ATTEMPTS !== undefined) options.allowedAttempts = Number(env.PHONE_NUMBER_ALLOWED_ATTEMPTS);
    if (env.PHONE_NUMBER_REQUIRE_VERIFICATION === "1") options.requireVerification = true;
    if (env.PHONE_NUMBER_SIGN_UP_DOMAIN !== undefined) {
      const domain = env.PHONE_NUMBER_SIGN_UP_DOMAIN;
      options.signUpOnVerification = {
        getTempEmail: (number) => `${number.replace(/[^0-9+]/g, "")}@${domain}`,
      };
    }
    if (env.PHONE_NUMBER_E164 === "1") options.phoneNumberValidator = (number) => /^\+[1-9][0-9]{1,14}$/.test(number);
    list.push(phoneNumber(options));
  }
  if (plugins.has("anonymous")) {
    const { anonymous } = await import("better-auth/plugins");
    const options = {
      async onLinkAccount({ anonymousUser, newUser }) {
        writeOutbox({
          kind: "anonymous-link",
          to: newUser.user.email,
          anonymousUserId: anonymousUser.user.id,
          newUserId: newUser.user.id,
        });
      },
    };
    if (env.ANONYMOUS_EMAIL_DOMAIN_NAME !== undefined) options.emailDomainName = env.ANONYMOUS_EMAIL_DOMAIN_NAME;
    if (env.ANONYMOUS_DISABLE_DELETE === "1") options.disableDeleteAnonymousUser = true;
    list.push(anonymous(options));
  }
  if (plugins.has("multi-session")) {
    const { multiSession } = await import("better-auth/plugins");
    const options = {};
    if (env.MULTI_SESSION_MAXIMUM !== undefined) options.maximumSessions = Number(env.MULTI_SESSION_MAXIMUM);
    list.push(multiSession(options));
  }
  if (plugins.has("jwt")) {
    const { jwt } = await import("better-auth/plugins");
    const jwks = {};
    if (env.JWT_ALG !== undefined) jwks.keyPairConfig = { alg: env.JWT_ALG };
    if (env.JWT_ROTATION_INTERVAL !== undefined) jwks.rotationInterval = Number(env.JWT_ROTATION_INTERVAL);
    if (env.JWT_GRACE_PERIOD !== undefined) jwks.gracePeriod = Number(env.JWT_GRACE_PERIOD);
    if (env.JWT_DISABLE_PRIVATE_KEY_ENCRYPTION === "1") jwks.disablePrivateKeyEncryption = true;
    const options = { jwks };
    if (env.JWT_EXPIRATION_TIME !== undefined) options.jwt = { expirationTime: env.JWT_EXPIRATION_TIME };
    list.push(jwt(options));
  }
  if (plugins.has("open-api")) {
    const { openAPI } = await import("better-auth/plugins");
    list.push(openAPI());
  }
  if (plugins.has("api-key")) {
    const { apiKey } = await import("@better-auth/api-key");
    const options = {};
    if (env.API_KEY_SESSIONS === "1") options.enableSessionForAPIKeys = true;
    const rateLimit = {};
    if (env.API_KEY_RATE_LIMIT_MAX !== undefined) rateLimit.maxRequests = Number(env.API_KEY_RATE_LIMIT_MAX);
    if (env.API_KEY_RATE_LIMIT_WINDOW !== undefined) rateLimit.timeWindow = Number(env.API_KEY_RATE_LIMIT_WINDOW);
    if (env.API_KEY_RATE_LIMIT_ENABLED === "0") rateLimit.enabled = false;
    options.rateLimit = rateLimit;
    if (env.API_KEY_METADATA === "1") options.enableMetadata = true;
    if (env.API_KEY_DEFAULT_PREFIX !== undefined) options.defaultPrefix = env.API_KEY_DEFAULT_PREFIX;
    if (env.API_KEY_REQUIRE_NAME === "1") options.requireName = true;
    if (env.API_KEY_REFERENCES !== undefined) options.references = env.API_KEY_REFERENCES;
    if (env.API_KEY_DEFAULT_PERMISSIONS !== undefined) {
      options.permissions = { defaultPermissions: JSON.parse(env.API_KEY_DEFAULT_PERMISSIONS) };
    }
    // Further configurations: a JSON list of options, each with its configId.
    const more = env.API_KEY_CONFIGURATIONS ? JSON.parse(env.API_KEY_CONFIGURATIONS) : [];
    list.push(more.length ? apiKey([{ ...options, configId: "default" }, ...more]) : apiKey(options));
  }
  if (env.OIDC_DISCOVERY_URL) {
    const { genericOAuth } = await import("better-auth/plugins/generic-oauth");
    list.push(
      genericOAuth({
        config: [
          {
            providerId: "oidc",
            discoveryUrl: env.OIDC_DISCOVERY_URL,
            clientId: env.OIDC_CLIENT_ID,
            clientSecret: env.OIDC_CLIENT_SECRET,
            scopes: ["email", "profile"],
          },
        ],
      }),
    );
  }
  return list;
}

// Runs one of better-auth's server-only calls with the request's JSON body: its answer,
// or its error as {message, code} with the error's status.
async function serverCall(req, res, call) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString("utf8");
  let status = 200;
  let answer;
  try {
    answer = await call(text ? JSON.parse(text) : {});
  } catch (error) {
    status = error?.statusCode ?? 500;
    answer = { message: error?.body?.message ?? String(error), code: error?.body?.code ?? null };
  }
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(answer ?? null));
}

function stringFields(list) {
  const fields = {};
  for (const name of (list ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    fields[name] = { type: "string", required: false };
  }
  return fields;
}

async function main() {
  const storage = env.STORAGE ?? "memory";
  const database = await makeDatabase(storage);
  const session = {};
  if (env.DEFER_REFRESH === "1") session.deferSessionRefresh = true;
  if (env.UPDATE_AGE !== undefined) session.updateAge = Number(env.UPDATE_AGE);
  if (env.FRESH_AGE !== undefined) session.freshAge = Number(env.FRESH_AGE);
  if (env.COOKIE_CACHE === "1") session.cookieCache = { enabled: true, maxAge: 300 };
  if (env.SESSION_IN_DATABASE === "1") session.storeSessionInDatabase = true;
  if (env.PRESERVE_SESSION_IN_DATABASE === "1") session.preserveSessionInDatabase = true;
  session.additionalFields = stringFields(env.SESSION_FIELDS);

  const options = {
    appName: "Keyward",
    baseURL,
    secret: env.SECRET ?? "keyward-interop-secret-0123456789abcdefghijklmnop",
    trustedOrigins: (env.TRUSTED_ORIGINS ?? "").split(",").filter(Boolean),
    session,
    rateLimit: { enabled: env.RATE_LIMIT === "1" },
    telemetry: { enabled: false },
    logger: { level: "error" },
    socialProviders: {
      github: { clientId: "keyward-interop", clientSecret: "keyward-interop-secret" },
    },
    account: {
      encryptOAuthTokens: env.ENCRYPT_OAUTH_TOKENS === "1",
      ...(env.STORE_STATE_STRATEGY ? { storeStateStrategy: env.STORE_STATE_STRATEGY } : {}),
      accountLinking: {
        trustedProviders: (env.ACCOUNT_TRUSTED_PROVIDERS ?? "").split(",").filter(Boolean),
      },
    },
    emailAndPassword: {
      enabled: true,
      requireEmailVerification: env.REQUIRE_VERIFICATION === "1",
      async sendResetPassword({ user, url, token }) {
        writeOutbox({ kind: "reset-password", to: user.email, userId: user.id, url, token });
      },
    },
    emailVerification: {
      sendOnSignUp: env.SEND_VERIFICATION_ON_SIGNUP === "1",
      autoSignInAfterVerification: env.AUTO_SIGN_IN_AFTER_VERIFICATION === "1",
      // An app that lets emailOTP's overrideDefaultEmailVerification send codes defines
      // no sender of its own: better-auth merges the plugin's under the app's options.
      ...(env.EMAIL_OTP_OVERRIDE_DEFAULT_EMAIL_VERIFICATION === "1"
        ? {}
        : {
            async sendVerificationEmail({ user, url, token }) {
              writeOutbox({ kind: "verify-email", to: user.email, userId: user.id, url, token });
            },
          }),
    },
    user: {
      additionalFields: stringFields(env.USER_FIELDS),
      changeEmail: {
        enabled: true,
        updateEmailWithoutVerification: false,
      },
      deleteUser: {
        enabled: true,
        sendDeleteAccountVerification:
          env.DELETE_VERIFICATION === "1"
            ? async ({ user, url, token }) => {
                writeOutbox({ kind: "delete-account", to: user.email, userId: user.id, url, token });
              }
            : undefined,
      },
    },
    plugins: await buildPlugins(),
  };
  if (env.REDIS_URL) options.secondaryStorage = await redisStorage(env.REDIS_URL, env.REDIS_PREFIX ?? "");

  if (database) {
    options.database = database;
    if (env.MIGRATE !== "0") {
      const { runMigrations } = await getMigrations(options);
      await runMigrations();
    }
  } else {
    const tables = getAuthTables(options);
    const db = {};
    for (const table of Object.values(tables)) db[table.modelName] = [];
    options.database = memoryAdapter(db);
  }

  const auth = betterAuth(options);
  const handler = toNodeHandler(auth);
  const serverCalls = plugins.has("api-key")
    ? {
        "/__server/api-key/create": (body) => auth.api.createApiKey({ body }),
        "/__server/api-key/update": (body) => auth.api.updateApiKey({ body }),
        "/__server/api-key/verify": (body) => auth.api.verifyApiKey({ body }),
        "/__server/api-key/delete-expired": () => auth.api.deleteAllExpiredApiKeys({}),
      }
    : {};
  const server = http.createServer((req, res) => {
    const call = req.method === "POST" ? serverCalls[req.url] : undefined;
    if (call) return serverCall(req, res, call);
    return handler(req, res);
  });
  server.listen(port, "127.0.0.1", () => {
    process.stdout.write(`ready ${port}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
