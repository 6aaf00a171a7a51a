// POST /oauth/token and /oauth/revoke: the grants, client authentication, PKCE and RFC 6749 errors.
import t from "tap";
import { createTestUser, PASSWORD } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";
import { authorize, Browser, pkce, redirectParams, registerApp } from "./flow.ts";

const instance = await startTestInstance(t);
const { app } = instance;
const alice = await createTestUser(instance, "alice");
const REDIRECT = "https://client.example/callback";
const client = await registerApp(app, { redirect_uris: REDIRECT, scopes: "read write follow push" });
let address = 0;
const nextAddress = () => `10.2.0.${++address}`;

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

function token(payload: Record<string, string>, headers: Record<string, string> = {}) {
  return app.inject({ method: "POST", url: "/oauth/token", payload, headers, remoteAddress: nextAddress() });
}

const bearer = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` });

async function codeFor(params: Record<string, string> = {}): Promise<string> {
  const decided = await authorize(
    new Browser(app, nextAddress()),
    { client_id: client.client_id, redirect_uri: REDIRECT, ...params },
    { login: alice.email, password: PASSWORD },
  );
  const code = redirectParams(decided).get("code");
  if (!code) throw new Error(`no code: ${decided.headers.location}`);
  return code;
}

t.test("authorization_code with PKCE S256 needs the right verifier, and no client secret", async (t) => {
  const { verifier, challenge } = pkce();
  const code = await codeFor({ code_challenge: challenge, code_challenge_method: "S256", scope: "read write" });
  const base = { grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: client.client_id };

  const wrong = await token({ ...base, code_verifier: pkce().verifier });
  t.equal(wrong.statusCode, 400);
  t.equal(wrong.json().error, "invalid_grant");
  t.type(wrong.json().error_description, "string");

  const missing = await token(base);
  t.equal(missing.statusCode, 401, "without a verifier the client must authenticate, and cannot");
  t.equal(missing.json().error, "invalid_client");

  const ok = await token({ ...base, code_verifier: verifier });
  t.equal(ok.statusCode, 200, ok.body);
  const body = ok.json();
  t.equal(body.token_type, "Bearer");
  t.equal(body.scope, "read write");
  t.type(body.created_at, "number");
  t.equal(ok.headers["cache-control"], "no-store");
  const me = await app.inject({ url: "/api/v1/accounts/verify_credentials", headers: bearer(body.access_token) });
  t.equal(me.json().username, "alice");

  const replay = await token({ ...base, code_verifier: verifier });
  t.equal(replay.statusCode, 400, "a code works once");
  t.equal(replay.json().error, "invalid_grant");
});

t.test("a verifier that is not 43-128 unreserved characters is an invalid_request", async (t) => {
  const code = await codeFor({ code_challenge: pkce().challenge });
  const response = await token({
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT,
    client_id: client.client_id,
    code_verifier: "too-short",
  });
  t.equal(response.statusCode, 400);
  t.equal(response.json().error, "invalid_request");
});

t.test("authorization_code without PKCE needs the client secret, by either method", async (t) => {
  const base = { grant_type: "authorization_code", redirect_uri: REDIRECT };
  const noSecret = await token({ ...base, code: await codeFor(), client_id: client.client_id });
  t.equal(noSecret.statusCode, 401);
  t.equal(noSecret.json().error, "invalid_client");

  const post = await token({
    ...base,
    code: await codeFor(),
    client_id: client.client_id,
    client_secret: client.client_secret,
  });
  t.equal(post.statusCode, 200, post.body);

  const basicAuth = await token(
    { ...base, code: await codeFor() },
    { authorization: basic(client.client_id, client.client_secret) },
  );
  t.equal(basicAuth.statusCode, 200, basicAuth.body);

  const badBasic = await token(
    { ...base, code: await codeFor() },
    { authorization: basic(client.client_id, "wrong") },
  );
  t.equal(badBasic.statusCode, 401);
  t.equal(badBasic.json().error, "invalid_client");
  t.match(badBasic.headers["www-authenticate"], /^Basic /, "a failed Basic authentication names the scheme");
});

t.test("the code is bound to its redirect URI and its client", async (t) => {
  const other = await registerApp(app, { redirect_uris: REDIRECT });
  const withSecret = { client_id: client.client_id, client_secret: client.client_secret };

  const missingRedirect = await token({ grant_type: "authorization_code", code: await codeFor(), ...withSecret });
  t.equal(missingRedirect.statusCode, 400);
  t.equal(missingRedirect.json().error, "invalid_request");

  const otherRedirect = await token({
    grant_type: "authorization_code",
    code: await codeFor(),
    redirect_uri: "https://client.example/other",
    ...withSecret,
  });
  t.equal(otherRedirect.json().error, "invalid_grant");

  const otherClient = await token({
    grant_type: "authorization_code",
    code: await codeFor(),
    redirect_uri: REDIRECT,
    client_id: other.client_id,
    client_secret: other.client_secret,
  });
  t.equal(otherClient.statusCode, 400);
  t.equal(otherClient.json().error, "invalid_grant");

  const made = await token({ grant_type: "authorization_code", code: "made-up", redirect_uri: REDIRECT, ...withSecret });
  t.equal(made.json().error, "invalid_grant");
});

t.test("an expired code is refused", async (t) => {
  const code = await codeFor();
  await instance.context.db
    .updateTable("oauth_authorization_codes")
    .set({ expires_at: new Date(Date.now() - 1000) })
    .execute();
  const response = await token({
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT,
    client_id: client.client_id,
    client_secret: client.client_secret,
  });
  t.equal(response.statusCode, 400);
  t.equal(response.json().error, "invalid_grant");
});

t.test("client_credentials gives an app token, read by default, within the app's scopes", async (t) => {
  const ok = await token({
    grant_type: "client_credentials",
    client_id: client.client_id,
    client_secret: client.client_secret,
  });
  t.equal(ok.statusCode, 200, ok.body);
  t.equal(ok.json().scope, "read");
  const verify = await app.inject({ url: "/api/v1/apps/verify_credentials", headers: bearer(ok.json().access_token) });
  t.equal(verify.statusCode, 200);
  t.equal(verify.json().name, "Flow client");
  t.equal(verify.json().client_secret, undefined, "verify_credentials does not repeat the secret");
  const asUser = await app.inject({
    url: "/api/v1/accounts/verify_credentials",
    headers: bearer(ok.json().access_token),
  });
  t.equal(asUser.statusCode, 422, "an app token is not a user");

  const viaBasic = await token(
    { grant_type: "client_credentials", scope: "read write" },
    { authorization: basic(client.client_id, client.client_secret) },
  );
  t.equal(viaBasic.json().scope, "read write");

  const tooMuch = await token({
    grant_type: "client_credentials",
    client_id: client.client_id,
    client_secret: client.client_secret,
    scope: "read admin:read",
  });
  t.equal(tooMuch.statusCode, 400);
  t.equal(tooMuch.json().error, "invalid_scope");

  const noSecret = await token({ grant_type: "client_credentials", client_id: client.client_id });
  t.equal(noSecret.statusCode, 401);
  t.equal(noSecret.json().error, "invalid_client");
  const unknown = await token({ grant_type: "client_credentials", client_id: "nope", client_secret: "nope" });
  t.equal(unknown.statusCode, 401);
});

t.test("password grant: the username field takes the e-mail address, or the username", async (t) => {
  const withSecret = { grant_type: "password", client_id: client.client_id, client_secret: client.client_secret };
  for (const username of [alice.email, "ALICE@example.org", "alice", "@alice"]) {
    const response = await token({ ...withSecret, username, password: PASSWORD, scope: "read write" });
    t.equal(response.statusCode, 200, `${username}: ${response.body}`);
    t.equal(response.json().scope, "read write");
    const me = await app.inject({
      url: "/api/v1/accounts/verify_credentials",
      headers: bearer(response.json().access_token),
    });
    t.equal(me.json().username, "alice");
  }
  const wrong = await token({ ...withSecret, username: alice.email, password: "nope nope nope" });
  t.equal(wrong.statusCode, 400);
  t.equal(wrong.json().error, "invalid_grant");
  t.type(wrong.json().error_description, "string");
  const nobody = await token({ ...withSecret, username: "nobody@example.org", password: PASSWORD });
  t.same(nobody.json(), wrong.json(), "an unknown login answers exactly as a wrong password");
  const missing = await token({ ...withSecret, username: alice.email });
  t.equal(missing.json().error, "invalid_request");
  const noClient = await token({ grant_type: "password", username: alice.email, password: PASSWORD });
  t.equal(noClient.statusCode, 401);
});

t.test("JSON bodies work as well as forms", async (t) => {
  const response = await app.inject({
    method: "POST",
    url: "/oauth/token",
    headers: { "content-type": "application/json" },
    payload: JSON.stringify({
      grant_type: "client_credentials",
      client_id: client.client_id,
      client_secret: client.client_secret,
    }),
  });
  t.equal(response.statusCode, 200, response.body);
});

t.test("unknown or missing grant types, and malformed Basic headers, are RFC 6749 errors", async (t) => {
  const unsupported = await token({ grant_type: "implicit", client_id: client.client_id });
  t.equal(unsupported.statusCode, 400);
  t.equal(unsupported.json().error, "unsupported_grant_type");
  const none = await token({ client_id: client.client_id });
  t.equal(none.statusCode, 400);
  t.equal(none.json().error, "invalid_request");
  const malformed = await token(
    { grant_type: "client_credentials" },
    { authorization: `Basic ${Buffer.from("%E0%A4%A:secret").toString("base64")}` },
  );
  t.equal(malformed.statusCode, 401, malformed.body);
  t.equal(malformed.json().error, "invalid_client");
});

t.test("revocation takes effect at once, and only the token's own client may revoke it", async (t) => {
  const issued = await token({
    grant_type: "password",
    client_id: client.client_id,
    client_secret: client.client_secret,
    username: alice.email,
    password: PASSWORD,
  });
  const accessToken = issued.json().access_token;
  t.equal((await app.inject({ url: "/api/v1/accounts/verify_credentials", headers: bearer(accessToken) })).statusCode, 200);

  const other = await registerApp(app, { redirect_uris: REDIRECT });
  const foreign = await app.inject({
    method: "POST",
    url: "/oauth/revoke",
    payload: { token: accessToken, client_id: other.client_id, client_secret: other.client_secret },
  });
  t.equal(foreign.statusCode, 403);
  t.equal(foreign.json().error, "unauthorized_client");
  const unauthenticated = await app.inject({
    method: "POST",
    url: "/oauth/revoke",
    payload: { token: accessToken, client_id: client.client_id },
  });
  t.equal(unauthenticated.statusCode, 401);
  t.equal((await app.inject({ url: "/api/v1/accounts/verify_credentials", headers: bearer(accessToken) })).statusCode, 200);

  const revoked = await app.inject({
    method: "POST",
    url: "/oauth/revoke",
    headers: { authorization: basic(client.client_id, client.client_secret) },
    payload: { token: accessToken },
  });
  t.equal(revoked.statusCode, 200, revoked.body);
  t.same(revoked.json(), {});
  const after = await app.inject({ url: "/api/v1/accounts/verify_credentials", headers: bearer(accessToken) });
  t.equal(after.statusCode, 401, "the revoked token is refused on the very next call");

  const unknown = await app.inject({
    method: "POST",
    url: "/oauth/revoke",
    payload: { token: "not-a-token", client_id: client.client_id, client_secret: client.client_secret },
  });
  t.equal(unknown.statusCode, 200, "revoking an unknown token is not an error (RFC 7009)");
});

t.test("the authorization server metadata names the endpoints and what they support", async (t) => {
  const response = await app.inject({
    url: "/.well-known/oauth-authorization-server",
    headers: { origin: "https://elk.example" },
  });
  t.equal(response.statusCode, 200);
  const metadata = response.json();
  const origin = instance.config.origin;
  t.equal(metadata.issuer, `${origin}/`);
  t.equal(metadata.authorization_endpoint, `${origin}/oauth/authorize`);
  t.equal(metadata.token_endpoint, `${origin}/oauth/token`);
  t.equal(metadata.revocation_endpoint, `${origin}/oauth/revoke`);
  t.equal(metadata.app_registration_endpoint, `${origin}/api/v1/apps`);
  t.same(metadata.code_challenge_methods_supported, ["S256"]);
  t.same(metadata.response_types_supported, ["code"]);
  t.same([...metadata.grant_types_supported].sort(), ["authorization_code", "client_credentials", "password"]);
  t.ok(metadata.token_endpoint_auth_methods_supported.includes("client_secret_basic"));
  t.ok(metadata.token_endpoint_auth_methods_supported.includes("client_secret_post"));
  for (const scope of ["read", "write", "follow", "push", "profile", "admin:read", "read:statuses", "write:media"]) {
    t.ok(metadata.scopes_supported.includes(scope), scope);
  }
  t.equal(response.headers["access-control-allow-origin"], "*", "browser apps can read it");
});
