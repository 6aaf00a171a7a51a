// Two campuses over real HTTP: a followed hashtag brings a sibling's public post into the home
// timeline, favourites from both campuses group into one notification group, a scheduled post
// goes out at its time (across a restart) and federates, and an announcement made with the
// admin CLI reaches the campus's people.
import type { mastodon } from "masto";
import t from "tap";
import { type Campus, type CampusUser, eventually, resolveAccount, resolveStatus, startCampuses } from "../helpers/campuses.ts";

const campuses = await startCampuses(t, {
  campuses: ["A", "B"],
  env: { HALLWAY_SCHEDULE_MIN_LEAD_SECONDS: "2" },
});
const A = campuses.A as Campus;
const B = campuses.B as Campus;

const [ana, bea, raj] = await Promise.all([
  A.createUser("ana", { displayName: "Ana" }),
  A.createUser("bea", { displayName: "Bea" }),
  B.createUser("raj", { displayName: "Raj" }),
]);

/** `follower` follows `target` on the other campus and waits for the sibling's Accept. */
async function follow(follower: CampusUser, target: CampusUser): Promise<mastodon.v1.Account> {
  const account = await resolveAccount(follower, target);
  await follower.client.v1.accounts.$select(account.id).follow();
  await eventually(
    async () => (await follower.client.v1.accounts.relationships.fetch({ id: [account.id] }))[0]?.following,
    { what: `${follower.username} following ${target.acct}` },
  );
  return account;
}

const homeUris = async (who: CampusUser) => (await who.client.v1.timelines.home.list({ limit: 40 })).map((s) => s.uri);

t.test("a followed hashtag brings a sibling's public post into the home timeline", async (t) => {
  // bea's follow is what brings raj's posts to campus A at all; ana follows only the tag.
  await follow(bea, raj);
  const tag = await ana.client.v1.tags.$select("release").follow();
  t.equal(tag.following, true);

  const unlisted = await raj.client.v1.statuses.create({ status: "Release notes draft #release", visibility: "unlisted" });
  const untagged = await raj.client.v1.statuses.create({ status: "Coffee break" });
  const shipped = await raj.client.v1.statuses.create({ status: "Shipping v2 today #Release" });

  await eventually(async () => (await homeUris(bea)).includes(shipped.uri), { what: "raj's post on campus A" });
  const home = await eventually(
    async () => {
      const uris = await homeUris(ana);
      return uris.includes(shipped.uri) ? uris : null;
    },
    { what: "raj's tagged post in ana's home" },
  );
  t.pass("the sibling's public post with the followed tag is in ana's home");
  t.ok((await homeUris(bea)).includes(unlisted.uri), "bea, who follows raj, has the unlisted one");
  t.notOk(home.includes(unlisted.uri), "an unlisted post is not delivered by tag");
  t.notOk(home.includes(untagged.uri), "nor one without the tag");

  const onA = (await ana.client.v1.timelines.home.list({ limit: 40 })).find((s) => s.uri === shipped.uri)!;
  t.equal(onA.account.acct, raj.acct);
  const tagInfo = await ana.client.v1.tags.$select("release").fetch();
  t.same(
    { uses: tagInfo.history?.[0]?.uses, accounts: tagInfo.history?.[0]?.accounts },
    { uses: "2", accounts: "1" },
    "the sibling's public and unlisted posts count in the tag's history",
  );
});

t.test("favourites from both campuses group into one notification group", async (t) => {
  await follow(raj, ana);
  const post = await ana.client.v1.statuses.create({ status: "Demo at 5 in the big room" });
  await bea.client.v1.statuses.$select(post.id).favourite();
  const onB = await eventually(() => resolveStatus(raj, post.uri), { what: "ana's post on campus B" });
  await raj.client.v1.statuses.$select(onB.id).favourite();

  const group = await eventually(
    async () =>
      (await ana.client.v2.notifications.list({ types: ["favourite"] })).notificationGroups.find(
        (candidate) => candidate.notificationsCount === 2,
      ),
    { what: "raj's favourite to join bea's on campus A" },
  );
  t.match(group.groupKey, new RegExp(`^favourite-${post.id}-\\d+$`));
  const results = await ana.client.v2.notifications.$select(group.groupKey).fetch();
  const byId = new Map(results.accounts.map((account) => [account.id, account.acct]));
  t.same(
    // masto types sampleAccountIds as a string; Mastodon sends (and masto passes on) an array.
    (group.sampleAccountIds as unknown as string[]).map((id) => byId.get(id)),
    [raj.acct, "bea"],
    "the sibling's account and the local one, the latest first",
  );
  t.same(results.statuses.map((status) => status.id), [post.id]);
  const accounts = await ana.client.v2.notifications.$select(group.groupKey).accounts.fetch();
  t.same(accounts.map((account) => account.acct), [raj.acct, "bea"]);
  t.equal((await ana.client.v2.notifications.unreadCount.fetch({ types: ["favourite"] })).count, 1, "one unread group");
});

t.test("a scheduled post goes out at its time, after a restart, and reaches the sibling", async (t) => {
  const at = new Date(Date.now() + 8000);
  const scheduled = await ana.client.v1.statuses.create({ status: "Scheduled: the office closes at 6", scheduledAt: at.toISOString() });
  t.equal(scheduled.scheduledAt, at.toISOString());

  // Campus A is down when the time comes; the post waits in its database.
  await A.stop();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, at.getTime() - Date.now() + 500)));
  await A.start();

  const posted = await eventually(
    async () =>
      (await ana.client.v1.accounts.$select(ana.account.id).statuses.list()).find((s) =>
        s.content.includes("the office closes at 6"),
      ),
    { what: "the scheduled post on campus A", timeoutMs: 30_000 },
  );
  t.ok(Date.parse(posted.createdAt) >= at.getTime() - 1000, "published at (after) its time");
  t.same(await ana.client.v1.scheduledStatuses.list(), [], "no longer scheduled");
  await eventually(async () => (await homeUris(raj)).includes(posted.uri), {
    what: "the scheduled post in raj's home on campus B",
  });
  t.pass("it federated like any post");
});

t.test("an announcement made with the admin CLI reaches the campus's people", async (t) => {
  const output = await A.admin("announcement create", ["All-hands on Friday #allhands"], { "all-day": true, "starts-at": "2026-12-04" });
  const id = /announcement (\d+) published/.exec(output)?.[1];
  t.ok(id, output);
  const [announcement] = await bea.client.v1.announcements.list();
  t.equal(announcement?.id, id);
  t.equal(announcement?.allDay, true);
  t.same(await raj.client.v1.announcements.list(), [], "campus B has its own announcements");
  await A.admin("announcement delete", [id!]);
  t.same(await bea.client.v1.announcements.list(), []);
});
