import t from "tap";
import { eventually, startCampuses } from "../helpers/campuses.ts";

const campuses = await startCampuses(t, { campuses: ["A", "B"] });
const { A, B } = campuses as Record<string, NonNullable<(typeof campuses)[string]>>;

t.test("a follow across campuses delivers posts", async (t) => {
  const ana = await A!.createUser("ana");
  const raj = await B!.createUser("raj");
  const found = await ana.client.v2.search.list({
    q: `@raj@${B!.domain}`,
    resolve: true,
    type: "accounts",
  });
  t.equal(found.accounts.length, 1, "ana finds raj on campus B");
  const rajOnA = found.accounts[0]!;
  t.equal(rajOnA.acct, `raj@${B!.domain}`);
  const relationship = await ana.client.v1.accounts.$select(rajOnA.id).follow();
  t.ok(relationship.requested || relationship.following);
  await eventually(
    async () =>
      (await ana.client.v1.accounts.relationships.fetch({ id: [rajOnA.id] }))[0]?.following,
    {
      what: "the follow to be accepted",
    },
  );
  const post = await raj.client.v1.statuses.create({ status: "Hello from campus B #hallway" });
  const home = await eventually(
    async () => {
      const statuses = await ana.client.v1.timelines.home.list();
      return statuses.find((status) => status.uri === post.uri);
    },
    { what: "raj's post in ana's home" },
  );
  t.equal(home.account.acct, `raj@${B!.domain}`);
});
