// Favourites, boosts, edits and local-only posts as a real Mastodon client drives them: masto.js
// against a listening instance, following Link headers with its paginators.
import { createRestAPIClient, MastoHttpError, type mastodon } from "masto";
import t from "tap";
import { createTestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";
import { readIntents } from "../../helpers/intents.ts";

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
  return pages;
}

async function failureStatus(request: () => Promise<unknown>): Promise<number | "no failure"> {
  try {
    await request();
  } catch (error) {
    if (error instanceof MastoHttpError) return error.statusCode;
    throw error;
  }
  return "no failure";
}

t.test("favourite, unfavourite, favouritedBy and the favourites list through masto", async (t) => {
  const posts: mastodon.v1.Status[] = [];
  for (const text of ["one", "two", "three"]) posts.push(await ana.client.v1.statuses.create({ status: text }));
  for (const status of posts) {
    const favourited = await bruno.client.v1.statuses.$select(status.id).favourite();
    t.equal(favourited.favourited, true);
    t.equal(favourited.favouritesCount, 1);
  }
  await chen.client.v1.statuses.$select(posts[0]!.id).favourite();

  const pages = await allPages(bruno.client.v1.favourites.list({ limit: 2 }));
  // As with Mastodon, the page after the last item comes back empty and ends the paginator.
  t.same(
    pages.filter((page) => page.length > 0).map(ids),
    [[posts[2]!.id, posts[1]!.id], [posts[0]!.id]],
    "two pages, newest favourite first",
  );
  const fans = (await allPages(ana.client.v1.statuses.$select(posts[0]!.id).favouritedBy.list({ limit: 1 } as never))).flat();
  t.same(ids(fans), [chen.user.account.id, bruno.user.account.id]);

  const notifications = await ana.client.v1.notifications.list({ types: ["favourite"] });
  t.equal(notifications.length, 4);
  t.ok(notifications.every((notification) => notification.type === "favourite"));

  const undone = await bruno.client.v1.statuses.$select(posts[1]!.id).unfavourite();
  t.equal(undone.favourited, false);
  t.equal(undone.favouritesCount, 0);
  t.same(ids(await bruno.client.v1.favourites.list()), [posts[2]!.id, posts[0]!.id]);
});

t.test("reblog, unreblog and rebloggedBy through masto, with the boost in followers' homes", async (t) => {
  await chen.client.v1.accounts.$select(bruno.user.account.id).follow();
  const original = await ana.client.v1.statuses.create({ status: "share this" });
  const boost = await bruno.client.v1.statuses.$select(original.id).reblog({ visibility: "unlisted" });
  t.equal(boost.visibility, "unlisted");
  t.equal(boost.reblog?.id, original.id);
  t.equal(boost.reblog?.reblogged, true);
  t.equal(boost.reblog?.reblogsCount, 1);

  const home = await chen.client.v1.timelines.home.list({ limit: 5 });
  t.equal(home[0]?.id, boost.id);
  t.equal(home[0]?.reblog?.account.id, ana.user.account.id);

  const boosters = await chen.client.v1.statuses.$select(original.id).rebloggedBy.list();
  t.same(ids(boosters), [bruno.user.account.id]);
  const [notification] = await ana.client.v1.notifications.list({ types: ["reblog"] });
  t.equal(notification?.account.id, bruno.user.account.id);
  t.equal(notification?.status?.id, original.id);

  const direct = await ana.client.v1.statuses.create({ status: `@bruno psst`, visibility: "direct" });
  t.equal(await failureStatus(() => bruno.client.v1.statuses.$select(direct.id).reblog()), 403);

  const undone = await bruno.client.v1.statuses.$select(original.id).unreblog();
  t.equal(undone.id, original.id);
  t.equal(undone.reblogged, false);
  t.equal(undone.reblogsCount, 0);
  t.notOk(ids(await chen.client.v1.timelines.home.list()).includes(boost.id));
});

t.test("update, history and source through masto; boosters hear about the edit", async (t) => {
  const status = await ana.client.v1.statuses.create({ status: "Retro on Thursday", visibility: "public" });
  await chen.client.v1.statuses.$select(status.id).reblog();
  const edited = await ana.client.v1.statuses.$select(status.id).update({
    status: "Retro on Friday #retro",
    spoilerText: "schedule",
  });
  t.match(edited.content, /Friday/);
  t.equal(edited.spoilerText, "schedule");
  t.ok(edited.editedAt);
  t.same(
    edited.tags.map((tag) => tag.name),
    ["retro"],
  );

  const history = await bruno.client.v1.statuses.$select(status.id).history.list();
  t.equal(history.length, 2);
  t.match(history[0]?.content, /Thursday/);
  t.match(history[1]?.content, /Friday/);
  t.equal(history[1]?.spoilerText, "schedule");

  const source = await ana.client.v1.statuses.$select(status.id).source.fetch();
  t.same(source, { id: status.id, text: "Retro on Friday #retro", spoilerText: "schedule" });

  const updates = await chen.client.v1.notifications.list({ types: ["update"] });
  t.equal(updates.length, 1);
  t.equal(updates[0]?.status?.id, status.id);

  const intents = await readIntents(instance, "status.updated");
  t.match(intents, [{ statusId: status.id, accountId: ana.user.account.id }]);
});

t.test("local-only posts and the account default through masto", async (t) => {
  // masto passes through parameters it does not know.
  const localOnly = await ana.client.v1.statuses.create({ status: "campus only", localOnly: true } as never);
  t.equal((localOnly as unknown as { localOnly: boolean }).localOnly, true);
  const me = await bruno.client.v1.accounts.updateCredentials({ source: { localOnly: true } } as never);
  t.equal((me.source as unknown as { localOnly: boolean }).localOnly, true);
  const byDefault = await bruno.client.v1.statuses.create({ status: "stays home" });
  t.equal((byDefault as unknown as { localOnly: boolean }).localOnly, true);
});
