// Lists through the masto client: CRUD, members (only followed accounts), the list timeline with
// its replies policy, exclusive lists, and Link paging.
import { createRestAPIClient, MastoHttpError, type mastodon } from "masto";
import t from "tap";
import { createTestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";
import { mastoStreaming, mastoSubscription } from "../../helpers/streams.ts";

const instance = await startTestInstance(t, { listen: true });
const { url } = instance;

interface Person {
  id: string;
  token: string;
  client: mastodon.rest.Client;
}

async function person(name: string): Promise<Person> {
  const user = await createTestUser(instance, name);
  return { id: user.account.id, token: user.token, client: createRestAPIClient({ url, accessToken: user.token }) };
}

const [ana, bruno, chen, dana] = (await Promise.all(["ana", "bruno", "chen", "dana"].map(person))) as [
  Person,
  Person,
  Person,
  Person,
];

const ids = (items: { id: string }[]) => items.map((item) => item.id);

async function failureStatus(request: () => PromiseLike<unknown>): Promise<number | "no failure"> {
  try {
    await request();
  } catch (error) {
    if (error instanceof MastoHttpError) return error.statusCode;
    throw error;
  }
  return "no failure";
}

async function allPages<T>(paginator: AsyncIterable<T[]>): Promise<T[][]> {
  const pages: T[][] = [];
  for await (const page of paginator) {
    if (page.length > 0) pages.push(page);
    if (pages.length > 20) throw new Error("the paginator does not end");
  }
  return pages;
}

async function listTimeline(who: Person, listId: string): Promise<string[]> {
  return ids(await who.client.v1.timelines.list.$select(listId).list({ limit: 40 }));
}

async function home(who: Person): Promise<string[]> {
  return ids(await who.client.v1.timelines.home.list({ limit: 40 }));
}

t.test("create, show, update and delete lists", async (t) => {
  const team = await ana.client.v1.lists.create({ title: "  Team  " });
  t.match(team, { title: "Team", repliesPolicy: "list", exclusive: false });
  const exclusive = await ana.client.v1.lists.create({
    title: "Close colleagues",
    repliesPolicy: "followed",
    exclusive: true,
  } as never);
  t.match(exclusive, { repliesPolicy: "followed", exclusive: true });
  const [openAsks, ...own] = await ana.client.v1.lists.list();
  t.equal(openAsks?.title, "Open asks", "the server's help-request list comes first");
  t.same(ids(own), [team.id, exclusive.id]);
  t.equal((await ana.client.v1.lists.$select(team.id).fetch()).title, "Team");

  const renamed = await ana.client.v1.lists.$select(team.id).update({
    title: "Platform team",
    repliesPolicy: "none",
  } as never);
  t.match(renamed, { id: team.id, title: "Platform team", repliesPolicy: "none", exclusive: false });
  t.equal(await failureStatus(() => ana.client.v1.lists.create({ title: "   " })), 422, "a blank title");
  t.equal(await failureStatus(() => ana.client.v1.lists.$select(team.id).update({ title: "" })), 422);
  t.equal(await failureStatus(() => bruno.client.v1.lists.$select(team.id).fetch()), 404, "only the owner sees it");
  t.equal(await failureStatus(() => bruno.client.v1.lists.$select(team.id).remove()), 404);

  await ana.client.v1.lists.$select(team.id).remove();
  await ana.client.v1.lists.$select(exclusive.id).remove();
  t.same((await ana.client.v1.lists.list()).map((list) => list.title), ["Open asks"]);
  t.equal(await failureStatus(() => ana.client.v1.lists.$select(team.id).fetch()), 404);
});

t.test("members are accounts you follow; the list timeline shows their posts", async (t) => {
  const list = await ana.client.v1.lists.create({ title: "Design" });
  const earlier = await bruno.client.v1.statuses.create({ status: "earlier work" });
  t.equal(
    await failureStatus(() => ana.client.v1.lists.$select(list.id).accounts.create({ accountIds: [bruno.id] })),
    422,
    "not followed yet",
  );
  await ana.client.v1.accounts.$select(bruno.id).follow();
  await ana.client.v1.accounts.$select(chen.id).follow();
  await ana.client.v1.lists.$select(list.id).accounts.create({ accountIds: [bruno.id] });
  t.equal(
    await failureStatus(() => ana.client.v1.lists.$select(list.id).accounts.create({ accountIds: [bruno.id] })),
    422,
    "already a member",
  );
  t.equal(
    await failureStatus(() => ana.client.v1.lists.$select(list.id).accounts.create({ accountIds: ["123456789"] })),
    404,
    "an unknown account",
  );
  t.same(ids(await ana.client.v1.lists.$select(list.id).accounts.list()), [bruno.id]);
  t.same(ids(await ana.client.v1.accounts.$select(bruno.id).lists.list()), [list.id]);
  t.same(await ana.client.v1.accounts.$select(chen.id).lists.list(), []);

  t.same(await listTimeline(ana, list.id), [earlier.id], "a new member's recent posts come along");
  const post = await bruno.client.v1.statuses.create({ status: "new mockups" });
  const other = await chen.client.v1.statuses.create({ status: "not a member" });
  const timeline = await listTimeline(ana, list.id);
  t.same(timeline, [post.id, earlier.id], "the member's new post, not the non-member's");
  t.notOk(timeline.includes(other.id));
  t.ok((await home(ana)).includes(post.id), "a list that is not exclusive leaves home alone");
  const direct = await bruno.client.v1.statuses.create({ status: "@ana secret", visibility: "direct" });
  t.notOk((await listTimeline(ana, list.id)).includes(direct.id), "direct posts stay out of lists");
  t.equal(await failureStatus(() => bruno.client.v1.timelines.list.$select(list.id).list()), 404);

  await ana.client.v1.lists.$select(list.id).accounts.remove({ accountIds: [bruno.id] });
  t.same(await ana.client.v1.lists.$select(list.id).accounts.list(), []);
  t.same(await listTimeline(ana, list.id), [], "a removed member's posts leave the list");
  await ana.client.v1.lists.$select(list.id).remove();
});

t.test("the replies policy decides which replies a list shows", async (t) => {
  const policies = {} as Record<"followed" | "list" | "none", mastodon.v1.List>;
  for (const policy of ["followed", "list", "none"] as const) {
    policies[policy] = await ana.client.v1.lists.create({ title: policy, repliesPolicy: policy } as never);
    await ana.client.v1.lists.$select(policies[policy].id).accounts.create({ accountIds: [bruno.id] });
  }
  await ana.client.v1.lists.$select(policies.list.id).accounts.create({ accountIds: [chen.id] });
  // ana follows chen but not dana.
  const chensPost = await chen.client.v1.statuses.create({ status: "question" });
  const danasPost = await dana.client.v1.statuses.create({ status: "another question" });
  const anasPost = await ana.client.v1.statuses.create({ status: "my question" });
  const toChen = await bruno.client.v1.statuses.create({ status: "answer to chen", inReplyToId: chensPost.id });
  const toDana = await bruno.client.v1.statuses.create({ status: "answer to dana", inReplyToId: danasPost.id });
  const toAna = await bruno.client.v1.statuses.create({ status: "answer to ana", inReplyToId: anasPost.id });
  const own = await bruno.client.v1.statuses.create({ status: "and a thread", inReplyToId: toAna.id });
  const own2 = await bruno.client.v1.statuses.create({ status: "continued", inReplyToId: own.id });

  const shown = async (policy: keyof typeof policies) =>
    (await listTimeline(ana, policies[policy].id)).filter((id) => [toChen.id, toDana.id, toAna.id, own2.id].includes(id));
  t.same(await shown("followed"), [own2.id, toAna.id, toChen.id], "followed: replies to people ana follows");
  t.same(await shown("list"), [own2.id, toAna.id, toChen.id], "list: replies to other members");
  t.same(await shown("none"), [own2.id, toAna.id], "none: only replies to ana (and bruno's own thread)");
  for (const list of Object.values(policies)) await ana.client.v1.lists.$select(list.id).remove();
});

t.test("an exclusive list keeps its members' new posts out of home", async (t) => {
  const list = await ana.client.v1.lists.create({ title: "Newsletters", exclusive: true } as never);
  await ana.client.v1.lists.$select(list.id).accounts.create({ accountIds: [chen.id] });
  const post = await chen.client.v1.statuses.create({ status: "weekly digest" });
  t.ok((await listTimeline(ana, list.id)).includes(post.id));
  t.notOk((await home(ana)).includes(post.id), "not in home");
  await ana.client.v1.lists.$select(list.id).update({ title: "Newsletters", exclusive: false } as never);
  const next = await chen.client.v1.statuses.create({ status: "next digest" });
  t.ok((await home(ana)).includes(next.id), "in home again once the list is not exclusive");
  await ana.client.v1.lists.$select(list.id).remove();
});

t.test("list timelines and members page with Link headers", async (t) => {
  const list = await ana.client.v1.lists.create({ title: "Paging" });
  await ana.client.v1.accounts.$select(dana.id).follow();
  await ana.client.v1.lists.$select(list.id).accounts.create({ accountIds: [dana.id] });
  await ana.client.v1.lists.$select(list.id).accounts.create({ accountIds: [chen.id] });
  const before = await listTimeline(ana, list.id);
  const posted: string[] = [];
  for (const text of ["one", "two", "three"]) posted.push((await dana.client.v1.statuses.create({ status: text })).id);
  const pages = await allPages(ana.client.v1.timelines.list.$select(list.id).list({ limit: 2 }));
  t.same(pages.flat().map((status) => status.id), [...posted.reverse(), ...before]);
  t.equal(pages[0]?.length, 2);
  const members = await allPages(ana.client.v1.lists.$select(list.id).accounts.list({ limit: 1 }));
  t.same(members.map(ids), [[chen.id], [dana.id]], "members newest first, one per page");
  const all = await fetch(`${url}/api/v1/lists/${list.id}/accounts?limit=0`, {
    headers: { authorization: `Bearer ${ana.token}` },
  });
  t.same(ids(await all.json()), [chen.id, dana.id], "limit=0 lists every member");
  await ana.client.v1.lists.$select(list.id).remove();
});

t.test("unfollowing or blocking a member takes it out of your lists", async (t) => {
  const list = await ana.client.v1.lists.create({ title: "Leaving" });
  await ana.client.v1.lists.$select(list.id).accounts.create({ accountIds: [bruno.id, chen.id] });
  await ana.client.v1.accounts.$select(bruno.id).unfollow();
  t.same(ids(await ana.client.v1.lists.$select(list.id).accounts.list()), [chen.id]);
  await ana.client.v1.accounts.$select(chen.id).block();
  t.same(await ana.client.v1.lists.$select(list.id).accounts.list(), []);
  t.same(await listTimeline(ana, list.id), []);
  await ana.client.v1.accounts.$select(chen.id).unblock();
});

t.test("the list stream carries a member's new post", async (t) => {
  const list = await ana.client.v1.lists.create({ title: "Live" });
  await ana.client.v1.lists.$select(list.id).accounts.create({ accountIds: [dana.id] });
  const hub = instance.app.streaming.hub;
  const before = hub.subscriptionCount("list");
  const streaming = mastoStreaming(url.replace(/^http/, "ws"), ana.token);
  t.teardown(() => streaming.close());
  const { log } = mastoSubscription(streaming.list.subscribe({ list: list.id }));
  while (hub.subscriptionCount("list") <= before) await new Promise((resolve) => setTimeout(resolve, 20));
  const post = await dana.client.v1.statuses.create({ status: "live from the list" });
  const update = await log.nextEntity<mastodon.v1.Status>("update", (status) => status.id === post.id);
  t.equal(update.account.id, dana.id);
  await ana.client.v1.lists.$select(list.id).remove();
});
