// Blocks, mutes, personal notes, familiar followers and removing a follower, driven through the
// masto client against a listening instance, with what each hides checked in every place it
// should hide it: home, public and tag timelines, threads, notifications, search, single posts.
import { createRestAPIClient, MastoHttpError, type mastodon } from "masto";
import t from "tap";
import { createTestUser, type TestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";
import { readIntents } from "../../helpers/intents.ts";

const instance = await startTestInstance(t, { listen: true });
const { url } = instance;

interface Person {
  user: TestUser;
  id: string;
  client: mastodon.rest.Client;
}

async function person(name: string): Promise<Person> {
  const user = await createTestUser(instance, name);
  return { user, id: user.account.id, client: createRestAPIClient({ url, accessToken: user.token }) };
}

const [ana, bruno, chen, dana, eli] = await Promise.all(["ana", "bruno", "chen", "dana", "eli"].map(person)) as [
  Person,
  Person,
  Person,
  Person,
  Person,
];

const ids = (items: { id: string }[]) => items.map((item) => item.id);

async function failureStatus(request: () => Promise<unknown>): Promise<number | "no failure"> {
  try {
    await request();
  } catch (error) {
    if (error instanceof MastoHttpError) return error.statusCode;
    throw error;
  }
  return "no failure";
}

async function relationship(who: Person, other: Person): Promise<mastodon.v1.Relationship> {
  const [found] = await who.client.v1.accounts.relationships.fetch({ id: [other.id] });
  return found!;
}

async function home(who: Person): Promise<string[]> {
  return ids(await who.client.v1.timelines.home.list({ limit: 40 }));
}

async function publicIds(who: Person): Promise<string[]> {
  return ids(await who.client.v1.timelines.public.list({ limit: 40 }));
}

async function allPages<T>(paginator: AsyncIterable<T[]>): Promise<T[][]> {
  const pages: T[][] = [];
  for await (const page of paginator) {
    if (page.length > 0) pages.push(page);
    if (pages.length > 20) throw new Error("the paginator does not end");
  }
  return pages;
}

t.test("a block ends follows both ways and hides each from the other", async (t) => {
  await ana.client.v1.accounts.$select(bruno.id).follow();
  await bruno.client.v1.accounts.$select(ana.id).follow();
  const before = await bruno.client.v1.statuses.create({ status: "before the block #standup" });
  const anasPost = await ana.client.v1.statuses.create({ status: "ana's own news #standup" });
  t.ok((await home(ana)).includes(before.id), "ana sees bruno's post while following him");

  const blocked = await ana.client.v1.accounts.$select(bruno.id).block();
  t.match(blocked, { id: bruno.id, blocking: true, following: false, followedBy: false, blockedBy: false });
  t.match(await relationship(bruno, ana), { blockedBy: true, blocking: false, following: false, followedBy: false });
  const [anaAccount] = await ana.client.v1.accounts.fetch({ id: [ana.id] });
  t.equal(anaAccount?.followersCount, 0, "counts follow the ended follows");
  t.equal(anaAccount?.followingCount, 0);

  // The blocker no longer meets the blocked person's posts anywhere shared.
  t.notOk((await home(ana)).includes(before.id), "gone from ana's home");
  const after = await bruno.client.v1.statuses.create({ status: "after the block #standup" });
  t.notOk((await publicIds(ana)).some((id) => id === before.id || id === after.id), "not in ana's public timeline");
  const tagged = ids(await ana.client.v1.timelines.tag.$select("standup").list());
  t.same(tagged, [anasPost.id], "not in ana's tag timeline");
  t.ok((await publicIds(chen)).includes(after.id), "others still see bruno's posts");
  const searched = await ana.client.v2.search.list({ q: after.uri, type: "statuses" });
  t.same(searched.statuses, [], "nor in ana's search results");

  // The blocked person cannot see the blocker's posts, nor reach the blocker.
  t.equal(await failureStatus(() => bruno.client.v1.statuses.$select(anasPost.id).fetch()), 404);
  t.notOk((await publicIds(bruno)).includes(anasPost.id), "ana's posts are gone from bruno's public timeline");
  t.same(ids(await bruno.client.v1.accounts.$select(ana.id).statuses.list()), [], "and from her profile");
  t.equal(await failureStatus(() => bruno.client.v1.accounts.$select(ana.id).follow()), 403, "no follow");
  t.equal(await failureStatus(() => ana.client.v1.accounts.$select(bruno.id).follow()), 403, "either way");
  t.equal(await failureStatus(() => bruno.client.v1.statuses.$select(anasPost.id).favourite()), 404, "no favourite");
  t.equal(
    await failureStatus(() => bruno.client.v1.statuses.create({ status: "hey", inReplyToId: anasPost.id })),
    404,
    "no reply",
  );
  await bruno.client.v1.statuses.create({ status: "@ana are you there?" });
  const mentions = await ana.client.v1.notifications.list({ types: ["mention"] });
  t.notOk(mentions.some((n) => n.account.id === bruno.id), "no mention notification from bruno");

  // In a colleague's thread, the blocked person's reply is left out for the blocker.
  const root = await chen.client.v1.statuses.create({ status: "what should we order for lunch?" });
  const reply = await bruno.client.v1.statuses.create({ status: "pizza", inReplyToId: root.id });
  const anaReply = await ana.client.v1.statuses.create({ status: "salad", inReplyToId: root.id });
  t.same(ids((await ana.client.v1.statuses.$select(root.id).context.fetch()).descendants), [anaReply.id]);
  t.same(ids((await chen.client.v1.statuses.$select(root.id).context.fetch()).descendants), [reply.id, anaReply.id]);
  t.same(ids((await bruno.client.v1.statuses.$select(root.id).context.fetch()).descendants), [reply.id]);

  const unblocked = await ana.client.v1.accounts.$select(bruno.id).unblock();
  t.equal(unblocked.blocking, false);
  t.equal((await bruno.client.v1.statuses.$select(anasPost.id).fetch()).id, anasPost.id, "visible again");
  t.same(await readIntents(instance, "block.created"), [], "blocks between local people stay here");
});

t.test("a blocked person's notifications to the blocker stop, and old ones go", async (t) => {
  const post = await dana.client.v1.statuses.create({ status: "my talk is tomorrow" });
  await eli.client.v1.statuses.$select(post.id).favourite();
  t.equal((await dana.client.v1.notifications.list({ types: ["favourite"] })).length, 1);
  await dana.client.v1.accounts.$select(eli.id).block();
  t.same(await dana.client.v1.notifications.list({ types: ["favourite"] }), [], "the old favourite notification is gone");
  await dana.client.v1.accounts.$select(eli.id).unblock();
});

t.test("GET /api/v1/blocks lists blocked accounts newest first with Link paging", async (t) => {
  await chen.client.v1.accounts.$select(dana.id).block();
  await chen.client.v1.accounts.$select(eli.id).block();
  const pages = await allPages(chen.client.v1.blocks.list({ limit: 1 }));
  t.same(pages.map(ids), [[eli.id], [dana.id]]);
  await chen.client.v1.accounts.$select(dana.id).unblock();
  await chen.client.v1.accounts.$select(eli.id).unblock();
  t.same(await chen.client.v1.blocks.list(), []);
  t.equal(await failureStatus(() => chen.client.v1.accounts.$select(chen.id).block()), 403, "not oneself");
  t.equal(await failureStatus(() => chen.client.v1.accounts.$select("123456789").block()), 404);
});

t.test("a mute hides posts (and, by default, notifications) until it is lifted", async (t) => {
  await ana.client.v1.accounts.$select(chen.id).follow();
  const earlier = await chen.client.v1.statuses.create({ status: "earlier #lunch" });
  t.ok((await home(ana)).includes(earlier.id));

  const muted = await ana.client.v1.accounts.$select(chen.id).mute();
  t.match(muted, { id: chen.id, muting: true, mutingNotifications: true, following: true });
  t.notOk((await home(ana)).includes(earlier.id), "the muted account's posts leave home");
  const later = await chen.client.v1.statuses.create({ status: "later #lunch" });
  t.notOk((await home(ana)).includes(later.id), "new ones stay out");
  t.notOk((await publicIds(ana)).includes(later.id), "and out of the public timeline");
  t.same(ids(await ana.client.v1.timelines.tag.$select("lunch").list()), [], "and the tag timeline");
  await chen.client.v1.statuses.create({ status: "@ana lunch?" });
  t.notOk(
    (await ana.client.v1.notifications.list({ types: ["mention"] })).some((n) => n.account.id === chen.id),
    "no notification",
  );
  t.ok((await publicIds(dana)).includes(later.id), "others are unaffected");

  // Posts keep coming to home, but notifications are muted only when asked.
  const notificationsToo = await ana.client.v1.accounts.$select(chen.id).mute({ notifications: false });
  t.match(notificationsToo, { muting: true, mutingNotifications: false });
  const mention = await chen.client.v1.statuses.create({ status: "@ana lunch now?" });
  const notifications = await ana.client.v1.notifications.list({ types: ["mention"] });
  t.ok(notifications.some((n) => n.status?.id === mention.id), "mentions notify with notifications: false");

  const [listed] = await ana.client.v1.mutes.list();
  t.equal(listed?.id, chen.id);
  t.equal((listed as unknown as { muteExpiresAt: string | null }).muteExpiresAt, null, "muted until unmuted");

  const unmuted = await ana.client.v1.accounts.$select(chen.id).unmute();
  t.match(unmuted, { muting: false, mutingNotifications: false });
  const again = await chen.client.v1.statuses.create({ status: "back in home" });
  t.ok((await home(ana)).includes(again.id), "new posts reach home again");
  t.same(await ana.client.v1.mutes.list(), []);
});

t.test("a mute with a duration ends by itself", async (t) => {
  const muted = await dana.client.v1.accounts.$select(eli.id).mute({ duration: 1 });
  t.equal(muted.muting, true);
  const [listed] = await dana.client.v1.mutes.list();
  const expiresAt = (listed as unknown as { muteExpiresAt: string | null }).muteExpiresAt;
  t.ok(expiresAt && Date.parse(expiresAt) > Date.now() - 1000, "the mute says when it ends");
  const during = await eli.client.v1.statuses.create({ status: "during the mute" });
  t.notOk((await publicIds(dana)).includes(during.id));

  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.equal((await relationship(dana, eli)).muting, false, "the relationship forgets it");
  t.same(await dana.client.v1.mutes.list(), [], "it leaves the mutes list");
  t.ok((await publicIds(dana)).includes(during.id), "and the public timeline shows the posts again");
});

t.test("GET /api/v1/mutes pages by the mute", async (t) => {
  await eli.client.v1.accounts.$select(ana.id).mute();
  await eli.client.v1.accounts.$select(bruno.id).mute();
  await eli.client.v1.accounts.$select(chen.id).mute();
  const pages = await allPages(eli.client.v1.mutes.list({ limit: 2 }));
  t.same(pages.map(ids), [[chen.id, bruno.id], [ana.id]]);
  for (const other of [ana, bruno, chen]) await eli.client.v1.accounts.$select(other.id).unmute();
});

t.test("a personal note shows in the relationship and only to its writer", async (t) => {
  const noted = await ana.client.v1.accounts.$select(dana.id).note.create({ comment: "runs the Lisbon office" });
  t.equal(noted.note, "runs the Lisbon office");
  t.equal((await relationship(ana, dana)).note, "runs the Lisbon office");
  t.equal((await relationship(bruno, dana)).note, "", "nobody else sees it");
  t.equal(
    await failureStatus(() => ana.client.v1.accounts.$select(dana.id).note.create({ comment: "x".repeat(2001) })),
    422,
  );
  const cleared = await ana.client.v1.accounts.$select(dana.id).note.create({ comment: "" });
  t.equal(cleared.note, "");
});

t.test("familiar_followers lists the people you follow who follow each account", async (t) => {
  // eli follows bruno and chen; both follow dana; only bruno follows ana.
  await eli.client.v1.accounts.$select(bruno.id).follow();
  await eli.client.v1.accounts.$select(chen.id).follow();
  await bruno.client.v1.accounts.$select(dana.id).follow();
  await chen.client.v1.accounts.$select(dana.id).follow();
  const answer = await eli.client.v1.accounts.familiarFollowers.fetch({ id: [dana.id, ana.id] } as never);
  t.same(
    answer.map((entry) => ({ id: entry.id, accounts: ids(entry.accounts) })),
    [
      { id: dana.id, accounts: [chen.id, bruno.id] },
      { id: ana.id, accounts: [] },
    ],
  );
  await eli.client.v1.accounts.$select(chen.id).mute();
  const muted = await eli.client.v1.accounts.familiarFollowers.fetch({ id: [dana.id] } as never);
  t.same(ids(muted[0]!.accounts), [bruno.id], "muted accounts are left out");
  await eli.client.v1.accounts.$select(chen.id).unmute();
});

t.test("remove_from_followers ends someone's follow of you", async (t) => {
  await dana.client.v1.accounts.$select(eli.id).follow();
  t.equal((await relationship(eli, dana)).followedBy, true);
  const removed = (await eli.client.v1.accounts.$select(dana.id).removeFromFollowers()) as unknown as mastodon.v1.Relationship;
  t.equal(removed.followedBy, false);
  t.equal((await relationship(dana, eli)).following, false, "dana no longer follows eli");
  const followers = await eli.client.v1.accounts.$select(eli.id).followers.list();
  t.notOk(ids(followers).includes(dana.id));
});

t.test("following someone brings their recent posts, but not their boosts of a muted account", async (t) => {
  const mutedPost = await bruno.client.v1.statuses.create({ status: "a post dana does not want to see" });
  const boost = await eli.client.v1.statuses.$select(mutedPost.id).reblog();
  const own = await eli.client.v1.statuses.create({ status: "eli's own news" });
  await dana.client.v1.accounts.$select(bruno.id).mute();
  await dana.client.v1.accounts.$select(eli.id).follow();
  const timeline = await home(dana);
  t.ok(timeline.includes(own.id), "eli's own post comes into dana's home");
  t.notOk(timeline.includes(boost.id), "the boost of a muted account's post does not");
  const later = await eli.client.v1.statuses.$select(
    (await bruno.client.v1.statuses.create({ status: "another one" })).id,
  ).reblog();
  t.notOk((await home(dana)).includes(later.id), "nor does a new boost of it");
  await dana.client.v1.accounts.$select(bruno.id).unmute();
});
