// The org directory and follow suggestions across three campuses, through the masto client:
// siblings' discoverable people arrive by directory sync with their profile fields, people who
// opt out stay out, the skill and campus filters narrow the list, and suggestions bring up a
// colleague with overlapping skills on another campus.
import t from "tap";
import type { mastodon } from "masto";
import { type Campus, type CampusUser, eventually, startCampuses } from "../helpers/campuses.ts";

const campuses = await startCampuses(t, {
  campuses: ["A", "B", "C"],
  env: { HALLWAY_DIRECTORY_SYNC_SECONDS: "1" },
});
const A = campuses.A as Campus;
const B = campuses.B as Campus;
const C = campuses.C as Campus;

async function profile(user: CampusUser, note: string, skills: string, discoverable = true) {
  await user.client.v1.accounts.updateCredentials({
    note,
    discoverable,
    fieldsAttributes: [
      { name: "Team", value: "Platform" },
      { name: "Skills", value: skills },
    ],
  });
}

const [ana, ines, raj, hidden, chen] = await Promise.all([
  A.createUser("ana", { displayName: "Ana" }),
  A.createUser("ines", { displayName: "Ines" }),
  B.createUser("raj", { displayName: "Raj" }),
  B.createUser("hidden", { displayName: "Hidden" }),
  C.createUser("chen", { displayName: "Chen" }),
]);
await Promise.all([
  profile(ana, "Platform engineer", "Kubernetes, Go"),
  profile(ines, "Designer", "Figma, user research"),
  profile(raj, "Runs the clusters in B", "kubernetes, Terraform"),
  profile(hidden, "Prefers not to be listed", "Kubernetes", false),
  profile(chen, "CRM integrations", "Salesforce; open-source CRM"),
]);

type DirectoryParams = mastodon.rest.v1.ListDirectoryParams & { skill?: string; campus?: string };

async function directory(user: CampusUser, params: DirectoryParams = {}): Promise<mastodon.v1.Account[]> {
  return user.client.v1.directory.list(params as mastodon.rest.v1.ListDirectoryParams);
}

const accts = (accounts: mastodon.v1.Account[]) => accounts.map((account) => account.acct).sort();

t.test("a sibling's discoverable people appear in the directory with their fields", async (t) => {
  const listed = await eventually(
    async () => {
      const accounts = await directory(ana);
      const withSkills = (acct: string) =>
        accounts.some((account) => account.acct === acct && account.fields.some((field) => field.name === "Skills"));
      const settled = withSkills(raj.acct) && withSkills(chen.acct) && !accounts.some((a) => a.username === "hidden");
      return settled ? accounts : null;
    },
    { what: "raj's and chen's profiles in campus A's directory, without hidden" },
  );
  const rajOnA = listed.find((account) => account.acct === raj.acct)!;
  t.same(
    rajOnA.fields.map((field) => [field.name, field.value]),
    [
      ["Team", "Platform"],
      ["Skills", "kubernetes, Terraform"],
    ],
    "raj's profile fields came along",
  );
  t.match(rajOnA.note, /Runs the clusters in B/, "and his bio");
  t.ok(listed.some((account) => account.acct === "ana"), "local people are listed too");
  t.notOk(
    listed.some((account) => account.username === "hidden"),
    "someone who is not discoverable is not listed",
  );
  t.same(accts(await directory(ana, { local: true })), ["ana", "ines"], "local=true lists only this campus");
});

t.test("skill= matches the Skills field, case-insensitively, across campuses", async (t) => {
  t.same(accts(await directory(ana, { skill: "KUBERNETES" })), ["ana", raj.acct].sort());
  t.same(accts(await directory(ana, { skill: "crm" })), [chen.acct]);
  t.same(accts(await directory(ana, { skill: "Team" })), [], "other fields do not count as skills");
  t.same(accts(await directory(ana, { skill: "100%" })), [], "LIKE wildcards are taken literally");
});

t.test("campus= lists the people of one campus", async (t) => {
  t.same(accts(await directory(ana, { campus: B.domain })), [raj.acct]);
  t.same(accts(await directory(ana, { campus: C.domain, skill: "salesforce" })), [chen.acct]);
  t.same(accts(await directory(ana, { campus: A.domain })), ["ana", "ines"], "its own domain means local");
  t.same(await directory(ana, { campus: "elsewhere.example" }), [], "an unknown campus lists nobody");
});

t.test("order=new and paging", async (t) => {
  const all = await directory(ana, { order: "new", limit: 80 });
  const firstTwo = await directory(ana, { order: "new", limit: 2 });
  const next = await directory(ana, { order: "new", limit: 2, offset: 2 });
  t.same(
    [...firstTwo, ...next].map((account) => account.id),
    all.slice(0, 4).map((account) => account.id),
  );
});

t.test("suggestions bring up a colleague with overlapping skills on another campus", async (t) => {
  const suggestions = await ana.client.v2.suggestions.list({});
  const first = suggestions[0];
  t.equal(first?.account.acct, raj.acct, "raj (Kubernetes, on campus B) comes first for ana");
  t.equal(first?.source, "global");
  t.notOk(
    suggestions.some((suggestion) => suggestion.account.username === "hidden" || suggestion.account.acct === "ana"),
    "neither opted-out people nor ana herself",
  );
  const v1 = await ana.client.v1.suggestions.list({});
  t.equal(v1[0]?.acct, raj.acct, "v1 lists the same people as accounts");

  const forChen = await chen.client.v2.suggestions.list({});
  t.notOk(forChen[0]?.account.acct === raj.acct && forChen[0]?.sources.includes("similar_to_recently_followed"), "chen shares no skill with raj");
});

t.test("following or dismissing someone removes them from suggestions", async (t) => {
  const rajOnA = (await directory(ana, { campus: B.domain }))[0]!;
  await ana.client.v1.accounts.$select(rajOnA.id).follow();
  await eventually(
    async () => !(await ana.client.v2.suggestions.list({})).some((suggestion) => suggestion.account.acct === raj.acct),
    { what: "raj to leave ana's suggestions" },
  );
  const chenOnA = (await directory(ana, { campus: C.domain }))[0]!;
  t.ok((await ana.client.v2.suggestions.list({})).some((suggestion) => suggestion.account.id === chenOnA.id));
  await ana.client.v1.suggestions.$select(chenOnA.id).remove(undefined as never);
  t.notOk(
    (await ana.client.v2.suggestions.list({})).some((suggestion) => suggestion.account.id === chenOnA.id),
    "dismissed",
  );
  t.ok((await directory(ana)).some((account) => account.id === chenOnA.id), "still in the directory");
  await t.rejects(ana.client.v1.suggestions.$select("999999").remove(undefined as never), /./, "an unknown account is a 404");
});

t.test("turning discoverable off on one's own campus takes a person out of every directory", async (t) => {
  await chen.client.v1.accounts.updateCredentials({ discoverable: false });
  await eventually(async () => !(await directory(ana)).some((account) => account.acct === chen.acct), {
    what: "chen to leave campus A's directory",
  });
  t.pass();
});

t.test("a campus's directory collection is served only to signed siblings", async (t) => {
  const response = await fetch(`${B.origin}/users/instance.actor/directory`, {
    headers: { accept: "application/activity+json" },
  });
  t.equal(response.status, 401, "an unsigned request is refused");
  t.match(await response.json(), { error: String });
});
