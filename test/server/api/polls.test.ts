// Polls on one campus as Mastodon apps drive them: posted with a status (JSON through masto, a
// form and multipart), voted on, every refusal Mastodon makes, hidden totals, and the end of a
// poll with its notifications. The shortest poll is lowered to one second for these tests.
import { createRestAPIClient, MastoHttpError, type mastodon } from "masto";
import sharp from "sharp";
import t from "tap";
import { loadConfig } from "../../../server/config.ts";
import { eventually } from "../../helpers/campuses.ts";
import { createTestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";
import { readIntents } from "../../helpers/intents.ts";

const instance = await startTestInstance(t, {
  listen: true,
  env: { HALLWAY_POLL_MIN_EXPIRY_SECONDS: "1", HALLWAY_POLL_MAX_EXPIRY_SECONDS: "86400", HALLWAY_MAX_POLL_OPTIONS: "4" },
});
const { url } = instance;
const [ana, bruno, chen] = await Promise.all(
  ["ana", "bruno", "chen"].map(async (name) => {
    const user = await createTestUser(instance, name);
    return { user, client: createRestAPIClient({ url, accessToken: user.token }) };
  }),
).then((users) => users as [(typeof users)[0], (typeof users)[0], (typeof users)[0]]);

async function refusal(request: () => Promise<unknown>): Promise<{ status: number; error: string } | "no failure"> {
  try {
    await request();
  } catch (error) {
    if (error instanceof MastoHttpError) {
      return { status: error.statusCode, error: String((error.additionalProperties as { error?: string } | undefined)?.error ?? error.message) };
    }
    throw error;
  }
  return "no failure";
}

/** A raw API call, for the encodings masto does not send. */
async function api(token: string, method: string, path: string, body?: { type: string; data: string | FormData }) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body && body.type !== "multipart" ? { "content-type": body.type } : {}) },
    body: body?.data,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tallies = (poll: mastodon.v1.Poll | null | undefined) => poll?.options.map((option) => option.votesCount ?? null);

t.test("a poll posted through masto is Mastodon's Poll entity on the status", async (t) => {
  const before = Date.now();
  const status = await ana.client.v1.statuses.create({
    status: "Where should the offsite be?",
    poll: { options: ["Lisbon", "Oslo", "Kraków"], expiresIn: 3600, multiple: false },
  });
  const poll = status.poll!;
  t.ok(poll, "the status carries its poll");
  t.match(poll.id, /^\d+$/);
  const endsIn = new Date(poll.expiresAt!).getTime() - before;
  t.ok(endsIn >= 3_599_000 && endsIn <= 3_610_000, "it ends in an hour");
  t.equal(poll.expired, false);
  t.equal(poll.multiple, false);
  t.equal(poll.votesCount, 0);
  t.equal(poll.votersCount, 0);
  t.same(
    poll.options.map((option) => [option.title, option.votesCount]),
    [
      ["Lisbon", 0],
      ["Oslo", 0],
      ["Kraków", 0],
    ],
  );
  t.same((poll as unknown as { emojis: unknown[] }).emojis, []);
  t.equal(poll.voted, true, "Mastodon counts the author as having voted");
  t.same(poll.ownVotes, []);

  const seen = await bruno.client.v1.statuses.$select(status.id).fetch();
  t.equal(seen.poll?.id, poll.id, "others see the same poll");
  t.equal(seen.poll?.voted, false);
  t.same(seen.poll?.ownVotes, []);
  const home = await ana.client.v1.timelines.home.list({ limit: 5 });
  t.equal(home.find((item) => item.id === status.id)?.poll?.id, poll.id, "timelines carry it too");
  const fetched = await bruno.client.v1.polls.$select(poll.id).fetch();
  t.equal(fetched.id, poll.id, "GET /api/v1/polls/:id");
  t.same(fetched.options.map((option) => option.title), ["Lisbon", "Oslo", "Kraków"]);

  const intents = await readIntents(instance, "status.created");
  t.ok(intents.some((intent) => intent.statusId === status.id), "the post is announced to federation as any other");
});

t.test("polls sent as a form, as multipart and as JSON with string numbers", async (t) => {
  const form = new URLSearchParams();
  form.append("status", "Form poll");
  for (const option of ["tea", "coffee", " ", "water"]) form.append("poll[options][]", option);
  form.append("poll[expires_in]", "600");
  form.append("poll[multiple]", "1");
  form.append("poll[hide_totals]", "on");
  const fromForm = await api(ana.user.token, "POST", "/api/v1/statuses", {
    type: "application/x-www-form-urlencoded",
    data: form.toString(),
  });
  t.equal(fromForm.status, 200);
  const formPoll = fromForm.json.poll as { options: { title: string; votes_count: number | null }[]; multiple: boolean };
  t.same(formPoll.options.map((option) => option.title), ["tea", "coffee", "water"], "blank options are dropped");
  t.equal(formPoll.multiple, true);
  t.same(formPoll.options.map((option) => option.votes_count), [null, null, null], "hide_totals=on hides the counts");

  const multipart = new FormData();
  multipart.append("status", "Multipart poll");
  multipart.append("poll[options][0]", "yes");
  multipart.append("poll[options][1]", "no");
  multipart.append("poll[expires_in]", "300");
  const fromMultipart = await api(ana.user.token, "POST", "/api/v1/statuses", { type: "multipart", data: multipart });
  t.equal(fromMultipart.status, 200);
  const multipartPoll = fromMultipart.json.poll as { options: { title: string }[]; multiple: boolean; expires_at: string };
  t.same(multipartPoll.options.map((option) => option.title), ["yes", "no"]);
  t.equal(multipartPoll.multiple, false);

  const fromJson = await api(ana.user.token, "POST", "/api/v1/statuses", {
    type: "application/json",
    data: JSON.stringify({ status: "JSON poll", poll: { options: ["a", "b"], expires_in: "900", multiple: "false" } }),
  });
  t.equal(fromJson.status, 200);
  t.equal((fromJson.json.poll as { multiple: boolean }).multiple, false);

  const withoutPoll = await api(ana.user.token, "POST", "/api/v1/statuses", {
    type: "application/json",
    data: JSON.stringify({ status: "no poll here", poll: null }),
  });
  t.equal(withoutPoll.status, 200);
  t.equal(withoutPoll.json.poll, null, "poll: null is a post without a poll");
});

t.test("a poll that breaks the instance's limits is refused with 422", async (t) => {
  const create = (poll: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    api(ana.user.token, "POST", "/api/v1/statuses", {
      type: "application/json",
      data: JSON.stringify({ status: "bad poll", poll, ...extra }),
    });
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["one option", { options: ["only"], expires_in: 600 }, /more than one item/],
    ["only blank options", { options: [" ", ""], expires_in: 600 }, /more than one item/],
    ["too many options", { options: ["a", "b", "c", "d", "e"], expires_in: 600 }, /more than 4 items/],
    ["an option too long", { options: ["a", "x".repeat(51)], expires_in: 600 }, /longer than 50 characters/],
    ["duplicate options", { options: ["same", "same"], expires_in: 600 }, /duplicate/],
    ["no duration", { options: ["a", "b"] }, /expires in can't be blank/],
    ["too short", { options: ["a", "b"], expires_in: 0 }, /too soon/],
    ["too long", { options: ["a", "b"], expires_in: 86401 }, /too far into the future/],
    ["a negative duration", { options: ["a", "b"], expires_in: -5 }, /expires_in/],
    ["a duration that is no number", { options: ["a", "b"], expires_in: "soon" }, /expires_in/],
  ];
  for (const [label, poll, message] of cases) {
    const response = await create(poll);
    t.equal(response.status, 422, label);
    t.match(response.json.error, message, label);
  }
  // Fifty characters are counted as people see them: an emoji with modifiers is one.
  const family = "👩‍👩‍👧‍👦";
  const long = await create({ options: [family.repeat(50), "b"], expires_in: 600 });
  t.equal(long.status, 200, "fifty emoji are fifty characters");

  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#336699" } }).png().toBuffer();
  const media = await ana.client.v2.media.create({ file: new Blob([png], { type: "image/png" }) });
  const both = await create({ options: ["a", "b"], expires_in: 600 }, { media_ids: [media.id] });
  t.equal(both.status, 422, "a poll and media together are refused, as in Mastodon");
  t.match(both.json.error, /poll/);
  const rows = await instance.context.db.selectFrom("statuses").select("id").where("text", "=", "bad poll").execute();
  t.equal(rows.length, 1, "only the valid one was stored");
});

t.test("voting: tallies, voters, own votes, and the answer is the poll", async (t) => {
  const status = await ana.client.v1.statuses.create({
    status: "Which days work?",
    poll: { options: ["Mon", "Tue", "Wed", "Thu"], expiresIn: 3600, multiple: true },
  });
  const pollId = status.poll!.id;
  const afterBruno = await bruno.client.v1.polls.$select(pollId).votes.create({ choices: [0, 2] });
  t.equal(afterBruno.voted, true);
  t.same(afterBruno.ownVotes, [0, 2]);
  t.equal(afterBruno.votesCount, 2);
  t.equal(afterBruno.votersCount, 1);
  t.same(afterBruno.options.map((option) => option.votesCount), [1, 0, 1, 0]);

  // A second vote in a multiple-choice poll may add another option, but not repeat one.
  const more = await bruno.client.v1.polls.$select(pollId).votes.create({ choices: [3] });
  t.same(more.ownVotes, [0, 2, 3]);
  t.equal(more.votersCount, 1, "still one voter");
  const repeat = await refusal(() => bruno.client.v1.polls.$select(pollId).votes.create({ choices: [2] }));
  t.same(repeat, { status: 422, error: "Validation failed: You have already voted on this poll" });

  // Choices as a form, as Rails-style strings.
  const form = new URLSearchParams([["choices[]", "2"]]);
  const chenVote = await api(chen.user.token, "POST", `/api/v1/polls/${pollId}/votes`, {
    type: "application/x-www-form-urlencoded",
    data: form.toString(),
  });
  t.equal(chenVote.status, 200);
  t.same(chenVote.json.own_votes, [2]);
  t.equal(chenVote.json.voters_count, 2);
  t.equal(chenVote.json.votes_count, 4);

  const asAna = await ana.client.v1.statuses.$select(status.id).fetch();
  t.same(asAna.poll?.options.map((option) => option.votesCount), [1, 0, 2, 1], "the author sees the tallies");
  t.same(asAna.poll?.ownVotes, []);
  const asChen = await chen.client.v1.polls.$select(pollId).fetch();
  t.same(asChen.ownVotes, [2], "own_votes are the viewer's own");
});

t.test("every refused vote is a 422 with Mastodon's message", async (t) => {
  const single = await ana.client.v1.statuses.create({
    status: "Pick one",
    poll: { options: ["red", "green"], expiresIn: 3600 },
  });
  const pollId = single.poll!.id;
  const vote = (who: typeof bruno, choices: number[]) => refusal(() => who.client.v1.polls.$select(pollId).votes.create({ choices }));

  t.same(await vote(ana, [0]), { status: 422, error: "Validation failed: You cannot vote in your own polls" });
  t.same(await vote(bruno, [2]), { status: 422, error: "Validation failed: The chosen vote option does not exist" });
  t.same(await vote(bruno, [-1]), { status: 422, error: "Validation failed: The chosen vote option does not exist" });
  t.same(await vote(bruno, [0, 1]), { status: 422, error: "Validation failed: You have already voted on this poll" }, "several choices in a single-choice poll");
  t.equal(await vote(bruno, [1]), "no failure");
  t.same(await vote(bruno, [0]), { status: 422, error: "Validation failed: You have already voted on this poll" });
  const noChoices = await api(chen.user.token, "POST", `/api/v1/polls/${pollId}/votes`, {
    type: "application/json",
    data: JSON.stringify({ choices: [] }),
  });
  t.equal(noChoices.status, 422, "no choice at all");
  const junk = await api(chen.user.token, "POST", `/api/v1/polls/${pollId}/votes`, {
    type: "application/json",
    data: JSON.stringify({ choices: ["first"] }),
  });
  t.equal(junk.status, 422, "a choice that is no number");

  const short = await ana.client.v1.statuses.create({ status: "Quick one", poll: { options: ["a", "b"], expiresIn: 1 } });
  await sleep(1200);
  t.same(
    await refusal(() => bruno.client.v1.polls.$select(short.poll!.id).votes.create({ choices: [0] })),
    { status: 422, error: "Validation failed: The poll has already ended" },
  );

  const missing = await refusal(() => bruno.client.v1.polls.$select("12345").votes.create({ choices: [0] }));
  t.same(missing, { status: 404, error: "Record not found" });
  const poll = await instance.context.db.selectFrom("polls").selectAll().where("id", "=", pollId).executeTakeFirstOrThrow();
  t.same(poll.votes_counts, [0, 1], "only the accepted vote was counted");
  t.equal(poll.voters_count, 1);
});

t.test("a poll is only as visible as its post", async (t) => {
  const secret = await ana.client.v1.statuses.create({
    status: "Followers only: team dinner?",
    visibility: "private",
    poll: { options: ["yes", "no"], expiresIn: 3600 },
  });
  const pollId = secret.poll!.id;
  t.same(await refusal(() => chen.client.v1.polls.$select(pollId).fetch()), { status: 404, error: "Record not found" });
  t.same(await refusal(() => chen.client.v1.polls.$select(pollId).votes.create({ choices: [0] })), {
    status: 404,
    error: "Record not found",
  });
  await chen.client.v1.accounts.$select(ana.user.account.id).follow();
  const voted = await chen.client.v1.polls.$select(pollId).votes.create({ choices: [0] });
  t.same(voted.ownVotes, [0], "a follower may see and vote");
});

t.test("hidden totals stay hidden from everyone, the author included, until the poll ends", async (t) => {
  const status = await ana.client.v1.statuses.create({
    status: "Secret ballot",
    poll: { options: ["one", "two"], expiresIn: 2, hideTotals: true },
  });
  const pollId = status.poll!.id;
  const voted = await bruno.client.v1.polls.$select(pollId).votes.create({ choices: [1] });
  t.same(voted.options.map((option) => option.votesCount), [null, null], "the voter sees no counts");
  t.equal(voted.votesCount, 1, "the total number of votes is shown, as in Mastodon");
  t.same(voted.ownVotes, [1]);
  const asAuthor = await ana.client.v1.polls.$select(pollId).fetch();
  t.same(asAuthor.options.map((option) => option.votesCount), [null, null], "nor does the author");
  t.same(await readIntents(instance, "poll.updated").then((intents) => intents.filter((intent) => intent.statusId === status.id)), [], "no results go out while they are hidden");

  await sleep(2100);
  const ended = await bruno.client.v1.polls.$select(pollId).fetch();
  t.equal(ended.expired, true);
  t.same(ended.options.map((option) => option.votesCount), [0, 1], "the results show once it has ended");
});

t.test("when a poll ends, its author and its voters are notified", async (t) => {
  const status = await ana.client.v1.statuses.create({
    status: "Lunch in ten?",
    poll: { options: ["yes", "later"], expiresIn: 2 },
  });
  const pollId = status.poll!.id;
  await bruno.client.v1.polls.$select(pollId).votes.create({ choices: [0] });
  await chen.client.v1.polls.$select(pollId).votes.create({ choices: [1] });

  const pollNotification = (who: typeof ana) =>
    eventually(
      async () =>
        (await who.client.v1.notifications.list({ types: ["poll"] })).find((notification) => notification.status?.id === status.id),
      { what: `a poll notification for ${who.user.account.username}`, timeoutMs: 15_000 },
    );
  for (const who of [ana, bruno, chen]) {
    const notification = await pollNotification(who);
    t.equal(notification.type, "poll");
    t.equal(notification.account.id, ana.user.account.id, "from the poll's author");
    t.equal(notification.status?.poll?.expired, true, "the status shows the ended poll");
    t.same(notification.status?.poll?.options.map((option) => option.votesCount), [1, 1]);
  }
  await sleep(1500);
  const again = await ana.client.v1.notifications.list({ types: ["poll"] });
  t.equal(again.filter((notification) => notification.status?.id === status.id).length, 1, "each is notified once");
  const final = (await readIntents(instance, "poll.updated")).filter((intent) => intent.statusId === status.id);
  t.ok(final.length >= 1, "the final results are announced to federation");
  const row = await instance.context.db.selectFrom("polls").select("ended_at").where("id", "=", pollId).executeTakeFirstOrThrow();
  t.ok(row.ended_at, "the poll is marked as ended");
});

t.test("boosts carry the poll of the post they boost", async (t) => {
  const status = await ana.client.v1.statuses.create({ status: "Boost me", poll: { options: ["x", "y"], expiresIn: 3600 } });
  await bruno.client.v1.polls.$select(status.poll!.id).votes.create({ choices: [1] });
  const boost = await bruno.client.v1.statuses.$select(status.id).reblog();
  t.equal(boost.reblog?.poll?.id, status.poll!.id);
  t.same(boost.reblog?.poll?.ownVotes, [1]);
});

t.test("editing a post edits its poll as Mastodon does", async (t) => {
  const status = await ana.client.v1.statuses.create({
    status: "Retro format?",
    poll: { options: ["online", "in person"], expiresIn: 600 },
  });
  const pollId = status.poll!.id;
  await bruno.client.v1.polls.$select(pollId).votes.create({ choices: [1] });

  const retitled = await ana.client.v1.statuses.$select(status.id).update({
    status: "Retro format for Friday?",
    poll: { options: ["online", "in person"], expiresIn: 1200 },
  });
  t.equal(retitled.poll?.id, pollId, "the same poll");
  t.same(tallies(retitled.poll), [0, 1], "the same options keep their votes");
  const longer = new Date(retitled.poll!.expiresAt!).getTime() - Date.now();
  t.ok(longer > 1_100_000, "the duration starts again from the edit");

  const changed = await ana.client.v1.statuses.$select(status.id).update({
    status: "Retro format for Friday?",
    poll: { options: ["online", "in person", "skip it"], expiresIn: 1200 },
  });
  t.same(tallies(changed.poll), [0, 0, 0], "new options void the votes");
  const asBruno = await bruno.client.v1.polls.$select(changed.poll!.id).fetch();
  t.equal(asBruno.voted, false, "bruno may vote again");
  t.same(asBruno.ownVotes, []);

  const withoutPoll = await ana.client.v1.statuses.$select(status.id).update({ status: "Retro: online, decided." });
  t.equal(withoutPoll.poll, null, "an edit without the poll removes it");
  t.same(await refusal(() => bruno.client.v1.polls.$select(pollId).fetch()), { status: 404, error: "Record not found" });
  const updates = (await readIntents(instance, "status.updated")).filter((intent) => intent.statusId === status.id);
  t.equal(updates.length, 3, "each edit goes to federation as an Update");
});

t.test("the instance advertises the configured limits", async (t) => {
  const info = (await ana.client.v2.instance.fetch()) as mastodon.v2.Instance;
  t.same(info.configuration.polls, {
    maxOptions: 4,
    maxCharactersPerOption: 50,
    minExpiration: 1,
    maxExpiration: 86400,
  });
});

t.test("poll durations are configured and checked at start", async (t) => {
  const base = { HALLWAY_DATA_DIR: instance.config.dataDir, HALLWAY_SECRET: "test-secret-test-secret-test-secret-0123456789" };
  const defaults = loadConfig(base);
  t.equal(defaults.pollMinExpirySeconds, 300, "five minutes, as Mastodon");
  t.equal(defaults.pollMaxExpirySeconds, 2_629_746, "a month, as Mastodon");
  t.throws(() => loadConfig({ ...base, HALLWAY_POLL_MIN_EXPIRY_SECONDS: "0" }), /HALLWAY_POLL_MIN_EXPIRY_SECONDS must be >= 1/);
  t.throws(
    () => loadConfig({ ...base, HALLWAY_POLL_MIN_EXPIRY_SECONDS: "600", HALLWAY_POLL_MAX_EXPIRY_SECONDS: "300" }),
    /HALLWAY_POLL_MAX_EXPIRY_SECONDS must not be less than HALLWAY_POLL_MIN_EXPIRY_SECONDS/,
  );
});
