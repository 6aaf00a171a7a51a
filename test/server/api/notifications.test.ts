import t from "tap";
import { createTestUser, type TestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t);
const { app } = instance;
const ana = await createTestUser(instance, "ana");
const bruno = await createTestUser(instance, "bruno");
const chen = await createTestUser(instance, "chen");

interface ApiNotification {
  id: string;
  type: string;
  group_key: string;
  created_at: string;
  account: { id: string; acct: string };
  status?: { id: string; content: string } | null;
}

async function post(user: TestUser, status: string, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await app.inject({ method: "POST", url: "/api/v1/statuses", headers: user.auth, payload: { status, ...extra } });
  if (response.statusCode !== 200) throw new Error(`post failed: ${response.body}`);
  return response.json().id;
}

async function follow(user: TestUser, target: TestUser, payload: Record<string, unknown> = {}) {
  const response = await app.inject({
    method: "POST",
    url: `/api/v1/accounts/${target.account.id}/follow`,
    headers: user.auth,
    payload,
  });
  if (response.statusCode !== 200) throw new Error(`follow failed: ${response.body}`);
}

async function list(user: TestUser, query = ""): Promise<ApiNotification[]> {
  const response = await app.inject({ url: `/api/v1/notifications${query}`, headers: user.auth });
  if (response.statusCode !== 200) throw new Error(`${query}: ${response.statusCode} ${response.body}`);
  return response.json();
}

function linkOf(response: { headers: Record<string, unknown> }, rel: "next" | "prev"): string | null {
  const match = new RegExp(`<([^>]+)>;\\s*rel="${rel}"`).exec(String(response.headers.link ?? ""));
  if (!match) return null;
  const url = new URL(match[1]!);
  return url.pathname + url.search;
}

// ana is followed by bruno and chen, and mentioned by both.
await follow(bruno, ana);
const brunoMention = await post(bruno, "@ana have you seen this?");
await follow(chen, ana);
const chenMention = await post(chen, "@ana @bruno lunch?");
const selfMention = await post(ana, "note to @ana self");

t.test("follows and mentions notify, newest first, with their account and status", async (t) => {
  const all = await list(ana);
  t.same(
    all.map((notification) => [notification.type, notification.account.acct, notification.status?.id ?? null]),
    [
      ["mention", "chen", chenMention],
      ["follow", "chen", null],
      ["mention", "bruno", brunoMention],
      ["follow", "bruno", null],
    ],
    "no notification for mentioning oneself",
  );
  const [mention, followed] = all;
  t.match(mention!.id, /^\d+$/);
  t.equal(mention!.group_key, `ungrouped-${mention!.id}`);
  t.ok(Number.isFinite(Date.parse(mention!.created_at)));
  t.match(mention!.status?.content, /@<span>ana<\/span>/);
  t.notOk("status" in followed! && followed!.status, "a follow carries no status");
  t.notOk(all.some((notification) => notification.status?.id === selfMention));
});

t.test("types[], exclude_types[] and account_id filter", async (t) => {
  const types = (items: ApiNotification[]) => items.map((notification) => `${notification.type}:${notification.account.acct}`);
  t.same(types(await list(ana, "?types[]=mention")), ["mention:chen", "mention:bruno"]);
  t.same(types(await list(ana, "?types=follow")), ["follow:chen", "follow:bruno"], "a bare types= works too");
  t.same(types(await list(ana, "?types[]=follow&types[]=mention&account_id=" + bruno.account.id)), [
    "mention:bruno",
    "follow:bruno",
  ]);
  t.same(types(await list(ana, "?exclude_types[]=mention")), ["follow:chen", "follow:bruno"]);
  t.same(types(await list(ana, "?exclude_types[]=mention&exclude_types[]=follow")), []);
  t.same(types(await list(ana, "?types[]=favourite")), []);
  t.same(types(await list(ana, `?account_id=${chen.account.id}&exclude_types[]=follow`)), ["mention:chen"]);
  t.same(await list(ana, "?account_id=12345"), []);
});

t.test("paging with limit and Link headers that keep the filters", async (t) => {
  const first = await app.inject({ url: "/api/v1/notifications?limit=1&types[]=mention", headers: ana.auth });
  t.equal(first.json().length, 1);
  t.equal(first.json()[0].status.id, chenMention);
  const next = linkOf(first, "next")!;
  t.match(next, /types%5B%5D=mention|types\[\]=mention/);
  const second = await app.inject({ url: next, headers: ana.auth });
  t.same(
    second.json().map((notification: ApiNotification) => notification.status?.id),
    [brunoMention],
    "the next page skips the follows",
  );
  const third = await app.inject({ url: linkOf(second, "next")!, headers: ana.auth });
  t.same(third.json(), []);
  const back = await app.inject({ url: linkOf(second, "prev")!, headers: ana.auth });
  t.same(
    back.json().map((notification: ApiNotification) => notification.status?.id),
    [chenMention],
  );

  const all = await list(ana);
  t.same(
    (await list(ana, `?max_id=${all[1]!.id}`)).map((notification) => notification.id),
    all.slice(2).map((notification) => notification.id),
  );
  t.same(
    (await list(ana, `?min_id=${all[3]!.id}&limit=2`)).map((notification) => notification.id),
    [all[1]!.id, all[2]!.id],
  );
  t.same(
    (await list(ana, `?since_id=${all[3]!.id}&limit=2`)).map((notification) => notification.id),
    [all[0]!.id, all[1]!.id],
  );
});

t.test("a followers-only subscriber with notify gets status notifications", async (t) => {
  const dana = await createTestUser(instance, "dana");
  await follow(dana, bruno, { notify: true });
  const update = await post(bruno, "weekly update", { visibility: "private" });
  await post(bruno, "@ana a direct note", { visibility: "direct" });
  const notifications = await list(dana);
  t.same(
    notifications.map((notification) => [notification.type, notification.status?.id]),
    [["status", update]],
    "a direct post notifies no subscriber",
  );
});

t.test("a follow request to a locked account notifies, and goes once decided", async (t) => {
  const erin = await createTestUser(instance, "erin");
  const fay = await createTestUser(instance, "fay");
  await app.inject({ method: "PATCH", url: "/api/v1/accounts/update_credentials", headers: erin.auth, payload: { locked: true } });
  await follow(fay, erin);
  const [request] = await list(erin);
  t.equal(request?.type, "follow_request");
  t.equal(request?.account.id, fay.account.id);
  t.same(await list(erin, "?types[]=follow"), []);
  await app.inject({ method: "POST", url: `/api/v1/follow_requests/${fay.account.id}/authorize`, headers: erin.auth });
  t.same(await list(erin, "?types[]=follow_request"), []);
});

t.test("GET /:id shows only the viewer's own notifications", async (t) => {
  const [mine] = await list(ana);
  const shown = await app.inject({ url: `/api/v1/notifications/${mine!.id}`, headers: ana.auth });
  t.equal(shown.statusCode, 200);
  t.same(shown.json(), mine);
  t.equal((await app.inject({ url: `/api/v1/notifications/${mine!.id}`, headers: bruno.auth })).statusCode, 404);
  t.equal((await app.inject({ url: "/api/v1/notifications/1", headers: ana.auth })).statusCode, 404);
  t.equal((await app.inject({ url: "/api/v1/notifications/nope", headers: ana.auth })).statusCode, 404);
});

t.test("a deleted post takes its notifications with it", async (t) => {
  const gone = await post(chen, "@bruno soon gone");
  t.ok((await list(bruno)).some((notification) => notification.status?.id === gone));
  const deleted = await app.inject({ method: "DELETE", url: `/api/v1/statuses/${gone}`, headers: chen.auth });
  t.equal(deleted.statusCode, 200);
  t.notOk((await list(bruno)).some((notification) => notification.status?.id === gone));
});

t.test("what a suspended account did is hidden from notifications", async (t) => {
  const spammer = await createTestUser(instance, "spammer");
  const mention = await post(spammer, "@chen buy now");
  const [notification] = await list(chen, `?account_id=${spammer.account.id}`);
  t.equal(notification?.status?.id, mention);
  await instance.context.db
    .updateTable("accounts")
    .set({ suspended_at: new Date() })
    .where("id", "=", spammer.account.id)
    .execute();
  t.notOk((await list(chen)).some((item) => item.account.id === spammer.account.id));
  t.equal((await app.inject({ url: `/api/v1/notifications/${notification!.id}`, headers: chen.auth })).statusCode, 404);
});

t.test("dismiss removes one notification, clear removes all of the viewer's", async (t) => {
  const before = await list(ana);
  const [first, ...rest] = before;
  const othersDismiss = await app.inject({
    method: "POST",
    url: `/api/v1/notifications/${first!.id}/dismiss`,
    headers: bruno.auth,
  });
  t.equal(othersDismiss.statusCode, 404, "not someone else's");
  const dismissed = await app.inject({
    method: "POST",
    url: `/api/v1/notifications/${first!.id}/dismiss`,
    headers: ana.auth,
  });
  t.equal(dismissed.statusCode, 200);
  t.same(dismissed.json(), {});
  t.same(
    (await list(ana)).map((notification) => notification.id),
    rest.map((notification) => notification.id),
  );
  t.equal(
    (await app.inject({ method: "POST", url: `/api/v1/notifications/${first!.id}/dismiss`, headers: ana.auth }))
      .statusCode,
    404,
  );

  const brunoBefore = await list(bruno);
  t.ok(brunoBefore.length > 0);
  const cleared = await app.inject({ method: "POST", url: "/api/v1/notifications/clear", headers: ana.auth });
  t.equal(cleared.statusCode, 200);
  t.same(cleared.json(), {});
  t.same(await list(ana), []);
  t.same(await list(bruno), brunoBefore, "clear touches only the viewer's");
});

t.test("notifications need a token with the notifications scopes", async (t) => {
  t.equal((await app.inject({ url: "/api/v1/notifications" })).statusCode, 401);
  const writer = await createTestUser(instance, "writer", { scopes: ["write:statuses"] });
  t.equal((await app.inject({ url: "/api/v1/notifications", headers: writer.auth })).statusCode, 403);
  const reader = await createTestUser(instance, "reader", { scopes: ["read:notifications"] });
  t.equal((await app.inject({ url: "/api/v1/notifications", headers: reader.auth })).statusCode, 200);
  t.equal(
    (await app.inject({ method: "POST", url: "/api/v1/notifications/clear", headers: reader.auth })).statusCode,
    403,
  );
});
