// The outbound wall, against real HTTP servers on 127.0.0.1: allowlisted origins are reached,
// everything else is refused before a request object even exists in the HTTP client, and
// redirects never lead out of the allowlist.
import dc from "node:diagnostics_channel";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import t from "tap";
import { Allowlist } from "../../federation/allowlist.ts";
import {
  createGuardedFetch,
  FederationRefusedError,
  installGlobalFetchGuard,
  isGlobalFetchGuarded,
} from "../../federation/guarded-fetch.ts";
import { RefusalLog } from "../../federation/refusals.ts";
import { createTestDatabase } from "../helpers/databases.ts";

interface TestServer {
  origin: string;
  port: number;
  /** TCP connections accepted so far. */
  connections: number;
  /** Paths requested so far. */
  requests: string[];
}

type Route = (request: IncomingMessage, response: ServerResponse, body: string) => void;

async function startServer(routes: Record<string, Route>): Promise<TestServer> {
  const server: Server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      state.requests.push(request.url ?? "");
      const route = routes[request.url ?? ""];
      if (route) route(request, response, body);
      else response.writeHead(404).end("not found");
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  const state: TestServer = {
    origin: `http://127.0.0.1:${port}`,
    port,
    connections: 0,
    requests: [],
  };
  server.on("connection", () => {
    state.connections += 1;
  });
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return state;
}

const redirect =
  (status: number, location: string): Route =>
  (_request, response) => {
    response.writeHead(status, { location }).end();
  };

const echo: Route = (request, response, body) => {
  response.writeHead(200, { "content-type": "application/json" }).end(
    JSON.stringify({
      method: request.method,
      body,
      authorization: request.headers.authorization ?? null,
      contentType: request.headers["content-type"] ?? null,
    }),
  );
};

// Outsider: not on the allowlist; it must never see a connection.
const outsider = await startServer({ "/hello": (_request, response) => response.end("outsider") });
// Stands for this instance's own origin, which is on no allowlist.
const own = await startServer({ "/hello": (_request, response) => response.end("this instance") });
// A second sibling, for redirects between allowlisted origins.
const siblingTwo = await startServer({ "/echo": echo });
let siblingOrigin = "";
const sibling = await startServer({
  "/hello": (_request, response) => response.end("hello from a sibling"),
  "/echo": echo,
  "/to-outsider": (request, response) =>
    redirect(302, `${outsider.origin}/hello`)(request, response, ""),
  "/to-https": (request, response) =>
    redirect(302, `${siblingOrigin.replace("http:", "https:")}/hello`)(request, response, ""),
  "/to-hello": redirect(301, "/hello"),
  "/post-307": redirect(307, "/echo"),
  "/post-303": redirect(303, "/echo"),
  "/post-302": redirect(302, "/echo"),
  "/loop": redirect(302, "/loop"),
  "/to-sibling-two": redirect(302, `${siblingTwo.origin}/echo`),
  "/no-location": (_request, response) => response.writeHead(302).end("no location"),
});
siblingOrigin = sibling.origin;

const database = await createTestDatabase();
t.teardown(() => database.drop());
const allowlist = await Allowlist.load({
  db: database.handle.db,
  ownOrigin: "https://campus-a.example.org",
  environment: [sibling.origin, siblingTwo.origin],
});

function guarded(options: { maxRedirects?: number } = {}) {
  const refusals = new RefusalLog({
    db: database.handle.db,
    log: { warn() {}, error() {} },
    flushIntervalMs: 0,
  });
  return { fetch: createGuardedFetch(allowlist, { refusals, ...options }), refusals };
}

/** Names of the HTTP client's diagnostics events published while `work` runs. */
async function clientEvents(work: () => Promise<unknown>): Promise<string[]> {
  const events: string[] = [];
  const names = ["undici:request:create", "undici:client:beforeConnect"];
  const listeners = names.map((name) => {
    const listener = () => events.push(name);
    dc.subscribe(name, listener);
    return [name, listener] as const;
  });
  try {
    await work();
  } catch {
    // the caller checks the outcome separately
  } finally {
    for (const [name, listener] of listeners) dc.unsubscribe(name, listener);
  }
  return events;
}

t.test("an allowlisted origin is reached as with fetch", async (t) => {
  const { fetch: guardedFetch, refusals } = guarded();
  const response = await guardedFetch(`${sibling.origin}/hello`);
  t.equal(response.status, 200);
  t.equal(await response.text(), "hello from a sibling");
  t.equal(response.url, `${sibling.origin}/hello`);
  t.equal(response.redirected, false);

  const posted = await guardedFetch(
    new Request(`${sibling.origin}/echo`, {
      method: "POST",
      headers: { "content-type": "application/activity+json", authorization: "Signature x" },
      body: '{"type":"Follow"}',
    }),
  );
  t.same(await posted.json(), {
    method: "POST",
    body: '{"type":"Follow"}',
    authorization: "Signature x",
    contentType: "application/activity+json",
  });
  t.same(refusals.pending(), [], "nothing refused");
});

t.test("a host off the allowlist is refused before DNS, connection or request", async (t) => {
  const { fetch: guardedFetch, refusals } = guarded();
  const started = performance.now();
  let error: unknown;
  const events = await clientEvents(async () => {
    try {
      await guardedFetch("https://outsider.invalid/users/mallory");
    } catch (caught) {
      error = caught;
    }
  });
  const elapsed = performance.now() - started;
  t.type(error, FederationRefusedError);
  t.type(error, TypeError, "a TypeError, as fetch's own network failures");
  t.match(
    (error as Error).message,
    /refused to fetch https:\/\/outsider\.invalid\/users\/mallory: outsider\.invalid is not an allowlisted sibling/,
  );
  t.same(events, [], "the HTTP client never saw a request (so no DNS lookup, no connection)");
  t.ok(elapsed < 100, `refused at once (${elapsed.toFixed(1)} ms)`);
  t.match(refusals.pending(), [
    { host: "outsider.invalid", direction: "outbound", reason: "not allowlisted", count: 1 },
  ]);

  // The same probe sees an allowed request, so its silence above means something.
  const allowedEvents = await clientEvents(() =>
    guardedFetch(`${sibling.origin}/hello`).then((r) => r.text()),
  );
  t.ok(allowedEvents.includes("undici:request:create"), "an allowed fetch does reach the client");
});

t.test("a local server that is not allowlisted receives no connection", async (t) => {
  const { fetch: guardedFetch, refusals } = guarded();
  await t.rejects(guardedFetch(`${outsider.origin}/hello`), FederationRefusedError);
  await t.rejects(guardedFetch(new URL(`${outsider.origin}/hello`)), FederationRefusedError);
  await t.rejects(
    guardedFetch(new Request(`${outsider.origin}/hello`, { method: "POST", body: "x" })),
    FederationRefusedError,
  );
  t.equal(outsider.connections, 0, "loopback is no exception: the allowlist alone decides");
  t.equal(refusals.pending()[0]?.count, 3);
  t.equal(refusals.pending()[0]?.host, `127.0.0.1:${outsider.port}`);
});

t.test("the scheme and the port must match too", async (t) => {
  const { fetch: guardedFetch } = guarded();
  const before = sibling.connections;
  const httpsSibling = sibling.origin.replace("http:", "https:");
  await t.rejects(
    guardedFetch(`${httpsSibling}/hello`),
    FederationRefusedError,
    "https on an http entry",
  );
  await t.rejects(
    guardedFetch(`http://127.0.0.1:${outsider.port}/hello`),
    FederationRefusedError,
    "another port",
  );
  await t.rejects(
    guardedFetch("http://127.0.0.1/hello"),
    FederationRefusedError,
    "the default port",
  );
  await t.rejects(
    guardedFetch(`http://localhost:${sibling.port}/hello`),
    FederationRefusedError,
    "another name for the same address",
  );
  await t.rejects(guardedFetch("file:///etc/passwd"), FederationRefusedError);
  t.equal(sibling.connections, before, "none of them reached the sibling's port either");
});

t.test("redirects within the allowlist are followed, one checked hop at a time", async (t) => {
  const { fetch: guardedFetch } = guarded();
  const response = await guardedFetch(`${sibling.origin}/to-hello`);
  t.equal(await response.text(), "hello from a sibling");
  t.equal(response.url, `${sibling.origin}/hello`);
  t.equal(response.redirected, true);

  const repeated = await guardedFetch(`${sibling.origin}/post-307`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"a":1}',
  });
  t.match(
    await repeated.json(),
    { method: "POST", body: '{"a":1}', contentType: "application/json" },
    "307 repeats the body",
  );
  const seeOther = await guardedFetch(`${sibling.origin}/post-303`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"a":1}',
  });
  t.match(
    await seeOther.json(),
    { method: "GET", body: "", contentType: null },
    "303 becomes a GET without body",
  );
  const found = await guardedFetch(`${sibling.origin}/post-302`, { method: "POST", body: "x" });
  t.match(await found.json(), { method: "GET", body: "" }, "302 after POST becomes a GET");

  const across = await guardedFetch(`${sibling.origin}/to-sibling-two`, {
    headers: { authorization: "Bearer for-the-first-origin" },
  });
  t.match(
    await across.json(),
    { method: "GET", authorization: null },
    "credentials stay with their origin",
  );

  const bare = await guardedFetch(`${sibling.origin}/no-location`);
  t.equal(bare.status, 302, "a redirect without Location is returned as it is");
});

t.test("a redirect out of the allowlist is refused without touching the target", async (t) => {
  const { fetch: guardedFetch, refusals } = guarded();
  const error = await guardedFetch(`${sibling.origin}/to-outsider`).catch(
    (caught: unknown) => caught,
  );
  t.type(error, FederationRefusedError);
  t.equal((error as FederationRefusedError).reason, "redirect out of the allowlist");
  t.equal((error as FederationRefusedError).host, `127.0.0.1:${outsider.port}`);
  t.equal(outsider.connections, 0);
  const toHttps = await guardedFetch(`${sibling.origin}/to-https`).catch(
    (caught: unknown) => caught,
  );
  t.equal(
    (toHttps as FederationRefusedError).reason,
    "redirect out of the allowlist",
    "nor to another scheme",
  );
  t.match(refusals.pending(), [
    { direction: "outbound", reason: "redirect out of the allowlist", count: 1 },
    { count: 1 },
  ]);

  // redirect: "manual" hands the redirect to the caller, who must come back through the guard.
  const manual = await guardedFetch(`${sibling.origin}/to-outsider`, { redirect: "manual" });
  t.equal(manual.status, 302);
  await t.rejects(guardedFetch(manual.headers.get("location")!), FederationRefusedError);
  t.equal(outsider.connections, 0);

  await t.rejects(guardedFetch(`${sibling.origin}/to-hello`, { redirect: "error" }), TypeError);
  await t.rejects(guardedFetch(`${sibling.origin}/loop`), /more than 5 redirects/);
  const { fetch: strict } = guarded({ maxRedirects: 0 });
  await t.rejects(strict(`${sibling.origin}/to-hello`), /more than 0 redirects/);
});

t.test("this instance's own origin is always reachable", async (t) => {
  const refusals = new RefusalLog({
    db: database.handle.db,
    log: { warn() {}, error() {} },
    flushIntervalMs: 0,
  });
  const closed = await Allowlist.load({
    db: database.handle.db,
    ownOrigin: own.origin,
    environment: [],
  });
  const ownFetch = createGuardedFetch(closed, { refusals });
  t.equal(
    await (await ownFetch(`${own.origin}/hello`)).text(),
    "this instance",
    "the Allowlist's own origin",
  );
  await t.rejects(
    ownFetch(`${sibling.origin}/hello`),
    FederationRefusedError,
    "an empty allowlist reaches no one else",
  );
  const viaOption = createGuardedFetch(allowlist, { ownOrigin: own.origin, refusals });
  t.equal(
    await (await viaOption(`${own.origin}/hello`)).text(),
    "this instance",
    "the ownOrigin option",
  );
});

t.test("installGlobalFetchGuard puts the wall in front of globalThis.fetch", async (t) => {
  const original = globalThis.fetch;
  const refusals = new RefusalLog({
    db: database.handle.db,
    log: { warn() {}, error() {} },
    flushIntervalMs: 0,
  });
  const uninstall = installGlobalFetchGuard(allowlist, { refusals });
  t.teardown(uninstall);
  t.ok(isGlobalFetchGuarded());
  t.not(globalThis.fetch, original);
  t.throws(() => installGlobalFetchGuard(allowlist), /already installed/);
  t.equal(await (await fetch(`${sibling.origin}/hello`)).text(), "hello from a sibling");
  await t.rejects(fetch(`${outsider.origin}/hello`), FederationRefusedError);
  await t.rejects(fetch(`${sibling.origin}/to-outsider`), FederationRefusedError);
  t.equal(outsider.connections, 0);
  t.equal(
    refusals.pending().reduce((sum, count) => sum + count.count, 0),
    2,
  );

  // The allowlist is live: an origin added at run time is reachable at once.
  await allowlist.add(outsider.origin);
  t.equal(await (await fetch(`${outsider.origin}/hello`)).text(), "outsider");
  await allowlist.remove(outsider.origin);
  await t.rejects(
    fetch(`${outsider.origin}/hello`),
    FederationRefusedError,
    "and unreachable once removed",
  );

  uninstall();
  t.equal(globalThis.fetch, original, "uninstalling restores the previous fetch");
  t.notOk(isGlobalFetchGuarded());
});
