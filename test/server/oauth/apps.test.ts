// POST /api/v1/apps and GET /api/v1/apps/verify_credentials.
import t from "tap";
import { createTestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t);
const { app } = instance;

const APPLICATION_KEYS = [
  "client_id",
  "client_secret",
  "client_secret_expires_at",
  "id",
  "name",
  "redirect_uri",
  "redirect_uris",
  "scopes",
  "vapid_key",
  "website",
];

function register(payload: string | Record<string, unknown>, contentType?: string) {
  return app.inject({
    method: "POST",
    url: "/api/v1/apps",
    headers: contentType ? { "content-type": contentType } : {},
    payload,
  });
}

t.test("a form-encoded registration with several redirect URIs on separate lines", async (t) => {
  const response = await register(
    new URLSearchParams({
      client_name: "Tusky",
      redirect_uris: "com.keylesspalace.tusky://oauth\nurn:ietf:wg:oauth:2.0:oob  https://tusky.example/cb",
      scopes: "read write follow push",
      website: "https://tusky.app",
    }).toString(),
    "application/x-www-form-urlencoded",
  );
  t.equal(response.statusCode, 200, response.body);
  const body = response.json();
  t.same(Object.keys(body).sort(), APPLICATION_KEYS);
  t.match(body.id, /^\d+$/);
  t.equal(body.name, "Tusky");
  t.equal(body.website, "https://tusky.app");
  t.same(body.scopes, ["read", "write", "follow", "push"]);
  t.same(body.redirect_uris, ["com.keylesspalace.tusky://oauth", "urn:ietf:wg:oauth:2.0:oob", "https://tusky.example/cb"]);
  t.equal(body.redirect_uri, body.redirect_uris.join("\n"));
  t.type(body.client_id, "string");
  t.ok(body.client_id.length >= 32);
  t.type(body.client_secret, "string");
  t.ok(body.client_secret.length >= 32);
  t.not(body.client_id, body.client_secret);
  t.equal(body.client_secret_expires_at, 0);
});

t.test("a JSON registration with redirect_uris as an array, and Rails-style form arrays", async (t) => {
  const json = await register({
    client_name: "Elk",
    redirect_uris: ["https://elk.example/api/callback", "urn:ietf:wg:oauth:2.0:oob"],
    scopes: "read write",
  });
  t.equal(json.statusCode, 200, json.body);
  t.same(json.json().redirect_uris, ["https://elk.example/api/callback", "urn:ietf:wg:oauth:2.0:oob"]);
  t.same(json.json().scopes, ["read", "write"]);
  t.equal(json.json().website, null);

  const form = await register(
    "client_name=Ivory&redirect_uris[]=ivory%3A%2F%2Foauth&redirect_uris[]=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob",
    "application/x-www-form-urlencoded",
  );
  t.equal(form.statusCode, 200, form.body);
  t.same(form.json().redirect_uris, ["ivory://oauth", "urn:ietf:wg:oauth:2.0:oob"]);
});

t.test("without scopes an app gets read, as on Mastodon", async (t) => {
  const response = await register({ client_name: "Minimal", redirect_uris: "urn:ietf:wg:oauth:2.0:oob" });
  t.same(response.json().scopes, ["read"]);
});

t.test("bad input is a 422 with an error message", async (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ redirect_uris: "urn:ietf:wg:oauth:2.0:oob" }, /Name can't be blank/],
    [{ client_name: "  ", redirect_uris: "urn:ietf:wg:oauth:2.0:oob" }, /Name can't be blank/],
    [{ client_name: "x" }, /Redirect URI can't be blank/],
    [{ client_name: "x", redirect_uris: [] }, /Redirect URI can't be blank/],
    [{ client_name: "x", redirect_uris: "not a uri" }, /absolute URI/],
    [{ client_name: "x", redirect_uris: "/relative/path" }, /absolute URI/],
    [{ client_name: "x", redirect_uris: "https://client.example/cb#fragment" }, /fragment/],
    [{ client_name: "x", redirect_uris: "javascript:alert(1)" }, /forbidden scheme/],
    [{ client_name: "x", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read sudo" }, /Scopes are not valid: sudo/],
    [{ client_name: "x", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", website: "javascript:alert(1)" }, /Website is invalid/],
    [{ client_name: "x".repeat(201), redirect_uris: "urn:ietf:wg:oauth:2.0:oob" }, /too long/],
  ];
  for (const [payload, message] of cases) {
    const response = await register(payload);
    t.equal(response.statusCode, 422, JSON.stringify(payload));
    t.match(response.json().error, message, JSON.stringify(payload));
  }
  const notJson = await register("{not json", "application/json");
  t.equal(notJson.statusCode, 400);
  t.type(notJson.json().error, "string");
});

t.test("verify_credentials answers for the app behind any of its tokens, never with the secret", async (t) => {
  const registered = (
    await register({ client_name: "Checker", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", website: "https://checker.example" })
  ).json();
  const issued = await app.inject({
    method: "POST",
    url: "/oauth/token",
    payload: {
      grant_type: "client_credentials",
      client_id: registered.client_id,
      client_secret: registered.client_secret,
    },
  });
  const response = await app.inject({
    url: "/api/v1/apps/verify_credentials",
    headers: { authorization: `Bearer ${issued.json().access_token}` },
  });
  t.equal(response.statusCode, 200, response.body);
  const body = response.json();
  t.equal(body.id, registered.id);
  t.equal(body.name, "Checker");
  t.equal(body.website, "https://checker.example");
  t.same(body.scopes, ["read"]);
  t.same(body.redirect_uris, ["urn:ietf:wg:oauth:2.0:oob"]);
  t.equal(body.client_id, undefined);
  t.equal(body.client_secret, undefined);

  const user = await createTestUser(instance, "alice");
  const asUser = await app.inject({ url: "/api/v1/apps/verify_credentials", headers: user.auth });
  t.equal(asUser.statusCode, 200);
  t.equal(asUser.json().name, "Test client");

  t.equal((await app.inject({ url: "/api/v1/apps/verify_credentials" })).statusCode, 401);
  const bogus = await app.inject({ url: "/api/v1/apps/verify_credentials", headers: { authorization: "Bearer nope" } });
  t.equal(bogus.statusCode, 401);
});
