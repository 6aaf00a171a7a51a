// Scheduled posts through the masto client: scheduling (and Mastodon's rules on when), listing,
// moving and cancelling them, and their publication at the time by the queue's worker, through
// the normal create path. The minimum lead is two seconds here (HALLWAY_SCHEDULE_MIN_LEAD_SECONDS).
import { createRestAPIClient, MastoHttpError, type mastodon } from "masto";
import sharp from "sharp";
import t from "tap";
import { loadConfig } from "../../../server/config.ts";
import { createTestUser, type TestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t, { listen: true, env: { HALLWAY_SCHEDULE_MIN_LEAD_SECONDS: "2" } });
const { url, context } = instance;
// What publishes scheduled posts is the durable queue's worker, as in a running server.
instance.app.federation!.startWorkers();

const clientOf = (user: TestUser) => createRestAPIClient({ url, accessToken: user.token });
const users = { ana: await createTestUser(instance, "ana"), bruno: await createTestUser(instance, "bruno") };
const ana = clientOf(users.ana);
const bruno = clientOf(users.bruno);

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function failure(request: () => Promise<unknown>): Promise<string> {
  try {
    await request();
    return "no failure";
  } catch (error) {
    if (error instanceof MastoHttpError) return `${error.statusCode} ${error.message}`;
    throw error;
  }
}

async function until<T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const ownPosts = async (client: mastodon.rest.Client, id: string) =>
  client.v1.accounts.$select(id).statuses.list({ limit: 40 });

t.test("when a post may be scheduled", async (t) => {
  t.equal(loadConfig({ HALLWAY_ORIGIN: "http://x.example", HALLWAY_SECRET: "s".repeat(40) }).scheduleMinLeadSeconds, 300);
  t.match(
    await failure(() => ana.v1.statuses.create({ status: "too soon", scheduledAt: inSeconds(1) })),
    /^422 Validation failed: Scheduled at The scheduled date must be in the future/,
    "sooner than the minimum lead (five minutes by default)",
  );
  t.match(
    await failure(() => ana.v1.statuses.create({ status: "when?", scheduledAt: "next tuesday" })),
    /^422 Validation failed: Scheduled at is invalid/,
  );
  t.match(
    await failure(() => ana.v1.statuses.create({ status: "", scheduledAt: inSeconds(60) })),
    /^422 Validation failed: Text can't be blank/,
    "the post itself is checked now",
  );
  t.match(
    await failure(() => ana.v1.statuses.create({ status: "re", inReplyToId: "99999999999", scheduledAt: inSeconds(60) })),
    /^404/,
  );
  const past = (await ana.v1.statuses.create({
    status: "Scheduled for yesterday",
    scheduledAt: new Date(Date.now() - 86_400_000).toISOString(),
  })) as unknown as mastodon.v1.Status;
  t.ok(past.content, "a time in the past posts at once (a Status), as in Mastodon");
  t.match(past.content, /Scheduled for yesterday/);
  t.same(await ana.v1.scheduledStatuses.list(), []);
});

t.test("a scheduled post is a ScheduledStatus until its time, then a post", async (t) => {
  const at = inSeconds(4);
  const scheduled = await ana.v1.statuses.create({
    status: "Retro at 4 #team",
    visibility: "unlisted",
    spoilerText: "work",
    language: "en",
    scheduledAt: at,
  });
  t.match(scheduled.id, /^\d+$/);
  t.equal(scheduled.scheduledAt, new Date(at).toISOString());
  t.equal(scheduled.params.text, "Retro at 4 #team");
  t.equal(scheduled.params.visibility, "unlisted");
  t.equal(scheduled.params.spoilerText, "work");
  t.same(scheduled.mediaAttachments, []);
  t.equal((scheduled.params as { scheduledAt?: unknown }).scheduledAt, null, "params.scheduled_at is null");

  t.same((await ana.v1.scheduledStatuses.list()).map((s) => s.id), [scheduled.id]);
  t.equal((await ana.v1.scheduledStatuses.$select(scheduled.id).fetch()).params.text, "Retro at 4 #team");
  t.match(await failure(() => bruno.v1.scheduledStatuses.$select(scheduled.id).fetch()), /^404/, "only one's own");
  t.notOk((await ownPosts(ana, users.ana.account.id)).some((s) => s.content.includes("Retro at 4")), "not yet posted");

  const posted = await until(
    async () => (await ownPosts(ana, users.ana.account.id)).find((s) => s.content.includes("Retro at 4")),
    "the scheduled post",
  );
  t.ok(Date.now() >= Date.parse(at), "not before its time");
  t.equal(posted.visibility, "unlisted");
  t.equal(posted.spoilerText, "work");
  t.same(posted.tags.map((tag) => tag.name), ["team"], "posted through the normal path: tags and all");
  t.same(await ana.v1.scheduledStatuses.list(), [], "no longer scheduled");
  t.match(await failure(() => ana.v1.scheduledStatuses.$select(scheduled.id).fetch()), /^404/);
  const { rows } = await context.db
    .selectFrom("federation_queue")
    .select("message")
    .execute()
    .then((found) => ({ rows: found.map((row) => (row.message as { intent?: { type: string } }).intent?.type) }));
  t.notOk(rows.includes("status.scheduled"), "its intent is done");
});

t.test("moving and cancelling", async (t) => {
  const first = await ana.v1.statuses.create({ status: "Moved post", scheduledAt: inSeconds(3) });
  const second = await ana.v1.statuses.create({ status: "Cancelled post", scheduledAt: inSeconds(3) });
  const moved = await ana.v1.scheduledStatuses.$select(first.id).update({ scheduledAt: inSeconds(7) });
  t.ok(Date.parse(moved.scheduledAt) > Date.now() + 5000);
  t.match(
    await failure(() => ana.v1.scheduledStatuses.$select(first.id).update({ scheduledAt: inSeconds(1) })),
    /^422/,
    "moving it too soon is refused",
  );
  t.match(
    await failure(() => bruno.v1.scheduledStatuses.$select(first.id).update({ scheduledAt: inSeconds(60) })),
    /^404/,
  );
  await ana.v1.scheduledStatuses.$select(second.id).remove();
  t.match(await failure(() => ana.v1.scheduledStatuses.$select(second.id).remove()), /^404/);

  await sleep(4500);
  const early = await ownPosts(ana, users.ana.account.id);
  t.notOk(early.some((s) => s.content.includes("Moved post")), "not at its first time");
  t.notOk(early.some((s) => s.content.includes("Cancelled post")), "a cancelled post never goes out");
  await until(
    async () => (await ownPosts(ana, users.ana.account.id)).some((s) => s.content.includes("Moved post")),
    "the moved post",
  );
  await sleep(1000);
  const posts = await ownPosts(ana, users.ana.account.id);
  t.equal(posts.filter((s) => s.content.includes("Moved post")).length, 1, "posted once, at its new time");
});

t.test("replies, uploads and retries", async (t) => {
  const parent = await bruno.v1.statuses.create({ status: "Who has the projector?" });
  const doomed = await bruno.v1.statuses.create({ status: "This one goes away" });
  const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#3366aa" } }).png().toBuffer();
  const media = await ana.v2.media.create({ file: new Blob([new Uint8Array(png)], { type: "image/png" }) });

  const reply = await ana.v1.statuses.create({
    status: "@bruno I do",
    inReplyToId: parent.id,
    mediaIds: [media.id],
    scheduledAt: inSeconds(3),
  });
  t.same(reply.mediaAttachments.map((attachment) => attachment.id), [media.id], "the upload waits with it");
  t.same(reply.params.mediaIds, [media.id]);
  t.equal(reply.params.inReplyToId, parent.id);
  t.match(
    await failure(() => ana.v1.statuses.create({ status: "again", mediaIds: [media.id], scheduledAt: inSeconds(60) })),
    /^422/,
    "an upload waits with one post only",
  );
  const orphan = await ana.v1.statuses.create({ status: "Reply to nothing", inReplyToId: doomed.id, scheduledAt: inSeconds(3) });
  t.equal(orphan.params.inReplyToId, doomed.id);
  await bruno.v1.statuses.$select(doomed.id).remove();

  const headers = { "Idempotency-Key": "sched-1" };
  const once = await fetch(`${url}/api/v1/statuses`, {
    method: "POST",
    headers: { authorization: `Bearer ${users.ana.token}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({ status: "Said once", scheduled_at: inSeconds(60) }),
  }).then((response) => response.json());
  const twice = await fetch(`${url}/api/v1/statuses`, {
    method: "POST",
    headers: { authorization: `Bearer ${users.ana.token}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({ status: "Said once", scheduled_at: inSeconds(60) }),
  }).then((response) => response.json());
  t.equal(twice.id, once.id, "a retried request schedules once");
  t.equal(once.params.idempotency, "sched-1");
  await ana.v1.scheduledStatuses.$select(once.id).remove();

  const posted = await until(
    async () => (await ownPosts(ana, users.ana.account.id)).find((s) => s.content.includes("I do")),
    "the scheduled reply",
  );
  t.equal(posted.inReplyToId, parent.id, "a reply");
  t.same(posted.mediaAttachments.map((attachment) => attachment.id), [media.id], "with its upload");
  const loose = await until(
    async () => (await ownPosts(ana, users.ana.account.id)).find((s) => s.content.includes("Reply to nothing")),
    "the reply whose parent went",
  );
  t.equal(loose.inReplyToId, null, "its parent gone, it goes out on its own, as in Mastodon");
  t.ok(
    (await bruno.v1.notifications.list()).some((n) => n.type === "mention" && n.status?.id === posted.id),
    "the mention notifies as any post's would",
  );
});

t.test("Mastodon's limit of 25 scheduled posts a day", async (t) => {
  const day = new Date(Date.now() + 3 * 86_400_000);
  day.setUTCHours(10, 0, 0, 0);
  for (let index = 0; index < 25; index++) {
    await ana.v1.statuses.create({ status: `Daily ${index}`, scheduledAt: new Date(day.getTime() + index * 60_000).toISOString() });
  }
  t.match(
    await failure(() => ana.v1.statuses.create({ status: "One too many", scheduledAt: day.toISOString() })),
    /^422 .*limit of 25 scheduled posts for today/,
  );
  const nextDay = new Date(day.getTime() + 86_400_000).toISOString();
  await ana.v1.statuses.create({ status: "Tomorrow is fine", scheduledAt: nextDay });
  const pages: number[] = [];
  for await (const page of ana.v1.scheduledStatuses.list({ limit: 20 })) {
    if (page.length > 0) pages.push(page.length);
    if (pages.length > 5) break;
  }
  t.same(pages, [20, 6], "listed with Link paging");
});
