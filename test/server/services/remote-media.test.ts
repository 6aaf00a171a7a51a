// Caching a sibling's attachments: files come from allowlisted siblings only (an outsider's URL
// is never requested, and its attachment is left out); a file that cannot be had, or is not
// what it claims, leaves the attachment pointing at the sibling's copy; at most as many
// attachments as a post here may carry are kept; and the cached files go with the post.
import { createServer, type Server } from "node:http";
import t from "tap";
import { createTestUser } from "../../helpers/fixtures.ts";
import { plainPicture } from "../../helpers/images.ts";
import { freePort, startTestInstance } from "../../helpers/instance.ts";
import { sweepUnattachedMedia } from "../../../server/services/media/sweep.ts";
import { upsertRemoteAccount } from "../../../server/services/remote/accounts.ts";
import { deleteRemoteStatus, receiveRemoteStatus, type RemoteStatusInput } from "../../../server/services/remote/statuses.ts";
import type { RemoteMediaInput } from "../../../server/services/media/remote.ts";

/** A plain HTTP server answering from a table of paths; it counts what it was asked. */
async function fileServer(port: number, files: Record<string, { type: string; body: Buffer }>): Promise<{ server: Server; asked: string[] }> {
  const asked: string[] = [];
  const server = createServer((request, response) => {
    asked.push(request.url ?? "");
    const file = files[request.url ?? ""];
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": file.type, "content-length": file.body.length }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { server, asked };
}

const siblingPort = await freePort();
const outsiderPort = await freePort();
const sibling = `http://127.0.0.1:${siblingPort}`;
const outsider = `http://127.0.0.1:${outsiderPort}`;

const picture = await plainPicture(1200, 900, "#336699", "jpeg");
const siblingFiles = await fileServer(siblingPort, {
  "/system/photo.jpg": { type: "image/jpeg", body: picture },
  "/system/fake.png": { type: "image/png", body: Buffer.from("<html><script>alert(1)</script></html>".repeat(10)) },
  ...Object.fromEntries(
    [1, 2, 3, 4, 5].map((index) => [`/system/many-${index}.png`, { type: "image/png", body: picture }]),
  ),
});
const outsiderFiles = await fileServer(outsiderPort, { "/photo.jpg": { type: "image/jpeg", body: picture } });

const instance = await startTestInstance(t, { env: { HALLWAY_ALLOWLIST: sibling } });
const { app, context } = instance;
const viewer = await createTestUser(instance, "viewer");
const author = await upsertRemoteAccount(context.db, {
  uri: `${sibling}/users/raj`,
  username: "raj",
  domain: `127.0.0.1:${siblingPort}`,
  url: `${sibling}/@raj`,
  displayName: "Raj",
  note: "",
  fields: [],
  avatarUrl: null,
  headerUrl: null,
  locked: false,
  bot: false,
  discoverable: true,
  indexable: true,
  actorType: "Person",
  inboxUrl: `${sibling}/users/raj/inbox`,
  sharedInboxUrl: `${sibling}/inbox`,
  outboxUrl: null,
  followersUrl: `${sibling}/users/raj/followers`,
  followingUrl: null,
  featuredUrl: null,
  createdAt: null,
});

let sequence = 0;
function remotePost(media: RemoteMediaInput[]): RemoteStatusInput {
  sequence += 1;
  return {
    uri: `${sibling}/users/raj/statuses/${sequence}`,
    url: `${sibling}/@raj/${sequence}`,
    accountId: author.id,
    content: "<p>pictures</p>",
    spoilerText: "",
    sensitive: false,
    visibility: "public",
    language: null,
    inReplyTo: null,
    mentionIds: [],
    tags: [],
    publishedAt: new Date(),
    editedAt: null,
    media,
  };
}

function attachment(url: string, extra: Partial<RemoteMediaInput> = {}): RemoteMediaInput {
  return {
    url,
    mediaType: "image/jpeg",
    description: null,
    blurhash: null,
    focus: null,
    width: null,
    height: null,
    previewUrl: null,
    ...extra,
  };
}

async function attachmentsOf(statusId: string) {
  const response = await app.inject({ url: `/api/v1/statuses/${statusId}`, headers: viewer.auth });
  t.equal(response.statusCode, 200, response.body);
  return response.json().media_attachments as {
    type: string;
    url: string;
    preview_url: string | null;
    remote_url: string | null;
    blurhash: string | null;
    description: string | null;
    meta: { original?: { width: number; height: number } };
  }[];
}

const served = async (url: string) => (await app.inject({ url: new URL(url).pathname })).statusCode;

let cachedPost: string;
let cachedUrls: string[];

t.test("a sibling's file is cached; an outsider's is never requested", async (t) => {
  const { statusId } = await receiveRemoteStatus(
    context,
    remotePost([
      attachment(`${sibling}/system/photo.jpg`, { description: "Lab door", width: 1200, height: 900 }),
      attachment(`${outsider}/photo.jpg`, { description: "from elsewhere" }),
      attachment(`${sibling}/system/gone.jpg`, { blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj", width: 640, height: 480 }),
      attachment(`${sibling}/system/fake.png`, { mediaType: "image/png" }),
    ]),
  );
  cachedPost = statusId;
  const media = await attachmentsOf(statusId);
  t.equal(outsiderFiles.asked.length, 0, "nothing was asked of the outsider");
  t.same(media.map((item) => item.remote_url), [
    `${sibling}/system/photo.jpg`,
    `${sibling}/system/gone.jpg`,
    `${sibling}/system/fake.png`,
  ], "the outsider's attachment is left out");

  const [photo, gone, fake] = media;
  t.ok(photo!.url.startsWith(`${context.config.origin}/system/`), "the sibling's picture is served from here");
  t.equal(photo!.description, "Lab door");
  t.ok(photo!.blurhash, "a missing blurhash is computed from the picture");
  t.same(photo!.meta.original, { width: 1200, height: 900, size: "1200x900", aspect: 1200 / 900 });
  t.equal(await served(photo!.url), 200);

  t.equal(gone!.url, `${sibling}/system/gone.jpg`, "a file that cannot be fetched stays the sibling's");
  t.equal(gone!.blurhash, "LEHV6nWB2yk8pyo0adR*.7kCMdnj", "with what the sibling said about it");
  t.same(gone!.meta.original, { width: 640, height: 480, size: "640x480", aspect: 640 / 480 });
  t.equal(fake!.url, `${sibling}/system/fake.png`, "a file that is not what it claims is not kept here");
  cachedUrls = [photo!.url, photo!.preview_url!];
});

t.test("no more attachments are kept than a post here may carry", async (t) => {
  const { statusId } = await receiveRemoteStatus(
    context,
    remotePost([1, 2, 3, 4, 5].map((index) => attachment(`${sibling}/system/many-${index}.png`, { mediaType: "image/png" }))),
  );
  const media = await attachmentsOf(statusId);
  t.equal(media.length, context.config.maxMediaAttachments);
  t.notOk(siblingFiles.asked.includes("/system/many-5.png"), "the fifth file was not even fetched");
});

t.test("the cached files go when the sibling deletes its post", async (t) => {
  const uri = `${sibling}/users/raj/statuses/1`;
  const before = await context.db.selectFrom("media_attachments").select("id").where("status_id", "=", cachedPost).execute();
  t.equal(before.length, 3);
  t.ok(await deleteRemoteStatus(context, uri, author.id));
  // The deletion starts a sweep of its own; this one waits for it, or does the work itself.
  await sweepUnattachedMedia(context, { force: true });
  const left = await context.db
    .selectFrom("media_attachments")
    .select("id")
    .where("id", "in", before.map((row) => row.id))
    .execute();
  t.equal(left.length, 0, "its attachments are gone at once");
  for (const url of cachedUrls) {
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 404; attempt++) {
      status = await served(url);
      if (status !== 404) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    t.equal(status, 404, `${new URL(url).pathname} is gone`);
  }
});
