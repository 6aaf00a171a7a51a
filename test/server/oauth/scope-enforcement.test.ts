// Scopes are enforced on every API route: a sweep over the route table, then a representative set
// of tokens against the endpoints apps use most.
import type { RouteOptions } from "fastify";
import t from "tap";
import { grants } from "../../../server/services/oauth/scopes.ts";
import { issueToken } from "../../../server/services/oauth/tokens.ts";
import { createTestApp, createTestUser } from "../../helpers/fixtures.ts";
import { injectUntilStream } from "../../helpers/inject.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t);
const { app, context } = instance;
const alice = await createTestUser(instance, "alice");
const bob = await createTestUser(instance, "bob");
const client = await createTestApp(instance, "read write follow push profile");

const OUTSIDE_SCOPES = "This action is outside the authorized scopes";
const TOP_LEVEL = ["read", "write", "follow", "push", "profile", "admin:read", "admin:write"];
// Answer without any token by design: apps register before they have one.
const WITHOUT_AUTH = new Set(["POST /api/v1/apps"]);
// Any valid token may ask which app it belongs to, as on Mastodon.
const WITHOUT_SCOPES = new Set(["GET /api/v1/apps/verify_credentials"]);

const tokens = new Map<string, string>();
async function tokenWith(scopes: string[]): Promise<{ authorization: string }> {
  const key = scopes.join(" ");
  let token = tokens.get(key);
  if (!token) {
    token = (await issueToken(context, context.db, { applicationId: client.id, accountId: alice.account.id, scopes }))
      .access_token;
    tokens.set(key, token);
  }
  return { authorization: `Bearer ${token}` };
}

interface ApiRoute {
  method: string;
  url: string;
  route: RouteOptions;
}

const apiRoutes: ApiRoute[] = app.routeTable
  .filter((route) => route.url.startsWith("/api/"))
  .flatMap((route) => [route.method].flat().map((method) => ({ method, url: route.url, route })))
  .filter(({ method }) => method !== "HEAD" && method !== "OPTIONS");

const call = (route: ApiRoute, headers: Record<string, string>) =>
  injectUntilStream(app, {
    method: route.method as "GET",
    // Made-up ids: the scope check comes before the route looks anything up.
    url: route.url.replace(/:[a-z_]+/g, "1"),
    headers,
    ...(route.method === "GET" || route.method === "DELETE" ? {} : { payload: {} }),
  });

t.test("the sweep covers the API", async (t) => {
  t.ok(apiRoutes.length >= 25, `${apiRoutes.length} API routes`);
  t.ok(apiRoutes.some((r) => r.url === "/api/v1/statuses" && r.method === "POST"));
});

t.test("every API route declares who it admits, and every authenticated one the scopes it needs", async (t) => {
  for (const { method, url, route } of apiRoutes) {
    const name = `${method} ${url}`;
    if (WITHOUT_AUTH.has(name)) continue;
    const config = route.config as { auth?: string; scopes?: readonly string[] } | undefined;
    t.ok(config?.auth, `${name} declares config.auth`);
    if (config?.auth && config.auth !== "public" && !WITHOUT_SCOPES.has(name)) {
      t.ok(config.scopes?.length, `${name} declares config.scopes`);
    }
  }
});

t.test("on every route with scopes, a token lacking them gets 403 and one holding them does not", async (t) => {
  for (const api of apiRoutes) {
    const required = (api.route.config as { scopes?: readonly string[] } | undefined)?.scopes;
    if (!required?.length) continue;
    const name = `${api.method} ${api.url}`;
    // Every top-level scope that covers none of the route's, e.g. `write follow push …` for read:statuses.
    const lacking = TOP_LEVEL.filter((scope) => !required.some((needed) => grants(new Set([scope]), needed)));
    const refused = await call(api, await tokenWith(lacking));
    t.equal(refused.statusCode, 403, `${name} with ${lacking.join(" ")}`);
    t.equal(refused.json().error, OUTSIDE_SCOPES, name);

    const allowed = await call(api, await tokenWith([required[0]!]));
    t.not(allowed.statusCode, 401, `${name} with ${required[0]}`);
    // An event stream answers with headers and an empty body.
    t.notMatch(allowed.body, OUTSIDE_SCOPES, `${name} with ${required[0]}`);
  }
});

t.test("profile alone may call verify_credentials and nothing else", async (t) => {
  const profile = await tokenWith(["profile"]);
  const me = await app.inject({ url: "/api/v1/accounts/verify_credentials", headers: profile });
  t.equal(me.statusCode, 200, me.body);
  t.equal(me.json().username, "alice");
  for (const [method, url] of [
    ["GET", "/api/v1/preferences"],
    ["GET", "/api/v1/timelines/home"],
    ["GET", `/api/v1/accounts/${bob.account.id}`],
    ["GET", "/api/v1/notifications"],
    ["POST", "/api/v1/statuses"],
    ["PATCH", "/api/v1/accounts/update_credentials"],
  ] as const) {
    const response = await app.inject({ method, url, headers: profile, ...(method === "GET" ? {} : { payload: {} }) });
    t.equal(response.statusCode, 403, `${method} ${url}`);
  }
});

t.test("read may read but not post; write:statuses may post but not read", async (t) => {
  const read = await tokenWith(["read"]);
  t.equal((await app.inject({ url: "/api/v1/timelines/home", headers: read })).statusCode, 200);
  t.equal((await app.inject({ url: "/api/v1/accounts/verify_credentials", headers: read })).statusCode, 200);
  const post = (headers: Record<string, string>) =>
    app.inject({ method: "POST", url: "/api/v1/statuses", headers, payload: { status: "scoped" } });
  t.equal((await post(read)).statusCode, 403);

  const writeStatuses = await tokenWith(["write:statuses"]);
  const posted = await post(writeStatuses);
  t.equal(posted.statusCode, 200, posted.body);
  t.equal((await app.inject({ url: "/api/v1/timelines/home", headers: writeStatuses })).statusCode, 403);
  t.equal((await app.inject({ url: `/api/v1/statuses/${posted.json().id}`, headers: writeStatuses })).statusCode, 403);
  const deleted = await app.inject({ method: "DELETE", url: `/api/v1/statuses/${posted.json().id}`, headers: writeStatuses });
  t.equal(deleted.statusCode, 200);
});

t.test("granular read scopes open only their own part", async (t) => {
  const statuses = await tokenWith(["read:statuses"]);
  t.equal((await app.inject({ url: "/api/v1/timelines/home", headers: statuses })).statusCode, 200);
  t.equal((await app.inject({ url: "/api/v1/notifications", headers: statuses })).statusCode, 403);
  t.equal((await app.inject({ url: "/api/v1/preferences", headers: statuses })).statusCode, 403);
  const notifications = await tokenWith(["read:notifications"]);
  t.equal((await app.inject({ url: "/api/v1/notifications", headers: notifications })).statusCode, 200);
  t.equal((await app.inject({ url: "/api/v1/timelines/home", headers: notifications })).statusCode, 403);
});

t.test("the legacy follow scope may follow, but not post or read timelines", async (t) => {
  const follow = await tokenWith(["follow"]);
  const followed = await app.inject({ method: "POST", url: `/api/v1/accounts/${bob.account.id}/follow`, headers: follow });
  t.equal(followed.statusCode, 200, followed.body);
  t.equal(followed.json().following, true);
  t.equal((await app.inject({ url: "/api/v1/timelines/home", headers: follow })).statusCode, 403);
  const posted = await app.inject({ method: "POST", url: "/api/v1/statuses", headers: follow, payload: { status: "x" } });
  t.equal(posted.statusCode, 403);
});

t.test("scopes are read from the token on each call, so a narrowed token is narrowed at once", async (t) => {
  const headers = await tokenWith(["read", "write"]);
  t.equal((await app.inject({ url: "/api/v1/timelines/home", headers })).statusCode, 200);
  const id = (app.jwt.verify(headers.authorization.slice("Bearer ".length)) as { jti: string }).jti;
  await context.db.updateTable("oauth_access_tokens").set({ scopes: "write" }).where("id", "=", id).execute();
  t.equal((await app.inject({ url: "/api/v1/timelines/home", headers })).statusCode, 403);
});
