// Three campuses federating over real HTTP with real signatures, driven through the masto client
// as people's apps drive them: follows (with a locked account's approval), posts, a reply thread
// across all three, mentions, favourites, boosts, edits, deletes, profile changes, unfollows and
// local-only posts.
import t from "tap";
import type { mastodon } from "masto";
import { type Campus, type CampusUser, eventually, homeHas, resolveAccount, resolveStatus, startCampuses } from "../helpers/campuses.ts";

const campuses = await startCampuses(t, { campuses: ["A", "B", "C"] });
const A = campuses.A as Campus;
const B = campuses.B as Campus;
const C = campuses.C as Campus;

const [ana, raj, chen] = await Promise.all([
  A.createUser("ana", { displayName: "Ana" }),
  B.createUser("raj", { displayName: "Raj", locked: true }),
  C.createUser("chen", { displayName: "Chen" }),
]);

async function notification(who: CampusUser, type: string, match: (n: mastodon.v1.Notification) => boolean = () => true) {
  return eventually(
    async () => (await who.client.v1.notifications.list({ limit: 40 })).find((n) => n.type === type && match(n)),
    { what: `a ${type} notification for ${who.username}` },
  );
}

async function follow(follower: CampusUser, target: CampusUser): Promise<mastodon.v1.Account> {
  const account = await resolveAccount(follower, target);
  await follower.client.v1.accounts.$select(account.id).follow();
  return account;
}

async function following(follower: CampusUser, accountId: string): Promise<boolean> {
  const [relationship] = await follower.client.v1.accounts.relationships.fetch({ id: [accountId] });
  return relationship?.following === true;
}

let rajOnA: mastodon.v1.Account;

t.test("following a locked account across campuses waits for approval", async (t) => {
  rajOnA = await follow(ana, raj);
  t.equal(rajOnA.acct, raj.acct, "ana's campus shows raj with his full handle");
  t.equal(rajOnA.locked, true, "raj's locked flag crossed over");
  const [pending] = await ana.client.v1.accounts.relationships.fetch({ id: [rajOnA.id] });
  t.equal(pending?.requested, true, "ana's follow is a request");
  t.equal(pending?.following, false);

  const request = await eventually(
    async () => (await raj.client.v1.followRequests.list()).find((account) => account.acct === ana.acct),
    { what: "ana's request on campus B" },
  );
  const note = await notification(raj, "follow_request");
  t.equal(note.account.acct, ana.acct, "raj is told who asked");
  t.equal(await following(ana, rajOnA.id), false, "no follow before raj decides");

  await raj.client.v1.followRequests.$select(request.id).authorize();
  await eventually(() => following(ana, rajOnA.id), { what: "the Accept to reach campus A" });
  const followers = await raj.client.v1.accounts.$select(raj.account.id).followers.list();
  t.ok(followers.some((account) => account.acct === ana.acct), "raj's followers list ana");
});

t.test("chen follows raj too; a refused request stays refused", async (t) => {
  const rajOnC = await follow(chen, raj);
  const request = await eventually(
    async () => (await raj.client.v1.followRequests.list()).find((account) => account.acct === chen.acct),
    { what: "chen's request on campus B" },
  );
  await raj.client.v1.followRequests.$select(request.id).reject();
  await eventually(
    async () => {
      const [relationship] = await chen.client.v1.accounts.relationships.fetch({ id: [rajOnC.id] });
      return relationship && !relationship.requested && !relationship.following;
    },
    { what: "the Reject to reach campus C" },
  );
  t.pass("chen's request was withdrawn on campus C after the Reject");

  // Asking again, and this time raj says yes.
  await chen.client.v1.accounts.$select(rajOnC.id).follow();
  const again = await eventually(
    async () => (await raj.client.v1.followRequests.list()).find((account) => account.acct === chen.acct),
    { what: "chen's second request" },
  );
  await raj.client.v1.followRequests.$select(again.id).authorize();
  await eventually(() => following(chen, rajOnC.id), { what: "chen following raj" });
});

let root: mastodon.v1.Status;

t.test("a post reaches followers on other campuses, with its hashtags and content warning", async (t) => {
  root = await raj.client.v1.statuses.create({
    status: "Has anyone set up an open-source CRM? #crm",
    spoilerText: "long question",
    sensitive: true,
  });
  const onA = await eventually(() => homeHas(ana, root.uri), { what: "raj's post in ana's home" });
  t.equal(onA.account.acct, raj.acct);
  t.equal(onA.spoilerText, "long question", "content warning kept");
  t.equal(onA.sensitive, true);
  t.match(onA.content, /open-source CRM/);
  t.same(onA.tags.map((tag) => tag.name), ["crm"], "hashtag kept");
  t.equal(onA.visibility, "public");
  t.not(onA.id, root.id, "campus A gives the post its own id");
  await eventually(() => homeHas(chen, root.uri), { what: "raj's post in chen's home" });

  const tagged = await ana.client.v1.timelines.tag.$select("crm").list();
  t.ok(tagged.some((status) => status.uri === root.uri), "the sibling's post is in campus A's tag timeline");
  const federated = await ana.client.v1.timelines.public.list({ remote: true });
  t.ok(federated.some((status) => status.uri === root.uri), "and in the sibling timeline");
  const local = await ana.client.v1.timelines.public.list({ local: true });
  t.notOk(local.some((status) => status.uri === root.uri), "but not in campus A's local timeline");
  const account = await ana.client.v1.accounts.$select(rajOnA.id).fetch();
  t.equal(account.acct, raj.acct, "GET /api/v1/accounts/:id serves the remote account");
});

let anaReply: mastodon.v1.Status;
let chenReply: mastodon.v1.Status;

t.test("a reply thread spanning three campuses is whole in context on each", async (t) => {
  const rootOnA = await eventually(() => homeHas(ana, root.uri), { what: "root on A" });
  anaReply = await ana.client.v1.statuses.create({
    status: `@${raj.acct} we did, on SuiteCRM`,
    inReplyToId: rootOnA.id,
  });
  const mention = await notification(raj, "mention", (n) => n.status?.uri === anaReply.uri);
  t.equal(mention.account.acct, ana.acct, "raj is notified of ana's mention on campus B");
  t.equal(mention.status?.inReplyToId, root.id, "and campus B threads it under his post");

  // Chen has not seen ana's reply; his campus fetches it (and its parent) from the siblings.
  const anaReplyOnC = await resolveStatus(chen, anaReply.uri);
  t.ok(anaReplyOnC.inReplyToId, "the reply's parent was fetched too");
  chenReply = await chen.client.v1.statuses.create({
    status: `@${ana.acct} @${raj.acct} which version did you use?`,
    inReplyToId: anaReplyOnC.id,
  });
  await notification(ana, "mention", (n) => n.status?.uri === chenReply.uri);
  await notification(raj, "mention", (n) => n.status?.uri === chenReply.uri);

  const expected = [root.uri, anaReply.uri, chenReply.uri];
  for (const [who, status] of [
    [raj, root],
    [ana, anaReply],
    [chen, chenReply],
  ] as const) {
    await eventually(
      async () => {
        const local = await resolveStatus(who, status.uri);
        const context = await who.client.v1.statuses.$select(local.id).context.fetch();
        const thread = [...context.ancestors, local, ...context.descendants].map((s) => s.uri);
        return expected.every((uri) => thread.includes(uri)) && thread.length === 3;
      },
      { what: `the whole thread on ${who.username}'s campus` },
    );
    t.pass(`the thread is whole on ${who.username}'s campus`);
  }
});

t.test("favourites and boosts notify across campuses", async (t) => {
  const anaReplyOnB = await resolveStatus(raj, anaReply.uri);
  await raj.client.v1.statuses.$select(anaReplyOnB.id).favourite();
  const favourite = await notification(ana, "favourite", (n) => n.status?.uri === anaReply.uri);
  t.equal(favourite.account.acct, raj.acct, "ana sees raj's favourite");
  await eventually(
    async () => (await ana.client.v1.statuses.$select(anaReply.id).fetch()).favouritesCount === 1,
    { what: "the favourite count on A" },
  );

  const rootOnC = await resolveStatus(chen, root.uri);
  const boost = await chen.client.v1.statuses.$select(rootOnC.id).reblog();
  t.equal(boost.reblog?.uri, root.uri);
  const reblog = await notification(raj, "reblog", (n) => n.status?.uri === root.uri);
  t.equal(reblog.account.acct, chen.acct, "raj sees chen's boost");

  // Taking the favourite back reaches campus A as well.
  await raj.client.v1.statuses.$select(anaReplyOnB.id).unfavourite();
  await eventually(
    async () => (await ana.client.v1.statuses.$select(anaReply.id).fetch()).favouritesCount === 0,
    { what: "the Undo(Like) on A" },
  );
  t.pass("unfavourite propagated");
});

t.test("edits propagate, and those who boosted are told", async (t) => {
  await raj.client.v1.statuses.$select(root.id).update({
    status: "Has anyone set up an open-source CRM (SuiteCRM, EspoCRM)? #crm",
    spoilerText: "long question",
    sensitive: true,
  });
  const onA = await eventually(
    async () => {
      const status = await resolveStatus(ana, root.uri);
      return status.editedAt && /EspoCRM/.test(status.content) ? status : null;
    },
    { what: "the edit on campus A" },
  );
  t.ok(onA.editedAt, "edited_at is set on the sibling");
  const history = await ana.client.v1.statuses.$select(onA.id).history.list();
  t.equal(history.length, 2, "campus A keeps the edit history");
  const update = await notification(chen, "update", (n) => n.status?.uri === root.uri);
  t.equal(update.account.acct, raj.acct, "chen, who boosted it, is told of the edit");
});

t.test("a deleted post disappears from other campuses", async (t) => {
  const doomed = await raj.client.v1.statuses.create({ status: "this one is a mistake" });
  const onA = await eventually(() => homeHas(ana, doomed.uri), { what: "the doomed post on A" });
  await raj.client.v1.statuses.$select(doomed.id).remove();
  await eventually(async () => !(await homeHas(ana, doomed.uri)), { what: "the delete on A" });
  await t.rejects(ana.client.v1.statuses.$select(onA.id).fetch(), "campus A answers 404 for it");
});

t.test("profile updates propagate", async (t) => {
  await raj.client.v1.accounts.updateCredentials({
    displayName: "Raj Patel",
    note: "CRM and data plumbing",
    fieldsAttributes: [{ name: "Skills", value: "CRM, PostgreSQL" }],
  });
  const onA = await eventually(
    async () => {
      const account = await ana.client.v1.accounts.$select(rajOnA.id).fetch();
      return account.displayName === "Raj Patel" ? account : null;
    },
    { what: "the Update(Person) on A" },
  );
  t.match(onA.note, /CRM and data plumbing/);
  t.same(
    onA.fields.map((field) => [field.name, field.value]),
    [["Skills", "CRM, PostgreSQL"]],
    "profile fields crossed over",
  );
});

t.test("visibility decides who receives a post, and each sibling gets one request per activity", async (t) => {
  const bob = await A.createUser("bob");
  const rajOnBobsCampus = await follow(bob, raj);
  const request = await eventually(
    async () => (await raj.client.v1.followRequests.list()).find((account) => account.acct === bob.acct),
    { what: "bob's request on campus B" },
  );
  await raj.client.v1.followRequests.$select(request.id).authorize();
  await eventually(() => following(bob, rajOnBobsCampus.id), { what: "bob following raj" });

  const inboxPostsAt = (campus: Campus, activityId: string) =>
    campus.gate.seen.filter((seen) => seen.method === "POST" && seen.activity?.id === activityId);

  const forFollowers = await raj.client.v1.statuses.create({ status: "followers only: team offsite plans", visibility: "private" });
  const onAna = await eventually(() => homeHas(ana, forFollowers.uri), { what: "the followers-only post for ana" });
  await eventually(() => homeHas(bob, forFollowers.uri), { what: "the followers-only post for bob" });
  t.equal(onAna.visibility, "private", "it stays followers-only on campus A");
  const createId = `${forFollowers.uri}/activity`;
  t.equal(inboxPostsAt(A, createId).length, 1, "two followers on campus A, one delivery to it");
  t.ok(inboxPostsAt(A, createId).every((seen) => seen.url === "/inbox"), "sent to the shared inbox");
  t.equal(inboxPostsAt(C, createId).length, 1, "campus C gets its own single delivery");
  const federated = await ana.client.v1.timelines.public.list({ remote: true, limit: 40 });
  t.notOk(federated.some((status) => status.uri === forFollowers.uri), "a followers-only post is not in the sibling timeline");

  const direct = await raj.client.v1.statuses.create({ status: `@${ana.acct} just between us`, visibility: "direct" });
  const mention = await notification(ana, "mention", (n) => n.status?.uri === direct.uri);
  t.equal(mention.status?.visibility, "direct", "a direct post arrives as direct");
  t.equal(inboxPostsAt(C, `${direct.uri}/activity`).length, 0, "campus C, with followers but no addressee, never sees it");
  t.notOk(await homeHas(bob, direct.uri), "bob, a follower but not addressed, does not see it");

  const unlisted = await raj.client.v1.statuses.create({ status: "unlisted: minor update", visibility: "unlisted" });
  const unlistedOnA = await eventually(() => homeHas(ana, unlisted.uri), { what: "the unlisted post for ana" });
  t.equal(unlistedOnA.visibility, "unlisted");
  const tagless = await ana.client.v1.timelines.public.list({ remote: true, limit: 40 });
  t.notOk(tagless.some((status) => status.uri === unlisted.uri), "an unlisted post is not in the sibling timeline");
});

t.test("a boost taken back is taken back on the author's campus", async (t) => {
  const rootOnC = await resolveStatus(chen, root.uri);
  await chen.client.v1.statuses.$select(rootOnC.id).unreblog();
  await eventually(
    async () => (await raj.client.v1.statuses.$select(root.id).fetch()).reblogsCount === 0,
    { what: "the Undo(Announce) on B" },
  );
  t.pass("campus B counts no boost any more");
});

t.test("following an unlocked account is accepted at once and notifies", async (t) => {
  const anaOnC = await follow(chen, ana);
  await eventually(() => following(chen, anaOnC.id), { what: "chen following ana" });
  const note = await notification(ana, "follow", (n) => n.account.acct === chen.acct);
  t.equal(note.account.acct, chen.acct, "ana is told on campus A");
});

t.test("local-only posts never leave their campus", async (t) => {
  const secret = await raj.client.v1.statuses.create({
    status: "campus B only: the lab door code changed",
    local_only: true,
  } as mastodon.rest.v1.CreateStatusParams);
  // masto turns the entity's snake_case keys into camelCase.
  t.equal((secret as unknown as { localOnly?: boolean }).localOnly, true, "the API reports local_only");
  // Delivery is ordered per author: once this later post arrives, the earlier one would have.
  const marker = await raj.client.v1.statuses.create({ status: "after the campus-only post" });
  await eventually(() => homeHas(ana, marker.uri), { what: "the marker post on A" });
  await eventually(() => homeHas(chen, marker.uri), { what: "the marker post on C" });
  t.notOk(await homeHas(ana, secret.uri), "campus A never received it");
  t.notOk(await homeHas(chen, secret.uri), "campus C never received it");
  const searched = await ana.client.v2.search.list({ q: secret.uri, resolve: true, type: "statuses" });
  t.equal(searched.statuses.length, 0, "campus B refuses to serve it to a sibling that asks");

  // The per-account default: every new post of ana's stays home unless she says otherwise.
  await ana.client.v1.accounts.updateCredentials({ source: { local_only: true } } as never);
  const credentials = (await ana.client.v1.accounts.verifyCredentials()) as unknown as { source: { localOnly?: boolean } };
  t.equal(credentials.source.localOnly, true, "the default is part of source");
  const rajFollowsAna = await follow(raj, ana);
  await eventually(() => following(raj, rajFollowsAna.id), { what: "raj following ana" });
  const homebound = await ana.client.v1.statuses.create({ status: "default local-only" });
  const outbound = await ana.client.v1.statuses.create({ status: "explicitly federated", local_only: false } as mastodon.rest.v1.CreateStatusParams);
  await eventually(() => homeHas(raj, outbound.uri), { what: "ana's federated post on B" });
  t.notOk(await homeHas(raj, homebound.uri), "the default kept the other one home");
  await ana.client.v1.accounts.updateCredentials({ source: { local_only: false } } as never);
});

t.test("unfollowing stops delivery", async (t) => {
  await ana.client.v1.accounts.$select(rajOnA.id).unfollow();
  await eventually(
    async () => {
      const followers = await raj.client.v1.accounts.$select(raj.account.id).followers.list();
      return !followers.some((account) => account.acct === ana.acct);
    },
    { what: "the Undo(Follow) on B" },
  );
  const unseen = await raj.client.v1.statuses.create({ status: "ana no longer follows me" });
  // A later mention of ana does reach her; by then the earlier post would have, had it been sent.
  const mention = await raj.client.v1.statuses.create({ status: `@${ana.acct} still there?` });
  await notification(ana, "mention", (n) => n.status?.uri === mention.uri);
  t.notOk(await homeHas(ana, unseen.uri), "the post after the unfollow is not in ana's home");
  // Campus A still receives it, for bob, who still follows raj; only ana's home is spared.
});

t.test("an account deleted by its campus's admin is forgotten by the siblings", async (t) => {
  const leaver = await B.createUser("leaver", { displayName: "Leaving Soon" });
  const leaverOnA = await follow(ana, leaver);
  await eventually(() => following(ana, leaverOnA.id), { what: "ana following leaver" });
  const farewell = await leaver.client.v1.statuses.create({ status: "my last post here" });
  await eventually(() => homeHas(ana, farewell.uri), { what: "leaver's post on A" });

  await t.rejects(B.admin("user delete", ["leaver"]), /--yes/, "deleting asks for confirmation");
  t.match(await B.admin("user delete", ["leaver"], { yes: true }), /leaver is deleted/);
  await t.rejects(leaver.client.v1.accounts.verifyCredentials(), "the deleted account's token stops working");
  await t.rejects(B.admin("user delete", ["leaver"], { yes: true }), /was deleted/, "a second delete is refused");

  await eventually(
    async () => {
      try {
        await ana.client.v1.accounts.$select(leaverOnA.id).fetch();
        return false;
      } catch {
        return true;
      }
    },
    { what: "the Delete(Person) on A" },
  );
  t.notOk(await homeHas(ana, farewell.uri), "its posts are gone from campus A");
  const again = await ana.client.v2.search.list({ q: `@${leaver.acct}`, resolve: true, type: "accounts" });
  t.equal(again.accounts.length, 0, "and campus B no longer serves the account");
});
