// The streaming API on one campus, over real HTTP: the multiplexed WebSocket (masto's client and
// a raw one, with the token in each place clients put it) and the server-sent event streams,
// what each stream carries and to whom, and how streams end.
import { createRestAPIClient, type mastodon } from "masto";
import sharp from "sharp";
import t from "tap";
import {
  createAnnouncement,
  deleteAnnouncement,
} from "../../../server/services/announcements/announcements.ts";
import { createTestUser, type TestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";
import type { StreamName } from "../../../server/services/streaming/streams.ts";
import {
  handshakeStatus,
  mastoStreaming,
  mastoSubscription,
  openEventStream,
  openSocket,
} from "../../helpers/streams.ts";

const instance = await startTestInstance(t, { listen: true });
const { app, context } = instance;
const hub = app.streaming.hub;
const wsUrl = `${instance.url.replace(/^http/, "ws")}/api/v1/streaming`;
const sseUrl = (path: string) => `${instance.url}/api/v1/streaming${path}`;

const ana = await createTestUser(instance, "ana");
const bea = await createTestUser(instance, "bea");
const cai = await createTestUser(instance, "cai");
const rest = (user: TestUser) =>
  createRestAPIClient({ url: instance.url, accessToken: user.token });

/** Waits until the hub holds `count` subscriptions of `name` (subscribe messages are asynchronous). */
async function subscribed(name: StreamName, count = 1): Promise<void> {
  const deadline = Date.now() + 5000;
  while (hub.subscriptionCount(name) < count) {
    if (Date.now() > deadline) throw new Error(`no ${name} subscription after 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const bearer = (user: TestUser) => ({ authorization: `Bearer ${user.token}` });

await rest(bea).v1.accounts.$select(ana.account.id).follow();

t.test("health answers OK to anyone", async (t) => {
  const response = await fetch(sseUrl("/health"));
  t.equal(response.status, 200);
  t.equal(await response.text(), "OK");
});

t.test("the instance advertises the streaming origin with a ws scheme", async (t) => {
  const v2 = await rest(ana).v2.instance.fetch();
  t.equal(v2.configuration.urls.streaming, instance.url.replace(/^http/, "ws"));
  const v1 = await rest(ana).v1.instance.fetch();
  t.equal(v1.urls.streamingApi, instance.url.replace(/^http/, "ws"));
});

t.test(
  "masto's client: token as the subprotocol; update, notification, status.update, delete",
  async (t) => {
    const streaming = mastoStreaming(instance.url.replace(/^http/, "ws"), bea.token);
    t.teardown(() => streaming.close());
    const { log } = mastoSubscription(streaming.user.subscribe());
    await subscribed("user");

    const post = await rest(ana).v1.statuses.create({
      status: `Morning @bea, shipping the CRM today #launch`,
    });
    const update = await log.nextEntity<mastodon.v1.Status>("update", (s) => s.id === post.id);
    t.equal(update.account.acct, "ana", "the post, as bea's home timeline shows it");
    t.equal(update.favourited, false);
    const notification = await log.nextEntity<mastodon.v1.Notification>(
      "notification",
      (n) => n.status?.id === post.id,
    );
    t.equal(notification.type, "mention", "the mention notification on the same stream");
    t.same(
      log.events.find((e) => e.event === "update")?.stream,
      ["user"],
      "events name their stream",
    );

    await rest(ana)
      .v1.statuses.$select(post.id)
      .update({ status: "Morning @bea, shipping the CRM tomorrow #launch" });
    const edited = await log.nextEntity<mastodon.v1.Status>(
      "status.update",
      (s) => s.id === post.id,
    );
    t.match(edited.content, /tomorrow/, "an edit arrives as status.update");

    await rest(ana).v1.statuses.$select(post.id).remove();
    const deleted = await log.next((e) => e.event === "delete" && e.payload === post.id);
    t.equal(deleted.payload, post.id, "the delete payload is the status id");
  },
);

t.test("a raw WebSocket: token by header, by query, and by subprotocol (echoed)", async (t) => {
  const byHeader = await openSocket(`${wsUrl}?stream=user`, { headers: bearer(bea) });
  const byQuery = await openSocket(`${wsUrl}?stream=user&access_token=${bea.token}`);
  const byProtocol = await openSocket(`${wsUrl}?stream=user`, { protocols: [bea.token] });
  t.teardown(() =>
    [byHeader, byQuery, byProtocol].forEach((client) => {
      client.close();
    }),
  );
  t.equal(byProtocol.protocol, bea.token, "the token comes back as the selected subprotocol");

  const post = await rest(ana).v1.statuses.create({ status: "Three ways in" });
  for (const [how, client] of [
    ["header", byHeader],
    ["query", byQuery],
    ["subprotocol", byProtocol],
  ] as const) {
    const update = await client.log.next((e) => e.event === "update", 10_000, `an update (${how})`);
    t.same(update.stream, ["user"]);
    t.equal(JSON.parse(update.payload!).id, post.id, `the token by ${how} works`);
  }
});

t.test("unauthorized connections are refused before the upgrade", async (t) => {
  t.equal(await handshakeStatus(wsUrl), 401, "no token: 401");
  t.equal(await handshakeStatus(`${wsUrl}?access_token=garbage`), 401, "a garbage token: 401");
  t.equal(
    await handshakeStatus(wsUrl, { "sec-websocket-protocol": "garbage" }),
    401,
    "a garbage subprotocol: 401",
  );
  t.equal(await handshakeStatus(wsUrl, bearer(bea)), 101, "a valid token upgrades");
  const sse = await openEventStream(sseUrl("/user"));
  t.equal(sse.status, 401, "an event stream without a token: 401");
  const notifications = await createTestUser(instance, "dee", { scopes: ["read:notifications"] });
  const refused = await openEventStream(sseUrl("/user"), bearer(notifications));
  t.equal(refused.status, 403, "the user stream needs read:statuses");
  const allowed = await openEventStream(sseUrl("/user/notification"), bearer(notifications));
  t.equal(allowed.status, 200, "user:notification takes read:notifications");
  allowed.close();
});

t.test("subscribe and unsubscribe messages on one socket", async (t) => {
  const client = await openSocket(wsUrl, { protocols: [cai.token] });
  t.teardown(() => client.close());
  client.send({ type: "subscribe", stream: "hashtag", tag: "Launch" });
  client.send({ type: "subscribe", stream: "public:local" });
  client.send({ type: "subscribe", stream: "nonsense" });
  await subscribed("hashtag");
  await subscribed("public:local");

  const tagged = await rest(ana).v1.statuses.create({ status: "Release notes are up #launch" });
  const onTag = await client.log.next(
    (e) =>
      e.event === "update" &&
      e.stream?.[0] === "hashtag" &&
      JSON.parse(e.payload!).id === tagged.id,
  );
  t.same(
    onTag.stream,
    ["hashtag", "Launch"],
    "the hashtag stream names the tag as it was asked for",
  );
  await client.log.next((e) => e.event === "update" && e.stream?.[0] === "public:local");
  t.same(
    client.log.errors,
    [{ error: "Unknown stream type", status: 400 }],
    "an unknown stream is an error message",
  );

  client.send({ type: "unsubscribe", stream: "hashtag", tag: "launch" });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const after = await rest(ana).v1.statuses.create({ status: "Another #launch note" });
  await client.log.next((e) => e.event === "update" && JSON.parse(e.payload!).id === after.id);
  const onHashtag = client.log.events.filter(
    (e) => e.stream?.[0] === "hashtag" && JSON.parse(e.payload ?? "{}").id === after.id,
  );
  t.equal(onHashtag.length, 0, "after unsubscribing, the hashtag stream is silent");
});

t.test("event streams: public, hashtag, list, and what stays private", async (t) => {
  const publicLocal = await openEventStream(sseUrl("/public/local"), bearer(cai));
  const publicRemote = await openEventStream(sseUrl("/public/remote"), bearer(cai));
  const hashtag = await openEventStream(`${sseUrl("/hashtag")}?tag=design`, bearer(cai));
  const direct = await openEventStream(sseUrl("/direct"), bearer(cai));
  t.teardown(() =>
    [publicLocal, publicRemote, hashtag, direct].forEach((client) => {
      client.close();
    }),
  );
  t.equal(publicLocal.status, 200);
  t.match(publicLocal.headers.get("content-type"), /^text\/event-stream/);

  const list = await rest(cai).v1.lists.create({ title: "Designers" });
  await rest(cai).v1.accounts.$select(ana.account.id).follow();
  await rest(cai)
    .v1.lists.$select(list.id)
    .accounts.create({ accountIds: [ana.account.id] });
  const listStream = await openEventStream(`${sseUrl("/list")}?list=${list.id}`, bearer(cai));
  t.teardown(() => listStream.close());
  t.equal(listStream.status, 200, "the owner streams the list");
  const foreign = await openEventStream(`${sseUrl("/list")}?list=${list.id}`, bearer(bea));
  t.equal(foreign.status, 404, "someone else's list is not found");

  const post = await rest(ana).v1.statuses.create({ status: "New icons #Design" });
  await publicLocal.log.nextEntity("update", (s: { id: string }) => s.id === post.id);
  await hashtag.log.nextEntity("update", (s: { id: string }) => s.id === post.id);
  await listStream.log.nextEntity("update", (s: { id: string }) => s.id === post.id);
  t.pass("the public post reaches public:local, the hashtag and the list");

  const hidden = await rest(ana).v1.statuses.create({
    status: "Followers only #design",
    visibility: "private",
  });
  const secret = await rest(ana).v1.statuses.create({
    status: "@bea just us",
    visibility: "direct",
  });
  await rest(ana).v1.statuses.$select(post.id).remove();
  await publicLocal.log.next((e) => e.event === "delete" && e.payload === post.id);
  await hashtag.log.next((e) => e.event === "delete" && e.payload === post.id);
  t.pass("its deletion reaches them too");
  const leaked = [
    ...publicLocal.log.events,
    ...hashtag.log.events,
    ...publicRemote.log.events,
  ].filter((e) => e.payload?.includes(hidden.id) || e.payload?.includes(secret.id));
  t.same(leaked, [], "followers-only and direct posts never reach the shared streams");
  t.same(publicRemote.log.events, [], "public:remote shows only siblings' posts");
});

t.test(
  "a direct post reaches only the people in it; filters_changed reaches its owner",
  async (t) => {
    const beaStream = await openEventStream(sseUrl("/user"), bearer(bea));
    const caiStream = await openEventStream(sseUrl("/user"), bearer(cai));
    t.teardown(() =>
      [beaStream, caiStream].forEach((client) => {
        client.close();
      }),
    );
    const secret = await rest(ana).v1.statuses.create({
      status: "@bea the numbers look good",
      visibility: "direct",
    });
    await beaStream.log.nextEntity(
      "notification",
      (n: { status?: { id: string } }) => n.status?.id === secret.id,
    );
    t.same(
      (await caiStream.log.quiet(300)).filter((e) => e.payload?.includes(secret.id)),
      [],
      "cai, who follows ana, hears nothing of it",
    );

    context.events.emit("filters.changed", { accountId: bea.account.id });
    const changed = await beaStream.log.next((e) => e.event === "filters_changed");
    t.equal(changed.payload, undefined, "filters_changed has no payload (data: undefined)");
    t.same(await caiStream.log.quiet(200, "filters_changed"), [], "only on the owner's streams");
  },
);

t.test("only_media streams carry posts with attachments only", async (t) => {
  const media = await openEventStream(`${sseUrl("/public/local")}?only_media=true`, bearer(cai));
  const all = await openEventStream(sseUrl("/public/local"), bearer(cai));
  t.teardown(() => {
    media.close();
    all.close();
  });
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#336699" } })
    .png()
    .toBuffer();
  const upload = await rest(ana).v2.media.create({
    file: new Blob([new Uint8Array(png)], { type: "image/png" }),
  });
  const plain = await rest(ana).v1.statuses.create({ status: "No picture here" });
  const pictured = await rest(ana).v1.statuses.create({
    status: "A picture",
    mediaIds: [upload.id],
  });
  await all.log.nextEntity("update", (s: { id: string }) => s.id === pictured.id);
  const shown = await media.log.nextEntity<{ id: string; media_attachments: unknown[] }>(
    "update",
    (s) => s.id === pictured.id,
  );
  t.equal(shown.media_attachments.length, 1, "public:local:media has the post with its picture");
  t.notOk(
    media.log.events.some((e) => e.payload?.includes(plain.id)),
    "and not the one without",
  );
});

t.test("per-viewer rendering: favourited is the receiver's own", async (t) => {
  const anaStream = await openEventStream(sseUrl("/user"), bearer(ana));
  const beaStream = await openEventStream(sseUrl("/user"), bearer(bea));
  t.teardown(() =>
    [anaStream, beaStream].forEach((client) => {
      client.close();
    }),
  );
  const post = await rest(ana).v1.statuses.create({ status: "Pizza at noon" });
  await rest(bea).v1.statuses.$select(post.id).favourite();
  await rest(ana).v1.statuses.$select(post.id).update({ status: "Pizza at one" });
  const forBea = await beaStream.log.nextEntity<{ id: string; favourited: boolean }>(
    "status.update",
    (s) => s.id === post.id,
  );
  const forAna = await anaStream.log.nextEntity<{ id: string; favourited: boolean }>(
    "status.update",
    (s) => s.id === post.id,
  );
  t.equal(forBea.favourited, true, "bea sees her favourite");
  t.equal(forAna.favourited, false, "ana's copy says she did not favourite it");
});

t.test("the receiver's filters and mutes apply", async (t) => {
  const dee = await createTestUser(instance, "dee2");
  await rest(dee).v1.accounts.$select(ana.account.id).follow();
  const home = await openEventStream(sseUrl("/user"), bearer(dee));
  const local = await openEventStream(sseUrl("/public/local"), bearer(dee));
  t.teardown(() => {
    home.close();
    local.close();
  });
  await rest(dee).v2.filters.create({
    title: "Spoilers",
    context: ["home", "public"],
    filterAction: "hide",
    keywordsAttributes: [{ keyword: "finale" }],
  });
  await home.log.next((e) => e.event === "filters_changed");
  t.pass("creating a filter sends filters_changed");
  await rest(dee).v2.filters.create({
    title: "Careful",
    context: ["home"],
    filterAction: "warn",
    keywordsAttributes: [{ keyword: "budget" }],
  });

  const hidden = await rest(ana).v1.statuses.create({ status: "The finale was wild" });
  const warned = await rest(ana).v1.statuses.create({ status: "About the budget" });
  const plain = await rest(ana).v1.statuses.create({ status: "Coffee?" });
  const onHome = await home.log.nextEntity<{
    id: string;
    filtered: { filter: { title: string } }[];
  }>("update", (s) => s.id === warned.id);
  t.same(
    onHome.filtered.map((result) => result.filter.title),
    ["Careful"],
    "a warn filter's match travels in filtered",
  );
  await home.log.nextEntity("update", (s: { id: string }) => s.id === plain.id);
  await local.log.nextEntity("update", (s: { id: string }) => s.id === plain.id);
  const leaked = [...home.log.events, ...local.log.events].filter((e) =>
    e.payload?.includes(hidden.id),
  );
  t.same(leaked, [], "a hide filter keeps the post off the streams of its contexts");

  await rest(dee).v1.accounts.$select(ana.account.id).mute();
  const afterMute = await rest(ana).v1.statuses.create({ status: "Lunch?" });
  await rest(bea)
    .v1.statuses.create({ status: "Marker after the mute" })
    .then(async (marker) => {
      await local.log.nextEntity("update", (s: { id: string }) => s.id === marker.id);
    });
  t.notOk(
    local.log.events.some((e) => e.payload?.includes(afterMute.id)),
    "a muted author's posts stay off the public streams",
  );
});

t.test(
  "direct messages arrive as conversation events; announcements on every user stream",
  async (t) => {
    const direct = await openSocket(`${wsUrl}?stream=direct`, { protocols: [bea.token] });
    const home = await openSocket(`${wsUrl}?stream=user`, { protocols: [cai.token] });
    t.teardown(() => {
      direct.close();
      home.close();
    });
    const secret = await rest(ana).v1.statuses.create({
      status: "@bea draft attached",
      visibility: "direct",
    });
    const conversation = await direct.log.nextEntity<{ id: string; last_status: { id: string } }>(
      "conversation",
      (c) => c.last_status?.id === secret.id,
    );
    t.ok(
      conversation.id,
      "bea's direct stream gets the conversation, with the post as last_status",
    );
    t.same(
      direct.log.events.filter((e) => e.event !== "conversation"),
      [],
      "and nothing else: the direct stream carries conversations only",
    );

    const announcement = await createAnnouncement(context, {
      text: "The cafeteria closes at 3 today",
    });
    const shown = await home.log.nextEntity<{ id: string; content: string }>(
      "announcement",
      (a) => a.id === announcement.id,
    );
    t.match(shown.content, /cafeteria/, "an announcement reaches every user stream");
    await deleteAnnouncement(context, announcement.id);
    const withdrawn = await home.log.next((e) => e.event === "announcement.delete");
    t.equal(withdrawn.payload, announcement.id, "and its withdrawal, by id");
  },
);

t.test("an event stream opens with a comment line", async (t) => {
  const sse = await openEventStream(sseUrl("/user"), bearer(bea));
  t.teardown(() => sse.close());
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.ok(sse.comments.length > 0, "the stream opens with a comment line, so proxies pass it at once");
});

t.test("a revoked token ends its streams", async (t) => {
  const victim = await createTestUser(instance, "eve");
  const socket = await openSocket(`${wsUrl}?stream=user`, { protocols: [victim.token] });
  const sse = await openEventStream(sseUrl("/user"), bearer(victim));
  await context.db
    .updateTable("oauth_access_tokens")
    .set({ revoked_at: new Date() })
    .where("account_id", "=", victim.account.id)
    .execute();
  await hub.revalidate();
  t.equal(await socket.closed, 1008, "the socket closes with a policy violation");
  await sse.ended;
  t.pass("the event stream ends");
});

t.test("shutdown closes every stream cleanly", async (t) => {
  const socket = await openSocket(`${wsUrl}?stream=user`, { protocols: [bea.token] });
  const sse = await openEventStream(sseUrl("/public"), bearer(bea));
  await instance.close();
  t.equal(await socket.closed, 1001, "the socket is told the server is going away");
  await sse.ended;
  t.pass("the event stream ends, and the server closed without waiting on it");
});
