import t from "tap";
import { createTestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t);
const { app } = instance;
const alice = await createTestUser(instance, "alice");
const bob = await createTestUser(instance, "bob");

t.test("a post with a mention and a hashtag links both and notifies the mentioned colleague", async (t) => {
  const posted = await app.inject({
    method: "POST",
    url: "/api/v1/statuses",
    headers: alice.auth,
    payload: { status: "Who knows CRM? @bob #help" },
  });
  t.equal(posted.statusCode, 200, posted.body);
  const status = posted.json();
  t.match(status.content, /class="u-url mention"/);
  t.match(status.content, /href="https:\/\/campus-a\.example\/tags\/help"/);
  t.same(status.mentions.map((m: { acct: string }) => m.acct), ["bob"]);
  t.same(status.tags.map((tag: { name: string }) => tag.name), ["help"]);
  t.equal(status.in_reply_to_id, null);
  t.equal(status.account.statuses_count, 1);

  const notifications = await app.inject({ url: "/api/v1/notifications", headers: bob.auth });
  const mention = notifications.json().find((n: { type: string }) => n.type === "mention");
  t.ok(mention, "bob has a mention notification");
  t.equal(mention.status.id, status.id);
  t.equal(mention.account.id, alice.account.id);
});

t.test("the character limit counts links as 23 characters", async (t) => {
  const long = `${"x".repeat(470)} https://example.com/${"y".repeat(200)}`;
  const ok = await app.inject({ method: "POST", url: "/api/v1/statuses", headers: alice.auth, payload: { status: long } });
  t.equal(ok.statusCode, 200, ok.body);
  const tooLong = await app.inject({
    method: "POST",
    url: "/api/v1/statuses",
    headers: alice.auth,
    payload: { status: "x".repeat(501) },
  });
  t.equal(tooLong.statusCode, 422);
  t.match(tooLong.json().error, /character limit of 500/);
});

t.test("an Idempotency-Key returns the first post instead of posting twice", async (t) => {
  const send = () =>
    app.inject({
      method: "POST",
      url: "/api/v1/statuses",
      headers: { ...alice.auth, "idempotency-key": "key-1" },
      payload: { status: "only once" },
    });
  const first = (await send()).json();
  const second = (await send()).json();
  t.equal(second.id, first.id);
});

t.test("followers-only and direct posts stay with their audience", async (t) => {
  const carol = await createTestUser(instance, "carol");
  const privatePost = (
    await app.inject({
      method: "POST",
      url: "/api/v1/statuses",
      headers: alice.auth,
      payload: { status: "followers only", visibility: "private" },
    })
  ).json();
  const direct = (
    await app.inject({
      method: "POST",
      url: "/api/v1/statuses",
      headers: alice.auth,
      payload: { status: "@bob just you", visibility: "direct" },
    })
  ).json();
  t.equal((await app.inject({ url: `/api/v1/statuses/${privatePost.id}`, headers: carol.auth })).statusCode, 404);
  t.equal((await app.inject({ url: `/api/v1/statuses/${direct.id}`, headers: carol.auth })).statusCode, 404);
  t.equal((await app.inject({ url: `/api/v1/statuses/${direct.id}`, headers: bob.auth })).statusCode, 200);
  await app.inject({ method: "POST", url: `/api/v1/accounts/${alice.account.id}/follow`, headers: carol.auth });
  t.equal((await app.inject({ url: `/api/v1/statuses/${privatePost.id}`, headers: carol.auth })).statusCode, 200);
});

t.test("replies thread in the context endpoint and can be deleted with their source", async (t) => {
  const root = (
    await app.inject({ method: "POST", url: "/api/v1/statuses", headers: alice.auth, payload: { status: "root" } })
  ).json();
  const reply = (
    await app.inject({
      method: "POST",
      url: "/api/v1/statuses",
      headers: bob.auth,
      payload: { status: "@alice a reply", in_reply_to_id: root.id },
    })
  ).json();
  t.equal(reply.in_reply_to_id, root.id);
  t.equal(reply.in_reply_to_account_id, alice.account.id);
  const context = (await app.inject({ url: `/api/v1/statuses/${reply.id}/context`, headers: alice.auth })).json();
  t.same(context.ancestors.map((s: { id: string }) => s.id), [root.id]);
  const rootContext = (await app.inject({ url: `/api/v1/statuses/${root.id}/context`, headers: alice.auth })).json();
  t.same(rootContext.descendants.map((s: { id: string }) => s.id), [reply.id]);
  t.equal((await app.inject({ url: `/api/v1/statuses/${root.id}`, headers: alice.auth })).json().replies_count, 1);

  const notMine = await app.inject({ method: "DELETE", url: `/api/v1/statuses/${root.id}`, headers: bob.auth });
  t.equal(notMine.statusCode, 404);
  const deleted = await app.inject({ method: "DELETE", url: `/api/v1/statuses/${reply.id}`, headers: bob.auth });
  t.equal(deleted.statusCode, 200);
  t.equal(deleted.json().text, "@alice a reply");
  t.equal((await app.inject({ url: `/api/v1/statuses/${reply.id}`, headers: bob.auth })).statusCode, 404);
  t.equal((await app.inject({ url: `/api/v1/statuses/${root.id}`, headers: alice.auth })).json().replies_count, 0);
});
