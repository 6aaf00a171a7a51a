// The wall: an outsider (a real Hallway instance that allowlists the campuses, but that no campus
// allowlists) is refused at every entry point, and no campus ever sends it a request, even when
// people mention it or search for it.
import { generateCryptoKeyPair, signRequest } from "@fedify/fedify";
import type { mastodon } from "masto";
import t from "tap";
import { type Campus, eventually, startCampuses } from "../helpers/campuses.ts";

const campuses = await startCampuses(t, { campuses: ["A", "B"], outsiders: ["X"] });
const A = campuses.A as Campus;
const B = campuses.B as Campus;
const X = campuses.X as Campus;

const [ana, raj, mallory] = await Promise.all([
  A.createUser("ana", { displayName: "Ana Secret-Name" }),
  B.createUser("raj"),
  X.createUser("mallory"),
]);
const post = await ana.client.v1.statuses.create({ status: "the quarterly numbers are in #finance" });
const followers = `${A.origin}/users/ana/followers`;

// The outsider's own key, published nowhere a campus would fetch from.
const outsiderKeys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
const outsiderKeyId = new URL(`${X.origin}/users/mallory#main-key`);

const AP = "application/activity+json";

async function unsigned(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { accept: AP, "content-type": AP, ...(init.headers ?? {}) } });
}

async function signedByOutsider(url: string, init: RequestInit = {}): Promise<Response> {
  const request = new Request(url, { ...init, headers: { accept: AP, "content-type": AP, ...(init.headers ?? {}) } });
  return fetch(await signRequest(request, outsiderKeys.privateKey, outsiderKeyId));
}

async function refusals(campus: Campus): Promise<{ host: string; direction: string; reason: string; count: number }[]> {
  return JSON.parse(await campus.admin("federation refusals", [], { json: true }));
}

function createActivity(id: string) {
  return JSON.stringify({
    "@context": "https://www.w3.org/ns/activitystreams",
    id: `${X.origin}/activities/${id}`,
    type: "Create",
    actor: `${X.origin}/users/mallory`,
    to: [`${A.origin}/users/ana`],
    object: {
      id: `${X.origin}/notes/${id}`,
      type: "Note",
      attributedTo: `${X.origin}/users/mallory`,
      to: [`${A.origin}/users/ana`],
      content: `@ana let me in (${id})`,
      tag: [{ type: "Mention", href: `${A.origin}/users/ana` }],
    },
  });
}

t.test("inbox POSTs from the outsider are refused, signed or not, and nothing is stored", async (t) => {
  for (const inbox of [`${A.origin}/inbox`, `${A.origin}/users/ana/inbox`]) {
    const plain = await unsigned(inbox, { method: "POST", body: createActivity("unsigned") });
    t.equal(plain.status, 401, `unsigned POST ${inbox} → 401`);
    const signed = await signedByOutsider(inbox, { method: "POST", body: createActivity("signed") });
    t.equal(signed.status, 403, `outsider-signed POST ${inbox} → 403`);
  }
  // A sibling's activity that drags an outsider IRI in is refused too (checked before any fetch).
  const smuggled = await signedByOutsider(`${A.origin}/inbox`, {
    method: "POST",
    body: JSON.stringify({
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${B.origin}/activities/smuggled`,
      type: "Announce",
      actor: `${B.origin}/users/raj`,
      object: `${X.origin}/notes/1`,
    }),
  });
  t.equal(smuggled.status, 403, "an activity naming an outsider object is refused");
  const notifications = await ana.client.v1.notifications.list();
  t.same(notifications, [], "ana was told nothing");
  const federated = await ana.client.v1.timelines.public.list({ remote: true });
  t.same(federated, [], "campus A stored no outsider post");
});

t.test("ActivityPub GETs need a sibling's signature", async (t) => {
  const urls = [
    `${A.origin}/users/ana`,
    `${A.origin}/users/ana/statuses/${post.id}`,
    followers,
    `${A.origin}/users/ana/following`,
    `${A.origin}/users/ana/outbox`,
    `${A.origin}/users/ana/collections/featured`,
    `${A.origin}/users/nobody`,
  ];
  for (const url of urls) {
    const plain = await unsigned(url);
    t.equal(plain.status, 401, `unsigned GET ${url} → 401`);
    t.notMatch(await plain.text(), /Secret-Name|quarterly/, "and the answer reveals nothing");
    const signed = await signedByOutsider(url);
    t.equal(signed.status, 403, `outsider-signed GET ${url} → 403`);
    t.notMatch(await signed.text(), /Secret-Name|quarterly/);
  }
});

t.test("WebFinger answers neither anonymous nor outsider requests", async (t) => {
  for (const resource of [`acct:ana@${A.domain}`, `acct:nobody@${A.domain}`]) {
    const url = `${A.origin}/.well-known/webfinger?resource=${encodeURIComponent(resource)}`;
    t.equal((await unsigned(url)).status, 401, `unsigned WebFinger for ${resource} → 401`);
    t.equal((await signedByOutsider(url)).status, 403, `outsider-signed WebFinger for ${resource} → 403`);
  }
  const withToken = await fetch(
    `${A.origin}/.well-known/webfinger?resource=${encodeURIComponent(`acct:ana@${A.domain}`)}`,
    { headers: { authorization: `Bearer ${ana.token}` } },
  );
  t.equal(withToken.status, 200, "a signed-in colleague may look people up");
});

t.test("pages and media show an outsider nothing", async (t) => {
  for (const path of ["/@ana", `/@ana/${post.id}`, "/users/ana", `/users/ana/statuses/${post.id}`, "/@nobody"]) {
    const page = await fetch(`${A.origin}${path}`, { headers: { accept: "text/html" } });
    const html = await page.text();
    t.equal(page.status, 200, `${path} answers a browser`);
    t.notMatch(html, /Secret-Name|quarterly|finance/, `${path} shows no account or post`);
  }
  const pages = await Promise.all(
    ["/@ana", "/@nobody"].map(async (path) => (await fetch(`${A.origin}${path}`, { headers: { accept: "text/html" } })).text()),
  );
  t.equal(pages[0], pages[1], "an existing account's page is the same as a missing one's");

  const withAvatar = await ana.client.v1.accounts.updateCredentials({
    avatar: new Blob([await (await import("node:fs/promises")).readFile(new URL("../../server/static/avatars/original/missing.png", import.meta.url))], {
      type: "image/png",
    }),
  });
  const avatar = new URL(withAvatar.avatar);
  t.match(avatar.pathname, /^\/system\/.*[0-9a-f]{32}/, "media URLs carry an unguessable token");
  t.equal((await fetch(avatar)).status, 200, "the capability URL works without a token, as apps need");
  const directory = avatar.pathname.slice(0, avatar.pathname.lastIndexOf("/") + 1);
  const listing = await fetch(`${A.origin}${directory}`);
  t.ok(listing.status >= 400 && listing.status < 500, `media folders are not listed (${listing.status})`);
  t.equal((await fetch(`${A.origin}/system/accounts/avatars/1/original.png`)).status, 404, "guessed paths find nothing");
});

t.test("the outsider's own instance cannot reach the campus either", async (t) => {
  const found = await mallory.client.v2.search.list({ q: `@ana@${A.domain}`, resolve: true, type: "accounts" });
  t.equal(found.accounts.length, 0, "an outsider instance's signed lookups get nothing");
  t.ok(
    // The outsider instance's lookups name it in their user agent.
    A.gate.seen.some((request) => request.url.startsWith("/.well-known/webfinger") && request.userAgent.includes(X.origin)),
    "the outsider instance did knock, with a WebFinger request",
  );
  const inbound = await eventually(
    async () => (await refusals(A)).find((refusal) => refusal.host === X.domain && refusal.direction === "inbound"),
    { what: "the inbound refusal in campus A's counts" },
  );
  t.ok(inbound.count >= 1, `campus A counted the outsider's knocks (${inbound.count})`);
});

t.test("a campus never sends a request to the outsider", async (t) => {
  const handle = `mallory@${X.domain}`;
  // From here on this test sends the outsider nothing itself: whatever reaches it comes from a campus.
  const quietFrom = X.gate.seen.length;
  const mention = await ana.client.v1.statuses.create({ status: `@${handle} are you there?` });
  t.same(mention.mentions, [], "a mention of an outsider links nobody");
  const search = await ana.client.v2.search.list({ q: `@${handle}`, resolve: true });
  t.equal(search.accounts.length, 0, "searching an outsider handle finds nothing");
  const byUrl = await ana.client.v2.search.list({ q: `${X.origin}/users/mallory`, resolve: true });
  t.equal(byUrl.accounts.length + byUrl.statuses.length, 0, "nor does an outsider URL");
  await t.rejects(ana.client.v1.accounts.lookup({ acct: handle }), "lookup of an outsider handle is a 404");
  const replyTo = await raj.client.v1.statuses.create({ status: `@${handle} hi from B` });
  t.same(replyTo.mentions, [], "campus B links no outsider either");

  // Deliveries are queued: give the campuses' workers a moment to have done anything they would.
  const marker = await ana.client.v1.statuses.create({ status: `@${raj.acct} marker` });
  await eventually(
    async () =>
      (await raj.client.v1.notifications.list()).some(
        (n: mastodon.v1.Notification) => n.type === "mention" && n.status?.uri === marker.uri,
      ),
    { what: "the marker mention on B" },
  );
  t.same(X.gate.seen.slice(quietFrom), [], "no campus sent the outsider anything");
  const outbound = (await refusals(A)).filter((refusal) => refusal.host === X.domain && refusal.direction === "outbound");
  t.ok(outbound.length > 0, "campus A counted its refused outbound attempts");
});

