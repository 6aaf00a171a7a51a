// A campus killed (SIGKILL) while a delivery is in flight delivers it after restart, and the
// receiving campus shows it once: the queued delivery survives the crash, its lease runs out and
// another attempt is made; the receiver dedupes by activity id.
import t from "tap";
import { type Campus, eventually, startCampuses } from "../helpers/campuses.ts";

const campuses = await startCampuses(t, { campuses: ["A", "B"] });
const A = campuses.A as Campus;
const B = campuses.B as Campus;
const [ana, raj] = await Promise.all([A.createUser("ana"), B.createUser("raj")]);

// Campus A is the only other instance, so every inbox POST campus B sees comes from it.
const inboxPostsFromA = () =>
  B.gate.seen.filter((request) => request.method === "POST" && request.url.endsWith("inbox")).length;

t.test("a delivery in flight when the sender is killed arrives once after restart", async (t) => {
  const found = await raj.client.v2.search.list({ q: `@${ana.acct}`, resolve: true, type: "accounts" });
  const anaOnB = found.accounts[0]!;
  await raj.client.v1.accounts.$select(anaOnB.id).follow();
  await eventually(
    async () => (await raj.client.v1.accounts.relationships.fetch({ id: [anaOnB.id] }))[0]?.following,
    { what: "raj following ana" },
  );

  const before = inboxPostsFromA();
  B.gate.hold();
  const post = await ana.client.v1.statuses.create({ status: `@${raj.acct} the build is green again` });
  await eventually(async () => B.gate.held > 0, { what: "the delivery to reach campus B's door" });
  t.equal(inboxPostsFromA(), before + 1, "campus A's delivery is in flight");

  await A.stop("SIGKILL");
  t.pass("campus A was killed mid-delivery");
  // The request that was in flight now reaches campus B, or dies with its sender's connection.
  B.gate.release();

  await A.start();
  const arrived = await eventually(
    async () => (await raj.client.v1.timelines.home.list()).find((status) => status.uri === post.uri),
    { what: "the post on campus B after campus A restarted", timeoutMs: 45_000 },
  );
  t.equal(arrived.account.acct, ana.acct);
  await eventually(async () => inboxPostsFromA() >= before + 2, {
    what: "campus A to retry the delivery after its restart",
    timeoutMs: 45_000,
  });
  t.pass("campus A delivered again after the restart");

  // Let any further attempt land before counting.
  const marker = await ana.client.v1.statuses.create({ status: "marker after the crash" });
  await eventually(
    async () => (await raj.client.v1.timelines.home.list()).some((status) => status.uri === marker.uri),
    { what: "the marker post" },
  );
  const home = await raj.client.v1.timelines.home.list({ limit: 40 });
  t.equal(home.filter((status) => status.uri === post.uri).length, 1, "raj's home shows the post once");
  const notifications = await raj.client.v1.notifications.list({ limit: 40 });
  t.equal(
    notifications.filter((n) => n.type === "mention" && n.status?.uri === post.uri).length,
    1,
    "raj was notified once",
  );
});
