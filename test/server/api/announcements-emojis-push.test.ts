// Campus announcements (made with the admin commands, read and reacted to through masto), custom
// emojis, and web push answering as Mastodon does where it cannot push.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRestAPIClient, MastoHttpError } from "masto";
import sharp from "sharp";
import t from "tap";
import { runAdminCommand } from "../../../server/services/admin/commands.ts";
import { createTestUser, type TestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";
import { openEventStream } from "../../helpers/streams.ts";

const instance = await startTestInstance(t, { listen: true });
const { url, context } = instance;
const files = await mkdtemp(join(tmpdir(), "hallway-emoji-"));
t.teardown(() => rm(files, { recursive: true, force: true }));

const clientOf = (user: TestUser) => createRestAPIClient({ url, accessToken: user.token });
const users = {
  ana: await createTestUser(instance, "ana"),
  bruno: await createTestUser(instance, "bruno"),
};
const ana = clientOf(users.ana);
const bruno = clientOf(users.bruno);

/** An admin command as the admin socket runs it, with the live server's context. */
const admin = (command: string, args: string[] = [], options: Record<string, string | boolean> = {}) =>
  runAdminCommand({ ...context }, { command, args, options });

async function failure(request: () => Promise<unknown>): Promise<string> {
  try {
    await request();
    return "no failure";
  } catch (error) {
    if (error instanceof MastoHttpError) return `${error.statusCode} ${error.message}`;
    if (error instanceof Error) return error.message;
    throw error;
  }
}

/** Mastodon's `read` (masto's Announcement type does not declare it). */
const readOf = (announcement: object | undefined) => (announcement as { read?: boolean } | undefined)?.read;

const events: string[] = [];
context.events.on("announcement.published", ({ announcementId }) => events.push(`published ${announcementId}`));
context.events.on("announcement.deleted", ({ announcementId }) => events.push(`deleted ${announcementId}`));

let welcomeId: string;

t.test("an admin announces; everyone signed in sees it, with what it names", async (t) => {
  const linked = await bruno.v1.statuses.create({ status: "The onboarding checklist" });
  const output = await admin(
    "announcement create",
    [`Welcome to the campus, @ana! Start with ${linked.url} #onboarding`],
    { "starts-at": "2026-12-01T09:00:00Z", "ends-at": "2099-12-01T17:00:00Z" },
  );
  welcomeId = /announcement (\d+) published/.exec(output)?.[1] ?? "";
  t.ok(welcomeId, output);
  t.same(events, [`published ${welcomeId}`], "connected apps are told (streaming)");

  const [announcement, ...rest] = await bruno.v1.announcements.list();
  t.same(rest, []);
  t.equal(announcement?.id, welcomeId);
  t.match(announcement?.content, /^<p>Welcome to the campus, <span class="h-card"[^>]*><a href="[^"]+\/@ana" class="u-url mention"/);
  t.match(announcement?.content, /<a href="[^"]+\/tags\/onboarding" class="mention hashtag" rel="tag"/);
  t.equal(announcement?.startsAt, "2026-12-01T09:00:00.000Z");
  t.equal(announcement?.endsAt, "2099-12-01T17:00:00.000Z");
  t.equal(announcement?.allDay, false);
  t.ok(Date.parse(announcement!.publishedAt));
  t.equal(readOf(announcement), false);
  t.same(announcement?.mentions.map((mention) => mention.acct), ["ana"]);
  t.same(announcement?.statuses.map((status) => status.id), [linked.id], "a linked local post");
  t.same(announcement?.tags.map((tag) => tag.name), ["onboarding"]);
  t.same(announcement?.emojis, []);
  t.same(announcement?.reactions, []);

  const unauthenticated = await fetch(`${url}/api/v1/announcements`);
  t.equal(unauthenticated.status, 401, "not without signing in: the campus is closed");
});

t.test("dismissing marks it read for that person only", async (t) => {
  await bruno.v1.announcements.$select(welcomeId).dismiss();
  t.equal(readOf((await bruno.v1.announcements.list())[0]), true);
  t.equal(readOf((await ana.v1.announcements.list())[0]), false);
  await bruno.v1.announcements.$select(welcomeId).dismiss();
  t.match(await failure(() => bruno.v1.announcements.$select("99999999999").dismiss()), /^404/);
});

t.test("custom emojis: added by admins, listed without a token", async (t) => {
  const anonymous = createRestAPIClient({ url });
  t.same(await anonymous.v1.customEmojis.list(), [], "none yet");

  const png = join(files, "party.png");
  await writeFile(
    png,
    await sharp({ create: { width: 32, height: 32, channels: 4, background: "#ff0088" } }).png().toBuffer(),
  );
  t.equal(await admin("emoji add", ["party_parrot", png], { category: "Fun" }), ":party_parrot: added");
  const text = join(files, "notes.txt");
  await writeFile(text, "not an image");
  t.match(await failure(() => admin("emoji add", ["notes", text])), /PNG, GIF or WebP/);
  t.match(await failure(() => admin("emoji add", ["party_parrot", png])), /already exists/);
  t.match(await failure(() => admin("emoji add", ["x", png])), /2 to 64/);
  t.match(await failure(() => admin("emoji add", ["missing", join(files, "nope.png")])), /cannot read/);

  const [emoji] = await anonymous.v1.customEmojis.list();
  t.equal(emoji?.shortcode, "party_parrot");
  t.equal(emoji?.category, "Fun");
  t.equal(emoji?.visibleInPicker, true);
  const image = await fetch(emoji!.url);
  t.equal(image.status, 200, "the image is served");
  t.equal(emoji?.staticUrl, emoji?.url, "a still image is its own static version");
  t.match(await admin("emoji list"), /:party_parrot:\s+image\/png\s+Fun/);
});

t.test("reactions: Unicode emojis and the campus's custom ones", async (t) => {
  await ana.v1.announcements.$select(welcomeId).reactions.$select("👍").update();
  await bruno.v1.announcements.$select(welcomeId).reactions.$select("👍").update();
  await bruno.v1.announcements.$select(welcomeId).reactions.$select("👍").update();
  await bruno.v1.announcements.$select(welcomeId).reactions.$select("party_parrot").update();
  await ana.v1.announcements.$select(welcomeId).reactions.$select("👩🏽‍💻").update();

  const [seenByAna] = await ana.v1.announcements.list();
  t.same(
    seenByAna?.reactions.map((reaction) => [reaction.name, reaction.count, reaction.me]),
    [
      ["👍", 2, true],
      ["party_parrot", 1, false],
      ["👩🏽‍💻", 1, true],
    ],
    "counted per name, in the order they were first given, with the viewer's own",
  );
  const parrot = seenByAna?.reactions.find((reaction) => reaction.name === "party_parrot");
  t.match(parrot?.url, /^http.*\/system\/custom_emojis\//, "a custom emoji comes with its image");
  t.ok(parrot?.staticUrl);

  t.match(
    await failure(() => ana.v1.announcements.$select(welcomeId).reactions.$select("notanemoji").update()),
    /^422 Validation failed: Name is not a recognized emoji/,
  );
  t.match(
    await failure(() => ana.v1.announcements.$select("99999999999").reactions.$select("👍").update()),
    /^404/,
  );

  await bruno.v1.announcements.$select(welcomeId).reactions.$select("👍").remove();
  await bruno.v1.announcements.$select(welcomeId).reactions.$select("🎉").remove();
  const [seenByBruno] = await bruno.v1.announcements.list();
  t.same(
    seenByBruno?.reactions.map((reaction) => [reaction.name, reaction.count, reaction.me]),
    [
      ["👍", 1, false],
      ["party_parrot", 1, true],
      ["👩🏽‍💻", 1, false],
    ],
  );

  for (const emoji of ["🎉", "🚀", "❤️", "😀", "🙏"]) {
    await ana.v1.announcements.$select(welcomeId).reactions.$select(emoji).update();
  }
  t.match(
    await failure(() => ana.v1.announcements.$select(welcomeId).reactions.$select("🍕").update()),
    /^422 .*Limit of different reactions reached/,
    "eight different reactions at most",
  );
  await bruno.v1.announcements.$select(welcomeId).reactions.$select("🎉").update();
  t.pass("an existing reaction can still be given");

  t.equal(await admin("emoji remove", [":party_parrot:"]), ":party_parrot: removed");
  t.same(await createRestAPIClient({ url }).v1.customEmojis.list(), []);
});

t.test("ended and deleted announcements are not shown", async (t) => {
  const ended = /announcement (\d+)/.exec(
    await admin("announcement create", ["Cafeteria closed"], { "ends-at": new Date(Date.now() - 60_000).toISOString() }),
  )?.[1];
  t.same((await ana.v1.announcements.list()).map((a) => a.id), [welcomeId], "one that has ended is hidden");
  const listed = JSON.parse(await admin("announcement list", [], { json: true }));
  t.same(
    listed.map((row: { id: string; ended: boolean }) => [row.id, row.ended]),
    [
      [ended, true],
      [welcomeId, false],
    ],
    "admins see both",
  );
  t.match(await admin("announcement list"), new RegExp(`${ended}\\s+ended`));
  t.match(await failure(() => ana.v1.announcements.$select(ended!).dismiss()), /^404/);

  t.match(await failure(() => admin("announcement create", ["  "])), /blank/);
  t.match(
    await failure(() => admin("announcement create", ["x"], { "starts-at": "tomorrow-ish" })),
    /--starts-at must be a date/,
  );
  t.match(
    await failure(() =>
      admin("announcement create", ["x"], { "starts-at": "2027-01-02T00:00:00Z", "ends-at": "2027-01-01T00:00:00Z" }),
    ),
    /end after it starts/,
  );

  t.equal(await admin("announcement delete", [welcomeId]), `announcement ${welcomeId} deleted`);
  t.ok(events.includes(`deleted ${welcomeId}`), "apps are told it is gone");
  t.same(await ana.v1.announcements.list(), []);
  t.match(await failure(() => admin("announcement delete", [welcomeId])), /no announcement/);
});

t.test("a new announcement, and its withdrawal, reach the user streams", async (t) => {
  const stream = await openEventStream(`${url}/api/v1/streaming/user`, {
    authorization: `Bearer ${users.bruno.token}`,
  });
  t.teardown(() => stream.close());
  t.equal(stream.status, 200);
  const id = /announcement (\d+)/.exec(await admin("announcement create", ["Wifi maintenance tonight"]))?.[1];
  const published = await stream.log.nextEntity<{ id: string; content: string; read: boolean }>(
    "announcement",
    (announcement) => announcement.id === id,
  );
  t.match(published.content, /Wifi maintenance/);
  t.equal(published.read, false, "rendered for the person streaming");
  await admin("announcement delete", [id!]);
  await stream.log.next((event) => event.event === "announcement.delete" && event.payload === id);
  t.pass("announcement.delete carries its id");
});

t.test("web push is not configured: no subscription exists, none can be made", async (t) => {
  const instanceInfo = await ana.v2.instance.fetch();
  t.equal(instanceInfo.configuration.vapid.publicKey, "", "the instance offers no VAPID key");
  t.match(await failure(() => ana.v1.push.subscription.fetch()), /^404 Record not found/);
  t.match(
    await failure(() =>
      ana.v1.push.subscription.create({
        subscription: { endpoint: "https://push.example/abc", keys: { p256dh: "BNc", auth: "x1" } },
        data: { alerts: { mention: true } },
        policy: "all",
      }),
    ),
    /^422 Validation failed: Web push is not configured/,
  );
  t.match(
    await failure(() => ana.v1.push.subscription.update({ data: { alerts: { follow: false } } })),
    /^404/,
  );
  await ana.v1.push.subscription.remove();
  t.pass("removing answers success, as Mastodon's does with nothing to remove");

  const readOnly = await createTestUser(instance, "reader", { scopes: ["read"] });
  const withoutPush = await fetch(`${url}/api/v1/push/subscription`, {
    headers: { authorization: `Bearer ${readOnly.token}` },
  });
  t.equal(withoutPush.status, 403, "the push scope is needed");
});
