import sharp from "sharp";
import t from "tap";
import { createTestUser, type TestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t);
const { app, context } = instance;
const ana = await createTestUser(instance, "ana", { displayName: "Ana" });
const bruno = await createTestUser(instance, "bruno");
const chen = await createTestUser(instance, "chen");

async function post(user: TestUser, status: string, extra: Record<string, unknown> = {}) {
  const response = await app.inject({
    method: "POST",
    url: "/api/v1/statuses",
    headers: user.auth,
    payload: { status, ...extra },
  });
  if (response.statusCode !== 200) throw new Error(`post failed: ${response.body}`);
  return response.json() as { id: string; visibility: string };
}

async function get(user: TestUser, url: string) {
  return app.inject({ url, headers: user.auth });
}

async function follow(user: TestUser, target: TestUser) {
  const response = await app.inject({
    method: "POST",
    url: `/api/v1/accounts/${target.account.id}/follow`,
    headers: user.auth,
  });
  if (response.statusCode !== 200) throw new Error(`follow failed: ${response.body}`);
  return response.json();
}

/** A multipart body as an app sends it: the platform's FormData, encoded by Response. */
async function multipart(user: TestUser, form: FormData) {
  const response = new Response(form);
  return {
    headers: { ...user.auth, "content-type": response.headers.get("content-type")! },
    payload: Buffer.from(await response.arrayBuffer()),
  };
}

const ids = (items: { id: string }[]) => items.map((item) => item.id);
const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 20 } } })
    .png()
    .toBuffer();

/** Follows `rel` links from a Link header, as an app would, relative to the instance. */
function linkOf(response: { headers: Record<string, unknown> }, rel: "next" | "prev"): string | null {
  const header = String(response.headers.link ?? "");
  const match = new RegExp(`<([^>]+)>;\\s*rel="${rel}"`).exec(header);
  if (!match) return null;
  const url = new URL(match[1]!);
  t.equal(url.origin, context.config.origin, "Link URLs carry the public origin");
  return url.pathname + url.search;
}

t.test("verify_credentials returns the account with its source", async (t) => {
  const response = await get(ana, "/api/v1/accounts/verify_credentials");
  t.equal(response.statusCode, 200);
  const me = response.json();
  t.equal(me.id, ana.account.id);
  t.equal(me.username, "ana");
  t.equal(me.acct, "ana");
  t.equal(me.display_name, "Ana");
  t.equal(me.url, "https://campus-a.example/@ana");
  t.match(me.created_at, /^\d{4}-\d\d-\d\dT00:00:00\.000Z$/);
  t.same(me.source, {
    note: "",
    fields: [],
    privacy: "public",
    sensitive: false,
    language: null,
    follow_requests_count: 0,
    hide_collections: false,
    discoverable: true,
    indexable: true,
    local_only: false,
  });
  t.same(me.role, { id: "-99", name: "", color: "", permissions: "65536", highlighted: false });

  const other = (await get(bruno, `/api/v1/accounts/${ana.account.id}`)).json();
  t.notOk("source" in other, "the source is only for its owner");
  t.notOk("role" in other);
});

t.test("update_credentials takes JSON", async (t) => {
  const response = await app.inject({
    method: "PATCH",
    url: "/api/v1/accounts/update_credentials",
    headers: ana.auth,
    payload: {
      display_name: "  Ana Lima ",
      note: "Platform team.\n\nAsk me about #kubernetes or @bruno about <lunch>.",
      bot: true,
      discoverable: false,
      fields_attributes: [
        { name: "Team", value: "Platform" },
        { name: "Wiki", value: "https://wiki.example.org/platform" },
        { name: "", value: "" },
      ],
      source: { privacy: "private", sensitive: true, language: "pt" },
    },
  });
  t.equal(response.statusCode, 200, response.body);
  const me = response.json();
  t.equal(me.display_name, "Ana Lima");
  t.equal(
    me.note,
    '<p>Platform team.</p><p>Ask me about <a href="https://campus-a.example/tags/kubernetes" class="mention hashtag" rel="tag" target="_blank">#<span>kubernetes</span></a> or ' +
      '<span class="h-card" translate="no"><a href="https://campus-a.example/@bruno" class="u-url mention" rel="nofollow noopener" target="_blank">@<span>bruno</span></a></span> about &lt;lunch&gt;.</p>',
  );
  t.equal(me.source.note, "Platform team.\n\nAsk me about #kubernetes or @bruno about <lunch>.");
  t.equal(me.bot, true);
  t.equal(me.discoverable, false);
  t.same(
    me.fields.map((field: { name: string }) => field.name),
    ["Team", "Wiki"],
    "empty fields are dropped",
  );
  t.match(me.fields[1].value, /^<a href="https:\/\/wiki\.example\.org\/platform"[^>]*>wiki\.example\.org\/platform<\/a>$/);
  t.match(me.fields[1].value, / rel="nofollow noopener me"/, "a field link is the owner's own (rel=me)");
  t.same(me.source.fields, [
    { name: "Team", value: "Platform", verified_at: null },
    { name: "Wiki", value: "https://wiki.example.org/platform", verified_at: null },
  ]);
  t.same([me.source.privacy, me.source.sensitive, me.source.language], ["private", true, "pt"]);

  const preferences = (await get(ana, "/api/v1/preferences")).json();
  t.same(preferences, {
    "posting:default:visibility": "private",
    "posting:default:sensitive": true,
    "posting:default:language": "pt",
    "posting:default:quote_policy": "nobody",
    "reading:expand:media": "default",
    "reading:expand:spoilers": false,
    "reading:autoplay:gifs": false,
  });
  // The defaults apply to the next post.
  const status = await post(ana, "defaults apply");
  t.equal(status.visibility, "private");
});

t.test("update_credentials takes form fields, nested the Rails way", async (t) => {
  const response = await app.inject({
    method: "PATCH",
    url: "/api/v1/accounts/update_credentials",
    headers: { ...bruno.auth, "content-type": "application/x-www-form-urlencoded" },
    payload:
      "display_name=Bruno+B.&locked=1&bot=false" +
      "&fields_attributes[0][name]=Campus&fields_attributes[0][value]=North" +
      "&fields_attributes[1][name]=Desk&fields_attributes[1][value]=4.12" +
      "&source[privacy]=unlisted",
  });
  t.equal(response.statusCode, 200, response.body);
  const me = response.json();
  t.equal(me.display_name, "Bruno B.");
  t.equal(me.locked, true);
  t.equal(me.bot, false);
  t.same(
    me.fields.map((field: { name: string; value: string }) => [field.name, field.value]),
    [
      ["Campus", "North"],
      ["Desk", "4.12"],
    ],
  );
  t.equal(me.source.privacy, "unlisted");

  // Fields keyed "0".."3" as an object (what some Rails-minded clients send as JSON) work too.
  const keyed = await app.inject({
    method: "PATCH",
    url: "/api/v1/accounts/update_credentials",
    headers: bruno.auth,
    payload: { locked: false, fields_attributes: { "1": { name: "Second", value: "2" }, "0": { name: "First", value: "1" } } },
  });
  t.equal(keyed.statusCode, 200, keyed.body);
  t.same(
    keyed.json().fields.map((field: { name: string }) => field.name),
    ["First", "Second"],
  );
});

t.test("update_credentials takes multipart with an avatar and a header", async (t) => {
  const form = new FormData();
  form.append("display_name", "Chen");
  form.append("fields_attributes[0][name]", "Pronouns");
  form.append("fields_attributes[0][value]", "they/them");
  form.append("avatar", new Blob([new Uint8Array(await png(800, 600))], { type: "image/png" }), "me.png");
  form.append("header", new Blob([new Uint8Array(await png(3000, 600))], { type: "image/png" }), "banner.png");
  const response = await app.inject({
    method: "PATCH",
    url: "/api/v1/accounts/update_credentials",
    ...(await multipart(chen, form)),
  });
  t.equal(response.statusCode, 200, response.body);
  const me = response.json();
  t.equal(me.display_name, "Chen");
  t.same(me.source.fields.map((field: { value: string }) => field.value), ["they/them"]);
  t.match(me.avatar, /^https:\/\/campus-a\.example\/system\/accounts\/avatars\/[0-9a-f]{2}\/[0-9a-f]{32}\.png$/);
  t.match(me.header, /^https:\/\/campus-a\.example\/system\/accounts\/headers\/.+\.png$/);
  t.equal(me.avatar_static, me.avatar);
  t.equal(me.header_static, me.header);

  // Served from /system/ without a token, fitted into 400×400 and 1500×500.
  const avatar = await app.inject({ url: new URL(me.avatar).pathname });
  t.equal(avatar.statusCode, 200);
  const avatarMeta = await sharp(avatar.rawPayload).metadata();
  t.same([avatarMeta.width, avatarMeta.height], [400, 400]);
  const header = await app.inject({ url: new URL(me.header).pathname });
  const headerMeta = await sharp(header.rawPayload).metadata();
  t.same([headerMeta.width, headerMeta.height], [1500, 500]);

  // A new avatar replaces the old file.
  const again = new FormData();
  again.append("avatar", new Blob([new Uint8Array(await png(100, 100))], { type: "image/png" }), "small.png");
  const replaced = await app.inject({
    method: "PATCH",
    url: "/api/v1/accounts/update_credentials",
    ...(await multipart(chen, again)),
  });
  t.equal(replaced.statusCode, 200, replaced.body);
  t.not(replaced.json().avatar, me.avatar);
  t.equal(replaced.json().header, me.header, "the header stays");
  t.equal((await app.inject({ url: new URL(me.avatar).pathname })).statusCode, 404, "the old avatar is gone");
});

t.test("update_credentials refuses what it cannot take, and changes nothing", async (t) => {
  const before = (await get(chen, "/api/v1/accounts/verify_credentials")).json();
  const notImage = new FormData();
  notImage.append("display_name", "Should not stick");
  notImage.append("avatar", new Blob(["GIF89a but not really"], { type: "image/gif" }), "fake.gif");
  const refused = await app.inject({
    method: "PATCH",
    url: "/api/v1/accounts/update_credentials",
    ...(await multipart(chen, notImage)),
  });
  t.equal(refused.statusCode, 422);
  t.match(refused.json().error, /^Validation failed: .*image/);
  const after = (await get(chen, "/api/v1/accounts/verify_credentials")).json();
  t.equal(after.display_name, before.display_name);
  t.equal(after.avatar, before.avatar);

  for (const payload of [
    { display_name: "x".repeat(31) },
    { note: "y".repeat(501) },
    { fields_attributes: [1, 2, 3, 4, 5].map((n) => ({ name: `n${n}`, value: "v" })) },
    { fields_attributes: [{ name: "long", value: "z".repeat(256) }] },
    { avatar: "not a file" },
    { source: { privacy: "everyone" } },
    { source: { language: "not a language" } },
  ]) {
    const response = await app.inject({
      method: "PATCH",
      url: "/api/v1/accounts/update_credentials",
      headers: chen.auth,
      payload,
    });
    t.equal(response.statusCode, 422, JSON.stringify(payload).slice(0, 60));
    t.type(response.json().error, "string");
  }
  t.same((await get(chen, "/api/v1/accounts/verify_credentials")).json(), after);

  // No file at all is no change: null in JSON, an empty form field.
  const nulls = await app.inject({
    method: "PATCH",
    url: "/api/v1/accounts/update_credentials",
    headers: chen.auth,
    payload: { avatar: null, header: null },
  });
  t.equal(nulls.statusCode, 200, nulls.body);
  t.equal(nulls.json().avatar, after.avatar);
  const emptyField = new FormData();
  emptyField.append("avatar", "");
  emptyField.append("note", "still me");
  const empty = await app.inject({
    method: "PATCH",
    url: "/api/v1/accounts/update_credentials",
    ...(await multipart(chen, emptyField)),
  });
  t.equal(empty.statusCode, 200, empty.body);
  t.same([empty.json().avatar, empty.json().source.note], [after.avatar, "still me"]);
});

t.test("GET /accounts/:id and /accounts?id[]", async (t) => {
  const response = await get(bruno, `/api/v1/accounts/${chen.account.id}`);
  t.equal(response.statusCode, 200);
  const account = response.json();
  t.equal(account.id, chen.account.id);
  t.equal(account.acct, "chen");
  t.equal(account.uri, "https://campus-a.example/users/chen");
  t.equal(account.url, "https://campus-a.example/@chen");
  t.same(account.emojis, []);
  t.equal((await get(bruno, "/api/v1/accounts/999999999")).statusCode, 404);
  t.equal((await get(bruno, "/api/v1/accounts/not-a-number")).statusCode, 404);

  const many = await get(bruno, `/api/v1/accounts?id[]=${chen.account.id}&id[]=999&id[]=${ana.account.id}`);
  t.equal(many.statusCode, 200);
  t.same(ids(many.json()), [chen.account.id, ana.account.id], "unknown ids are skipped, order kept");
});

t.test("lookup finds local accounts with or without the campus domain", async (t) => {
  for (const acct of ["chen", "@chen", "CHEN", "chen@campus-a.example", "@chen@Campus-A.example"]) {
    const response = await get(ana, `/api/v1/accounts/lookup?acct=${encodeURIComponent(acct)}`);
    t.equal(response.statusCode, 200, acct);
    t.equal(response.json().id, chen.account.id, acct);
  }
  for (const acct of ["nobody", "chen@elsewhere.example"]) {
    t.equal((await get(ana, `/api/v1/accounts/lookup?acct=${encodeURIComponent(acct)}`)).statusCode, 404, acct);
  }
  t.equal((await get(ana, "/api/v1/accounts/lookup")).statusCode, 400);
});

t.test("an account's statuses: filters and visibility", async (t) => {
  const dana = await createTestUser(instance, "dana");
  const root = await post(dana, "a thread about #Rust", { visibility: "public" });
  const selfReply = await post(dana, "more on #rust", { in_reply_to_id: root.id, visibility: "public" });
  const other = await post(ana, "an aside", { visibility: "public" });
  const replyToOther = await post(dana, "@ana reply to you", { in_reply_to_id: other.id, visibility: "public" });
  const unlisted = await post(dana, "quietly", { visibility: "unlisted" });
  const followersOnly = await post(dana, "for followers", { visibility: "private" });
  const direct = await post(dana, "@bruno psst", { visibility: "direct" });
  // A boost, as federation will write them; there is no reblog endpoint yet.
  const boost = await context.db
    .insertInto("statuses")
    .values({
      uri: "https://campus-a.example/users/dana/statuses/boost",
      url: "https://campus-a.example/@dana/boost",
      account_id: dana.account.id,
      local: true,
      visibility: "public",
      reblog_of_id: other.id,
    })
    .returning("id")
    .executeTakeFirstOrThrow();

  const list = async (viewer: TestUser, query = "") => {
    const response = await get(viewer, `/api/v1/accounts/${dana.account.id}/statuses${query}`);
    t.equal(response.statusCode, 200, response.body);
    return ids(response.json());
  };
  const everything = [boost.id, direct.id, followersOnly.id, unlisted.id, replyToOther.id, selfReply.id, root.id];
  t.same(await list(dana), everything, "the author sees all of their posts, newest first");
  t.same(
    await list(chen),
    [boost.id, unlisted.id, replyToOther.id, selfReply.id, root.id],
    "a colleague who does not follow sees public and unlisted",
  );
  t.same(
    await list(bruno),
    [boost.id, direct.id, unlisted.id, replyToOther.id, selfReply.id, root.id],
    "a mentioned colleague sees the direct post",
  );
  await follow(chen, dana);
  t.ok((await list(chen)).includes(followersOnly.id), "a follower sees followers-only posts");

  t.same(
    await list(chen, "?exclude_replies=true"),
    [boost.id, followersOnly.id, unlisted.id, selfReply.id, root.id],
    "exclude_replies keeps self-replies (threads)",
  );
  t.same(
    await list(chen, "?exclude_reblogs=1"),
    [followersOnly.id, unlisted.id, replyToOther.id, selfReply.id, root.id],
  );
  t.same(await list(chen, "?tagged=RUST"), [selfReply.id, root.id]);
  t.same(await list(chen, "?tagged=%23rust"), [selfReply.id, root.id], "a leading # is ignored");
  t.same(await list(chen, "?pinned=true"), [], "nothing is pinned");
  t.same(await list(chen, "?only_media=true"), [], "nothing has media");
  t.same(await list(chen, "?pinned=false&only_media=false"), await list(chen));
  t.same(
    (await get(ana, `/api/v1/statuses/${other.id}/context`)).json().descendants.map((s: { id: string }) => s.id),
    [replyToOther.id],
  );

  const paged = await get(chen, `/api/v1/accounts/${dana.account.id}/statuses?limit=2&exclude_reblogs=true`);
  t.same(ids(paged.json()), [followersOnly.id, unlisted.id]);
  const next = linkOf(paged, "next");
  t.match(next, /exclude_reblogs=true/);
  t.same(ids((await get(chen, next!)).json()), [replyToOther.id, selfReply.id]);

  t.equal((await get(chen, "/api/v1/accounts/999999/statuses")).statusCode, 404);

  // A suspended account keeps a profile (marked suspended) and shows no posts.
  await context.db.updateTable("accounts").set({ suspended_at: new Date() }).where("id", "=", dana.account.id).execute();
  const suspended = (await get(chen, `/api/v1/accounts/${dana.account.id}`)).json();
  t.equal(suspended.suspended, true);
  t.same(await list(chen), []);
  t.equal((await get(chen, `/api/v1/statuses/${root.id}`)).statusCode, 404, "nor any single post");
  t.same((await get(chen, `/api/v1/statuses?id[]=${root.id}&id[]=${other.id}`)).json().map((s: { id: string }) => s.id), [other.id]);
  t.same((await get(ana, `/api/v1/statuses/${other.id}/context`)).json().descendants, [], "nor replies in a thread");
  await context.db.updateTable("accounts").set({ suspended_at: null }).where("id", "=", dana.account.id).execute();
});

t.test("followers and following page by the follow, with working Link headers", async (t) => {
  const star = await createTestUser(instance, "star");
  const fans: TestUser[] = [];
  for (const name of ["fan1", "fan2", "fan3", "fan4", "fan5"]) {
    const fan = await createTestUser(instance, name);
    await follow(fan, star);
    fans.push(fan);
  }
  // fan1 also follows others afterwards, so their "following" differs in order from creation.
  await follow(fans[0]!, ana);
  await follow(fans[0]!, bruno);
  const newestFirst = ids(fans.map((fan) => fan.account).reverse());

  const collected: string[] = [];
  let url: string | null = `/api/v1/accounts/${star.account.id}/followers?limit=2`;
  let pages = 0;
  while (url && pages < 10) {
    const response = await get(chen, url);
    t.equal(response.statusCode, 200);
    const page = ids(response.json());
    if (page.length === 0) break;
    collected.push(...page);
    url = linkOf(response, "next");
    pages++;
  }
  t.same(collected, newestFirst);
  t.equal(pages, 3);

  const second = await get(chen, `/api/v1/accounts/${star.account.id}/followers?limit=2`);
  const older = await get(chen, linkOf(second, "next")!);
  const back = await get(chen, linkOf(older, "prev")!);
  t.same(ids(back.json()), ids(second.json()), "prev from the second page returns the first");

  const following = (await get(chen, `/api/v1/accounts/${fans[0]!.account.id}/following`)).json();
  t.same(ids(following), [bruno.account.id, ana.account.id, star.account.id], "newest follow first");

  const counts = (await get(chen, `/api/v1/accounts/${star.account.id}`)).json();
  t.same([counts.followers_count, counts.following_count], [5, 0]);
  t.equal((await get(chen, `/api/v1/accounts/${fans[0]!.account.id}`)).json().following_count, 3);
  t.same((await get(chen, `/api/v1/accounts/${chen.account.id}/following?limit=1`)).statusCode, 200);
  t.equal((await get(chen, "/api/v1/accounts/12345/followers")).statusCode, 404);
});

t.test("relationships", async (t) => {
  const eve = await createTestUser(instance, "eve");
  await follow(eve, ana);
  await follow(ana, eve);
  await follow(eve, chen);
  const response = await get(
    eve,
    `/api/v1/accounts/relationships?id[]=${ana.account.id}&id[]=${chen.account.id}&id[]=${bruno.account.id}&id[]=${ana.account.id}`,
  );
  t.equal(response.statusCode, 200);
  const [withAna, withChen, withBruno, ...rest] = response.json();
  t.same(rest, [], "duplicates collapse");
  t.same(withAna, {
    id: ana.account.id,
    following: true,
    showing_reblogs: true,
    notifying: false,
    languages: null,
    followed_by: true,
    blocking: false,
    blocked_by: false,
    muting: false,
    muting_notifications: false,
    requested: false,
    requested_by: false,
    domain_blocking: false,
    endorsed: false,
    note: "",
  });
  t.same([withChen.following, withChen.followed_by], [true, false]);
  t.same([withBruno.following, withBruno.followed_by, withBruno.requested], [false, false, false]);

  // A single id without brackets, as some clients send it.
  const single = (await get(eve, `/api/v1/accounts/relationships?id=${chen.account.id}`)).json();
  t.same(ids(single), [chen.account.id]);
  t.same((await get(eve, "/api/v1/accounts/relationships")).json(), []);
});

t.test("a closed campus: without a valid token no endpoint returns an account or a post", async (t) => {
  const status = await post(ana, "visible only inside", { visibility: "public" });
  // What apps need before signing in; nothing else answers without a token.
  const open = new Set([
    "GET /api/v1/instance",
    "GET /api/v2/instance",
    "GET /api/v1/instance/peers",
    "GET /api/v1/instance/rules",
    "GET /api/v1/instance/extended_description",
    "GET /api/v1/instance/activity",
    "GET /api/v1/instance/languages",
    "GET /api/v1/instance/translation_languages",
    "GET /api/v1/instance/domain_blocks",
    "GET /api/v1/instance/privacy_policy",
    "GET /api/v1/instance/terms_of_service",
    "GET /api/v1/custom_emojis",
    // Says "OK" and nothing else, as Mastodon's streaming server does for load balancers.
    "GET /api/v1/streaming/health",
    "POST /api/v1/apps",
  ]);
  const fill = (url: string) =>
    url
      .replace(/^\/api\/v1\/(accounts|follow_requests)\/:id/, `/api/v1/$1/${ana.account.id}`)
      .replace(":id", status.id)
      .replace(":hashtag", "inside")
      .replace(/:[a-z_]+/g, "1");
  const swept: string[] = [];
  for (const route of app.routeTable) {
    const methods = [route.method].flat().filter((method) => method !== "HEAD" && method !== "OPTIONS");
    if (!route.url.startsWith("/api/")) continue;
    for (const method of methods) {
      if (open.has(`${method} ${route.url}`)) continue;
      const url = fill(route.url);
      for (const authorization of [undefined, "Bearer not-a-token", `Bearer ${ana.token}x`]) {
        const response = await app.inject({
          method: method as "GET",
          url,
          headers: authorization ? { authorization } : {},
        });
        t.equal(response.statusCode, 401, `${method} ${url} with ${authorization ?? "no token"}`);
        t.notMatch(response.body, ana.account.id, `${method} ${url} leaks no id`);
        t.notMatch(response.body, "visible only inside");
      }
      swept.push(`${method} ${route.url}`);
    }
  }
  for (const expected of [
    "GET /api/v1/accounts/:id",
    "GET /api/v1/accounts/:id/statuses",
    "GET /api/v1/accounts/lookup",
    "GET /api/v1/timelines/public",
    "GET /api/v1/timelines/tag/:hashtag",
    "GET /api/v1/timelines/home",
    "GET /api/v1/statuses/:id",
    "GET /api/v1/statuses/:id/context",
    "GET /api/v1/notifications",
  ]) {
    t.ok(swept.includes(expected), `${expected} was swept`);
  }
  // An access_token query parameter counts as a token too.
  t.equal((await app.inject({ url: `/api/v1/statuses/${status.id}?access_token=${ana.token}` })).statusCode, 200);
  // A revoked token is no token.
  await context.db.updateTable("oauth_access_tokens").set({ revoked_at: new Date() }).where("account_id", "=", ana.account.id).execute();
  t.equal((await get(ana, `/api/v1/statuses/${status.id}`)).statusCode, 401);
});
