// Direct conversations through the masto client: threads of direct posts per participant, read
// state, removal and Link paging.
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

const [ana, bruno, chen] = (await Promise.all(["ana", "bruno", "chen"].map(person))) as [Person, Person, Person];

const ids = (items: { id: string }[]) => items.map((item) => item.id);

async function failureStatus(request: () => Promise<unknown>): Promise<number | "no failure"> {
  try {
    await request();
  } catch (error) {
    if (error instanceof MastoHttpError) return error.statusCode;
    throw error;
  }
  return "no failure";
}

async function conversations(who: Person): Promise<mastodon.v1.Conversation[]> {
  return who.client.v1.conversations.list({ limit: 40 });
}

t.test("a direct post starts a conversation for each local person in it", async (t) => {
  const hello = await ana.client.v1.statuses.create({ status: "@bruno lunch at noon?", visibility: "direct" });
  const [mine] = await conversations(ana);
  t.match(mine, { unread: false, lastStatus: { id: hello.id } }, "the author's own is read");
  t.same(ids(mine!.accounts), [bruno.id]);
  const [theirs] = await conversations(bruno);
  t.match(theirs, { unread: true, lastStatus: { id: hello.id } }, "the recipient's is unread");
  t.same(ids(theirs!.accounts), [ana.id]);
  t.same(await conversations(chen), [], "nobody else has it");
  await ana.client.v1.statuses.create({ status: "a public post" });
  t.equal((await conversations(ana)).length, 1, "other posts start no conversation");

  // A reply among the same people continues the conversation.
  const reply = await bruno.client.v1.statuses.create({
    status: "@ana sure",
    visibility: "direct",
    inReplyToId: hello.id,
  });
  const [anaAfter] = await conversations(ana);
  t.match(anaAfter, { id: mine!.id, unread: true, lastStatus: { id: reply.id } });
  const [brunoAfter] = await conversations(bruno);
  t.match(brunoAfter, { id: theirs!.id, unread: false, lastStatus: { id: reply.id } }, "replying reads it");

  const read = await ana.client.v1.conversations.$select(mine!.id).read();
  t.match(read, { id: mine!.id, unread: false, lastStatus: { id: reply.id } });
  t.equal((await conversations(ana))[0]?.unread, false);
  t.equal(await failureStatus(() => chen.client.v1.conversations.$select(mine!.id).read()), 404, "not chen's");
  t.equal(await failureStatus(() => chen.client.v1.conversations.$select(mine!.id).remove()), 404);

  // Deleting the latest post shows the one before it.
  await bruno.client.v1.statuses.$select(reply.id).remove();
  t.equal((await conversations(ana))[0]?.lastStatus?.id, hello.id);
});

t.test("other people make another conversation; removing one hides it until a new reply", async (t) => {
  const group = await ana.client.v1.statuses.create({ status: "@bruno @chen retro notes", visibility: "direct" });
  const list = await conversations(ana);
  t.equal(list.length, 2);
  t.equal(list[0]?.lastStatus?.id, group.id, "newest conversation first");
  t.same(ids(list[0]!.accounts).sort(), [bruno.id, chen.id].sort());
  const [chensView] = await conversations(chen);
  t.same(ids(chensView!.accounts).sort(), [ana.id, bruno.id].sort());

  await chen.client.v1.conversations.$select(chensView!.id).remove();
  t.same(await conversations(chen), []);
  t.equal((await conversations(ana)).length, 2, "removing is only for the one who removes");
  const answer = await bruno.client.v1.statuses.create({
    status: "@ana @chen thanks",
    visibility: "direct",
    inReplyToId: group.id,
  });
  const [again] = await conversations(chen);
  t.equal(again?.lastStatus?.id, answer.id, "a later reply starts it again");
  t.not(again?.id, chensView!.id);
});

t.test("a conversation with oneself lists oneself", async (t) => {
  const note = await chen.client.v1.statuses.create({ status: "reminder to self", visibility: "direct" });
  const [mine] = await conversations(chen);
  t.equal(mine?.lastStatus?.id, note.id);
  t.same(ids(mine!.accounts), [chen.id]);
});

t.test("conversations page by their latest post with Link headers", async (t) => {
  const pages: mastodon.v1.Conversation[][] = [];
  for await (const page of ana.client.v1.conversations.list({ limit: 1 })) {
    if (page.length > 0) pages.push(page);
    if (pages.length > 10) break;
  }
  t.equal(pages.length, 2);
  const all = await conversations(ana);
  t.same(pages.flat().map((c) => c.id), ids(all));
});

t.test("a person you block or mute starts no conversation with you", async (t) => {
  await chen.client.v1.accounts.$select(ana.id).block();
  const before = (await conversations(chen)).length;
  await ana.client.v1.statuses.create({ status: "@chen hello?", visibility: "direct" });
  t.equal((await conversations(chen)).length, before);
  await chen.client.v1.accounts.$select(ana.id).unblock();
});

t.test("the direct stream hears of a conversation when a message arrives and when it is read", async (t) => {
  const hub = instance.app.streaming.hub;
  const before = hub.subscriptionCount("direct");
  const streaming = mastoStreaming(url.replace(/^http/, "ws"), bruno.token);
  t.teardown(() => streaming.close());
  const { log } = mastoSubscription(streaming.direct.subscribe());
  while (hub.subscriptionCount("direct") <= before) await new Promise((resolve) => setTimeout(resolve, 20));

  const message = await ana.client.v1.statuses.create({ status: "@bruno are you coming?", visibility: "direct" });
  const arrived = await log.nextEntity<mastodon.v1.Conversation>(
    "conversation",
    (conversation) => conversation.lastStatus?.id === message.id,
  );
  t.equal(arrived.unread, true, "a Conversation entity, unread");
  await bruno.client.v1.conversations.$select(arrived.id).read();
  const read = await log.nextEntity<mastodon.v1.Conversation>(
    "conversation",
    (conversation) => conversation.id === arrived.id && !conversation.unread,
  );
  t.equal(read.unread, false, "and again once read");
});
