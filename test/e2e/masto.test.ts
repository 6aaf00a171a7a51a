// The real masto.js client against a listening instance: what a Mastodon app sends, and what it
// parses back (masto camel-cases every key and follows the Link header to page).
import { createRestAPIClient, MastoHttpError, type mastodon } from "masto";
import sharp from "sharp";
import t from "tap";
import { createTestUser, PASSWORD } from "../helpers/fixtures.ts";
import { startTestInstance } from "../helpers/instance.ts";

const instance = await startTestInstance(t, { listen: true });
const { url } = instance;

// ana signs in through an app she registers; the others come from fixtures.
await createTestUser(instance, "ana", { displayName: "Ana" });
const bruno = await createTestUser(instance, "bruno");
const chen = await createTestUser(instance, "chen");

const anonymous = createRestAPIClient({ url });
const client = await anonymous.v1.apps.create({
  clientName: "masto e2e",
  redirectUris: "urn:ietf:wg:oauth:2.0:oob",
  scopes: "read write follow",
});

async function passwordToken(username: string): Promise<string> {
  const response = await fetch(`${url}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "password",
      client_id: client.clientId,
      client_secret: client.clientSecret,
      username,
      password: PASSWORD,
      scope: "read write follow",
    }),
  });
  if (!response.ok) throw new Error(`token: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

const ana = createRestAPIClient({ url, accessToken: await passwordToken("ana@example.org") });
const asBruno = createRestAPIClient({ url, accessToken: bruno.token });
const asChen = createRestAPIClient({ url, accessToken: chen.token });

/** Every page of a paginator, through `for await`. */
async function allPages<T>(paginator: AsyncIterable<T[]>): Promise<T[][]> {
  const pages: T[][] = [];
  for await (const page of paginator) {
    pages.push(page);
    if (pages.length > 20) throw new Error("the paginator does not end");
  }
  return pages;
}

const ids = (items: { id: string }[]) => items.map((item) => item.id);

/** The HTTP status masto reports for a request that fails (it throws MastoHttpError). */
async function failureStatus(request: () => Promise<unknown>): Promise<number | "no failure"> {
  try {
    await request();
  } catch (error) {
    if (error instanceof MastoHttpError) return error.statusCode;
    throw error;
  }
  return "no failure";
}

t.test("an app registers, and a token from the password grant verifies", async (t) => {
  t.type(client.clientId, "string");
  t.type(client.clientSecret, "string");
  t.equal(client.name, "masto e2e");
  const me = await ana.v1.accounts.verifyCredentials();
  t.equal(me.username, "ana");
  t.equal(me.acct, "ana");
  t.equal(me.displayName, "Ana");
  t.type(me.id, "string");
  t.match(me.id, /^\d+$/);
  t.equal(me.source.privacy, "public");
  t.equal(me.source.note, "");
  t.same(me.source.fields, []);
  t.equal(me.source.followRequestsCount, 0);
  t.equal(me.role?.name, "");
  t.equal(me.avatar, `${url}/avatars/original/missing.png`);
  t.equal(me.followersCount, 0);
  t.equal(me.locked, false);
  t.ok(Number.isFinite(Date.parse(me.createdAt)));

  const app = await ana.v1.apps.verifyCredentials();
  t.equal(app.name, "masto e2e");
});

t.test("a post with a mention and a hashtag reaches the mentioned colleague", async (t) => {
  const me = await ana.v1.accounts.verifyCredentials();
  const status = await ana.v1.statuses.create({ status: "Anyone around for #Lunch? @bruno", visibility: "public" });
  t.match(status.id, /^\d+$/);
  t.equal(status.account.id, me.id);
  t.equal(status.visibility, "public");
  t.same(
    status.mentions.map((mention) => [mention.id, mention.acct]),
    [[bruno.account.id, "bruno"]],
  );
  t.same(
    status.tags.map((tag) => tag.name),
    ["lunch"],
  );
  t.match(status.content, /<a href="[^"]+\/tags\/Lunch" class="mention hashtag" rel="tag"[^>]*>#<span>Lunch<\/span><\/a>/);
  t.match(status.content, /<a href="[^"]+\/@bruno" class="u-url mention"[^>]*>@<span>bruno<\/span><\/a>/);
  t.equal(status.application?.name, "masto e2e");
  t.equal(status.inReplyToId, null);
  t.equal(status.reblog, null);
  t.same(status.mediaAttachments, []);

  const notifications = await asBruno.v1.notifications.list({ types: ["mention"] });
  t.equal(notifications.length, 1);
  const [mention] = notifications;
  t.equal(mention?.type, "mention");
  t.equal(mention?.account.id, me.id);
  t.equal(mention?.status?.id, status.id);
  const single = await asBruno.v1.notifications.$select(mention!.id).fetch();
  t.equal(single.id, mention!.id);
  t.equal(single.status?.content, status.content);

  const fetched = await asBruno.v1.statuses.$select(status.id).fetch();
  t.equal(fetched.content, status.content);

  // A poll rides along with the post; a broken one is refused, never dropped silently.
  const lunch = await ana.v1.statuses.create({ status: "Lunch where?", poll: { options: ["Canteen", "Park"], expiresIn: 3600 } });
  t.same(lunch.poll?.options.map((option) => option.title), ["Canteen", "Park"]);
  const broken = async () => ana.v1.statuses.create({ status: "Lunch where?", poll: { options: ["Canteen"], expiresIn: 3600 } });
  t.equal(await failureStatus(broken), 422);
});

t.test("timelines page through masto's paginators, across pages and to the end", async (t) => {
  // bruno follows ana and chen; ana's and chen's posts interleave with his own.
  const anaId = (await ana.v1.accounts.verifyCredentials()).id;
  await asBruno.v1.accounts.$select(anaId).follow();
  await asBruno.v1.accounts.$select(chen.account.id).follow();
  const posted: string[] = [];
  for (const [author, text] of [
    [asChen, "#Paging one"],
    [asBruno, "#paging two"],
    [ana, "#PAGING three"],
    [asChen, "four, no tag"],
    [ana, "#paging five"],
  ] as const) {
    posted.push((await author.v1.statuses.create({ status: text })).id);
  }
  const newestFirst = [...posted].reverse();

  const homePages = await allPages(asBruno.v1.timelines.home.list({ limit: 2 }));
  t.ok(homePages.length >= 3, "home came in several pages");
  // The paginator stops after the first empty page, which follows the last (possibly short) one.
  const filled = homePages.filter((page) => page.length > 0);
  t.ok(filled.slice(0, -1).every((page) => page.length === 2), "every page but the last is full");
  const home = homePages.flat();
  t.same(ids(home).slice(0, 5), newestFirst, "home holds the five posts newest first");
  t.equal(new Set(ids(home)).size, home.length, "no post appears twice across pages");
  t.ok(ids(home).every((id, index, all) => index === 0 || BigInt(all[index - 1]!) > BigInt(id)));

  // .values() walks the same pages.
  const viaValues: string[] = [];
  for await (const page of asBruno.v1.timelines.home.list({ limit: 2 }).values()) viaValues.push(...ids(page));
  t.same(viaValues, ids(home));

  // Going back up: prev pages from the oldest item reach the newest, each page newest first.
  const oldest = posted[0]!;
  const upwards: string[][] = [];
  for await (const page of asBruno.v1.timelines.home.list({ limit: 2, minId: oldest }).setDirection("prev")) {
    upwards.push(ids(page));
    if (upwards.length > 10) break;
  }
  t.same(upwards.slice(0, 2), [
    [posted[2]!, posted[1]!],
    [posted[4]!, posted[3]!],
  ]);

  const local = (await allPages(asChen.v1.timelines.public.list({ local: true, limit: 2 }))).flat();
  t.same(ids(local).slice(0, 5), newestFirst, "the local timeline has every public post");

  const tagged = (await allPages(asChen.v1.timelines.tag.$select("paging").list({ limit: 1 }))).flat();
  t.same(ids(tagged), [posted[4], posted[2], posted[1], posted[0]], "the tag timeline matches any spelling");

  const first = await asChen.v1.timelines.public.list({ limit: 2 });
  t.equal(first.length, 2);
  t.equal(first[0]?.account.acct, "ana");
});

t.test("profile updates: display name, note, fields and an avatar made with sharp", async (t) => {
  const png = await sharp({
    create: { width: 640, height: 480, channels: 3, background: { r: 20, g: 120, b: 200 } },
  })
    .png()
    .toBuffer();
  const updated = await ana.v1.accounts.updateCredentials({
    displayName: "Ana Lima",
    note: "Platform team. Ask me about #kubernetes, or @bruno about lunch.",
    fieldsAttributes: [
      { name: "Team", value: "Platform" },
      { name: "Docs", value: "https://wiki.example.org/platform" },
    ],
    avatar: new Blob([new Uint8Array(png)], { type: "image/png" }),
    source: { privacy: "unlisted", language: "en" },
  });
  t.equal(updated.displayName, "Ana Lima");
  t.match(updated.note, /<p>Platform team\. Ask me about <a href="[^"]+\/tags\/kubernetes"/);
  t.match(updated.note, /class="u-url mention"[^>]*>@<span>bruno<\/span>/);
  t.equal(updated.source.note, "Platform team. Ask me about #kubernetes, or @bruno about lunch.");
  t.same(
    updated.fields.map((field) => field.name),
    ["Team", "Docs"],
  );
  t.match(updated.fields[1]?.value, /^<a href="https:\/\/wiki\.example\.org\/platform"/);
  t.same(updated.source.fields.map((field) => [field.name, field.value]), [
    ["Team", "Platform"],
    ["Docs", "https://wiki.example.org/platform"],
  ]);
  t.equal(updated.source.privacy, "unlisted");
  t.equal(updated.source.language, "en");
  t.match(updated.avatar, new RegExp(`^${url}/system/accounts/avatars/.+\\.png$`));
  t.equal(updated.avatarStatic, updated.avatar);

  // The avatar is served without a token, resized into its 400×400 box.
  const image = await fetch(updated.avatar);
  t.equal(image.status, 200);
  const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
  t.same([meta.format, meta.width, meta.height], ["png", 400, 400]);

  const preferences = await ana.v1.preferences.fetch();
  t.equal(preferences["posting:default:visibility"], "unlisted");
  t.equal(preferences["posting:default:language"], "en");
  t.equal(preferences["posting:default:sensitive"], false);

  const seen = await asBruno.v1.accounts.$select(updated.id).fetch();
  t.equal(seen.displayName, "Ana Lima");
  t.equal(seen.avatar, updated.avatar);
  t.notOk("source" in seen, "others do not see the source");
});

t.test("lookup, relationships, follow and unfollow, followers and following", async (t) => {
  const anaId = (await ana.v1.accounts.verifyCredentials()).id;
  const found = await ana.v1.accounts.lookup({ acct: "chen" });
  t.equal(found.id, chen.account.id);
  const withDomain = await ana.v1.accounts.lookup({ acct: `chen@${instance.config.domain}` });
  t.equal(withDomain.id, chen.account.id);
  t.equal(await failureStatus(async () => ana.v1.accounts.lookup({ acct: "nobody" })), 404);

  const both = await ana.v1.accounts.fetch({ id: [chen.account.id, bruno.account.id] });
  t.same(ids(both), [chen.account.id, bruno.account.id]);

  const followed = await ana.v1.accounts.$select(chen.account.id).follow();
  t.equal(followed.following, true);
  t.equal(followed.showingReblogs, true);
  const relationships = await ana.v1.accounts.relationships.fetch({ id: [chen.account.id, bruno.account.id] });
  t.same(
    relationships.map((relationship) => [relationship.id, relationship.following, relationship.followedBy]),
    [
      [chen.account.id, true, false],
      [bruno.account.id, false, true],
    ],
  );

  const chenFollowers = (await allPages(asChen.v1.accounts.$select(chen.account.id).followers.list({ limit: 1 }))).flat();
  t.same(ids(chenFollowers), [anaId, bruno.account.id], "followers newest first, one per page");
  const brunoFollowing = (await allPages(ana.v1.accounts.$select(bruno.account.id).following.list())).flat();
  t.same(ids(brunoFollowing), [chen.account.id, anaId]);

  const statuses = await ana.v1.accounts.$select(chen.account.id).statuses.list({ tagged: "paging" });
  t.equal(statuses.length, 1);
  t.equal(statuses[0]?.account.id, chen.account.id);

  const unfollowed = await ana.v1.accounts.$select(chen.account.id).unfollow();
  t.equal(unfollowed.following, false);
  t.equal((await asChen.v1.accounts.$select(chen.account.id).fetch()).followersCount, 1);
});

t.test("a locked account gets a follow request, authorized through follow_requests", async (t) => {
  const locked = await asChen.v1.accounts.updateCredentials({ locked: true });
  t.equal(locked.locked, true);
  const anaId = (await ana.v1.accounts.verifyCredentials()).id;

  const requested = await ana.v1.accounts.$select(chen.account.id).follow();
  t.equal(requested.following, false);
  t.equal(requested.requested, true);
  t.equal((await asChen.v1.accounts.verifyCredentials()).source.followRequestsCount, 1);

  const pending = await asChen.v1.followRequests.list();
  t.same(ids(pending), [anaId]);
  const [request] = await asChen.v1.notifications.list({ types: ["follow_request"] });
  t.equal(request?.account.id, anaId);

  const authorized = await asChen.v1.followRequests.$select(anaId).authorize();
  t.equal(authorized.id, anaId);
  t.equal(authorized.followedBy, true);
  t.equal(authorized.requestedBy, false);
  const [relationship] = await ana.v1.accounts.relationships.fetch({ id: [chen.account.id] });
  t.equal(relationship?.following, true);
  t.equal(relationship?.requested, false);
  t.same(await asChen.v1.followRequests.list(), []);

  // The follow brought chen's earlier posts into ana's home timeline.
  const home = (await allPages(ana.v1.timelines.home.list({ limit: 40 }))).flat();
  t.ok(home.some((status) => status.account.id === chen.account.id));
});

t.test("deleting a status returns its source and takes it off every timeline", async (t) => {
  const status = await ana.v1.statuses.create({ status: "typo #oops", visibility: "public" });
  const deleted = await ana.v1.statuses.$select(status.id).remove();
  t.equal(deleted.id, status.id);
  t.equal(deleted.text, "typo #oops");
  t.equal(await failureStatus(async () => asBruno.v1.statuses.$select(status.id).fetch()), 404);
  const home = (await allPages(asBruno.v1.timelines.home.list({ limit: 40 }))).flat();
  t.notOk(ids(home).includes(status.id));
  t.same(await asBruno.v1.timelines.tag.$select("oops").list(), []);
});

t.test("notifications page, dismiss and clear through masto", async (t) => {
  for (let n = 0; n < 3; n++) await asChen.v1.statuses.create({ status: `@bruno ping ${n}` });
  const pages = await allPages(asBruno.v1.notifications.list({ limit: 2, types: ["mention"] }));
  const mentions = pages.flat();
  t.equal(mentions.length, 4);
  t.ok(pages[0]?.length === 2);
  await asBruno.v1.notifications.$select(mentions[0]!.id).dismiss();
  t.equal((await asBruno.v1.notifications.list({ types: ["mention"] })).length, 3);
  const excluded: mastodon.v1.Notification[] = await asBruno.v1.notifications.list({ excludeTypes: ["mention"] });
  t.ok(excluded.every((notification) => notification.type !== "mention"));
  await asBruno.v1.notifications.clear();
  t.same(await asBruno.v1.notifications.list(), []);
});

t.test("without a token, masto gets 401 for accounts, statuses and timelines", async (t) => {
  t.equal(await failureStatus(async () => anonymous.v1.timelines.public.list()), 401);
  t.equal(await failureStatus(async () => anonymous.v1.accounts.$select(chen.account.id).fetch()), 401);
  t.equal(await failureStatus(async () => anonymous.v1.accounts.lookup({ acct: "chen" })), 401);
  t.equal(await failureStatus(async () => anonymous.v1.timelines.tag.$select("paging").list()), 401);
});
