// Help requests across three campuses with planted expertise: "who has done X" finds the expert
// of another campus, a request on campus A reaches an expert on campus C as a mention from A's
// assistant, Open asks shows the request on A and on a sibling until it is solved, an unanswered
// request resurfaces to the next people, and follow paths span campuses.
import t from "tap";
import type { mastodon } from "masto";
import { type Campus, type CampusUser, eventually, resolveAccount, startCampuses } from "../helpers/campuses.ts";

const campuses = await startCampuses(t, {
  campuses: ["A", "B", "C"],
  // Two experts a round, and a second round seconds after the first.
  env: { HALLWAY_HELP_NOTIFY: "2", HALLWAY_HELP_RESURFACE_HOURS: "0.002" },
});
const A = campuses.A as Campus;
const B = campuses.B as Campus;
const C = campuses.C as Campus;

const [priya, ana, kai, bob, dan, raj, chen, olga] = await Promise.all([
  A.createUser("priya", { displayName: "Priya" }),
  A.createUser("ana"),
  A.createUser("kai"),
  A.createUser("bob"),
  A.createUser("dan"),
  B.createUser("raj"),
  C.createUser("chen", { displayName: "Chen" }),
  C.createUser("olga"),
]);

async function follow(follower: CampusUser, target: CampusUser): Promise<string> {
  const account =
    follower.acct.split("@")[1] === target.acct.split("@")[1]
      ? target.account
      : await resolveAccount(follower, target);
  await follower.client.v1.accounts.$select(account.id).follow();
  await eventually(
    async () =>
      (await follower.client.v1.accounts.relationships.fetch({ id: [account.id] }))[0]?.following,
    { what: `${follower.username} following ${target.username}` },
  );
  return account.id;
}

async function extension(
  campus: Campus,
  who: CampusUser,
  method: string,
  path: string,
  body?: object,
) {
  const response = await fetch(`${campus.origin}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${who.token}`,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}

interface Expert {
  account: { id: string; acct: string };
  score: number;
  evidence: { status_id: string; url: string }[];
  hops: number | null;
  follow_path: { acct: string }[];
}

const experts = async (who: CampusUser, q: string): Promise<Expert[]> =>
  (await extension(A, who, "GET", `/api/hallway/v1/experts?q=${encodeURIComponent(q)}&limit=20`))
    .body;

async function openAsks(who: CampusUser): Promise<mastodon.v1.Status[]> {
  const lists = await who.client.v1.lists.list();
  const list = lists.find((candidate) => candidate.title === "Open asks");
  if (!list) throw new Error(`${who.username} has no Open asks`);
  return who.client.v1.timelines.list.$select(list.id).list({ limit: 40 });
}

let chenOnA: string;
let rajOnA: string;

t.before(async () => {
  await chen.client.v1.accounts.updateCredentials({
    fieldsAttributes: [{ name: "Skills", value: "CRM, Salesforce" }],
  });
  await olga.client.v1.accounts.updateCredentials({
    fieldsAttributes: [
      { name: "Skills", value: "CRM" },
      { name: "Expert routing", value: "off" },
    ],
  });
  chenOnA = await follow(ana, chen);
  const olgaOnA = await follow(ana, olga);
  await eventually(
    async () =>
      (await ana.client.v1.accounts.$select(olgaOnA).fetch()).fields.some(
        (field) => field.name === "Expert routing",
      ),
    { what: "olga's opt-out on campus A" },
  );
  rajOnA = await follow(priya, raj);
  await follow(raj, priya);
  await follow(priya, ana);
  await follow(ana, bob);
  await follow(bob, dan);
  const posts: [CampusUser, string][] = [
    [chen, "We implemented an open-source CRM for the sales team, ask me anything #crm"],
    [chen, "CRM data migration checklist: export the contacts first"],
    [olga, "CRM tips: keep the pipeline stages few #crm"],
    [olga, "Our open-source CRM rollout went fine"],
    [ana, "The CRM dashboard is slow today"],
    [raj, "Running Kubernetes clusters since 2019 #kubernetes"],
    [raj, "Kubernetes operators are great for stateful services"],
    [kai, "Kubernetes upgrade done on the build cluster"],
    [kai, "Our kubernetes ingress finally behaves"],
    [dan, "I tried kubernetes once"],
  ];
  for (const [who, status] of posts)
    await who.client.v1.statuses.create({ status, visibility: "public" });
  // Campus A holds the siblings' posts through its people's follows.
  await eventually(
    async () => (await experts(priya, "crm")).some((e) => e.account.id === chenOnA),
    {
      what: "chen's CRM posts on campus A",
    },
  );
  await eventually(
    async () => (await experts(priya, "kubernetes")).some((e) => e.account.id === rajOnA),
    {
      what: "raj's posts on campus A",
    },
  );
});

t.test("who has done X finds the planted experts of other campuses in the top 3", async (t) => {
  const crm = await experts(priya, "who has implemented a CRM");
  t.ok(
    crm.slice(0, 3).some((e) => e.account.id === chenOnA),
    "chen of campus C for CRM",
  );
  const chenEntry = crm.find((e) => e.account.id === chenOnA)!;
  t.ok(chenEntry.evidence.length >= 2, "with the posts that show it");
  t.ok(
    chenEntry.evidence.every((e) => e.url.startsWith(C.origin)),
    "linking the posts on chen's campus",
  );
  const kube = await experts(priya, "who knows Kubernetes");
  t.equal(kube[0]?.account.id, rajOnA, "raj of campus B leads for Kubernetes");

  const search = await priya.client.v2.search.list({
    q: "CRM",
    type: "accounts",
  });
  t.ok(
    search.accounts.slice(0, 3).some((account) => account.id === chenOnA),
    "account search ranks by expertise",
  );
});

t.test("follow paths across campuses: 0, 1 and 2 hops, and none beyond", async (t) => {
  await priya.client.v1.statuses.create({ status: "kubernetes notes from the offsite" });
  const kube = await experts(priya, "kubernetes");
  const entry = (acct: string) => kube.find((e) => e.account.acct === acct);
  t.same(
    entry(priya.username)?.follow_path.map((a) => a.acct),
    [priya.username],
    "0 hops: priya herself",
  );
  t.equal(entry(priya.username)?.hops, 0);
  t.same(
    entry(raj.acct)?.follow_path.map((a) => a.acct),
    [priya.username, raj.acct],
    "1 hop to campus B",
  );
  const crm = await experts(priya, "crm");
  const chenEntry = crm.find((e) => e.account.id === chenOnA)!;
  t.equal(chenEntry.hops, 2);
  t.same(
    chenEntry.follow_path.map((a) => a.acct),
    [priya.username, ana.username, chen.acct],
    "2 hops to campus C",
  );
  t.equal(entry(dan.username)?.hops, null, "dan is three follows away");
  t.same(entry(dan.username)?.follow_path, []);
});

let requestUri: string;
let requestId: string;

t.test(
  "a help request on campus A notifies the expert on campus C, not who opted out",
  async (t) => {
    const request = await priya.client.v1.statuses.create({
      status: "Has anyone implemented an open-source CRM? #help",
      visibility: "public",
    });
    requestUri = request.uri;
    requestId = request.id;
    const mention = await eventually(
      async () =>
        (await chen.client.v1.notifications.list({ types: ["mention"], limit: 40 })).find((n) =>
          n.status?.content.includes(request.url ?? request.uri),
        ),
      { what: "the assistant's mention on campus C", timeoutMs: 30_000 },
    );
    t.equal(mention.account.acct, `hallway@${A.domain}`, "from campus A's assistant");
    t.equal(mention.account.bot, true);
    const state = await eventually(
      async () => {
        const { body } = await extension(
          A,
          priya,
          "GET",
          `/api/hallway/v1/help_requests/${requestId}`,
        );
        return body.routed_account_ids?.length > 0 ? body : undefined;
      },
      { what: "the routing round" },
    );
    t.equal(state.routed_account_ids[0], chenOnA, "chen was asked first");
    const olgaOnA = (await resolveAccount(priya, olga)).id;
    t.notOk(state.routed_account_ids.includes(olgaOnA), "olga opted out");
    t.ok(
      state.routed_account_ids.includes(ana.account.id),
      "ana's weaker evidence fills the second place",
    );
  },
);

t.test(
  "Open asks shows the request on A and on a sibling until it is solved, then not",
  async (t) => {
    t.ok(
      (await openAsks(ana)).some((s) => s.uri === requestUri),
      "on campus A",
    );
    await eventually(async () => (await openAsks(raj)).some((s) => s.uri === requestUri), {
      what: "Open asks on B",
    });
    t.pass("on campus B");

    // Chen answers from campus C; priya names the answer through the extension endpoint.
    const onC = await chen.client.v2.search.list({
      q: requestUri,
      resolve: true,
      type: "statuses",
    });
    const answer = await chen.client.v1.statuses.create({
      status: `@${priya.acct} Happy to walk you through our setup`,
      inReplyToId: onC.statuses[0]!.id,
    });
    const answerOnA = await eventually(
      async () =>
        (await priya.client.v1.statuses.$select(requestId).context.fetch()).descendants.find(
          (s) => s.uri === answer.uri,
        ),
      { what: "chen's answer on campus A" },
    );
    const resolved = await extension(
      A,
      priya,
      "POST",
      `/api/hallway/v1/help_requests/${requestId}/resolve`,
      {
        answer_status_id: answerOnA.id,
      },
    );
    t.equal(resolved.status, 200);
    t.equal(resolved.body.state, "solved");
    t.equal(resolved.body.answer_status_id, answerOnA.id);
    t.notOk(
      (await openAsks(ana)).some((s) => s.uri === requestUri),
      "gone from Open asks on A",
    );
    await eventually(async () => !(await openAsks(raj)).some((s) => s.uri === requestUri), {
      what: "the request to leave Open asks on B",
    });
    t.pass("gone from Open asks on B: the #solved reply federated and B applied the same rule");
  },
);

t.test("an unanswered request resurfaces to the next experts", async (t) => {
  const request = await priya.client.v1.statuses.create({
    status: "Anyone running Kubernetes operators in production? #help",
    visibility: "public",
  });
  const first = await eventually(
    async () => {
      const { body } = await extension(
        A,
        priya,
        "GET",
        `/api/hallway/v1/help_requests/${request.id}`,
      );
      return body.routed_account_ids?.length >= 2 ? body.routed_account_ids : undefined;
    },
    { what: "the first round" },
  );
  t.same(first, [rajOnA, kai.account.id], "raj and kai first");
  const mention = await eventually(
    async () =>
      (await dan.client.v1.notifications.list({ types: ["mention"], limit: 40 })).find((n) =>
        n.status?.content.includes(request.id),
      ),
    { what: "dan asked when the request resurfaced", timeoutMs: 40_000 },
  );
  t.equal(mention.account.username, "hallway");
});
