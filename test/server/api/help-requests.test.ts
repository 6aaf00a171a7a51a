// Help requests on one campus: the ranking's weights, the Open asks list, resolving, routing to
// experts (with opt-outs and resurfacing), and the experts endpoint with its follow paths.
import t from "tap";
import { routeHelpRequest } from "../../../server/services/help/routing.ts";
import {
  ANSWER_CAP,
  POST_CAP,
  rankExperts,
  significantTerms,
  WEIGHTS,
} from "../../../server/services/help/ranking.ts";
import { createTestUser, type TestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t);
const { app, context } = instance;
const [asker, poster, replier, tagger, skilled, quiet, optout] = await Promise.all([
  createTestUser(instance, "asker"),
  createTestUser(instance, "poster"),
  createTestUser(instance, "replier"),
  createTestUser(instance, "tagger"),
  createTestUser(instance, "skilled"),
  createTestUser(instance, "quiet"),
  createTestUser(instance, "optout"),
]);

async function api(
  user: TestUser,
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  url: string,
  payload?: object,
) {
  const response = await app.inject({
    method,
    url,
    headers: user.auth,
    ...(payload ? { payload } : {}),
  });
  return { status: response.statusCode, body: response.json() };
}

async function post(
  user: TestUser,
  status: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const { status: code, body } = await api(user, "POST", "/api/v1/statuses", { status, ...extra });
  if (code !== 200) throw new Error(`post failed: ${JSON.stringify(body)}`);
  return body.id;
}

async function setFields(user: TestUser, fields: { name: string; value: string }[]) {
  const { status } = await api(user, "PATCH", "/api/v1/accounts/update_credentials", {
    fields_attributes: fields,
  });
  if (status !== 200) throw new Error("profile update failed");
}

t.test("significant terms drop stopwords, mentions, links and the help tag", async (t) => {
  t.same(
    significantTerms("Has anyone implemented an open-source CRM? @bob https://x.example/y #help", [
      "help",
    ]),
    ["implemented", "open", "source", "crm"],
  );
  t.same(significantTerms("who knows Kubernetes"), ["kubernetes"]);
  t.same(significantTerms("who has done it?"), [], "nothing left to rank by");
});

t.test("each kind of evidence scores with its documented weight", async (t) => {
  await post(poster, "Our team runs Zanzibar in production");
  await post(poster, "Zanzibar upgrade notes");
  const root = await post(quiet, "Question about zanzibar caches");
  await post(replier, "Zanzibar caches need a warm-up", { in_reply_to_id: root });
  await post(tagger, "Shipped today #zanzibar");
  await setFields(skilled, [{ name: "Skills", value: "Zanzibar, Go" }]);
  // Private posts are not evidence for the whole organization.
  await post(optout, "Zanzibar secrets", { visibility: "private" });

  const ranked = await rankExperts(context.db, ["zanzibar"], { limit: 10 });
  const score = (user: TestUser) =>
    ranked.find((expert) => expert.accountId === user.account.id)?.score;
  t.equal(score(poster), 2 * WEIGHTS.post, "two posts");
  t.equal(score(replier), WEIGHTS.reply, "one reply");
  t.equal(score(tagger), WEIGHTS.post + WEIGHTS.hashtag, "a post that also carries the hashtag");
  t.equal(score(skilled), WEIGHTS.skill, "a Skills profile field");
  t.equal(score(quiet), WEIGHTS.post, "the question itself is a post");
  t.equal(score(optout), undefined, "followers-only posts do not count");
  t.same(
    ranked.map((expert) => expert.accountId),
    [...ranked]
      .sort((a, b) => b.score - a.score || Number(BigInt(a.accountId) - BigInt(b.accountId)))
      .map((expert) => expert.accountId),
    "best first, ties by account id",
  );
  t.equal(ranked[0]?.accountId, skilled.account.id, "the Skills field outweighs two posts");
  t.same(
    (await rankExperts(context.db, ["zanzibar"], { limit: 10, exclude: [skilled.account.id] })).map(
      (e) => e.accountId,
    ),
    ranked.map((e) => e.accountId).filter((id) => id !== skilled.account.id),
    "excluded people are left out",
  );
  t.ok(POST_CAP > 0 && ANSWER_CAP > 0);
});

let requestId: string;
let openAsksId: string;

t.test("every user has an Open asks list the server keeps", async (t) => {
  const { body: lists } = await api(replier, "GET", "/api/v1/lists");
  const openAsks = lists.find((list: { title: string }) => list.title === "Open asks");
  t.ok(openAsks, "Open asks is among the lists");
  openAsksId = openAsks.id;
  const again = await api(replier, "GET", "/api/v1/lists");
  t.equal(
    again.body.filter((list: { title: string }) => list.title === "Open asks").length,
    1,
    "only one",
  );

  const rename = await api(replier, "PUT", `/api/v1/lists/${openAsksId}`, { title: "Mine" });
  t.equal(rename.status, 422);
  t.match(rename.body.error, /kept by the server/);
  const remove = await api(replier, "DELETE", `/api/v1/lists/${openAsksId}`);
  t.equal(remove.status, 422, "it cannot be deleted");
  const fill = await api(replier, "POST", `/api/v1/lists/${openAsksId}/accounts`, {
    account_ids: [replier.account.id],
  });
  t.equal(fill.status, 422, "nor filled");
  const other = await api(asker, "GET", `/api/v1/timelines/list/${openAsksId}`);
  t.equal(other.status, 404, "another user's Open asks is not found");
});

t.test("a post with the help tag is an open request, shown in Open asks", async (t) => {
  requestId = await post(asker, "Has anyone tuned Zanzibar caches? #help");
  const { body: timeline } = await api(replier, "GET", `/api/v1/timelines/list/${openAsksId}`);
  t.same(
    timeline.map((status: { id: string }) => status.id),
    [requestId],
    "the request is listed",
  );
  const { body: state } = await api(replier, "GET", `/api/hallway/v1/help_requests/${requestId}`);
  t.equal(state.state, "open");
  const plain = await post(asker, "Just a post about zanzibar");
  t.equal(
    (await api(asker, "GET", `/api/hallway/v1/help_requests/${plain}`)).status,
    404,
    "an ordinary post is no request",
  );
});

t.test("help_request: true makes a request and adds the tag", async (t) => {
  const { body } = await api(quiet, "POST", "/api/v1/statuses", {
    status: "Where are the Zanzibar dashboards?",
    help_request: true,
  });
  t.match(body.content, /tags\/help/, "the help tag was added");
  t.equal((await api(quiet, "GET", `/api/hallway/v1/help_requests/${body.id}`)).body.state, "open");
  const { body: timeline } = await api(replier, "GET", `/api/v1/timelines/list/${openAsksId}`);
  t.same(
    timeline.map((status: { id: string }) => status.id),
    [body.id, requestId],
    "newest first",
  );
});

t.test(
  "routing mentions the top experts from the assistant, never the asker or who opted out",
  async (t) => {
    await setFields(optout, [
      { name: "Skills", value: "Zanzibar" },
      { name: "Expert routing", value: "off" },
    ]);
    await routeHelpRequest(context, requestId);
    const { body: state } = await api(asker, "GET", `/api/hallway/v1/help_requests/${requestId}`);
    const ranked = await rankExperts(context.db, ["tuned", "zanzibar", "caches"], {
      limit: 3,
      exclude: [asker.account.id],
      routableOnly: true,
    });
    t.same(
      state.routed_account_ids,
      ranked.map((expert) => expert.accountId),
      "the top three, in rank order",
    );
    t.notOk(state.routed_account_ids.includes(optout.account.id), "opted out");
    t.notOk(state.routed_account_ids.includes(asker.account.id), "not the asker");
    const expertId = state.routed_account_ids[0];
    const expert = [poster, replier, tagger, skilled, quiet].find(
      (user) => user.account.id === expertId,
    )!;
    const { body: notifications } = await api(
      expert,
      "GET",
      "/api/v1/notifications?types[]=mention",
    );
    const mention = notifications.find((n: { status?: { content: string } }) =>
      n.status?.content.includes(requestId),
    );
    t.ok(mention, "the expert has a mention linking the request");
    t.equal(mention.account.username, "hallway", "from the campus assistant");
    t.equal(mention.account.bot, true);
    t.equal(mention.status.visibility, "direct");

    await routeHelpRequest(context, requestId);
    const { body: later } = await api(asker, "GET", `/api/hallway/v1/help_requests/${requestId}`);
    t.same(later.routed_account_ids.slice(0, 3), state.routed_account_ids, "the first round stays");
    t.ok(
      later.routed_account_ids
        .slice(3)
        .every((id: string) => !state.routed_account_ids.includes(id)),
      "resurfacing asks other people",
    );
  },
);

t.test(
  "only the asker resolves; a #solved reply closes the request and names the answer",
  async (t) => {
    const answer = await post(replier, "Warm them up first", { in_reply_to_id: requestId });
    const notAsker = await api(
      replier,
      "POST",
      `/api/hallway/v1/help_requests/${requestId}/resolve`,
      {},
    );
    t.equal(notAsker.status, 403);
    t.match(notAsker.body.error, /asker/);
    const outside = await api(asker, "POST", `/api/hallway/v1/help_requests/${requestId}/resolve`, {
      answer_status_id: await post(poster, "unrelated"),
    });
    t.equal(outside.status, 422, "the answer must be in the thread");

    const { status, body } = await api(
      asker,
      "POST",
      `/api/hallway/v1/help_requests/${requestId}/resolve`,
      {
        answer_status_id: answer,
      },
    );
    t.equal(status, 200);
    t.equal(body.state, "solved");
    t.equal(body.answer_status_id, answer);
    const { body: timeline } = await api(replier, "GET", `/api/v1/timelines/list/${openAsksId}`);
    t.notOk(
      timeline.some((s: { id: string }) => s.id === requestId),
      "it left Open asks",
    );
    const again = await api(
      asker,
      "POST",
      `/api/hallway/v1/help_requests/${requestId}/resolve`,
      {},
    );
    t.equal(again.status, 422, "already solved");

    const ranked = await rankExperts(context.db, ["zanzibar"], { limit: 10 });
    const replierScore = ranked.find((e) => e.accountId === replier.account.id);
    t.equal(replierScore?.answers, 1, "the answer counts as solved-answer evidence");
    t.equal(
      replierScore?.score,
      WEIGHTS.reply + WEIGHTS.answer,
      "its own words do not match, the request's do",
    );
  },
);

t.test("a stock client resolves with a #solved reply of the asker", async (t) => {
  const id = await post(asker, "Is there a Zanzibar style guide? #help");
  await post(asker, "Found it, thanks #solved", { in_reply_to_id: id });
  t.equal((await api(asker, "GET", `/api/hallway/v1/help_requests/${id}`)).body.state, "solved");
  const other = await post(asker, "Another Zanzibar question #help");
  await post(replier, "Nope #solved", { in_reply_to_id: other });
  t.equal(
    (await api(asker, "GET", `/api/hallway/v1/help_requests/${other}`)).body.state,
    "open",
    "only the asker solves",
  );
});

t.test("experts endpoint: evidence and follow paths of 0, 1 and 2 hops, none beyond", async (t) => {
  const follow = (from: TestUser, to: TestUser) =>
    api(from, "POST", `/api/v1/accounts/${to.account.id}/follow`);
  await follow(asker, poster);
  await follow(poster, tagger);
  await follow(tagger, skilled);
  const { status, body } = await api(
    asker,
    "GET",
    "/api/hallway/v1/experts?q=who+knows+zanzibar&limit=20",
  );
  t.equal(status, 200);
  const of = (user: TestUser) =>
    body.find((e: { account: { id: string } }) => e.account.id === user.account.id);
  t.ok(of(poster).evidence.length >= 2, "posts as evidence");
  t.ok(of(poster).evidence.every((e: { url: string }) => e.url.startsWith("http")));
  t.same(
    of(asker)?.follow_path.map((a: { id: string }) => a.id),
    [asker.account.id],
    "0 hops: oneself",
  );
  t.equal(of(poster).hops, 1);
  t.same(
    of(poster).follow_path.map((a: { id: string }) => a.id),
    [asker.account.id, poster.account.id],
  );
  t.equal(of(tagger).hops, 2);
  t.same(
    of(tagger).follow_path.map((a: { id: string }) => a.id),
    [asker.account.id, poster.account.id, tagger.account.id],
  );
  t.equal(of(skilled).hops, null, "three hops is too far");
  t.same(of(skilled).follow_path, []);
  const empty = await api(asker, "GET", "/api/hallway/v1/experts?q=who+has+done+it");
  t.same(empty.body, [], "no significant words, no experts");
});

t.test("account search puts the experts for the query first", async (t) => {
  const { status, body } = await api(
    quiet,
    "GET",
    "/api/v2/search?q=zanzibar&type=accounts&limit=3",
  );
  t.equal(status, 200, JSON.stringify(body));
  const ranked = await rankExperts(context.db, ["zanzibar"], { limit: 3 });
  t.same(
    body.accounts.map((account: { id: string }) => account.id),
    ranked.map((expert) => expert.accountId),
    "ranked by expertise",
  );
  const byName = await api(quiet, "GET", "/api/v2/search?q=@poster&type=accounts");
  t.equal(byName.body.accounts[0]?.id, poster.account.id, "a handle is still found by name");
});
