// Favourites and boosts through the API: counts, viewer flags, notifications, home feeds,
// paging, and the intents they leave for federation.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import t from "tap";
import { createTestUser, type TestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";
import { intentsDuring, readIntents } from "../../helpers/intents.ts";

const instance = await startTestInstance(t);
const { app, context } = instance;
const ana = await createTestUser(instance, "ana");
const bruno = await createTestUser(instance, "bruno");
const chen = await createTestUser(instance, "chen");

interface Status {
  id: string;
  uri: string;
  visibility: string;
  favourited: boolean;
  reblogged: boolean;
  favourites_count: number;
  reblogs_count: number;
  local_only: boolean;
  account: { id: string; statuses_count: number };
  reblog: Status | null;
}

async function post(user: TestUser, status: string, extra: Record<string, unknown> = {}): Promise<Status> {
  const response = await app.inject({
    method: "POST",
    url: "/api/v1/statuses",
    headers: user.auth,
    payload: { status, ...extra },
  });
  if (response.statusCode !== 200) throw new Error(`post failed: ${response.body}`);
  return response.json();
}

async function act(user: TestUser, id: string, action: string, payload?: Record<string, unknown>) {
  return app.inject({ method: "POST", url: `/api/v1/statuses/${id}/${action}`, headers: user.auth, payload });
}

async function show(user: TestUser, id: string): Promise<Status> {
  const response = await app.inject({ url: `/api/v1/statuses/${id}`, headers: user.auth });
  if (response.statusCode !== 200) throw new Error(`show failed: ${response.body}`);
  return response.json();
}

async function follow(user: TestUser, target: TestUser, payload?: Record<string, unknown>) {
  const response = await app.inject({
    method: "POST",
    url: `/api/v1/accounts/${target.account.id}/follow`,
    headers: user.auth,
    payload,
  });
  if (response.statusCode !== 200) throw new Error(`follow failed: ${response.body}`);
}

async function notifications(user: TestUser, type: string) {
  const response = await app.inject({ url: `/api/v1/notifications?types[]=${type}`, headers: user.auth });
  return response.json() as { type: string; account: { id: string }; status?: Status }[];
}

async function home(user: TestUser): Promise<Status[]> {
  return (await app.inject({ url: "/api/v1/timelines/home?limit=40", headers: user.auth })).json();
}

function linkOf(response: { headers: Record<string, unknown> }, rel: "next" | "prev"): string | null {
  const match = new RegExp(`<([^>]+)>;\\s*rel="${rel}"`).exec(String(response.headers.link ?? ""));
  if (!match) return null;
  const url = new URL(match[1]!);
  return url.pathname + url.search;
}

async function accountsCount(user: TestUser): Promise<number> {
  return (await app.inject({ url: `/api/v1/accounts/${user.account.id}`, headers: user.auth })).json().statuses_count;
}

/** An account of a sibling campus, as federation stores it. */
async function remoteAccount(username: string): Promise<string> {
  const row = await context.db
    .insertInto("accounts")
    .values({
      username,
      domain: "campus-b.example",
      uri: `https://campus-b.example/users/${username}`,
      url: `https://campus-b.example/@${username}`,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function remotePost(accountId: string, text: string): Promise<string> {
  const row = await context.db
    .insertInto("statuses")
    .values({
      uri: `https://campus-b.example/statuses/${randomUUID()}`,
      url: "https://campus-b.example/@raj/1",
      account_id: accountId,
      local: false,
      text,
      content: `<p>${text}</p>`,
      visibility: "public",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

t.test("a favourite is counted once, flagged for the viewer, notified, and taken back", async (t) => {
  const status = await post(ana, "favourite me");
  const { result: first, intents } = await intentsDuring(instance, () => act(bruno, status.id, "favourite"));
  t.equal(first.statusCode, 200, first.body);
  t.match(first.json(), { id: status.id, favourited: true, favourites_count: 1, reblogged: false });
  const again = await act(bruno, status.id, "favourite");
  t.match(again.json(), { favourited: true, favourites_count: 1 }, "favouriting twice changes nothing");

  const favourite = await context.db
    .selectFrom("favourites")
    .selectAll()
    .where("account_id", "=", bruno.account.id)
    .where("status_id", "=", status.id)
    .executeTakeFirstOrThrow();
  t.same(intents, [{ type: "favourite.created", favouriteId: favourite.id, accountId: bruno.account.id }]);
  t.equal(favourite.uri, `${bruno.account.uri}#likes/${favourite.id}`);

  t.match(await show(ana, status.id), { favourited: false, favourites_count: 1 }, "the flag is the viewer's own");
  const notified = await notifications(ana, "favourite");
  t.equal(notified.length, 1, "one notification, however often");
  t.equal(notified[0]?.account.id, bruno.account.id);
  t.equal(notified[0]?.status?.id, status.id);

  const { result: undone, intents: undoIntents } = await intentsDuring(instance, () =>
    act(bruno, status.id, "unfavourite"),
  );
  t.match(undone.json(), { id: status.id, favourited: false, favourites_count: 0 });
  t.same(undoIntents, [
    {
      type: "favourite.deleted",
      uri: favourite.uri,
      accountId: bruno.account.id,
      statusUri: status.uri,
      statusAccountId: ana.account.id,
    },
  ]);
  t.same(await notifications(ana, "favourite"), [], "the notification goes with the favourite");
  const twice = await intentsDuring(instance, () => act(bruno, status.id, "unfavourite"));
  t.equal(twice.result.statusCode, 200);
  t.match(twice.result.json(), { favourited: false, favourites_count: 0 });
  t.same(twice.intents, [], "nothing to take back, nothing announced");

  const own = await intentsDuring(instance, () => act(ana, status.id, "favourite"));
  t.match(own.result.json(), { favourited: true, favourites_count: 1 });
  t.equal(own.intents.length, 1, "every favourite is announced, own posts' too");
  t.same(await notifications(ana, "favourite"), [], "nobody is notified about themselves");
});

t.test("posts the viewer cannot see cannot be favourited or boosted", async (t) => {
  const direct = await post(ana, "@bruno between us", { visibility: "direct" });
  for (const action of ["favourite", "unfavourite", "reblog", "unreblog", "favourited_by", "reblogged_by"]) {
    const response =
      action.endsWith("_by")
        ? await app.inject({ url: `/api/v1/statuses/${direct.id}/${action}`, headers: chen.auth })
        : await act(chen, direct.id, action);
    t.equal(response.statusCode, 404, action);
  }
  t.equal((await act(chen, "123456789", "favourite")).statusCode, 404);
  const counts = await context.db.selectFrom("favourites").select("id").where("status_id", "=", direct.id).execute();
  t.same(counts, []);
});

t.test("boosting follows Mastodon's rules for direct and followers-only posts", async (t) => {
  await follow(bruno, ana);
  const direct = await post(ana, "@bruno psst", { visibility: "direct" });
  const followersOnly = await post(ana, "for my followers", { visibility: "private" });
  t.equal((await act(bruno, direct.id, "reblog")).statusCode, 403, "a direct post cannot be boosted");
  t.equal((await act(ana, direct.id, "reblog")).statusCode, 403, "not even by its author");
  const refused = await act(bruno, followersOnly.id, "reblog");
  t.equal(refused.statusCode, 403, "someone else's followers-only post cannot be boosted");
  t.match(refused.json(), { error: String });

  const own = await act(ana, followersOnly.id, "reblog", { visibility: "public" });
  t.equal(own.statusCode, 200, own.body);
  t.equal(own.json().visibility, "private", "the author's boost of it stays followers-only");
  t.equal(own.json().reblog.id, followersOnly.id);
});

t.test("a boost nests the original, counts, notifies, is idempotent and is taken back", async (t) => {
  const original = await post(ana, "boost me");
  const countBefore = await accountsCount(chen);
  const { result: boosted, intents } = await intentsDuring(instance, () =>
    act(chen, original.id, "reblog", { visibility: "unlisted" }),
  );
  t.equal(boosted.statusCode, 200, boosted.body);
  const boost = boosted.json() as Status;
  t.not(boost.id, original.id);
  t.equal(boost.visibility, "unlisted");
  t.equal(boost.account.id, chen.account.id);
  t.match(boost.reblog, { id: original.id, reblogged: true, reblogs_count: 1 });
  t.equal(boost.reblogged, true, "the boost itself carries the viewer's flags of the original");
  t.match(boost.uri, new RegExp(`/users/chen/statuses/${boost.id}/activity$`));
  t.same(intents, [{ type: "status.created", statusId: boost.id, accountId: chen.account.id }]);
  t.equal(await accountsCount(chen), countBefore + 1, "a boost counts among the booster's posts");

  const again = await intentsDuring(instance, () => act(chen, original.id, "reblog"));
  t.equal(again.result.json().id, boost.id, "boosting twice returns the same boost");
  t.same(again.intents, []);
  const viaBoost = await act(chen, boost.id, "reblog");
  t.equal(viaBoost.json().id, boost.id, "boosting the boost boosts the original");

  t.match(await show(ana, original.id), { reblogs_count: 1, reblogged: false });
  const notified = await notifications(ana, "reblog");
  t.equal(notified.length, 1);
  t.equal(notified[0]?.account.id, chen.account.id);
  t.equal(notified[0]?.status?.id, original.id, "the notification shows the boosted post");

  const reblogged = await app.inject({ url: `/api/v1/statuses/${original.id}/reblogged_by`, headers: bruno.auth });
  t.same(
    reblogged.json().map((account: { id: string }) => account.id),
    [chen.account.id],
  );

  const { result: undone, intents: undoIntents } = await intentsDuring(instance, () =>
    act(chen, original.id, "unreblog"),
  );
  t.equal(undone.statusCode, 200, undone.body);
  t.match(undone.json(), { id: original.id, reblogged: false, reblogs_count: 0 });
  t.same(undoIntents, [
    {
      type: "status.deleted",
      uri: boost.uri,
      accountId: chen.account.id,
      reblogOf: { uri: original.uri, accountId: ana.account.id },
      audienceIds: [],
      localOnly: false,
      visibility: "unlisted",
    },
  ]);
  t.equal((await app.inject({ url: `/api/v1/statuses/${boost.id}`, headers: chen.auth })).statusCode, 404);
  t.equal(await accountsCount(chen), countBefore);
  t.same(await notifications(ana, "reblog"), [], "the notification goes with the boost");
  const twice = await intentsDuring(instance, () => act(chen, original.id, "unreblog"));
  t.match(twice.result.json(), { reblogged: false, reblogs_count: 0 });
  t.same(twice.intents, []);
});

t.test("favouriting or unboosting through a boost's id acts on the original", async (t) => {
  const original = await post(ana, "through the boost");
  const boost = (await act(chen, original.id, "reblog")).json() as Status;
  const favourited = await act(bruno, boost.id, "favourite");
  t.equal(favourited.statusCode, 200);
  t.match(favourited.json(), { id: boost.id, favourited: true, reblog: { id: original.id, favourited: true } });
  t.match(await show(bruno, original.id), { favourites_count: 1, favourited: true });
  const unboosted = await act(chen, boost.id, "unreblog");
  t.match(unboosted.json(), { id: original.id, reblogged: false, reblogs_count: 0 });
});

t.test("boosts reach the booster's followers who show boosts, once, never the original author", async (t) => {
  const dana = await createTestUser(instance, "dana");
  const erin = await createTestUser(instance, "erin");
  const fay = await createTestUser(instance, "fay");
  const jo = await createTestUser(instance, "jo");
  const booster = await createTestUser(instance, "gil");
  await follow(dana, booster);
  await follow(erin, booster, { reblogs: false });
  await follow(fay, booster);
  await follow(fay, ana); // fay already sees ana's posts
  await follow(ana, booster); // ana is the original author
  await follow(jo, booster);
  await follow(jo, dana);

  const original = await post(ana, "worth a boost");
  const boost = (await act(booster, original.id, "reblog")).json() as Status;

  const danaHome = await home(dana);
  t.equal(danaHome[0]?.id, boost.id, "a follower sees the boost");
  t.equal(danaHome[0]?.reblog?.id, original.id);
  t.notOk(danaHome.some((status) => status.id === original.id), "not the original on its own");
  t.notOk((await home(erin)).some((status) => status.id === boost.id), "reblogs: false hides boosts");
  const fayHome = await home(fay);
  t.ok(fayHome.some((status) => status.id === original.id));
  t.notOk(fayHome.some((status) => status.id === boost.id), "a post already near the top is not shown again");
  t.notOk((await home(ana)).some((status) => status.id === boost.id), "authors are not shown boosts of their posts");
  t.equal((await home(booster))[0]?.id, boost.id, "the booster's own home shows the boost");

  // A second boost of the same post does not repeat it for someone who follows both boosters.
  const second = (await act(dana, original.id, "reblog")).json() as Status;
  const joHome = await home(jo);
  t.ok(joHome.some((status) => status.id === boost.id));
  t.notOk(joHome.some((status) => status.id === second.id), "jo's feed already shows a boost of it");

  await act(bruno, original.id, "favourite");
  await follow(bruno, booster);
  const later = await post(chen, "another, by someone bruno does not follow");
  const laterBoost = (await act(booster, later.id, "reblog")).json() as Status;
  await act(bruno, later.id, "favourite");
  const brunoHome = await home(bruno);
  const seen = brunoHome.find((status) => status.id === laterBoost.id);
  t.match(seen, { favourited: true, reblog: { id: later.id, favourited: true, reblogged: false } });

  await act(booster, later.id, "unreblog");
  t.notOk((await home(bruno)).some((status) => status.id === laterBoost.id), "an unboost leaves the feeds");
});

t.test("following someone brings their boosts home only when the follow shows boosts", async (t) => {
  const kim = await createTestUser(instance, "kim");
  const original = await post(chen, "boosted before the follows");
  const boost = (await act(kim, original.id, "reblog")).json() as Status;
  const shows = await createTestUser(instance, "lia");
  const hides = await createTestUser(instance, "max");
  await follow(shows, kim);
  await follow(hides, kim, { reblogs: false });
  t.ok((await home(shows)).some((status) => status.id === boost.id));
  t.notOk((await home(hides)).some((status) => status.id === boost.id));
  await follow(chen, kim);
  t.notOk((await home(chen)).some((status) => status.id === boost.id), "nor boosts of one's own posts");
});

t.test("viewer flags are loaded for a whole page, inside boosts too", async (t) => {
  const hana = await createTestUser(instance, "hana");
  const posts: Status[] = [];
  for (let i = 0; i < 4; i++) posts.push(await post(hana, `page ${i}`));
  await act(bruno, posts[0]!.id, "favourite");
  await act(bruno, posts[1]!.id, "reblog");
  await act(bruno, posts[2]!.id, "favourite");
  await act(bruno, posts[2]!.id, "reblog");
  const response = await app.inject({ url: `/api/v1/accounts/${hana.account.id}/statuses`, headers: bruno.auth });
  const flags = Object.fromEntries(
    (response.json() as Status[]).map((status) => [status.id, [status.favourited, status.reblogged]]),
  );
  t.same(flags, {
    [posts[0]!.id]: [true, false],
    [posts[1]!.id]: [false, true],
    [posts[2]!.id]: [true, true],
    [posts[3]!.id]: [false, false],
  });
  const byId = await app.inject({
    url: `/api/v1/statuses?id[]=${posts[2]!.id}&id[]=${posts[3]!.id}`,
    headers: bruno.auth,
  });
  t.same(
    byId.json().map((status: Status) => [status.favourited, status.reblogged]),
    [
      [true, true],
      [false, false],
    ],
  );
  const mine = await app.inject({ url: `/api/v1/accounts/${bruno.account.id}/statuses?limit=3`, headers: bruno.auth });
  const boostOfTwo = (mine.json() as Status[]).find((status) => status.reblog?.id === posts[2]!.id);
  t.match(boostOfTwo, { favourited: true, reblogged: true, reblog: { favourited: true, reblogged: true } });
});

t.test("/api/v1/favourites pages by the favourite, newest favourite first, with Link headers", async (t) => {
  const ivan = await createTestUser(instance, "ivan");
  const posts: Status[] = [];
  for (let i = 0; i < 3; i++) posts.push(await post(ana, `fav page ${i}`));
  // Favourited in another order than posted: the list follows the favourites.
  for (const index of [1, 2, 0]) await act(ivan, posts[index]!.id, "favourite");
  const favouriteIds = (
    await context.db
      .selectFrom("favourites")
      .select(["id", "status_id"])
      .where("account_id", "=", ivan.account.id)
      .orderBy("id", "desc")
      .execute()
  ).map((row) => row.id);

  const first = await app.inject({ url: "/api/v1/favourites?limit=2", headers: ivan.auth });
  t.equal(first.statusCode, 200);
  t.same(
    first.json().map((status: Status) => status.id),
    [posts[0]!.id, posts[2]!.id],
  );
  t.ok(first.json().every((status: Status) => status.favourited));
  const next = linkOf(first, "next");
  t.equal(next, `/api/v1/favourites?limit=2&max_id=${favouriteIds[1]}`, "the cursor is the favourite's id");
  t.equal(linkOf(first, "prev"), `/api/v1/favourites?limit=2&min_id=${favouriteIds[0]}`);
  const second = await app.inject({ url: next!, headers: ivan.auth });
  t.same(
    second.json().map((status: Status) => status.id),
    [posts[1]!.id],
  );
  const prev = linkOf(second, "prev");
  const back = await app.inject({ url: prev!, headers: ivan.auth });
  t.same(
    back.json().map((status: Status) => status.id),
    [posts[0]!.id, posts[2]!.id],
  );
  const last = await app.inject({ url: linkOf(second, "next")!, headers: ivan.auth });
  t.same(last.json(), []);
  t.equal(last.headers.link, undefined);

  await act(ivan, posts[2]!.id, "unfavourite");
  const after = await app.inject({ url: "/api/v1/favourites", headers: ivan.auth });
  t.same(
    after.json().map((status: Status) => status.id),
    [posts[0]!.id, posts[1]!.id],
  );
});

t.test("favourited_by pages by the favourite's id, with Link headers", async (t) => {
  const target = await post(ana, "popular");
  const fans: TestUser[] = [];
  for (const name of ["fan1", "fan2", "fan3"]) {
    const fan = await createTestUser(instance, name);
    await act(fan, target.id, "favourite");
    fans.push(fan);
  }
  const first = await app.inject({ url: `/api/v1/statuses/${target.id}/favourited_by?limit=2`, headers: ana.auth });
  t.equal(first.statusCode, 200);
  t.same(
    first.json().map((account: { id: string }) => account.id),
    [fans[2]!.account.id, fans[1]!.account.id],
  );
  const next = linkOf(first, "next");
  t.match(next, /^\/api\/v1\/statuses\/\d+\/favourited_by\?limit=2&max_id=\d+$/);
  const second = await app.inject({ url: next!, headers: ana.auth });
  t.same(
    second.json().map((account: { id: string }) => account.id),
    [fans[0]!.account.id],
  );
  const prev = await app.inject({ url: linkOf(second, "prev")!, headers: ana.auth });
  t.same(
    prev.json().map((account: { id: string }) => account.id),
    [fans[2]!.account.id, fans[1]!.account.id],
  );
});

t.test("deleting a boosted post takes the boosts and their counts with it", async (t) => {
  const original = await post(ana, "short-lived");
  await act(chen, original.id, "reblog");
  const before = await accountsCount(chen);
  const { intents } = await intentsDuring(instance, () =>
    app.inject({ method: "DELETE", url: `/api/v1/statuses/${original.id}`, headers: ana.auth }),
  );
  t.equal(await accountsCount(chen), before - 1);
  t.same(
    intents.map((intent) => intent.type),
    ["status.deleted"],
    "the boost goes with the Delete of the original; no Undo of its own",
  );
  const boosts = await context.db.selectFrom("statuses").select("id").where("reblog_of_id", "=", original.id).execute();
  t.same(boosts, []);
});

t.test("deleting a boost through DELETE /statuses/:id counts like unreblog", async (t) => {
  const original = await post(ana, "boost then delete");
  const boost = (await act(chen, original.id, "reblog")).json() as Status;
  const deleted = await intentsDuring(instance, () =>
    app.inject({ method: "DELETE", url: `/api/v1/statuses/${boost.id}`, headers: chen.auth }),
  );
  t.equal(deleted.result.statusCode, 200);
  t.match(deleted.intents, [{ type: "status.deleted", uri: boost.uri, reblogOf: { uri: original.uri } }]);
  t.match(await show(ana, original.id), { reblogs_count: 0 });
  t.notOk(
    (await notifications(ana, "reblog")).some((n) => n.status?.id === original.id),
    "the notification goes with the boost",
  );
});

t.test("interactions with a sibling's post notify nobody here and name the sibling author", async (t) => {
  const raj = await remoteAccount("raj");
  const remote = await remotePost(raj, "from campus b");
  const favourited = await act(bruno, remote, "favourite");
  t.equal(favourited.statusCode, 200);
  const boost = (await act(bruno, remote, "reblog")).json() as Status;
  const remoteNotifications = await context.db
    .selectFrom("notifications")
    .select("id")
    .where("account_id", "=", raj)
    .execute();
  t.same(remoteNotifications, [], "a remote account never gets a notifications row");
  const undone = await intentsDuring(instance, () => act(bruno, remote, "unreblog"));
  t.match(undone.intents, [
    { type: "status.deleted", uri: boost.uri, reblogOf: { accountId: raj }, audienceIds: [raj] },
  ]);
});

t.test("a change whose transaction fails leaves neither the change nor its intent", async (t) => {
  const status = await post(ana, "the commit will fail");
  const before = await readIntents(instance);
  // A deferred trigger refuses the commit after the favourite and its intent were written.
  await sql`
    CREATE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'refused by the test'; END $$
  `.execute(context.db);
  await sql`
    CREATE CONSTRAINT TRIGGER refuse_intents AFTER INSERT ON federation_queue
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_commit()
  `.execute(context.db);
  try {
    const failed = await act(bruno, status.id, "favourite");
    t.equal(failed.statusCode, 500);
    const boost = await act(bruno, status.id, "reblog");
    t.equal(boost.statusCode, 500);
  } finally {
    await sql`DROP TRIGGER refuse_intents ON federation_queue`.execute(context.db);
    await sql`DROP FUNCTION refuse_commit()`.execute(context.db);
  }
  t.same(await readIntents(instance), before, "no intent was written");
  t.match(await show(bruno, status.id), { favourited: false, favourites_count: 0, reblogged: false, reblogs_count: 0 });
  t.notOk(
    (await notifications(ana, "favourite")).some((n) => n.status?.id === status.id),
    "nor its notification",
  );
  const worked = await act(bruno, status.id, "favourite");
  t.match(worked.json(), { favourited: true, favourites_count: 1 });
});
