// Editing posts: PUT /api/v1/statuses/:id, /history and /source, with the notifications and the
// intent an edit leaves.
import t from "tap";
import { createTestUser, type TestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";
import { intentsDuring } from "../../helpers/intents.ts";

const instance = await startTestInstance(t);
const { app, context } = instance;
const ana = await createTestUser(instance, "ana");
const bruno = await createTestUser(instance, "bruno");
const chen = await createTestUser(instance, "chen");
const dana = await createTestUser(instance, "dana");

interface Status {
  id: string;
  content: string;
  text?: string;
  spoiler_text: string;
  sensitive: boolean;
  language: string | null;
  created_at: string;
  edited_at: string | null;
  mentions: { acct: string }[];
  tags: { name: string }[];
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

async function edit(user: TestUser, id: string, payload: Record<string, unknown>) {
  return app.inject({ method: "PUT", url: `/api/v1/statuses/${id}`, headers: user.auth, payload });
}

async function notifications(user: TestUser, type: string, statusId: string) {
  const response = await app.inject({ url: `/api/v1/notifications?types[]=${type}`, headers: user.auth });
  return (response.json() as { id: string; account: { id: string }; status?: { id: string; content: string } }[]).filter(
    (notification) => notification.status?.id === statusId,
  );
}

t.test("an edit replaces the text, re-reads mentions and tags, and keeps the earlier version", async (t) => {
  const original = await post(ana, "Standup moved to 10 @bruno #standup", { language: "en" });
  const boosted = await app.inject({ method: "POST", url: `/api/v1/statuses/${original.id}/reblog`, headers: chen.auth });
  t.equal(boosted.statusCode, 200);

  const { result: response, intents } = await intentsDuring(instance, () =>
    edit(ana, original.id, { status: "Standup moved to 11 @bruno @dana #meetings", spoiler_text: "schedule" }),
  );
  t.equal(response.statusCode, 200, response.body);
  const edited = response.json() as Status;
  t.equal(edited.id, original.id);
  t.match(edited.content, /moved to 11/);
  t.same(
    edited.mentions.map((mention) => mention.acct),
    ["bruno", "dana"],
  );
  t.same(
    edited.tags.map((tag) => tag.name),
    ["meetings"],
  );
  t.equal(edited.spoiler_text, "schedule");
  t.equal(edited.sensitive, true, "a content warning makes the post sensitive");
  t.equal(edited.language, "en", "the language stays when none is given");
  t.ok(edited.edited_at && Date.parse(edited.edited_at) >= Date.parse(original.created_at));
  t.same(intents, [{ type: "status.updated", statusId: original.id, accountId: ana.account.id }]);

  t.equal((await notifications(dana, "mention", original.id)).length, 1, "a newly mentioned colleague is notified");
  t.equal((await notifications(bruno, "mention", original.id)).length, 1, "someone mentioned before is not notified again");
  const updates = await notifications(chen, "update", original.id);
  t.equal(updates.length, 1, "who boosted the post is told it changed");
  t.equal(updates[0]?.account.id, ana.account.id);
  t.match(updates[0]?.status?.content, /moved to 11/);

  const tagged = await app.inject({ url: "/api/v1/timelines/tag/standup", headers: bruno.auth });
  t.notOk(tagged.json().some((status: Status) => status.id === original.id), "a tag no longer in the text lets go");

  const third = await edit(ana, original.id, { status: "Standup moved to 11:30 @bruno", sensitive: false });
  t.equal(third.statusCode, 200);
  t.equal(third.json().sensitive, false);
  t.equal(third.json().spoiler_text, "", "a missing content warning means none, as in Mastodon's PUT");
  t.same(
    third.json().mentions.map((mention: { acct: string }) => mention.acct),
    ["bruno"],
  );
  t.equal((await notifications(chen, "update", original.id)).length, 1, "a newer edit replaces the notice");
  const danaView = await app.inject({ url: `/api/v1/statuses/${original.id}`, headers: dana.auth });
  t.equal(danaView.statusCode, 200, "a public post stays visible to the unmentioned");

  const history = await app.inject({ url: `/api/v1/statuses/${original.id}/history`, headers: bruno.auth });
  t.equal(history.statusCode, 200);
  const versions = history.json() as {
    content: string;
    spoiler_text: string;
    sensitive: boolean;
    created_at: string;
    account: { id: string };
    media_attachments: unknown[];
  }[];
  t.equal(versions.length, 3, "the original, the first edit, and the current version");
  t.match(versions[0]!.content, /moved to 10/);
  t.equal(versions[0]!.created_at, original.created_at, "the original dates from the post");
  t.match(versions[1]!, { spoiler_text: "schedule", sensitive: true });
  t.match(versions[1]!.content, /moved to 11 /);
  t.equal(versions[1]!.created_at, edited.edited_at);
  t.match(versions[2]!.content, /11:30/);
  t.equal(versions[2]!.created_at, third.json().edited_at, "the current version dates from the last edit");
  t.ok(versions.every((version) => version.account.id === ana.account.id));
  t.same(versions[0]!.media_attachments, []);

  const source = await app.inject({ url: `/api/v1/statuses/${original.id}/source`, headers: ana.auth });
  t.same(source.json(), { id: original.id, text: "Standup moved to 11:30 @bruno", spoiler_text: "" });
});

t.test("an edit that changes nothing records nothing", async (t) => {
  const status = await post(ana, "steady", { spoiler_text: "cw" });
  const { result, intents } = await intentsDuring(instance, () =>
    edit(ana, status.id, { status: "steady", spoiler_text: "cw", sensitive: true }),
  );
  t.equal(result.statusCode, 200);
  t.equal(result.json().edited_at, null);
  t.same(intents, []);
  const edits = await context.db.selectFrom("status_edits").select("id").where("status_id", "=", status.id).execute();
  t.same(edits, []);
  const history = await app.inject({ url: `/api/v1/statuses/${status.id}/history`, headers: ana.auth });
  t.equal(history.json().length, 1, "a post never edited has one version");
  t.equal(history.json()[0].created_at, status.created_at);
});

t.test("only the author edits, and what cannot be edited is refused", async (t) => {
  const status = await post(ana, "mine");
  t.equal((await edit(bruno, status.id, { status: "yours" })).statusCode, 404);
  t.equal((await edit(ana, "123456789", { status: "nothing" })).statusCode, 404);
  const blank = await edit(ana, status.id, { status: "  " });
  t.equal(blank.statusCode, 422);
  t.match(blank.json().error, /can't be blank/);
  t.equal((await edit(ana, status.id, { status: "x".repeat(501) })).statusCode, 422);
  t.equal((await edit(ana, status.id, { status: "with media", media_ids: ["1"] })).statusCode, 422);
  t.equal((await edit(ana, status.id, { status: "with poll", poll: { options: ["a", "b"] } })).statusCode, 422);
  t.equal((await edit(ana, status.id, { status: "bad language", language: "not a code" })).statusCode, 422);
  const emptyMedia = await edit(ana, status.id, { status: "apps send an empty list", media_ids: [] });
  t.equal(emptyMedia.statusCode, 200, "an empty media_ids is fine");

  const boost = await app.inject({ method: "POST", url: `/api/v1/statuses/${status.id}/reblog`, headers: bruno.auth });
  t.equal((await edit(bruno, boost.json().id, { status: "boost text" })).statusCode, 422);
  const edits = await context.db.selectFrom("status_edits").select("id").where("status_id", "=", status.id).execute();
  t.equal(edits.length, 1, "refused edits left no versions behind");
});

t.test("history and source follow the post's visibility", async (t) => {
  const direct = await post(ana, "@bruno only you", { visibility: "direct" });
  for (const path of ["history", "source"]) {
    t.equal((await app.inject({ url: `/api/v1/statuses/${direct.id}/${path}`, headers: chen.auth })).statusCode, 404);
    t.equal((await app.inject({ url: `/api/v1/statuses/${direct.id}/${path}`, headers: bruno.auth })).statusCode, 200);
  }
});

t.test("a direct post edited to mention someone else reaches them instead", async (t) => {
  // bruno and dana follow ana; the direct post reaches the home of who it mentions.
  for (const user of [bruno, dana]) {
    await app.inject({ method: "POST", url: `/api/v1/accounts/${ana.account.id}/follow`, headers: user.auth });
  }
  const direct = await post(ana, "@bruno a word", { visibility: "direct" });
  const home = async (user: TestUser) =>
    (await app.inject({ url: "/api/v1/timelines/home", headers: user.auth })).json().map((s: Status) => s.id);
  t.ok((await home(bruno)).includes(direct.id));
  t.notOk((await home(dana)).includes(direct.id));
  const edited = await edit(ana, direct.id, { status: "@dana a word" });
  t.equal(edited.statusCode, 200);
  t.ok((await home(dana)).includes(direct.id));
  t.notOk((await home(bruno)).includes(direct.id));
  t.equal((await app.inject({ url: `/api/v1/statuses/${direct.id}`, headers: bruno.auth })).statusCode, 404);
  t.equal((await notifications(dana, "mention", direct.id)).length, 1);
});
