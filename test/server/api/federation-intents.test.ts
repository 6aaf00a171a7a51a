// What local changes announce to federation (intents in federation_queue, written with the
// change), local-only posts, and follows of accounts on sibling campuses.
import { randomUUID } from "node:crypto";
import t from "tap";
import {
  acceptOutgoingFollow,
  rejectOutgoingFollow,
} from "../../../server/services/accounts/follows.ts";
import { createTestUser, type TestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";
import { intentsDuring, readIntents } from "../../helpers/intents.ts";

const instance = await startTestInstance(t);
const { app, context } = instance;
const ana = await createTestUser(instance, "ana");
const bruno = await createTestUser(instance, "bruno");

async function post(user: TestUser, payload: Record<string, unknown> | string) {
  const response = await app.inject({
    method: "POST",
    url: "/api/v1/statuses",
    headers:
      typeof payload === "string"
        ? { ...user.auth, "content-type": "application/x-www-form-urlencoded" }
        : user.auth,
    payload,
  });
  if (response.statusCode !== 200) throw new Error(`post failed: ${response.body}`);
  return response.json() as { id: string; uri: string; local_only: boolean; visibility: string };
}

async function remoteAccount(username: string, options: { locked?: boolean } = {}): Promise<string> {
  const row = await context.db
    .insertInto("accounts")
    .values({
      username,
      domain: "campus-b.example",
      uri: `https://campus-b.example/users/${username}`,
      url: `https://campus-b.example/@${username}`,
      locked: options.locked ?? false,
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
      url: "https://campus-b.example/@someone/1",
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

async function accountAction(user: TestUser, targetId: string, action: string, payload?: Record<string, unknown>) {
  const response = await app.inject({
    method: "POST",
    url: `/api/v1/accounts/${targetId}/${action}`,
    headers: user.auth,
    payload,
  });
  if (response.statusCode !== 200) throw new Error(`${action} failed: ${response.body}`);
  return response.json() as { following: boolean; requested: boolean; showing_reblogs: boolean; notifying: boolean };
}

async function relationship(user: TestUser, targetId: string) {
  const response = await app.inject({ url: `/api/v1/accounts/relationships?id[]=${targetId}`, headers: user.auth });
  return response.json()[0] as { following: boolean; requested: boolean; followed_by: boolean; notifying: boolean };
}

async function counts(accountId: string): Promise<[number, number]> {
  const row = await context.db
    .selectFrom("accounts")
    .select(["followers_count", "following_count"])
    .where("id", "=", accountId)
    .executeTakeFirstOrThrow();
  return [row.followers_count, row.following_count];
}

t.test("every new local post announces status.created: posts, replies, direct", async (t) => {
  const { result: first, intents } = await intentsDuring(instance, () => post(ana, { status: "hello" }));
  t.same(intents, [{ type: "status.created", statusId: first.id, accountId: ana.account.id }]);
  const reply = await intentsDuring(instance, () => post(bruno, { status: "@ana hi", in_reply_to_id: first.id }));
  t.same(reply.intents, [{ type: "status.created", statusId: reply.result.id, accountId: bruno.account.id }]);
  const direct = await intentsDuring(instance, () => post(ana, { status: "@bruno psst", visibility: "direct" }));
  t.same(direct.intents, [{ type: "status.created", statusId: direct.result.id, accountId: ana.account.id }]);
  const retried = await intentsDuring(instance, async () => {
    const send = () =>
      app.inject({
        method: "POST",
        url: "/api/v1/statuses",
        headers: { ...ana.auth, "idempotency-key": "once" },
        payload: { status: "only once" },
      });
    await send();
    return send();
  });
  t.equal(retried.intents.length, 1, "a retried post is announced once");
  const [queued] = await context.db
    .selectFrom("federation_queue")
    .select(["ordering_key", "status"])
    .orderBy("id", "desc")
    .limit(1)
    .execute();
  t.same(queued, { ordering_key: `intent:${ana.account.id}`, status: "pending" });
});

t.test("a deleted post names its remote audience, visibility and locality", async (t) => {
  const raj = await remoteAccount("raj");
  const mia = await remoteAccount("mia");
  const parent = await remotePost(raj, "a question from campus b");
  const status = await post(ana, {
    status: "@mia@campus-b.example @bruno see this",
    in_reply_to_id: parent,
    visibility: "unlisted",
    local_only: false,
  });
  const { intents } = await intentsDuring(instance, () =>
    app.inject({ method: "DELETE", url: `/api/v1/statuses/${status.id}`, headers: ana.auth }),
  );
  t.equal(intents.length, 1);
  const deleted = intents[0]!;
  if (deleted.type !== "status.deleted") throw new Error("expected status.deleted");
  t.same([...deleted.audienceIds].sort(), [raj, mia].sort(), "mentioned and replied-to remote accounts, no locals");
  t.match(deleted, {
    uri: status.uri,
    accountId: ana.account.id,
    reblogOf: null,
    localOnly: false,
    visibility: "unlisted",
  });
});

t.test("local_only posts: per post in any boolean spelling, by default, and for boosts", async (t) => {
  t.equal((await post(ana, { status: "campus only", local_only: true })).local_only, true);
  t.equal((await post(ana, { status: "json string", local_only: "true" })).local_only, true);
  t.equal((await post(ana, "status=form+field&local_only=1")).local_only, true);
  t.equal((await post(ana, "status=form+off&local_only=0")).local_only, false);
  t.equal((await post(ana, { status: "federated" })).local_only, false);

  const localOnly = await post(bruno, { status: "stays here", local_only: "on" });
  const { result: intentsOf } = await intentsDuring(instance, async () => {
    const boost = await app.inject({ method: "POST", url: `/api/v1/statuses/${localOnly.id}/reblog`, headers: ana.auth });
    return boost.json();
  });
  t.equal(intentsOf.local_only, true, "a boost of a local-only post is local-only");
  t.equal(intentsOf.reblog.local_only, true);
  const unboost = await intentsDuring(instance, () =>
    app.inject({ method: "POST", url: `/api/v1/statuses/${localOnly.id}/unreblog`, headers: ana.auth }),
  );
  t.match(unboost.intents, [{ type: "status.deleted", localOnly: true }]);

  const set = await app.inject({
    method: "PATCH",
    url: "/api/v1/accounts/update_credentials",
    headers: bruno.auth,
    payload: { source: { local_only: true } },
  });
  t.equal(set.statusCode, 200, set.body);
  t.equal(set.json().source.local_only, true);
  const verified = await app.inject({ url: "/api/v1/accounts/verify_credentials", headers: bruno.auth });
  t.equal(verified.json().source.local_only, true);
  const byDefault = await intentsDuring(instance, () => post(bruno, { status: "by default" }));
  t.equal(byDefault.result.local_only, true);
  t.equal(byDefault.intents.length, 1, "local-only posts are announced too; the worker keeps them home");
  t.equal((await post(bruno, { status: "this one goes out", local_only: false })).local_only, false);
  const form = await app.inject({
    method: "PATCH",
    url: "/api/v1/accounts/update_credentials",
    headers: { ...bruno.auth, "content-type": "application/x-www-form-urlencoded" },
    payload: "source[local_only]=false",
  });
  t.equal(form.json().source.local_only, false);
});

t.test("update_credentials announces account.updated, but not for posting defaults alone", async (t) => {
  const { result, intents } = await intentsDuring(instance, () =>
    app.inject({
      method: "PATCH",
      url: "/api/v1/accounts/update_credentials",
      headers: ana.auth,
      payload: { display_name: "Ana L." },
    }),
  );
  t.equal(result.statusCode, 200);
  t.same(intents, [{ type: "account.updated", accountId: ana.account.id }]);
  const defaults = await intentsDuring(instance, () =>
    app.inject({
      method: "PATCH",
      url: "/api/v1/accounts/update_credentials",
      headers: ana.auth,
      payload: { source: { privacy: "unlisted" } },
    }),
  );
  t.same(defaults.intents, []);
});

t.test("following a remote account is a request until its campus accepts", async (t) => {
  const raj = await remoteAccount("raj2");
  const earlier = await remotePost(raj, "posted before the follow");
  const before = await counts(ana.account.id);
  const { result: requested, intents } = await intentsDuring(instance, () =>
    accountAction(ana, raj, "follow", { notify: true }),
  );
  t.match(requested, { following: false, requested: true, notifying: true });
  const request = await context.db
    .selectFrom("follow_requests")
    .selectAll()
    .where("account_id", "=", ana.account.id)
    .where("target_account_id", "=", raj)
    .executeTakeFirstOrThrow();
  t.equal(request.uri, `${ana.account.uri}#follows/${request.id}`);
  t.same(intents, [{ type: "follow.requested", requestId: request.id, accountId: ana.account.id }]);
  t.same(await counts(ana.account.id), before, "nothing counts before the answer");

  const again = await intentsDuring(instance, () => accountAction(ana, raj, "follow", { reblogs: false }));
  t.match(again.result, { requested: true, showing_reblogs: false }, "asking again updates the request's options");
  t.same(again.intents, []);

  const followed: unknown[] = [];
  const listener = (event: unknown) => followed.push(event);
  context.events.on("follow.created", listener);
  const accepted = await intentsDuring(instance, () =>
    acceptOutgoingFollow(context, { requestUri: request.uri! }),
  );
  context.events.off("follow.created", listener);
  t.equal(accepted.result, true);
  t.same(accepted.intents, [], "accepting what the sibling accepted announces nothing back");
  t.match(followed, [{ accountId: ana.account.id, targetAccountId: raj }]);
  t.match(await relationship(ana, raj), { following: true, requested: false, notifying: true });
  t.same(await counts(ana.account.id), [before[0], before[1] + 1]);
  const home = await app.inject({ url: "/api/v1/timelines/home", headers: ana.auth });
  t.ok(
    home.json().some((status: { id: string }) => status.id === earlier),
    "the home feed is backfilled with the account's posts",
  );
  t.equal(await acceptOutgoingFollow(context, { requestUri: request.uri! }), false, "an answer counts once");

  const undone = await intentsDuring(instance, () => accountAction(ana, raj, "unfollow"));
  t.match(undone.result, { following: false, requested: false });
  t.same(undone.intents, [
    { type: "follow.undone", uri: request.uri, accountId: ana.account.id, targetAccountId: raj },
  ]);
  t.same(await counts(ana.account.id), before);
  const nothing = await intentsDuring(instance, () => accountAction(ana, raj, "unfollow"));
  t.same(nothing.intents, [], "unfollowing again tells nobody anything");
});

t.test("withdrawing and rejected requests to remote accounts", async (t) => {
  const sam = await remoteAccount("sam", { locked: true });
  await accountAction(bruno, sam, "follow");
  const request = await context.db
    .selectFrom("follow_requests")
    .selectAll()
    .where("account_id", "=", bruno.account.id)
    .executeTakeFirstOrThrow();
  const withdrawn = await intentsDuring(instance, () => accountAction(bruno, sam, "unfollow"));
  t.same(withdrawn.intents, [
    { type: "follow.undone", uri: request.uri, accountId: bruno.account.id, targetAccountId: sam },
  ]);

  await accountAction(bruno, sam, "follow");
  t.equal(await rejectOutgoingFollow(context, { followerId: bruno.account.id, targetId: sam }), true);
  t.match(await relationship(bruno, sam), { following: false, requested: false });
  t.equal(await rejectOutgoingFollow(context, { followerId: bruno.account.id, targetId: sam }), false);

  // A follow accepted earlier and rejected later (the remote account removed its follower).
  await accountAction(bruno, sam, "follow");
  t.equal(await acceptOutgoingFollow(context, { followerId: bruno.account.id, targetId: sam }), true);
  const [followers] = await counts(sam);
  t.equal(followers, 1);
  const uri = (
    await context.db
      .selectFrom("follows")
      .select("uri")
      .where("account_id", "=", bruno.account.id)
      .where("target_account_id", "=", sam)
      .executeTakeFirstOrThrow()
  ).uri;
  t.ok(uri, "the follow keeps its request's URI");
  const rejected = await intentsDuring(instance, () => rejectOutgoingFollow(context, { requestUri: uri! }));
  t.equal(rejected.result, true);
  t.same(rejected.intents, []);
  t.match(await relationship(bruno, sam), { following: false, requested: false });
  t.same(await counts(sam), [0, 0]);

  // Answers only concern a local account's follow of a remote one.
  await accountAction(bruno, ana.account.id, "follow");
  t.equal(await rejectOutgoingFollow(context, { followerId: bruno.account.id, targetId: ana.account.id }), false);
  t.match(await relationship(bruno, ana.account.id), { following: true });
});

t.test("answering a remote account's follow request announces follow.decided", async (t) => {
  const carla = await createTestUser(instance, "carla");
  await app.inject({
    method: "PATCH",
    url: "/api/v1/accounts/update_credentials",
    headers: carla.auth,
    payload: { locked: true },
  });
  const remoteIds = [await remoteAccount("ravi"), await remoteAccount("rosa"), await remoteAccount("rui")];
  // As the inbox stores them: requests from remote accounts, with their Follow's URI.
  for (const id of remoteIds) {
    await context.db
      .insertInto("follow_requests")
      .values({ account_id: id, target_account_id: carla.account.id, uri: `https://campus-b.example/follows/${id}` })
      .execute();
  }
  const local = await createTestUser(instance, "lukas");
  await accountAction(local, carla.account.id, "follow");

  const authorized = await intentsDuring(instance, () =>
    app.inject({ method: "POST", url: `/api/v1/follow_requests/${remoteIds[0]}/authorize`, headers: carla.auth }),
  );
  t.equal(authorized.result.json().followed_by, true);
  t.same(authorized.intents, [
    {
      type: "follow.decided",
      accepted: true,
      followUri: `https://campus-b.example/follows/${remoteIds[0]}`,
      accountId: carla.account.id,
      targetAccountId: remoteIds[0],
    },
  ]);
  const rejected = await intentsDuring(instance, () =>
    app.inject({ method: "POST", url: `/api/v1/follow_requests/${remoteIds[1]}/reject`, headers: carla.auth }),
  );
  t.match(rejected.intents, [{ type: "follow.decided", accepted: false, targetAccountId: remoteIds[1] }]);
  const localDecision = await intentsDuring(instance, () =>
    app.inject({ method: "POST", url: `/api/v1/follow_requests/${local.account.id}/authorize`, headers: carla.auth }),
  );
  t.same(localDecision.intents, [], "a local requester needs no federation");

  const unlocked = await intentsDuring(instance, () =>
    app.inject({
      method: "PATCH",
      url: "/api/v1/accounts/update_credentials",
      headers: carla.auth,
      payload: { locked: false },
    }),
  );
  t.match(
    unlocked.intents.filter((intent) => intent.type === "follow.decided"),
    [{ accepted: true, targetAccountId: remoteIds[2] }],
    "unlocking accepts the remaining requests and says so",
  );

  // Remote followers never get notifications rows here, even when they asked to be notified.
  await context.db
    .updateTable("follows")
    .set({ notify: true })
    .where("target_account_id", "=", carla.account.id)
    .execute();
  await post(carla, { status: "followers with bells on" });
  const remoteRows = await context.db
    .selectFrom("notifications")
    .select("id")
    .where("account_id", "in", remoteIds)
    .execute();
  t.same(remoteRows, []);
  const localRows = await context.db
    .selectFrom("notifications")
    .select("id")
    .where("account_id", "=", local.account.id)
    .where("type", "=", "status")
    .execute();
  t.equal(localRows.length, 1, "local followers with notify still hear about it");
});

t.test("intents are in order per account and all pending", async (t) => {
  const all = await readIntents(instance);
  t.ok(all.length > 10);
  const statuses = await context.db
    .selectFrom("federation_queue")
    .select("status")
    .distinct()
    .execute();
  t.same(
    statuses.map((row) => row.status),
    ["pending"],
  );
});
