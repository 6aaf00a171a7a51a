// Filters v2 (with keywords and statuses) and the v1 API mapped onto them, through masto.js
// against a listening instance: what `warn` and `hide` do in each context, keyword matching,
// expiry, and the `filters.changed` event streams listen to.
import { sql } from "kysely";
import { createRestAPIClient, MastoHttpError, type mastodon } from "masto";
import t from "tap";
import { createTestUser } from "../../helpers/fixtures.ts";
import { plainPicture } from "../../helpers/images.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t, { listen: true });
const { url } = instance;
const [ana, bruno, chen] = await Promise.all(
  ["ana", "bruno", "chen"].map(async (name) => {
    const user = await createTestUser(instance, name);
    return { user, client: createRestAPIClient({ url, accessToken: user.token }) };
  }),
).then((users) => users as [(typeof users)[0], (typeof users)[0], (typeof users)[0]]);
await ana.client.v1.accounts.$select(bruno.user.account.id).follow();
await ana.client.v1.accounts.$select(chen.user.account.id).follow();

const changes: string[] = [];
instance.context.events.on("filters.changed", ({ accountId }) => changes.push(accountId));

async function failure(request: () => Promise<unknown>): Promise<{ status: number; error: string } | "no failure"> {
  try {
    await request();
  } catch (error) {
    if (error instanceof MastoHttpError) return { status: error.statusCode, error: error.message };
    throw error;
  }
  return "no failure";
}

const titles = (status: mastodon.v1.Status | undefined) => status?.filtered?.map((result) => result.filter.title) ?? [];
const find = (statuses: mastodon.v1.Status[], id: string) =>
  statuses.find((status) => status.id === id || status.reblog?.id === id);

/** Removes the viewer's filters, so that each subtest starts from none. */
async function clearFilters(client: mastodon.rest.Client) {
  for (const filter of await client.v2.filters.list()) await client.v2.filters.$select(filter.id).remove();
}

t.test("filters v2: create, list, show, update keywords, delete, and the changed event", async (t) => {
  changes.length = 0;
  const created = await ana.client.v2.filters.create({
    title: "Spoilers",
    context: ["home", "thread"],
    filterAction: "warn",
    keywordsAttributes: [{ keyword: "finale", wholeWord: false }, { keyword: "Season 3" }],
  });
  t.match(created, {
    title: "Spoilers",
    context: ["home", "thread"],
    filterAction: "warn",
    expiresAt: null,
    keywords: [
      { keyword: "finale", wholeWord: false },
      { keyword: "Season 3", wholeWord: true },
    ],
    statuses: [],
  });
  t.same(changes, [ana.user.account.id], "filters.changed announced for ana's streams");
  t.same((await ana.client.v2.filters.list()).map((filter) => filter.id), [created.id]);
  t.same(await ana.client.v2.filters.$select(created.id).fetch(), created);
  t.match(await failure(() => bruno.client.v2.filters.$select(created.id).fetch()), { status: 404 });
  t.same(await bruno.client.v2.filters.list(), [], "filters are their owner's alone");

  const [finale, season] = created.keywords;
  const updated = await ana.client.v2.filters.$select(created.id).update({
    title: "TV spoilers",
    context: ["home", "notifications", "public", "thread", "account"],
    filterAction: "hide",
    keywordsAttributes: [
      { id: finale!.id, _destroy: true },
      { id: season!.id, keyword: "season three", wholeWord: false },
      { keyword: "cliffhanger" },
    ],
  });
  t.match(updated, {
    id: created.id,
    title: "TV spoilers",
    context: ["home", "notifications", "public", "thread", "account"],
    filterAction: "hide",
    keywords: [
      { id: season!.id, keyword: "season three", wholeWord: false },
      { keyword: "cliffhanger", wholeWord: true },
    ],
  });
  t.equal(updated.keywords.length, 2);

  // Keywords on their own.
  const keyword = await ana.client.v2.filters.$select(created.id).keywords.create({ keyword: "plot twist" });
  t.match(keyword, { keyword: "plot twist", wholeWord: true });
  t.same(
    (await ana.client.v2.filters.$select(created.id).keywords.list()).map((item) => item.keyword),
    ["season three", "cliffhanger", "plot twist"],
  );
  t.same(await ana.client.v2.filters.keywords.$select(keyword.id).fetch(), keyword);
  const renamed = await ana.client.v2.filters.keywords.$select(keyword.id).update({ keyword: "twist", wholeWord: false });
  t.match(renamed, { id: keyword.id, keyword: "twist", wholeWord: false });
  await ana.client.v2.filters.keywords.$select(keyword.id).remove();
  t.match(await failure(() => ana.client.v2.filters.keywords.$select(keyword.id).fetch()), { status: 404 });
  t.match(await failure(() => bruno.client.v2.filters.keywords.$select(season!.id).fetch()), { status: 404 });

  // Posts on their own.
  const post = await bruno.client.v1.statuses.create({ status: "something to hide" });
  const filterStatus = await ana.client.v2.filters.$select(created.id).statuses.create({ statusId: post.id });
  t.match(filterStatus, { statusId: post.id });
  t.same(await ana.client.v2.filters.$select(created.id).statuses.list(), [filterStatus]);
  t.same(await ana.client.v2.filters.statuses.$select(filterStatus.id).fetch(), filterStatus);
  t.match(
    await failure(() => ana.client.v2.filters.$select(created.id).statuses.create({ statusId: post.id })),
    { status: 422, error: /already/ },
  );
  const secret = await bruno.client.v1.statuses.create({ status: "@chen psst", visibility: "direct" });
  t.match(
    await failure(() => ana.client.v2.filters.$select(created.id).statuses.create({ statusId: secret.id })),
    { status: 422 },
    "a post ana cannot see cannot be filtered",
  );
  await ana.client.v2.filters.statuses.$select(filterStatus.id).remove();
  t.same(await ana.client.v2.filters.$select(created.id).statuses.list(), []);

  // Bad input: Mastodon's validation errors.
  const invalid: [string, () => Promise<unknown>, number][] = [
    ["a blank title", () => ana.client.v2.filters.create({ title: " ", context: ["home"] }), 422],
    ["no context", () => ana.client.v2.filters.create({ title: "x", context: [] }), 422],
    ["an unknown context", () => ana.client.v2.filters.create({ title: "x", context: ["everywhere" as never] }), 422],
    ["an unknown action", () => ana.client.v2.filters.create({ title: "x", context: ["home"], filterAction: "explode" as never }), 422],
    [
      "a blank keyword",
      () => ana.client.v2.filters.create({ title: "x", context: ["home"], keywordsAttributes: [{ keyword: "" }] }),
      422,
    ],
    [
      "another filter's keyword",
      () => ana.client.v2.filters.$select(created.id).update({ keywordsAttributes: [{ id: "12345", keyword: "y" }] }),
      404,
    ],
  ];
  const before = (await ana.client.v2.filters.list()).length;
  for (const [what, request, status] of invalid) t.match(await failure(request), { status }, what);
  t.equal((await ana.client.v2.filters.list()).length, before, "nothing was created by the refused requests");
  t.same((await ana.client.v2.filters.$select(created.id).fetch()).keywords, updated.keywords);

  await ana.client.v2.filters.$select(created.id).remove();
  t.match(await failure(() => ana.client.v2.filters.$select(created.id).fetch()), { status: 404 });
  t.match(await failure(() => ana.client.v2.filters.keywords.$select(season!.id).fetch()), { status: 404 });
  t.ok(changes.length >= 8, "every change was announced");
});

t.test("warn keeps a post with `filtered`, hide takes it out, each in its contexts", async (t) => {
  await clearFilters(ana.client);
  const warn = await ana.client.v2.filters.create({
    title: "Finale (warn)",
    context: ["home", "thread"],
    keywordsAttributes: [{ keyword: "finale" }],
  });
  const hide = await ana.client.v2.filters.create({
    title: "Finale (hide)",
    context: ["notifications", "public"],
    filterAction: "hide",
    keywordsAttributes: [{ keyword: "finale" }],
  });
  const root = await bruno.client.v1.statuses.create({ status: "Who watched it last night?" });
  const post = await bruno.client.v1.statuses.create({ status: "The <b>Finale</b> was great", inReplyToId: root.id });
  const plain = await bruno.client.v1.statuses.create({ status: "Nothing to see here" });
  const mention = await bruno.client.v1.statuses.create({ status: "@ana did you see the finale?" });
  const mine = await ana.client.v1.statuses.create({ status: "My finale review" });
  // Someone ana does not follow, boosted by someone she does.
  const dana = createRestAPIClient({ url, accessToken: (await createTestUser(instance, "dana")).token });
  const far = await dana.v1.statuses.create({ status: "Finale tonight" });
  const boost = await chen.client.v1.statuses.$select(far.id).reblog();

  const home = await ana.client.v1.timelines.home.list({ limit: 40 });
  t.same(titles(find(home, post.id)), ["Finale (warn)"], "home: warned, not hidden");
  t.match(find(home, post.id)?.filtered, [{ keywordMatches: ["finale"], statusMatches: null }]);
  t.same(titles(find(home, plain.id)), [], "a post that does not match is not filtered");
  t.same(titles(find(home, mine.id)), [], "the viewer's own posts are never filtered");
  const boosted = home.find((status) => status.id === boost.id);
  t.same(titles(boosted), ["Finale (warn)"], "a boost of a matching post is filtered");
  t.same(titles(boosted?.reblog ?? undefined), ["Finale (warn)"], "and so is the post inside it");

  const local = await ana.client.v1.timelines.public.list({ limit: 40 });
  t.notOk(find(local, post.id), "public: hidden");
  t.notOk(find(local, mention.id));
  t.ok(find(local, plain.id), "public: the rest stays");
  t.ok(find(local, mine.id), "public: the viewer's own matching post stays");

  const thread = await ana.client.v1.statuses.$select(root.id).context.fetch();
  t.same(titles(find(thread.descendants, post.id)), ["Finale (warn)"], "thread: warned");

  const profile = await ana.client.v1.accounts.$select(bruno.user.account.id).statuses.list();
  t.same(titles(find(profile, post.id)), [], "account: neither filter applies");

  const notifications = await ana.client.v1.notifications.list({ types: ["mention"] });
  t.notOk(notifications.some((n) => n.status?.id === mention.id), "notifications: the mention is hidden");

  // Outside any context every active filter is reported and nothing is hidden: the app decides.
  const single = await ana.client.v1.statuses.$select(post.id).fetch();
  t.same(titles(single).sort(), ["Finale (hide)", "Finale (warn)"]);

  // Hide in home and thread, warn in notifications: the other way round.
  await ana.client.v2.filters.$select(warn.id).update({ filterAction: "hide" });
  await ana.client.v2.filters.$select(hide.id).update({ filterAction: "warn" });
  const home2 = await ana.client.v1.timelines.home.list({ limit: 40 });
  t.notOk(find(home2, post.id), "home: hidden, boost and all");
  t.notOk(home2.some((status) => status.id === boost.id));
  t.ok(find(home2, plain.id));
  const thread2 = await ana.client.v1.statuses.$select(root.id).context.fetch();
  t.notOk(find(thread2.descendants, post.id), "thread: hidden");
  const notifications2 = await ana.client.v1.notifications.list({ types: ["mention"] });
  const warned = notifications2.find((n) => n.status?.id === mention.id);
  t.same(titles(warned?.status ?? undefined), ["Finale (hide)"], "notifications: the mention is back, warned");
  t.equal(warned?.status?.filtered?.[0]?.filter.filterAction, "warn", "a filter's title stays when its action changes");
  const public2 = await ana.client.v1.timelines.public.list({ limit: 40 });
  t.same(titles(find(public2, post.id)), ["Finale (hide)"], "public: warned now");
  await clearFilters(ana.client);
  t.same(titles(find(await ana.client.v1.timelines.home.list({ limit: 40 }), post.id)), [], "no filters, no marks");
});

t.test("keyword matching: case, whole words, content warnings, HTML, posts by id", async (t) => {
  await clearFilters(ana.client);
  const filter = await ana.client.v2.filters.create({
    title: "Words",
    context: ["home"],
    keywordsAttributes: [
      { keyword: "cat", wholeWord: true },
      { keyword: "dog", wholeWord: false },
      { keyword: "café", wholeWord: true },
      { keyword: "#rust", wholeWord: true },
      { keyword: "span", wholeWord: false },
    ],
  });
  const texts: [string, { status: string; spoilerText?: string }, string[]][] = [
    ["a whole word, any case", { status: "My CAT sleeps" }, ["cat"]],
    ["not inside another word", { status: "Let us concatenate strings" }, []],
    ["part of a word, when whole_word is off", { status: "hotdogs for lunch" }, ["dog"]],
    ["a word with an accent", { status: "Coffee at the Café!" }, ["café"]],
    ["an accent does not end a word", { status: "Two cafés" }, []],
    ["a keyword starting with #", { status: "Learning #Rust today" }, ["#rust"]],
    ["the content warning", { status: "details inside", spoilerText: "about my cat" }, ["cat"]],
    ["the text, not its HTML", { status: "see https://example.org/a/long/path/for/the/link" }, []],
  ];
  const posts = [];
  for (const [, params] of texts) posts.push(await bruno.client.v1.statuses.create(params));
  const home = await ana.client.v1.timelines.home.list({ limit: 40 });
  for (const [index, [what, , expected]] of texts.entries()) {
    const shown = find(home, posts[index]!.id);
    t.same(shown?.filtered?.[0]?.keywordMatches ?? [], expected, what);
  }

  // Attachment descriptions and poll options are matched too.
  const picture = await bruno.client.v2.media.create({
    file: new Blob([new Uint8Array(await plainPicture(8, 8, "#888888"))], { type: "image/png" }),
    description: "A cat asleep on the keyboard",
  });
  const withPicture = await bruno.client.v1.statuses.create({ status: "Look at this", mediaIds: [picture.id] });
  const withPoll = await bruno.client.v1.statuses.create({
    status: "Lunch break plans?",
    poll: { options: ["Tea", "Dog walk"], expiresIn: 3600 },
  });
  const home2 = await ana.client.v1.timelines.home.list({ limit: 40 });
  t.same(find(home2, withPicture.id)?.filtered?.[0]?.keywordMatches, ["cat"], "an attachment's description");
  t.same(find(home2, withPoll.id)?.filtered?.[0]?.keywordMatches, ["dog"], "a poll's options");

  // A filter can name posts instead of words.
  const chosen = posts[1]!;
  await ana.client.v2.filters.$select(filter.id).statuses.create({ statusId: chosen.id });
  const marked = find(await ana.client.v1.timelines.home.list({ limit: 40 }), chosen.id);
  t.match(marked?.filtered, [{ filter: { id: filter.id, title: "Words" }, keywordMatches: null, statusMatches: [chosen.id] }]);
  t.notOk("keywords" in (marked?.filtered?.[0]?.filter ?? {}), "a FilterResult's filter leaves its keywords out");
  await clearFilters(ana.client);
});

t.test("an expired filter stops applying, and stays listed until changed", async (t) => {
  await clearFilters(ana.client);
  const started = Date.now();
  const filter = await ana.client.v2.filters.create({
    title: "For an hour",
    context: ["home"],
    filterAction: "hide",
    expiresIn: 3600,
    keywordsAttributes: [{ keyword: "standup" }],
  });
  const expiresAt = Date.parse(filter.expiresAt ?? "");
  t.ok(expiresAt >= started + 3599_000 && expiresAt <= Date.now() + 3601_000, "expires an hour from now");
  const post = await bruno.client.v1.statuses.create({ status: "Standup moved to 10:00" });
  t.notOk(find(await ana.client.v1.timelines.home.list({ limit: 40 }), post.id), "hidden while it lasts");

  // An hour later.
  await sql`UPDATE filters SET expires_at = now() - interval '1 minute' WHERE id = ${filter.id}`.execute(
    instance.context.db,
  );
  t.ok(find(await ana.client.v1.timelines.home.list({ limit: 40 }), post.id), "back once the filter expired");
  t.same((await ana.client.v2.filters.list()).map((item) => item.id), [filter.id], "an expired filter is still listed");

  const forever = await ana.client.v2.filters.$select(filter.id).update({ expiresIn: null });
  t.equal(forever.expiresAt, null);
  t.notOk(find(await ana.client.v1.timelines.home.list({ limit: 40 }), post.id), "no expiry: hidden again");
  await clearFilters(ana.client);
});

t.test("filters v1: one keyword of a v2 filter each, irreversible is hide", async (t) => {
  await clearFilters(ana.client);
  const created = await ana.client.v1.filters.create({
    phrase: "crypto",
    context: ["home", "notifications"],
    irreversible: true,
    wholeWord: true,
  });
  t.match(created, { phrase: "crypto", context: ["home", "notifications"], irreversible: true, wholeWord: true, expiresAt: null });
  const [v2] = await ana.client.v2.filters.list();
  t.match(v2, { title: "crypto", filterAction: "hide", keywords: [{ id: created.id, keyword: "crypto", wholeWord: true }] });
  t.same((await ana.client.v1.filters.list()).map((filter) => filter.id), [created.id]);
  t.same(await ana.client.v1.filters.$select(created.id).fetch(), created);

  const post = await bruno.client.v1.statuses.create({ status: "Crypto is back" });
  const mention = await bruno.client.v1.statuses.create({ status: "@ana crypto?" });
  t.notOk(find(await ana.client.v1.timelines.home.list({ limit: 40 }), post.id), "irreversible: gone from home");
  t.notOk((await ana.client.v1.notifications.list()).some((n) => n.status?.id === mention.id), "and from notifications");

  const warned = await ana.client.v1.filters.$select(created.id).update({
    phrase: "bitcoin",
    context: ["home"],
    irreversible: false,
    wholeWord: false,
    expiresIn: 600,
  });
  t.match(warned, { id: created.id, phrase: "bitcoin", context: ["home"], irreversible: false, wholeWord: false });
  t.ok(warned.expiresAt);
  const coin = await bruno.client.v1.statuses.create({ status: "Bitcoins everywhere" });
  t.match(find(await ana.client.v1.timelines.home.list({ limit: 40 }), coin.id)?.filtered, [
    { filter: { filterAction: "warn" }, keywordMatches: ["bitcoin"] },
  ]);

  // Once its filter has a second keyword, a v1 filter may change its phrase but not the filter.
  await ana.client.v2.filters.$select(v2!.id).keywords.create({ keyword: "nft" });
  t.match(
    await failure(() => ana.client.v1.filters.$select(created.id).update({ phrase: "bitcoin", context: ["public"] })),
    { status: 422 },
  );
  const rephrased = await ana.client.v1.filters.$select(created.id).update({ phrase: "ethereum", context: ["home"] });
  t.equal(rephrased.phrase, "ethereum");
  t.equal((await ana.client.v1.filters.list()).length, 2, "each keyword is a v1 filter");

  await ana.client.v1.filters.$select(created.id).remove();
  t.match(await failure(() => ana.client.v1.filters.$select(created.id).fetch()), { status: 404 });
  const [left] = await ana.client.v2.filters.list();
  t.same(left?.keywords.map((keyword) => keyword.keyword), ["nft"], "removing a v1 filter removes its keyword only");

  const invalid: [string, () => Promise<unknown>][] = [
    ["a blank phrase", () => ana.client.v1.filters.create({ phrase: "", context: ["home"] })],
    ["no context", () => ana.client.v1.filters.create({ phrase: "x", context: [] })],
  ];
  for (const [what, request] of invalid) t.match(await failure(request), { status: 422 }, what);
  t.match(await failure(() => bruno.client.v1.filters.$select(left!.keywords[0]!.id).fetch()), { status: 404 });
  await clearFilters(ana.client);
});
