import t from "tap";
import { createTestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t, {
  env: {
    HALLWAY_NAME: "Campus A",
    HALLWAY_DESCRIPTION: "The lab campus",
    HALLWAY_CONTACT_EMAIL: "it@campus-a.example",
    HALLWAY_REGISTRATIONS: "invite",
    HALLWAY_MAX_CHARACTERS: "1000",
    HALLWAY_ALLOWLIST: "https://campus-c.example,http://127.0.0.1:3002,campus-b.example",
  },
});
const { app } = instance;
const admin = await createTestUser(instance, "root_admin", { role: "admin" });

t.test("v2 instance tells apps what they need before anyone signs in", async (t) => {
  const response = await app.inject({ url: "/api/v2/instance" });
  t.equal(response.statusCode, 200);
  const body = response.json();
  t.equal(body.domain, "campus-a.example");
  t.equal(body.title, "Campus A");
  t.equal(body.description, "The lab campus");
  t.match(body.version, /^4\.\d+\.\d+ \(compatible; Hallway \d+\.\d+\.\d+\)$/);
  t.equal(body.configuration.urls.streaming, "wss://campus-a.example");
  t.equal(body.configuration.statuses.max_characters, 1000);
  t.equal(body.configuration.statuses.characters_reserved_per_url, 23);
  t.type(body.configuration.media_attachments.image_size_limit, "number");
  t.type(body.configuration.polls.max_options, "number");
  t.same(body.api_versions, { mastodon: 2 });
  t.equal(body.registrations.enabled, true);
  t.equal(body.contact.email, "it@campus-a.example");
  t.equal(body.contact.account.id, admin.account.id);
  t.same(body.rules, []);
});

t.test("v1 instance has the older shape", async (t) => {
  const body = (await app.inject({ url: "/api/v1/instance" })).json();
  t.equal(body.uri, "campus-a.example");
  t.equal(body.urls.streaming_api, "wss://campus-a.example");
  t.equal(body.invites_enabled, true);
  t.equal(body.registrations, true);
  t.type(body.stats.user_count, "number");
  t.equal(body.configuration.statuses.max_characters, 1000);
});

t.test("peers, rules and the extended description are public lists", async (t) => {
  t.same(
    (await app.inject({ url: "/api/v1/instance/peers" })).json(),
    ["127.0.0.1:3002", "campus-b.example", "campus-c.example"],
    "peers are the allowlisted siblings",
  );
  await app.federation!.allowlist.add("campus-d.example");
  t.ok(
    (await app.inject({ url: "/api/v1/instance/peers" })).json().includes("campus-d.example"),
    "a sibling added at run time is a peer at once",
  );
  t.same((await app.inject({ url: "/api/v1/instance/rules" })).json(), []);
  t.match((await app.inject({ url: "/api/v1/instance/extended_description" })).json().content, /The lab campus/);
});

t.test("NodeInfo names the software and its Mastodon lineage", async (t) => {
  const links = (await app.inject({ url: "/.well-known/nodeinfo" })).json().links;
  t.same(
    links.map((link: { rel: string }) => link.rel),
    ["http://nodeinfo.diaspora.software/ns/schema/2.0", "http://nodeinfo.diaspora.software/ns/schema/2.1"],
  );
  for (const version of ["2.0", "2.1"]) {
    const response = await app.inject({ url: `/nodeinfo/${version}` });
    t.match(response.headers["content-type"], `schema/${version}#`);
    const body = response.json();
    t.equal(body.version, version);
    t.equal(body.software.name, "hallway");
    t.same(body.protocols, ["activitypub"]);
    t.equal(body.openRegistrations, false, "invite-only is not open");
    t.equal(body.metadata.upstream.name, "mastodon");
    t.type(body.usage.users.total, "number");
  }
  const hostMeta = await app.inject({ url: "/.well-known/host-meta" });
  t.match(hostMeta.headers["content-type"], /xrd\+xml/);
  t.match(hostMeta.body, /template="https:\/\/campus-a\.example\/\.well-known\/webfinger\?resource=\{uri\}"/);
});

t.test("CORS answers the API and discovery, never the sign-in page", async (t) => {
  for (const url of ["/api/v1/instance", "/.well-known/nodeinfo", "/nodeinfo/2.0", "/api/v1/timelines/home"]) {
    const preflight = await app.inject({
      method: "OPTIONS",
      url,
      headers: { origin: "https://elk.zone", "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
    });
    t.equal(preflight.headers["access-control-allow-origin"], "*", url);
  }
  const token = await app.inject({
    method: "OPTIONS",
    url: "/oauth/token",
    headers: { origin: "https://elk.zone", "access-control-request-method": "POST" },
  });
  t.equal(token.headers["access-control-allow-origin"], "*");
  const page = await app.inject({ url: "/oauth/authorize", headers: { origin: "https://elk.zone" } });
  t.notOk(page.headers["access-control-allow-origin"]);
  const exposed = await app.inject({ url: "/api/v1/instance", headers: { origin: "https://elk.zone" } });
  t.match(exposed.headers["access-control-expose-headers"], /Link/);
});

t.test("a stale token does not break the public endpoints", async (t) => {
  const response = await app.inject({ url: "/api/v2/instance", headers: { authorization: "Bearer not-a-token" } });
  t.equal(response.statusCode, 200);
  const closed = await app.inject({ url: "/api/v1/timelines/public", headers: { authorization: "Bearer not-a-token" } });
  t.equal(closed.statusCode, 401);
});
