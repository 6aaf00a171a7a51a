// Cross-campus search on three campuses: a search on campus A also asks B and C (signed, through
// /api/hallway/v1/federated_search), finds their public posts and people that A never received,
// stores them so that they can be favourited and followed, never shows what is not public, and
// answers with what it has when a sibling is down.
import t from "tap";
import { type Campus, startCampuses } from "../helpers/campuses.ts";

// A generous budget: the machine running the tests may be busy; a stopped sibling is refused at
// once anyway.
const campuses = await startCampuses(t, { campuses: ["A", "B", "C"], env: { HALLWAY_SEARCH_BUDGET_MS: "8000" } });
const A = campuses.A as Campus;
const B = campuses.B as Campus;
const C = campuses.C as Campus;

const [ana, raj, chen] = await Promise.all([
  A.createUser("ana", { displayName: "Ana" }),
  B.createUser("raj", { displayName: "Raj Patel" }),
  C.createUser("chen", { displayName: "Chen" }),
]);

const post = (who: typeof ana, status: string, extra: Record<string, unknown> = {}) =>
  who.client.v1.statuses.create({ status, ...extra } as never);

const anaPost = await post(ana, "Notes on our CRM questions");
const rajPublic = await post(raj, "We built an open source CRM on Postgres");
const rajPrivate = await post(raj, "CRM numbers for my followers", { visibility: "private" });
const rajUnlisted = await post(raj, "CRM draft, unlisted", { visibility: "unlisted" });
const rajLocal = await post(raj, "CRM plans for campus B only", { local_only: true });
const rajDirect = await post(raj, `@chen@${C.domain} CRM direct note`, { visibility: "direct" });
const chenPublic = await post(chen, "CRM evaluation from campus C");

t.test("a search on A finds siblings' public posts that A never received, ranked with its own", async (t) => {
  const result = await ana.client.v2.search.list({ q: "crm", type: "statuses" });
  const uris = result.statuses.map((status) => status.uri);
  t.ok(uris.includes(anaPost.uri), "A's own post");
  t.ok(uris.includes(rajPublic.uri), "B's public post");
  t.ok(uris.includes(chenPublic.uri), "C's public post");
  for (const hidden of [rajPrivate, rajUnlisted, rajLocal, rajDirect]) {
    t.notOk(uris.includes(hidden.uri), `never B's ${hidden.visibility}${hidden.uri === rajLocal.uri ? " local-only" : ""} post`);
  }
  const fromB = result.statuses.find((status) => status.uri === rajPublic.uri)!;
  t.equal(fromB.account.acct, raj.acct, "with its author's full handle");
  // Stored on A: it can be favourited from there.
  const favourited = await ana.client.v1.statuses.$select(fromB.id).favourite();
  t.equal(favourited.favourited, true);
});

t.test("a search on A finds a sibling's people by name, and they can be followed", async (t) => {
  const result = await ana.client.v2.search.list({ q: "patel", type: "accounts" });
  const found = result.accounts.find((account) => account.acct === raj.acct);
  t.ok(found, "raj, by the name on his profile on campus B");
  const relationship = await ana.client.v1.accounts.$select(found!.id).follow();
  t.ok(relationship.following || relationship.requested, "ana follows him from A");
});

t.test("a campus answers the search endpoint only to signed siblings", async (t) => {
  const unsigned = await fetch(`${B.origin}/api/hallway/v1/federated_search?q=crm`);
  t.equal(unsigned.status, 401);
  t.same(await unsigned.json(), { error: "Request not signed" });
  const withToken = await fetch(`${B.origin}/api/hallway/v1/federated_search?q=crm`, {
    headers: { authorization: `Bearer ${raj.token}` },
  });
  t.equal(withToken.status, 401, "a user's token is not a sibling's signature");
});

t.test("with a sibling down, the search answers with the others' results", async (t) => {
  const anaKumquat = await post(ana, "Kumquat season on campus A");
  const rajKumquat = await post(raj, "Kumquat jam recipe from campus B");
  await post(chen, "Kumquat tree on campus C");
  await C.stop();
  const result = await ana.client.v2.search.list({ q: "kumquat", type: "statuses" });
  const uris = result.statuses.map((status) => status.uri);
  t.ok(uris.includes(anaKumquat.uri), "A's own post");
  t.ok(uris.includes(rajKumquat.uri), "B's post");
  t.equal(uris.length, 2, "nothing from C, which did not answer");
});
