// Lists, direct conversations, removing a follower and blocks across two campuses, over real
// HTTP with real signatures, driven through the masto client.
import type { mastodon } from "masto";
import t from "tap";
import { type Campus, type CampusUser, eventually, homeHas, resolveAccount, startCampuses } from "../helpers/campuses.ts";

const campuses = await startCampuses(t, { campuses: ["A", "B"] });
const A = campuses.A as Campus;
const B = campuses.B as Campus;

const [ana, mia, raj] = await Promise.all([A.createUser("ana"), A.createUser("mia"), B.createUser("raj")]);

async function relationship(who: CampusUser, accountId: string): Promise<mastodon.v1.Relationship> {
  const [found] = await who.client.v1.accounts.relationships.fetch({ id: [accountId] });
  return found!;
}

async function followAndWait(follower: CampusUser, target: CampusUser): Promise<mastodon.v1.Account> {
  const account = await resolveAccount(follower, target);
  await follower.client.v1.accounts.$select(account.id).follow();
  await eventually(async () => (await relationship(follower, account.id)).following, {
    what: `${follower.username} following ${target.username}`,
  });
  return account;
}

let rajOnA: mastodon.v1.Account;
let anaOnB: mastodon.v1.Account;
let list: mastodon.v1.List;

t.test("ana and raj follow each other across campuses; mia follows raj", async () => {
  rajOnA = await followAndWait(ana, raj);
  anaOnB = await followAndWait(raj, ana);
  await followAndWait(mia, raj);
});

t.test("a list with a member on the other campus receives the member's new post", async (t) => {
  list = await ana.client.v1.lists.create({ title: "Campus B people" });
  await ana.client.v1.lists.$select(list.id).accounts.create({ accountIds: [rajOnA.id] });
  t.same(
    (await ana.client.v1.lists.$select(list.id).accounts.list()).map((account) => account.acct),
    [raj.acct],
  );
  const post = await raj.client.v1.statuses.create({ status: "the B lab has a new 3D printer" });
  const inList = await eventually(
    async () =>
      (await ana.client.v1.timelines.list.$select(list.id).list()).find((status) => status.uri === post.uri),
    { what: "raj's post in ana's list on campus A" },
  );
  t.equal(inList.account.acct, raj.acct);
});

t.test("a direct message between campuses is a conversation on both", async (t) => {
  const dm = await ana.client.v1.statuses.create({ status: `@${raj.acct} can I borrow the printer?`, visibility: "direct" });
  const [anasView] = await ana.client.v1.conversations.list();
  t.match(anasView, { unread: false, lastStatus: { uri: dm.uri } });
  t.same(anasView!.accounts.map((account) => account.acct), [raj.acct]);

  const rajsView = await eventually(
    async () => (await raj.client.v1.conversations.list()).find((c) => c.lastStatus?.uri === dm.uri),
    { what: "ana's message in raj's conversations on campus B" },
  );
  t.equal(rajsView.unread, true);
  t.same(rajsView.accounts.map((account) => account.acct), [ana.acct]);

  const answer = await raj.client.v1.statuses.create({
    status: `@${ana.acct} sure, Tuesday`,
    visibility: "direct",
    inReplyToId: rajsView.lastStatus!.id,
  });
  const [rajsAfter] = await raj.client.v1.conversations.list();
  t.match(rajsAfter, { id: rajsView.id, unread: false, lastStatus: { uri: answer.uri } }, "the reply continues raj's");
  const anasAfter = await eventually(
    async () => (await ana.client.v1.conversations.list()).find((c) => c.lastStatus?.uri === answer.uri),
    { what: "raj's answer in ana's conversation on campus A" },
  );
  t.equal(anasAfter.id, anasView!.id, "the answer continues ana's conversation");
  t.equal(anasAfter.unread, true);
  t.equal((await ana.client.v1.conversations.$select(anasAfter.id).read()).unread, false);
});

t.test("removing a follower on the other campus ends the follow there", async (t) => {
  await ana.client.v1.accounts.$select(rajOnA.id).removeFromFollowers();
  t.equal((await relationship(ana, rajOnA.id)).followedBy, false);
  await eventually(async () => !(await relationship(raj, anaOnB.id)).following, {
    what: "the Reject to end raj's follow on campus B",
  });
  t.pass("raj no longer follows ana on campus B");
  anaOnB = await followAndWait(raj, ana);
});

t.test("a block across campuses hides content both ways", async (t) => {
  const anasPost = await ana.client.v1.statuses.create({ status: "ana's post before the block" });
  const anasPostOnB = await eventually(() => homeHas(raj, anasPost.uri), { what: "ana's post on campus B" });
  const rajsPost = await raj.client.v1.statuses.create({ status: "raj's post before the block" });
  await eventually(() => homeHas(ana, rajsPost.uri), { what: "raj's post on campus A" });

  const blocked = await ana.client.v1.accounts.$select(rajOnA.id).block();
  t.match(blocked, { blocking: true, following: false, followedBy: false });
  t.notOk(await homeHas(ana, rajsPost.uri), "raj's posts vanish from ana's home");
  t.same(await ana.client.v1.timelines.list.$select(list.id).list(), [], "and from her list");
  t.same(await ana.client.v1.lists.$select(list.id).accounts.list(), [], "which he is no longer in");

  // Campus B hears of the block: raj no longer follows ana, nor sees her posts.
  await eventually(async () => (await relationship(raj, anaOnB.id)).blockedBy, { what: "the Block on campus B" });
  t.match(await relationship(raj, anaOnB.id), { following: false, followedBy: false });
  t.notOk(await homeHas(raj, anasPost.uri), "ana's posts leave raj's home");
  await t.rejects(raj.client.v1.statuses.$select(anasPostOnB.id).fetch(), "raj gets 404 for ana's post");
  const federated = await raj.client.v1.timelines.public.list({ remote: true, limit: 40 });
  t.notOk(federated.some((status) => status.uri === anasPost.uri), "nor sees it in the sibling timeline");

  // raj's new posts still reach campus A (mia follows him there), but not ana.
  const afterBlock = await raj.client.v1.statuses.create({ status: `@${ana.acct} hello?` });
  await eventually(() => homeHas(mia, afterBlock.uri), { what: "raj's post after the block in mia's home" });
  const anasPublic = await ana.client.v1.timelines.public.list({ remote: true, limit: 40 });
  t.notOk(anasPublic.some((status) => status.uri === afterBlock.uri), "but ana does not see it");
  const mentions = await ana.client.v1.notifications.list({ types: ["mention"] });
  t.notOk(mentions.some((n) => n.status?.uri === afterBlock.uri), "nor is she notified of his mention");

  await ana.client.v1.accounts.$select(rajOnA.id).unblock();
  await eventually(async () => !(await relationship(raj, anaOnB.id)).blockedBy, { what: "the Undo(Block) on campus B" });
  const visibleAgain = await raj.client.v1.statuses.$select(anasPostOnB.id).fetch();
  t.equal(visibleAgain.uri, anasPost.uri, "after the unblock raj sees ana's post again");
});
