// Polls across two campuses over real HTTP, driven through masto: a poll posted on campus A
// reaches campus B as a Question, is voted on from B, counted on A, and B shows the results A
// sends back (including votes cast on A); the end of a poll notifies voters on both campuses.
import type { mastodon } from "masto";
import { MastoHttpError } from "masto";
import t from "tap";
import { type Campus, type CampusUser, eventually, homeHas, resolveAccount, resolveStatus, startCampuses } from "../helpers/campuses.ts";

const campuses = await startCampuses(t, {
  campuses: ["A", "B"],
  env: { HALLWAY_POLL_MIN_EXPIRY_SECONDS: "1" },
});
const A = campuses.A as Campus;
const B = campuses.B as Campus;

const [ana, bea, raj, kim] = await Promise.all([
  A.createUser("ana", { displayName: "Ana" }),
  A.createUser("bea"),
  B.createUser("raj", { displayName: "Raj" }),
  B.createUser("kim"),
]);

const tallies = (poll: mastodon.v1.Poll | null | undefined) => poll?.options.map((option) => option.votesCount ?? null);

t.test("a poll fetched from its campus arrives as a Question with its options and end", async (t) => {
  const status = await ana.client.v1.statuses.create({
    status: "Which office for the summer party?",
    poll: { options: ["Porto", "Gdańsk"], expiresIn: 3600, multiple: true },
  });
  const onB = await resolveStatus(kim, status.uri);
  t.ok(onB.poll, "campus B stores the poll with the post");
  t.same(onB.poll?.options.map((option) => option.title), ["Porto", "Gdańsk"]);
  t.equal(onB.poll?.multiple, true, "anyOf: several choices");
  t.equal(onB.poll?.expiresAt, status.poll?.expiresAt, "the same end");
  t.equal(onB.poll?.expired, false);
  t.same(tallies(onB.poll), [0, 0]);
  t.equal(onB.poll?.voted, false);

  // Several choices go out as several votes, one Note per option.
  const voted = await kim.client.v1.polls.$select(onB.poll!.id).votes.create({ choices: [0, 1] });
  t.same(voted.ownVotes, [0, 1]);
  const counted = await eventually(
    async () => {
      const poll = await ana.client.v1.polls.$select(status.poll!.id).fetch();
      return poll.votesCount === 2 ? poll : null;
    },
    { what: "kim's two votes counted on campus A" },
  );
  t.same(tallies(counted), [1, 1]);
  t.equal(counted.votersCount, 1, "one voter");
});

let pollOnA: mastodon.v1.Status;
let pollOnB: mastodon.v1.Status;

t.test("raj on campus B follows ana and receives her poll", async (t) => {
  const anaOnB = await resolveAccount(raj, ana);
  await raj.client.v1.accounts.$select(anaOnB.id).follow();
  await eventually(
    async () => (await raj.client.v1.accounts.relationships.fetch({ id: [anaOnB.id] }))[0]?.following,
    { what: "raj following ana" },
  );
  pollOnA = await ana.client.v1.statuses.create({
    status: "Standup time from next week?",
    poll: { options: ["9:00", "9:30", "10:00"], expiresIn: 3600 },
  });
  pollOnB = await eventually(() => homeHas(raj, pollOnA.uri), { what: "ana's poll in raj's home" });
  t.ok(pollOnB.poll, "it came with its poll");
  t.not(pollOnB.poll?.id, pollOnA.poll?.id, "B's copy has B's own id");
  t.same(pollOnB.poll?.options.map((option) => option.title), ["9:00", "9:30", "10:00"]);
  t.equal(pollOnB.poll?.multiple, false, "oneOf: a single choice");
});

t.test("a vote from campus B is counted on campus A, and B shows A's results", async (t) => {
  const voted = await raj.client.v1.polls.$select(pollOnB.poll!.id).votes.create({ choices: [1] });
  t.same(voted.ownVotes, [1], "B records raj's own vote at once");
  t.same(tallies(voted), [0, 1, 0]);

  const counted = await eventually(
    async () => {
      const poll = await ana.client.v1.polls.$select(pollOnA.poll!.id).fetch();
      return poll.votesCount === 1 ? poll : null;
    },
    { what: "raj's vote counted on campus A" },
  );
  t.same(tallies(counted), [0, 1, 0], "A counts it for the option raj chose");
  t.equal(counted.votersCount, 1);

  // A vote on A itself is only known to B through the results A sends.
  await bea.client.v1.polls.$select(pollOnA.poll!.id).votes.create({ choices: [0] });
  const updated = await eventually(
    async () => {
      const poll = await raj.client.v1.polls.$select(pollOnB.poll!.id).fetch();
      return poll.votesCount === 2 ? poll : null;
    },
    { what: "the new results on campus B" },
  );
  t.same(tallies(updated), [1, 1, 0], "B shows A's totals");
  t.equal(updated.votersCount, 2);
  t.same(updated.ownVotes, [1], "raj's own vote stays his");
  t.equal(updated.voted, true);

  try {
    await raj.client.v1.polls.$select(pollOnB.poll!.id).votes.create({ choices: [2] });
    t.fail("a second vote in a single-choice poll must be refused");
  } catch (error) {
    t.ok(error instanceof MastoHttpError && error.statusCode === 422, "voting twice is refused on B already");
  }
  const final = await ana.client.v1.polls.$select(pollOnA.poll!.id).fetch();
  t.same(tallies(final), [1, 1, 0], "and nothing more reached A");
});

t.test("edits of a poll reach campus B: new options void the votes there too, no poll removes it", async (t) => {
  await ana.client.v1.statuses.$select(pollOnA.id).update({
    status: "Standup time, take two",
    poll: { options: ["9:00", "11:00"], expiresIn: 3600 },
  });
  const edited = await eventually(
    async () => {
      const status = await raj.client.v1.statuses.$select(pollOnB.id).fetch();
      return status.poll?.options.length === 2 ? status : null;
    },
    { what: "the edited poll on campus B" },
  );
  t.equal(edited.content, "<p>Standup time, take two</p>");
  t.same(edited.poll?.options.map((option) => option.title), ["9:00", "11:00"]);
  t.same(tallies(edited.poll), [0, 0]);
  t.equal(edited.poll?.voted, false, "raj's vote for an old option is gone");

  await ana.client.v1.statuses.$select(pollOnA.id).update({ status: "Standup stays at 9:30." });
  const withoutPoll = await eventually(
    async () => {
      const status = await raj.client.v1.statuses.$select(pollOnB.id).fetch();
      return status.poll === null ? status : null;
    },
    { what: "the poll removed on campus B" },
  );
  t.equal(withoutPoll.content, "<p>Standup stays at 9:30.</p>");
});

t.test("the end of a poll notifies its author and the voters on both campuses", async (t) => {
  const status = await ana.client.v1.statuses.create({
    status: "Quick: pizza or sushi?",
    poll: { options: ["pizza", "sushi"], expiresIn: 5, hideTotals: true },
  });
  const onB = await eventually(() => homeHas(raj, status.uri), { what: "the short poll on campus B" });
  t.same(tallies(onB.poll), [null, null], "hidden totals stay hidden on B");
  await raj.client.v1.polls.$select(onB.poll!.id).votes.create({ choices: [1] });
  await eventually(
    async () => (await ana.client.v1.polls.$select(status.poll!.id).fetch()).votesCount === 1,
    { what: "raj's vote counted on A" },
  );
  await bea.client.v1.polls.$select(status.poll!.id).votes.create({ choices: [1] });

  const pollNotification = (who: CampusUser, uri: string) =>
    eventually(
      async () =>
        (await who.client.v1.notifications.list({ types: ["poll"] })).find((notification) => notification.status?.uri === uri),
      { what: `the end of the poll for ${who.username}`, timeoutMs: 30_000 },
    );
  const forAna = await pollNotification(ana, status.uri);
  t.equal(forAna.account.acct, "ana", "the author hears of her own poll's end");
  const forBea = await pollNotification(bea, status.uri);
  t.equal(forBea.account.acct, "ana");
  const forRaj = await pollNotification(raj, status.uri);
  t.equal(forRaj.account.acct, ana.acct, "the voter on B, from ana");
  t.equal(forRaj.status?.poll?.expired, true);

  const ended = await eventually(
    async () => {
      const poll = await raj.client.v1.polls.$select(onB.poll!.id).fetch();
      return poll.votesCount === 2 ? poll : null;
    },
    { what: "the final results on campus B" },
  );
  t.equal(ended.expired, true);
  t.same(tallies(ended), [0, 2], "B shows the final totals once the poll has ended");
  const notOnB = await kim.client.v1.notifications.list({ types: ["poll"] });
  t.equal(notOnB.length, 0, "nobody who did not vote is notified");
});

t.test("a poll that ends while its campus is down is ended when the campus starts again", async (t) => {
  const status = await ana.client.v1.statuses.create({
    status: "Friday demo: yes or no?",
    poll: { options: ["yes", "no"], expiresIn: 3 },
  });
  const onB = await eventually(() => homeHas(raj, status.uri), { what: "the poll on campus B" });
  await raj.client.v1.polls.$select(onB.poll!.id).votes.create({ choices: [0] });
  await eventually(
    async () => (await ana.client.v1.polls.$select(status.poll!.id).fetch()).votesCount === 1,
    { what: "raj's vote counted on A" },
  );
  await A.stop();
  await new Promise((resolve) => setTimeout(resolve, 4000));
  await A.start();
  const notification = await eventually(
    async () =>
      (await ana.client.v1.notifications.list({ types: ["poll"] })).find((item) => item.status?.uri === status.uri),
    { what: "the end of the poll for ana after the restart", timeoutMs: 30_000 },
  );
  t.equal(notification.status?.poll?.expired, true, "the poll ended while nobody was watching, and was noticed");
  const forRaj = await eventually(
    async () =>
      (await raj.client.v1.notifications.list({ types: ["poll"] })).find((item) => item.status?.uri === status.uri),
    { what: "the end of the poll for raj", timeoutMs: 30_000 },
  );
  t.equal(forRaj.account.acct, ana.acct);
  const closed = await eventually(
    async () => {
      const poll = await raj.client.v1.polls.$select(onB.poll!.id).fetch();
      return poll.expired && poll.votesCount === 1 ? poll : null;
    },
    { what: "the final results on campus B" },
  );
  t.same(tallies(closed), [1, 0]);
});
