// Pinned posts and filters across two campuses: a sibling reads a person's featured collection
// when it first fetches them and keeps up with Add and Remove afterwards; a person's filters
// warn about and hide a sibling's posts as they do local ones.
import type { mastodon } from "masto";
import t from "tap";
import { type Campus, eventually, resolveAccount, startCampuses } from "../helpers/campuses.ts";

const campuses = await startCampuses(t, { campuses: ["A", "B"] });
const A = campuses.A as Campus;
const B = campuses.B as Campus;
const [ana, raj] = await Promise.all([A.createUser("ana"), B.createUser("raj")]);

const uris = (statuses: mastodon.v1.Status[]) => statuses.map((status) => status.uri);

let anaOnB: mastodon.v1.Account;

/** ana's pinned posts as raj's campus shows them, once they are `expected`. */
async function pinnedOnB(expected: string[], what: string): Promise<mastodon.v1.Status[]> {
  return eventually(
    async () => {
      const pinned = await raj.client.v1.accounts.$select(anaOnB.id).statuses.list({ pinned: true });
      return uris(pinned).join() === expected.join() ? pinned : null;
    },
    { what },
  );
}

t.test("a sibling reads the featured collection, then follows pins and unpins", async (t) => {
  const first = await ana.client.v1.statuses.create({ status: "Start here: how our team works" });
  await ana.client.v1.statuses.$select(first.id).pin();
  const hidden = await ana.client.v1.statuses.create({ status: "campus only", localOnly: true } as never);
  await ana.client.v1.statuses.$select(hidden.id).pin();

  // Fetching ana for the first time reads her featured collection: the local-only pin stays home.
  anaOnB = await resolveAccount(raj, ana);
  const pinned = await pinnedOnB([first.uri], "ana's pin on campus B");
  t.match(pinned[0], { content: /how our team works/, account: { acct: ana.acct } });

  await raj.client.v1.accounts.$select(anaOnB.id).follow();
  await eventually(
    async () => (await raj.client.v1.accounts.relationships.fetch({ id: [anaOnB.id] }))[0]?.following,
    { what: "raj following ana" },
  );

  // Now a follower: pins arrive as Add, unpins as Remove.
  const second = await ana.client.v1.statuses.create({ status: "Office hours on Thursdays" });
  await ana.client.v1.statuses.$select(second.id).pin();
  await pinnedOnB([second.uri, first.uri], "the second pin on campus B");
  // A followers-only pin is not in the collection, but its followers hear of it.
  const teamOnly = await ana.client.v1.statuses.create({ status: "Team only: the roadmap", visibility: "private" });
  await ana.client.v1.statuses.$select(teamOnly.id).pin();
  await pinnedOnB([teamOnly.uri, second.uri, first.uri], "the followers-only pin on campus B");
  await ana.client.v1.statuses.$select(first.id).unpin();
  await pinnedOnB([teamOnly.uri, second.uri], "the unpin on campus B");
  t.pass("pins and unpins reached campus B");

  const all = await raj.client.v1.accounts.$select(anaOnB.id).statuses.list({ limit: 40 });
  t.ok(uris(all).includes(first.uri), "the unpinned post is still there, only not pinned");
});

t.test("raj's filters warn about and hide posts from another campus", async (t) => {
  await raj.client.v2.filters.create({
    title: "No standups",
    context: ["home", "public"],
    filterAction: "hide",
    keywordsAttributes: [{ keyword: "standup" }],
  });
  const warn = await raj.client.v2.filters.create({
    title: "Deploys",
    context: ["home", "public"],
    keywordsAttributes: [{ keyword: "deploy", wholeWord: false }],
  });
  const standup = await ana.client.v1.statuses.create({ status: "Standup moves to 10:00" });
  const deploy = await ana.client.v1.statuses.create({ status: "Deploying on Friday" });

  // The deploy post was sent after the standup one: once it is in raj's home, both have arrived.
  const home = await eventually(
    async () => {
      const statuses = await raj.client.v1.timelines.home.list({ limit: 40 });
      return statuses.some((status) => status.uri === deploy.uri) ? statuses : null;
    },
    { what: "ana's posts in raj's home" },
  );
  const warned = home.find((status) => status.uri === deploy.uri);
  t.match(warned?.filtered, [{ filter: { id: warn.id, title: "Deploys", filterAction: "warn" }, keywordMatches: ["deploy"] }]);
  t.notOk(uris(home).includes(standup.uri), "home: the standup post is hidden");
  const remote = await raj.client.v1.timelines.public.list({ remote: true, limit: 40 });
  t.notOk(uris(remote).includes(standup.uri), "the siblings' timeline: hidden too");
  t.ok(uris(remote).includes(deploy.uri));

  // The post is there all along: without the filter it shows.
  for (const filter of await raj.client.v2.filters.list()) await raj.client.v2.filters.$select(filter.id).remove();
  const unfiltered = await raj.client.v1.timelines.home.list({ limit: 40 });
  t.ok(uris(unfiltered).includes(standup.uri), "without filters the post shows");
  t.same(unfiltered.find((status) => status.uri === deploy.uri)?.filtered, []);
});
