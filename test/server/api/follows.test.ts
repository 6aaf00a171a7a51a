import t from "tap";
import { createTestUser, type TestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t);
const { app } = instance;
const ana = await createTestUser(instance, "ana");
const bruno = await createTestUser(instance, "bruno");

interface Relationship {
  id: string;
  following: boolean;
  followed_by: boolean;
  requested: boolean;
  requested_by: boolean;
  showing_reblogs: boolean;
  notifying: boolean;
  languages: string[] | null;
}

async function act(user: TestUser, target: TestUser | string, action: string, payload?: Record<string, unknown>) {
  const id = typeof target === "string" ? target : target.account.id;
  return app.inject({ method: "POST", url: `/api/v1/accounts/${id}/${action}`, headers: user.auth, payload });
}

async function relationship(user: TestUser, target: TestUser): Promise<Relationship> {
  const response = await app.inject({
    url: `/api/v1/accounts/relationships?id[]=${target.account.id}`,
    headers: user.auth,
  });
  return response.json()[0];
}

async function counts(target: TestUser): Promise<[number, number]> {
  const account = (await app.inject({ url: `/api/v1/accounts/${target.account.id}`, headers: target.auth })).json();
  return [account.followers_count, account.following_count];
}

async function lock(user: TestUser, locked: boolean) {
  const response = await app.inject({
    method: "PATCH",
    url: "/api/v1/accounts/update_credentials",
    headers: user.auth,
    payload: { locked },
  });
  if (response.statusCode !== 200) throw new Error(response.body);
  return response.json();
}

async function requests(user: TestUser, query = "") {
  const response = await app.inject({ url: `/api/v1/follow_requests${query}`, headers: user.auth });
  return { response, ids: response.json().map((account: { id: string }) => account.id) as string[] };
}

t.test("follow and unfollow change the relationship and the counts", async (t) => {
  const followed = await act(ana, bruno, "follow");
  t.equal(followed.statusCode, 200);
  t.match(followed.json(), {
    id: bruno.account.id,
    following: true,
    followed_by: false,
    requested: false,
    showing_reblogs: true,
    notifying: false,
    languages: null,
  });
  t.same(await counts(ana), [0, 1]);
  t.same(await counts(bruno), [1, 0]);
  t.match(await relationship(bruno, ana), { following: false, followed_by: true });

  // Following again is no second follow; it updates the options.
  const again = await act(ana, bruno, "follow", { reblogs: false, notify: true, languages: ["en", "pt"] });
  t.match(again.json(), { following: true, showing_reblogs: false, notifying: true, languages: ["en", "pt"] });
  t.same(await counts(bruno), [1, 0]);
  const unchanged = await act(ana, bruno, "follow");
  t.match(unchanged.json(), { showing_reblogs: false, notifying: true }, "no options, no change");

  const unfollowed = await act(ana, bruno, "unfollow");
  t.equal(unfollowed.statusCode, 200);
  t.match(unfollowed.json(), { following: false, showing_reblogs: false, notifying: false });
  t.same(await counts(ana), [0, 0]);
  t.same(await counts(bruno), [0, 0]);
  const twice = await act(ana, bruno, "unfollow");
  t.equal(twice.statusCode, 200, "unfollowing someone not followed is fine");
  t.same(await counts(bruno), [0, 0]);
});

t.test("follow refuses oneself and unknown accounts", async (t) => {
  t.equal((await act(ana, ana, "follow")).statusCode, 403);
  t.same(await counts(ana), [0, 0]);
  t.equal((await act(ana, "424242", "follow")).statusCode, 404);
  t.equal((await act(ana, "424242", "unfollow")).statusCode, 404);
  t.equal((await act(ana, "x", "follow")).statusCode, 404);
  // Clients send follow with an empty JSON body, or none at all.
  const empty = await app.inject({
    method: "POST",
    url: `/api/v1/accounts/${bruno.account.id}/follow`,
    headers: { ...ana.auth, "content-type": "application/json" },
    payload: "",
  });
  t.equal(empty.statusCode, 200, empty.body);
  await act(ana, bruno, "unfollow");
});

t.test("a locked account: request, reject, request again, authorize", async (t) => {
  const chen = await createTestUser(instance, "chen");
  const dana = await createTestUser(instance, "dana");
  t.equal((await lock(chen, true)).locked, true);

  const requested = (await act(dana, chen, "follow", { notify: true })).json();
  t.match(requested, { following: false, requested: true, notifying: true });
  t.match(await relationship(chen, dana), { requested_by: true, followed_by: false });
  t.same(await counts(chen), [0, 0], "a request is no follower yet");
  t.same((await requests(chen)).ids, [dana.account.id]);
  t.same((await requests(dana)).ids, [], "requests are the target's to see");
  const me = (await app.inject({ url: "/api/v1/accounts/verify_credentials", headers: chen.auth })).json();
  t.equal(me.source.follow_requests_count, 1);

  const rejected = await app.inject({
    method: "POST",
    url: `/api/v1/follow_requests/${dana.account.id}/reject`,
    headers: chen.auth,
  });
  t.equal(rejected.statusCode, 200);
  t.match(rejected.json(), { id: dana.account.id, followed_by: false, requested_by: false });
  t.match(await relationship(dana, chen), { following: false, requested: false });
  t.same((await requests(chen)).ids, []);
  t.equal(
    (await app.inject({ method: "POST", url: `/api/v1/follow_requests/${dana.account.id}/authorize`, headers: chen.auth }))
      .statusCode,
    404,
    "nothing left to authorize",
  );

  await act(dana, chen, "follow");
  const authorized = await app.inject({
    method: "POST",
    url: `/api/v1/follow_requests/${dana.account.id}/authorize`,
    headers: chen.auth,
  });
  t.equal(authorized.statusCode, 200);
  t.match(authorized.json(), { id: dana.account.id, followed_by: true, requested_by: false });
  t.match(await relationship(dana, chen), { following: true, requested: false });
  t.same(await counts(chen), [1, 0]);
  t.same(await counts(dana), [0, 1]);
  const followers = (await app.inject({ url: `/api/v1/accounts/${chen.account.id}/followers`, headers: dana.auth })).json();
  t.same(
    followers.map((account: { id: string }) => account.id),
    [dana.account.id],
  );
});

t.test("unfollowing withdraws a pending request", async (t) => {
  const erin = await createTestUser(instance, "erin");
  await lock(erin, true);
  await act(ana, erin, "follow");
  t.same((await requests(erin)).ids, [ana.account.id]);
  const withdrawn = (await act(ana, erin, "unfollow")).json();
  t.match(withdrawn, { following: false, requested: false });
  t.same((await requests(erin)).ids, []);
  const notifications = (await app.inject({ url: "/api/v1/notifications", headers: erin.auth })).json();
  t.same(notifications, [], "the withdrawn request no longer asks for a decision");
});

t.test("unlocking an account accepts its pending requests", async (t) => {
  const fay = await createTestUser(instance, "fay");
  await lock(fay, true);
  const secret = (
    await app.inject({
      method: "POST",
      url: "/api/v1/statuses",
      headers: fay.auth,
      payload: { status: "followers only", visibility: "private" },
    })
  ).json();
  await act(ana, fay, "follow");
  await act(bruno, fay, "follow");
  const unlocked = await lock(fay, false);
  t.equal(unlocked.locked, false);
  t.equal(unlocked.source.follow_requests_count, 0);
  t.same((await requests(fay)).ids, []);
  t.match(await relationship(ana, fay), { following: true, requested: false });
  t.match(await relationship(bruno, fay), { following: true, requested: false });
  t.same(await counts(fay), [2, 0]);
  const home = (await app.inject({ url: "/api/v1/timelines/home", headers: ana.auth })).json();
  t.ok(
    home.some((status: { id: string }) => status.id === secret.id),
    "the new follower's home has the followers-only post",
  );
});

t.test("follow requests page with Link headers", async (t) => {
  const gus = await createTestUser(instance, "gus");
  await lock(gus, true);
  const requesters: TestUser[] = [ana, bruno];
  for (const name of ["hal", "ivy"]) requesters.push(await createTestUser(instance, name));
  for (const requester of requesters) await act(requester, gus, "follow");
  const newestFirst = requesters.map((requester) => requester.account.id).reverse();

  const first = await requests(gus, "?limit=3");
  t.same(first.ids, newestFirst.slice(0, 3));
  const link = /<([^>]+)>;\s*rel="next"/.exec(String(first.response.headers.link))?.[1];
  t.ok(link, "a next link");
  const next = new URL(link!);
  const second = await requests(gus, next.search);
  t.same(second.ids, newestFirst.slice(3));

  // A suspended requester drops out of the list and the count.
  const ivy = requesters.at(-1)!;
  await instance.context.db.updateTable("accounts").set({ suspended_at: new Date() }).where("id", "=", ivy.account.id).execute();
  t.same((await requests(gus)).ids, newestFirst.slice(1));
  const me = (await app.inject({ url: "/api/v1/accounts/verify_credentials", headers: gus.auth })).json();
  t.equal(me.source.follow_requests_count, 3);
});

t.test("a subscription with notify brings the followed account's posts as notifications", async (t) => {
  const jay = await createTestUser(instance, "jay");
  const kim = await createTestUser(instance, "kim");
  await act(jay, kim, "follow", { notify: "true" });
  const status = (
    await app.inject({ method: "POST", url: "/api/v1/statuses", headers: kim.auth, payload: { status: "news" } })
  ).json();
  const notifications = (await app.inject({ url: "/api/v1/notifications", headers: jay.auth })).json();
  t.same(
    notifications.map((notification: { type: string; status?: { id: string } }) => [notification.type, notification.status?.id]),
    [["status", status.id]],
  );
  const follows = (await app.inject({ url: "/api/v1/notifications?types[]=follow", headers: kim.auth })).json();
  t.same(
    follows.map((notification: { account: { id: string } }) => notification.account.id),
    [jay.account.id],
  );
});

t.test("follow.created is announced for every follow that comes to exist, and only then", async (t) => {
  const announced: string[] = [];
  const listener = (event: { accountId: string; targetAccountId: string; followId: string }) => {
    t.match(event.followId, /^\d+$/);
    announced.push(`${event.accountId}->${event.targetAccountId}`);
  };
  instance.context.events.on("follow.created", listener);
  t.teardown(() => instance.context.events.off("follow.created", listener));
  const [nia, oli, pat] = [
    await createTestUser(instance, "nia"),
    await createTestUser(instance, "oli"),
    await createTestUser(instance, "pat"),
  ];
  const edge = (from: TestUser, to: TestUser) => `${from.account.id}->${to.account.id}`;

  await act(nia, oli, "follow");
  await act(nia, oli, "follow", { notify: true });
  t.same(announced, [edge(nia, oli)], "a new follow, once; changing options is no new follow");

  await lock(pat, true);
  await act(nia, pat, "follow");
  await act(oli, pat, "follow");
  t.same(announced, [edge(nia, oli)], "a request is not a follow");
  await app.inject({ method: "POST", url: `/api/v1/follow_requests/${nia.account.id}/authorize`, headers: pat.auth });
  t.same(announced, [edge(nia, oli), edge(nia, pat)]);
  await lock(pat, false);
  t.same(announced, [edge(nia, oli), edge(nia, pat), edge(oli, pat)], "unlocking accepts the rest");
});

t.test("follow endpoints need the follow scopes", async (t) => {
  const reader = await createTestUser(instance, "lee", { scopes: ["read"] });
  t.equal((await act(reader, bruno, "follow")).statusCode, 403);
  const follower = await createTestUser(instance, "max", { scopes: ["follow"] });
  t.equal((await act(follower, bruno, "follow")).statusCode, 200, "the legacy follow scope covers write:follows");
  t.equal((await act(follower, bruno, "unfollow")).statusCode, 200);
  t.equal((await app.inject({ method: "POST", url: `/api/v1/accounts/${bruno.account.id}/follow` })).statusCode, 401);
});
