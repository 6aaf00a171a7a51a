// Bookmarks, pins, muted conversations and several statuses at once, as a Mastodon app drives
// them: masto.js against a listening instance, following Link headers with its paginators.
import { createRestAPIClient, MastoHttpError, type mastodon } from "masto";
import t from "tap";
import { createTestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t, { listen: true });
const { url } = instance;
const [ana, bruno, chen] = await Promise.all(
  ["ana", "bruno", "chen"].map(async (name) => {
    const user = await createTestUser(instance, name);
    return { user, client: createRestAPIClient({ url, accessToken: user.token }) };
  }),
).then((users) => users as [(typeof users)[0], (typeof users)[0], (typeof users)[0]]);

const ids = (items: { id: string }[]) => items.map((item) => item.id);

async function allPages<T>(paginator: AsyncIterable<T[]>): Promise<T[][]> {
  const pages: T[][] = [];
  for await (const page of paginator) {
    pages.push(page);
    if (pages.length > 20) throw new Error("the paginator does not end");
  }
  return pages.filter((page) => page.length > 0);
}

async function failure(request: () => Promise<unknown>): Promise<{ status: number; error: string } | "no failure"> {
  try {
    await request();
  } catch (error) {
    if (error instanceof MastoHttpError) return { status: error.statusCode, error: error.message };
    throw error;
  }
  return "no failure";
}

t.test("bookmark, unbookmark and the bookmarks list, paged by Link headers", async (t) => {
  const posts: mastodon.v1.Status[] = [];
  for (const text of ["one", "two", "three"]) posts.push(await ana.client.v1.statuses.create({ status: text }));
  // Bookmarked out of posting order: the list goes by when they were bookmarked.
  for (const index of [1, 0, 2]) {
    const bookmarked = await bruno.client.v1.statuses.$select(posts[index]!.id).bookmark();
    t.equal(bookmarked.bookmarked, true);
  }
  const again = await bruno.client.v1.statuses.$select(posts[2]!.id).bookmark();
  t.equal(again.bookmarked, true, "bookmarking twice is bookmarking once");

  const pages = await allPages(bruno.client.v1.bookmarks.list({ limit: 2 }));
  t.same(pages.map(ids), [[posts[2]!.id, posts[0]!.id], [posts[1]!.id]], "newest bookmark first, two pages");
  t.ok(pages.flat().every((status) => status.bookmarked), "listed with bookmarked: true");

  const raw = await fetch(`${url}/api/v1/bookmarks?limit=1`, { headers: bruno.user.auth });
  const link = raw.headers.get("link") ?? "";
  const [first] = (await raw.json()) as { id: string }[];
  t.equal(first?.id, posts[2]!.id);
  t.match(link, /rel="next"/);
  t.notOk(link.includes(`max_id=${posts[2]!.id}`), "the Link pages by the bookmark's id, not the post's");

  const shown = await ana.client.v1.statuses.$select(posts[0]!.id).fetch();
  t.equal(shown.bookmarked, false, "a bookmark is the bookmarker's own");

  const undone = await bruno.client.v1.statuses.$select(posts[0]!.id).unbookmark();
  t.equal(undone.bookmarked, false);
  t.same(ids(await bruno.client.v1.bookmarks.list()), [posts[2]!.id, posts[1]!.id]);
  const twice = await bruno.client.v1.statuses.$select(posts[0]!.id).unbookmark();
  t.equal(twice.bookmarked, false, "unbookmarking what is not bookmarked answers the status");

  // A boost is bookmarked as the post it boosts, as Mastodon does.
  const boost = await chen.client.v1.statuses.$select(posts[0]!.id).reblog();
  const viaBoost = await bruno.client.v1.statuses.$select(boost.id).bookmark();
  t.equal(viaBoost.reblog?.bookmarked, true);
  t.equal((await bruno.client.v1.bookmarks.list({ limit: 1 }))[0]?.id, posts[0]!.id);

  const secret = await chen.client.v1.statuses.create({ status: "@ana only", visibility: "direct" });
  t.match(await failure(() => bruno.client.v1.statuses.$select(secret.id).bookmark()), { status: 404 });
  t.match(await failure(() => bruno.client.v1.statuses.$select("123456789").unbookmark()), { status: 404 });
});

t.test("pin and unpin own posts, at most five, and the pinned list", async (t) => {
  const posts: mastodon.v1.Status[] = [];
  for (const [text, visibility] of [
    ["pin 1", "public"],
    ["pin 2", "unlisted"],
    ["pin 3", "private"],
    ["pin 4", "public"],
    ["pin 5", "public"],
    ["pin 6", "public"],
  ] as const) {
    posts.push(await ana.client.v1.statuses.create({ status: text, visibility }));
  }
  for (const status of posts.slice(0, 5)) {
    const pinned = await ana.client.v1.statuses.$select(status.id).pin();
    t.equal(pinned.pinned, true);
  }
  t.match(
    await failure(() => ana.client.v1.statuses.$select(posts[5]!.id).pin()),
    { status: 422, error: /maximum/ },
    "a sixth pin is refused",
  );
  const repeat = await ana.client.v1.statuses.$select(posts[4]!.id).pin();
  t.equal(repeat.pinned, true, "pinning a pinned post again is no sixth pin");

  const others = await bruno.client.v1.statuses.create({ status: "bruno's" });
  t.match(
    await failure(() => ana.client.v1.statuses.$select(others.id).pin()),
    { status: 422, error: /Someone else/ },
    "someone else's post cannot be pinned",
  );
  const boost = await ana.client.v1.statuses.$select(others.id).reblog();
  t.match(await failure(() => ana.client.v1.statuses.$select(boost.id).pin()), { status: 422, error: /boost/ });
  const direct = await ana.client.v1.statuses.create({ status: "@bruno hi", visibility: "direct" });
  t.match(await failure(() => ana.client.v1.statuses.$select(direct.id).pin()), { status: 422 });

  const own = await ana.client.v1.accounts.$select(ana.user.account.id).statuses.list({ pinned: true });
  t.same(ids(own), ids(posts.slice(0, 5)).reverse(), "most recently pinned first");
  t.ok(own.every((status) => status.pinned));

  // Bruno does not follow ana: her followers-only pin is not his to see.
  const seen = await bruno.client.v1.accounts.$select(ana.user.account.id).statuses.list({ pinned: true });
  t.same(ids(seen), [posts[4]!.id, posts[3]!.id, posts[1]!.id, posts[0]!.id]);

  const unpinned = await ana.client.v1.statuses.$select(posts[0]!.id).unpin();
  t.equal(unpinned.pinned, false);
  const sixth = await ana.client.v1.statuses.$select(posts[5]!.id).pin();
  t.equal(sixth.pinned, true, "after an unpin there is room again");
  const now = await ana.client.v1.accounts.$select(ana.user.account.id).statuses.list({ pinned: true });
  t.same(ids(now), [posts[5]!.id, ...ids(posts.slice(1, 5)).reverse()]);
  const all = await ana.client.v1.accounts.$select(ana.user.account.id).statuses.list({ limit: 40 });
  t.ok(all.some((status) => status.id === posts[0]!.id), "an unpinned post is still a post");
});

t.test("a muted conversation sends no more notifications, until it is unmuted", async (t) => {
  const root = await ana.client.v1.statuses.create({ status: "Who is going to the offsite?" });
  const reply = await bruno.client.v1.statuses.create({ status: "@ana me!", inReplyToId: root.id });
  const first = await ana.client.v1.notifications.list({ types: ["mention"] });
  t.ok(first.some((n) => n.status?.id === reply.id), "the first reply notifies ana");

  // Muted from a reply deep in the thread: the whole thread is muted.
  const muted = await ana.client.v1.statuses.$select(reply.id).mute();
  t.equal(muted.muted, true);
  t.equal((await ana.client.v1.statuses.$select(root.id).fetch()).muted, true, "the root shows muted too");
  t.equal((await bruno.client.v1.statuses.$select(root.id).fetch()).muted, false, "a mute is the muter's own");

  const before = (await ana.client.v1.notifications.list({ limit: 40 })).length;
  const deeper = await chen.client.v1.statuses.create({ status: "@ana @bruno and me", inReplyToId: reply.id });
  await chen.client.v1.statuses.$select(root.id).favourite();
  await chen.client.v1.statuses.$select(root.id).reblog();
  t.equal((await ana.client.v1.notifications.list({ limit: 40 })).length, before, "no mention, favourite or boost notification");
  const brunoHears = await bruno.client.v1.notifications.list({ types: ["mention"] });
  t.ok(brunoHears.some((n) => n.status?.id === deeper.id), "bruno did not mute it and still hears");

  const unmuted = await ana.client.v1.statuses.$select(deeper.id).unmute();
  t.equal(unmuted.muted, false);
  const later = await chen.client.v1.statuses.create({ status: "@ana one more", inReplyToId: deeper.id });
  const after = await ana.client.v1.notifications.list({ types: ["mention"] });
  t.ok(after.some((n) => n.status?.id === later.id), "after unmuting, replies notify again");
  t.notOk(after.some((n) => n.status?.id === deeper.id), "what came while muted stays unnotified");

  const secret = await bruno.client.v1.statuses.create({ status: "@chen psst", visibility: "direct" });
  t.match(await failure(() => ana.client.v1.statuses.$select(secret.id).mute()), { status: 404 });
});

t.test("several statuses at once: only the visible ones, each once, oldest first", async (t) => {
  const first = await ana.client.v1.statuses.create({ status: "first" });
  const second = await bruno.client.v1.statuses.create({ status: "second" });
  const hidden = await bruno.client.v1.statuses.create({ status: "@chen between us", visibility: "direct" });
  const found = await ana.client.v1.statuses.fetch({
    id: [second.id, hidden.id, first.id, "1234567", second.id],
  });
  t.same(ids(found), [first.id, second.id]);
  const theirs = await chen.client.v1.statuses.fetch({ id: [hidden.id, first.id] });
  t.same(ids(theirs), [first.id, hidden.id], "the person mentioned sees the direct post");

  const many = Array.from({ length: 21 }, (_, index) => String(1000 + index));
  t.match(await failure(() => ana.client.v1.statuses.fetch({ id: many })), { status: 422 });
});
