// Reading positions (markers), grouped notifications (/api/v2/notifications) and unread counts,
// through the masto client as apps use them.
import { createRestAPIClient, type mastodon } from "masto";
import t from "tap";
import { createTestUser, type TestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t, { listen: true });
const { url } = instance;

const clientOf = (user: TestUser) => createRestAPIClient({ url, accessToken: user.token });
const users = {
  ana: await createTestUser(instance, "ana"),
  bruno: await createTestUser(instance, "bruno"),
  chen: await createTestUser(instance, "chen"),
  dana: await createTestUser(instance, "dana"),
};
const ana = clientOf(users.ana);
const bruno = clientOf(users.bruno);
const chen = clientOf(users.chen);
const dana = clientOf(users.dana);

async function raw(user: TestUser, path: string, init: RequestInit = {}) {
  const response = await fetch(`${url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json", ...init.headers },
  });
  return { status: response.status, link: response.headers.get("link"), body: await response.json() };
}

t.test("markers: positions are saved per timeline, versions count the changes", async (t) => {
  t.same(await ana.v1.markers.fetch({ timeline: ["home", "notifications"] }), {}, "nothing saved yet");

  const saved = await ana.v1.markers.create({ home: { lastReadId: "1000" } });
  t.equal(saved.home?.lastReadId, "1000");
  t.equal(saved.home?.version, 0, "a new marker starts at version 0");
  t.notOk(saved.notifications, "only the timeline given is answered");
  t.ok(Date.parse(saved.home!.updatedAt), "with when it was saved");

  const moved = await ana.v1.markers.create({
    home: { lastReadId: "2000" },
    notifications: { lastReadId: "30" },
  });
  t.equal(moved.home?.version, 1, "a new position bumps the version");
  t.equal(moved.notifications?.version, 0);
  const same = await ana.v1.markers.create({ home: { lastReadId: "2000" } });
  t.equal(same.home?.version, 1, "saving the same position again changes nothing");

  const both = await ana.v1.markers.fetch({ timeline: ["home", "notifications"] });
  t.same(
    { home: both.home?.lastReadId, notifications: both.notifications?.lastReadId },
    { home: "2000", notifications: "30" },
  );
  const homeOnly = await ana.v1.markers.fetch({ timeline: ["home"] });
  t.same(Object.keys(homeOnly), ["home"], "only the timelines asked for");
  t.same(await ana.v1.markers.fetch(), {}, "no timeline asked: an empty object, as Mastodon");
  t.same(await bruno.v1.markers.fetch({ timeline: ["home"] }), {}, "markers are per person");

  // Form bodies (home[last_read_id]=…) as other apps send them.
  const form = await fetch(`${url}/api/v1/markers`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${users.ana.token}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "notifications[last_read_id]=31",
  });
  t.equal(form.status, 200);
  t.equal((await form.json()).notifications.version, 1);
  const bad = await raw(users.ana, "/api/v1/markers", {
    method: "POST",
    body: JSON.stringify({ home: { last_read_id: "not an id" } }),
  });
  t.equal(bad.status, 422, "a position that is not an id is refused");
  // Reset, so that the unread counts below start from nothing read.
  await raw(users.ana, "/api/v1/markers", {
    method: "POST",
    body: JSON.stringify({ notifications: { last_read_id: "1" } }),
  });
});

let post: mastodon.v1.Status;
let other: mastodon.v1.Status;
let mention: mastodon.v1.Status;

t.test("favourites of one post and follows come back as groups, the rest one by one", async (t) => {
  post = await ana.v1.statuses.create({ status: "The new coffee machine is in" });
  other = await ana.v1.statuses.create({ status: "Fire drill at 3" });
  await bruno.v1.statuses.$select(post.id).favourite();
  await bruno.v1.accounts.$select(users.ana.account.id).follow();
  mention = await dana.v1.statuses.create({ status: "@ana where is it?" });
  await chen.v1.statuses.$select(post.id).favourite();
  await chen.v1.accounts.$select(users.ana.account.id).follow();
  await dana.v1.statuses.$select(post.id).favourite();
  await chen.v1.statuses.$select(other.id).favourite();

  const results = await ana.v2.notifications.list();
  const groups = results.notificationGroups;
  t.same(
    groups.map((group) => [group.type, group.notificationsCount]),
    [
      ["favourite", 1],
      ["favourite", 3],
      ["follow", 2],
      ["mention", 1],
    ],
    "newest group first: chen's favourite of the drill post, the three on the coffee post, two follows, the mention",
  );
  const [drill, coffee, follows, mentioned] = groups as [
    mastodon.v1.NotificationGroup,
    mastodon.v1.NotificationGroup,
    mastodon.v1.NotificationGroup,
    mastodon.v1.NotificationGroup,
  ];
  t.equal((coffee as { statusId?: string }).statusId, post.id);
  t.equal((drill as { statusId?: string }).statusId, other.id);
  t.not(coffee.groupKey, drill.groupKey, "favourites of two posts are two groups");
  t.match(coffee.groupKey, new RegExp(`^favourite-${post.id}-\\d+$`));
  t.match(follows.groupKey, /^follow-\d+$/);
  t.equal(mentioned.groupKey, `ungrouped-${mentioned.mostRecentNotificationId}`);
  t.same(
    coffee.sampleAccountIds,
    [users.dana.account.id, users.chen.account.id, users.bruno.account.id],
    "the latest accounts first",
  );
  t.same(follows.sampleAccountIds, [users.chen.account.id, users.bruno.account.id]);
  t.ok(coffee.pageMinId && coffee.pageMaxId && coffee.latestPageNotificationAt, "page bounds are given");
  t.equal(coffee.pageMaxId, coffee.mostRecentNotificationId);
  t.ok(BigInt(coffee.pageMinId!) < BigInt(coffee.pageMaxId!), "the group spans several notifications");

  t.same(
    results.accounts.map((account) => account.username).sort(),
    ["bruno", "chen", "dana"],
    "each account once",
  );
  t.same(
    results.statuses.map((status) => status.id).sort(),
    [post.id, other.id, mention.id].sort(),
    "each post once",
  );

  const v1 = await ana.v1.notifications.list({ types: ["favourite"] });
  t.ok(
    v1.filter((n) => n.status?.id === post.id).every((n) => n.groupKey === coffee.groupKey),
    "the plain list carries the same group keys",
  );
});

t.test("grouped_types, types, exclude_types, account_id and partial avatars", async (t) => {
  const favouritesOnly = await ana.v2.notifications.list({ groupedTypes: ["follow"], types: ["favourite"] });
  t.equal(favouritesOnly.notificationGroups.length, 4, "favourites not grouped: one group each");
  t.ok(favouritesOnly.notificationGroups.every((group) => group.groupKey.startsWith("ungrouped-")));

  const noFollows = await ana.v2.notifications.list({ excludeTypes: ["follow", "mention"] });
  t.same(
    noFollows.notificationGroups.map((group) => group.type),
    ["favourite", "favourite"],
  );
  const fromDana = await ana.v2.notifications.list({ accountId: users.dana.account.id });
  t.same(
    fromDana.notificationGroups.map((group) => group.type),
    ["favourite", "mention"],
    "account_id picks the groups where that account acted",
  );

  const partial = await ana.v2.notifications.list({ expandAccounts: "partial_avatars", types: ["favourite"] });
  const partialIds = (partial as { partialAccounts?: { id: string; avatar: string }[] }).partialAccounts ?? [];
  t.same(
    partial.accounts.map((account) => account.id).sort(),
    [users.chen.account.id, users.dana.account.id].sort(),
    "the latest account of each group in full",
  );
  t.same(partialIds.map((account) => account.id), [users.bruno.account.id], "the others in part");
  t.ok(partialIds[0]?.avatar, "with their avatar");
});

t.test("pages of groups follow the Link header", async (t) => {
  const first = await raw(users.ana, "/api/v2/notifications?limit=2");
  t.equal(first.body.notification_groups.length, 2);
  t.match(first.link, /max_id=\d+.*rel="next"/);
  const pages: mastodon.v1.NotificationGroup[][] = [];
  for await (const page of ana.v2.notifications.list({ limit: 2 })) {
    // The last page still links to the next one (as Mastodon's does), which is empty.
    if (page.notificationGroups.length > 0) pages.push(page.notificationGroups);
    if (pages.length > 10) break;
  }
  // As in Mastodon, a group whose notifications straddle a page boundary shows on both pages,
  // each time counted up to the top of its page; apps merge them by key.
  t.same(
    pages.map((page) => page.map((group) => group.type)),
    [["favourite", "favourite"], ["follow", "favourite"], ["mention", "follow"], ["favourite"]],
  );
  const keys = new Set(pages.flat().map((group) => group.groupKey));
  t.equal(keys.size, 4, "four groups in all");
  const coffeeKey = pages[0]![1]!.groupKey;
  t.same(
    pages.flat().filter((group) => group.groupKey === coffeeKey).map((group) => group.notificationsCount),
    [3, 2, 1],
    "the coffee post's favourites, counted up to each page's top",
  );

  const newest = first.body.notification_groups[0].most_recent_notification_id;
  const since = await raw(users.ana, `/api/v2/notifications?min_id=${newest}`);
  t.same(since.body.notification_groups, [], "nothing newer than the newest");
});

t.test("one group: show, its accounts, dismiss", async (t) => {
  const { notificationGroups } = await ana.v2.notifications.list({ types: ["favourite"] });
  const coffee = notificationGroups.find((group) => group.notificationsCount === 3)!;
  const shown = await ana.v2.notifications.$select(coffee.groupKey).fetch();
  t.equal(shown.notificationGroups.length, 1);
  t.equal(shown.notificationGroups[0]?.notificationsCount, 3);
  t.equal(shown.notificationGroups[0]?.pageMinId, undefined, "no page bounds outside a page");
  t.same(shown.statuses.map((status) => status.id), [post.id]);

  const accounts = await ana.v2.notifications.$select(coffee.groupKey).accounts.fetch();
  t.same(
    accounts.map((account) => account.username),
    ["dana", "chen", "bruno"],
  );

  const single = notificationGroups.find((group) => group.notificationsCount === 1)!;
  const one = await ana.v2.notifications.$select(`ungrouped-${single.mostRecentNotificationId}`).fetch();
  t.equal(one.notificationGroups[0]?.groupKey, `ungrouped-${single.mostRecentNotificationId}`);

  t.equal((await raw(users.bruno, `/api/v2/notifications/${coffee.groupKey}`)).status, 404, "only one's own");
  t.equal((await raw(users.ana, "/api/v2/notifications/favourite-1-1")).status, 404);

  await ana.v2.notifications.$select(coffee.groupKey).dismiss();
  const after = await ana.v2.notifications.list({ types: ["favourite"] });
  t.same(
    after.notificationGroups.map((group) => group.groupKey),
    [single.groupKey],
    "the whole group is gone",
  );
  t.equal((await raw(users.ana, `/api/v2/notifications/${coffee.groupKey}`)).status, 404);
});

t.test("unread counts start after the notifications marker", async (t) => {
  const all = await ana.v1.notifications.list({ limit: 40 });
  t.equal((await ana.v1.notifications.unreadCount.fetch()).count, all.length, "nothing read yet");
  t.equal((await ana.v2.notifications.unreadCount.fetch()).count, 3, "favourite, follows, mention: three groups");
  t.equal(
    (await ana.v2.notifications.unreadCount.fetch({ groupedTypes: ["favourite"] })).count,
    4,
    "follows counted one by one when not grouped",
  );
  t.equal((await ana.v1.notifications.unreadCount.fetch({ limit: 2 })).count, 2, "capped at limit");
  t.equal((await ana.v1.notifications.unreadCount.fetch({ types: ["mention"] })).count, 1);

  // Read up to the mention: only what came after it is unread.
  await ana.v1.markers.create({ notifications: { lastReadId: all.find((n) => n.type === "mention")!.id } });
  const newer = all.filter((n) => BigInt(n.id) > BigInt(all.find((m) => m.type === "mention")!.id));
  t.equal((await ana.v1.notifications.unreadCount.fetch()).count, newer.length);
  await ana.v1.markers.create({ notifications: { lastReadId: all[0]!.id } });
  t.equal((await ana.v1.notifications.unreadCount.fetch()).count, 0, "everything read");
  t.equal((await ana.v2.notifications.unreadCount.fetch()).count, 0);
});
