// Media attachments as a Mastodon app uses them, through masto.js against a listening instance:
// a photo taken sideways is uploaded, turned upright, scaled down, stripped of its EXIF data and
// served; it is described, attached (a post of pictures alone needs no text), filtered for with
// only_media, edited off a post and redrafted. Files that are too large or not media are refused
// with 422, and nobody attaches, reads or deletes someone else's upload.
import { createRestAPIClient, MastoHttpError, type mastodon } from "masto";
import sharp from "sharp";
import t from "tap";
import { createTestUser } from "../../helpers/fixtures.ts";
import { mp4Like, plainPicture, sidewaysPhoto } from "../../helpers/images.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
const MAX_VIDEO_BYTES = 4 * 1024 * 1024;

const instance = await startTestInstance(t, {
  listen: true,
  env: { HALLWAY_MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES), HALLWAY_MAX_VIDEO_BYTES: String(MAX_VIDEO_BYTES) },
});
const { url, context } = instance;
const [ana, bruno] = await Promise.all(
  ["ana", "bruno"].map(async (name) => {
    const user = await createTestUser(instance, name);
    return { user, client: createRestAPIClient({ url, accessToken: user.token }) };
  }),
).then((users) => users as [(typeof users)[0], (typeof users)[0]]);

async function failure(request: () => Promise<unknown>): Promise<{ status: number | "no failure"; message: string }> {
  try {
    await request();
  } catch (error) {
    if (error instanceof MastoHttpError) return { status: error.statusCode, message: error.message };
    throw error;
  }
  return { status: "no failure", message: "" };
}

async function fetchBytes(
  href: string,
): Promise<{ status: number; type: string | null; sniffing: string | null; data: Buffer }> {
  const response = await fetch(href);
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    sniffing: response.headers.get("x-content-type-options"),
    data: Buffer.from(await response.arrayBuffer()),
  };
}

const upload = (who: typeof ana, data: Buffer, type: string, extra: { description?: string; focus?: string } = {}) =>
  who.client.v2.media.create({ file: new Blob([new Uint8Array(data)], { type }), ...extra });

let photo: mastodon.v1.MediaAttachment;

t.test("a photo is turned upright, scaled to Mastodon's size, stripped of EXIF and served", async (t) => {
  const original = await sidewaysPhoto();
  const before = await sharp(original).metadata();
  t.equal(before.orientation, 6, "the test photo is stored sideways");
  t.ok(before.exif, "the test photo carries EXIF data");

  photo = await upload(ana, original, "image/jpeg", { description: "Whiteboard after the retro", focus: "0.25,-0.5" });
  t.equal(photo.type, "image");
  t.equal(photo.description, "Whiteboard after the retro");
  t.ok(photo.url?.startsWith(`${url}/system/`), "served from this campus under /system/");
  t.ok(photo.previewUrl?.startsWith(`${url}/system/`));
  t.not(photo.url, photo.previewUrl);
  t.equal(photo.remoteUrl, null);
  t.match(photo.blurhash, /^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{20,}$/, "a blurhash of 4×4 components");
  // 2000×3000 upright, scaled to at most 2560×1440 worth of pixels (3,686,400), as Mastodon does.
  t.same(photo.meta?.original, { width: 1567, height: 2351, size: "1567x2351", aspect: 1567 / 2351 });
  t.same(photo.meta?.small, { width: 391, height: 587, size: "391x587", aspect: 391 / 587 });
  t.same(photo.meta?.focus, { x: 0.25, y: -0.5 });

  const served = await fetchBytes(photo.url!);
  t.equal(served.status, 200);
  t.equal(served.type, "image/jpeg");
  t.equal(served.sniffing, "nosniff", "browsers are told not to sniff the type");
  const metadata = await sharp(served.data).metadata();
  t.equal(metadata.width, 1567, "the served file has the resized width");
  t.equal(metadata.height, 2351, "and height: it stands upright");
  t.equal(metadata.exif, undefined, "no EXIF left");
  t.equal(metadata.orientation, undefined, "no orientation tag left");
  t.notOk(served.data.includes(Buffer.from("Secret Camera Owner")), "the EXIF text is nowhere in the file");
  // Upright means the red edge of the sideways pixels is now on top and the blue one below.
  const { data: top } = await sharp(served.data).extract({ left: 700, top: 10, width: 1, height: 1 }).raw().toBuffer({ resolveWithObject: true });
  const { data: bottom } = await sharp(served.data).extract({ left: 700, top: 2340, width: 1, height: 1 }).raw().toBuffer({ resolveWithObject: true });
  t.ok(top[0]! > 200 && top[2]! < 60, `red on top (${[...top]})`);
  t.ok(bottom[2]! > 200 && bottom[0]! < 60, `blue at the bottom (${[...bottom]})`);

  const preview = await fetchBytes(photo.previewUrl!);
  t.equal(preview.status, 200);
  const small = await sharp(preview.data).metadata();
  t.same([small.width, small.height], [391, 587], "the preview has the small size");
  t.equal(small.exif, undefined);
});

t.test("an upload can be read, described and refocused until it is posted", async (t) => {
  const fetched = await ana.client.v1.media.$select(photo.id).fetch();
  t.equal(fetched.id, photo.id);
  t.equal(fetched.url, photo.url);

  const updated = await ana.client.v1.media.$select(photo.id).update({ description: "Retro whiteboard, three columns", focus: "-1,1" });
  t.equal(updated.description, "Retro whiteboard, three columns");
  t.same(updated.meta?.focus, { x: -1, y: 1 });

  t.equal((await failure(() => ana.client.v1.media.$select(photo.id).update({ focus: "2,0" }))).status, 422, "focus beyond ±1");
  t.equal(
    (await failure(() => ana.client.v1.media.$select(photo.id).update({ description: "x".repeat(1501) }))).status,
    422,
    "a description over 1500 characters",
  );
  t.equal((await failure(() => bruno.client.v1.media.$select(photo.id).fetch())).status, 404, "not someone else's");
  t.equal(
    (await failure(() => bruno.client.v1.media.$select(photo.id).update({ description: "mine now" }))).status,
    404,
  );
  const deleted = await fetch(`${url}/api/v1/media/${photo.id}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${bruno.user.token}` },
  });
  t.equal(deleted.status, 404, "nor can someone else delete it");
});

t.test("the legacy v1 upload answers 200 with the processed file", async (t) => {
  const png = await sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 0, g: 128, b: 0, alpha: 0.5 } } })
    .png()
    .toBuffer();
  const media = await ana.client.v1.media.create({ file: new Blob([new Uint8Array(png)], { type: "image/png" }) });
  t.equal(media.type, "image");
  t.same(media.meta?.original, { width: 300, height: 200, size: "300x200", aspect: 1.5 });
  t.ok(media.url?.endsWith(".png"), "a PNG stays a PNG (transparency kept)");
});

t.test("files that are too large or not media are refused with 422 and a reason", async (t) => {
  // Noise does not compress: a 1000×1000 PNG of it is about 3 MB, over the 2 MiB image limit.
  const noise = Buffer.alloc(1000 * 1000 * 3);
  for (let index = 0; index < noise.length; index++) noise[index] = (index * 7919 + (index >> 3) * 104729) % 251;
  const bigPng = await sharp(noise, { raw: { width: 1000, height: 1000, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
  t.ok(bigPng.length > MAX_IMAGE_BYTES, "the test image is over the limit");
  const tooBig = await failure(() => upload(ana, bigPng, "image/png"));
  t.equal(tooBig.status, 422);
  t.match(tooBig.message, /larger than the limit of 2 MB for images/);

  // Over every limit: refused while it is still arriving.
  const huge = mp4Like(MAX_VIDEO_BYTES + 1024);
  const hugeVideo = await failure(() => upload(ana, huge, "video/mp4"));
  t.equal(hugeVideo.status, 422);
  t.match(hugeVideo.message, /too large/);

  const text = await failure(() => upload(ana, Buffer.from("Meeting notes: nothing to see here.\n".repeat(20)), "text/plain"));
  t.equal(text.status, 422, "a text file");
  t.match(text.message, /File content type is invalid/);
  const exe = Buffer.concat([Buffer.from("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "latin1"), Buffer.alloc(4096)]);
  t.equal((await failure(() => upload(ana, exe, "application/x-msdownload"))).status, 422, "a Windows program");
  t.equal((await failure(() => upload(ana, exe, "image/png"))).status, 422, "a program claiming to be a PNG");
  const brokenJpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, 7)]);
  t.equal((await failure(() => upload(ana, brokenJpeg, "image/jpeg"))).status, 422, "a JPEG that is not one");

  const missing = await fetch(`${url}/api/v2/media`, {
    method: "POST",
    headers: { authorization: `Bearer ${ana.user.token}`, "content-type": "application/json" },
    body: JSON.stringify({ description: "no file" }),
  });
  t.equal(missing.status, 422);
  t.match((await missing.json()).error, /File can't be blank/);
});

t.test("a video file is kept as it is, with a picture of the uploader's choice as its preview", async (t) => {
  // An MP4 header followed by data: stored and served byte for byte.
  const video = mp4Like(3 * 1024 * 1024);
  const thumbnail = await plainPicture(1280, 720, "#3366cc", "jpeg");
  const media = await ana.client.v2.media.create({
    file: new Blob([new Uint8Array(video)], { type: "video/mp4" }),
    thumbnail: new Blob([new Uint8Array(thumbnail)], { type: "image/jpeg" }),
    description: "Demo recording",
  });
  t.equal(media.type, "video");
  t.ok(media.url?.endsWith(".mp4"));
  t.ok(media.blurhash, "the blurhash is the preview's");
  t.same(media.meta?.small, { width: 640, height: 360, size: "640x360", aspect: 640 / 360 });
  const served = await fetchBytes(media.url!);
  t.equal(served.type, "video/mp4");
  t.ok(served.data.equals(video), "the same bytes");
  t.equal((await fetchBytes(media.previewUrl!)).status, 200);

  const image = await plainPicture(64, 64, "#ffffff");
  const imageMedia = await upload(ana, image, "image/png");
  const mixed = await failure(() => ana.client.v1.statuses.create({ status: "demo", mediaIds: [media.id, imageMedia.id] }));
  t.equal(mixed.status, 422, "a video goes on a post alone");
});

let post: mastodon.v1.Status;

t.test("a post carries its attachments; a post of pictures alone needs no text", async (t) => {
  const second = await upload(ana, await plainPicture(800, 600, "#ff8800", "jpeg"), "image/jpeg");
  post = await ana.client.v1.statuses.create({ status: "", mediaIds: [second.id, photo.id], visibility: "public" });
  t.equal(post.content, "");
  t.same(post.mediaAttachments.map((media) => media.id), [second.id, photo.id], "in the order given");
  const attached = post.mediaAttachments[1]!;
  t.equal(attached.description, "Retro whiteboard, three columns");
  t.equal(attached.blurhash, photo.blurhash);
  t.same(attached.meta?.original, photo.meta?.original);

  const seen = await bruno.client.v1.statuses.$select(post.id).fetch();
  t.same(seen.mediaAttachments.map((media) => media.url), [second.url, photo.url], "others see them too");
  const home = await ana.client.v1.timelines.home.list();
  t.same(home.find((status) => status.id === post.id)?.mediaAttachments.length, 2, "timelines show them");

  t.equal((await failure(() => ana.client.v1.media.$select(photo.id).fetch())).status, 404, "a posted upload is no longer an upload");
  t.equal((await failure(() => ana.client.v1.media.$select(photo.id).update({ description: "changed" }))).status, 404);
  const deleted = await fetch(`${url}/api/v1/media/${photo.id}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${ana.user.token}` },
  });
  t.equal(deleted.status, 422, "a posted attachment cannot be deleted");
  const again = await failure(() => ana.client.v1.statuses.create({ status: "again", mediaIds: [photo.id] }));
  t.equal(again.status, 422, "nor posted twice");
  t.match(again.message, /not found or already attached/);
});

t.test("someone else's upload cannot be attached, and nothing is posted", async (t) => {
  const anaUpload = await upload(ana, await plainPicture(10, 10, "#000"), "image/png");
  const before = (await bruno.client.v1.accounts.$select(bruno.user.account.id).statuses.list()).length;
  const stolen = await failure(() => bruno.client.v1.statuses.create({ status: "look what I found", mediaIds: [anaUpload.id] }));
  t.equal(stolen.status, 422);
  t.match(stolen.message, new RegExp(`Media ${anaUpload.id} not found`));
  t.equal((await bruno.client.v1.accounts.$select(bruno.user.account.id).statuses.list()).length, before, "no post was made");
  const unknown = await failure(() => bruno.client.v1.statuses.create({ status: "x", mediaIds: ["12345"] }));
  t.equal(unknown.status, 422);
  const many = await Promise.all(
    [1, 2, 3, 4, 5].map(async () => (await upload(bruno, await plainPicture(8, 8, "#123456"), "image/png")).id),
  );
  const tooMany = await failure(() => bruno.client.v1.statuses.create({ status: "five", mediaIds: many }));
  t.equal(tooMany.status, 422);
  t.match(tooMany.message, /more than 4/);
  const blank = await failure(() => bruno.client.v1.statuses.create({ status: "" }));
  t.equal(blank.status, 422, "without media a post still needs text");
});

t.test("only_media keeps the posts with attachments, on a profile and the public timeline", async (t) => {
  const plain = await ana.client.v1.statuses.create({ status: "no pictures today", visibility: "public" });
  const profile = await bruno.client.v1.accounts.$select(ana.user.account.id).statuses.list({ onlyMedia: true });
  t.ok(profile.some((status) => status.id === post.id), "the post with pictures is there");
  t.notOk(profile.some((status) => status.id === plain.id), "the one without is not");
  t.ok(profile.every((status) => status.mediaAttachments.length > 0));
  const timeline = await bruno.client.v1.timelines.public.list({ onlyMedia: true });
  t.ok(timeline.some((status) => status.id === post.id));
  t.notOk(timeline.some((status) => status.id === plain.id));
  const all = await bruno.client.v1.timelines.public.list();
  t.ok(all.some((status) => status.id === plain.id), "without the filter both are there");
});

t.test("an edit changes the attachments and their descriptions; the history keeps the earlier ones", async (t) => {
  const [first, second] = post.mediaAttachments;
  const edited = await ana.client.v1.statuses.$select(post.id).update({
    status: "Retro outcomes",
    mediaIds: [second!.id],
    mediaAttributes: [{ id: second!.id, description: "The whiteboard, photographed" }],
  });
  t.same(edited.mediaAttachments.map((media) => media.id), [second!.id]);
  t.equal(edited.mediaAttachments[0]!.description, "The whiteboard, photographed");
  t.ok(edited.editedAt);

  const history = await ana.client.v1.statuses.$select(post.id).history.list();
  t.equal(history.length, 2);
  t.same(history[0]!.mediaAttachments.map((media) => media.id), [first!.id, second!.id], "the first version had both");
  t.equal(history[0]!.mediaAttachments[1]!.description, "Retro whiteboard, three columns", "with the description it had then");
  t.same(history[1]!.mediaAttachments.map((media) => media.id), [second!.id]);

  const textOnly = await ana.client.v1.statuses.$select(post.id).update({ status: "Retro outcomes, text changed" });
  t.same(textOnly.mediaAttachments.map((media) => media.id), [second!.id], "an edit without media_ids keeps them");
  const stolen = await upload(bruno, await plainPicture(8, 8, "#fff"), "image/png");
  t.equal(
    (await failure(() => ana.client.v1.statuses.$select(post.id).update({ status: "x", mediaIds: [stolen.id] }))).status,
    422,
    "an edit cannot take someone else's upload either",
  );
});

t.test("delete and redraft: a deleted post's attachments can be posted again", async (t) => {
  const taken = await failure(() => ana.client.v1.statuses.create({ status: "draft one", mediaIds: [photo.id] }));
  t.equal(taken.status, 422, "an attachment an edit took off stays with the post's history");

  const fresh = await upload(ana, await plainPicture(40, 30, "#00ff00", "jpeg"), "image/jpeg");
  const draft = await ana.client.v1.statuses.create({ status: "draft one", mediaIds: [fresh.id] });
  const removed = await ana.client.v1.statuses.$select(draft.id).remove();
  t.same(removed.mediaAttachments.map((media) => media.id), [fresh.id], "the deleted post is returned with its attachments");
  const redraft = await ana.client.v1.statuses.create({ status: "draft two", mediaIds: [fresh.id] });
  t.same(redraft.mediaAttachments.map((media) => media.id), [fresh.id]);
  t.equal((await fetchBytes(fresh.url!)).status, 200, "the file is still there");
});

t.test("an unposted upload can be deleted with its files", async (t) => {
  const media = await upload(ana, await plainPicture(20, 20, "#abcdef"), "image/png");
  t.equal((await fetchBytes(media.url!)).status, 200);
  const response = await fetch(`${url}/api/v1/media/${media.id}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${ana.user.token}` },
  });
  t.equal(response.status, 200);
  t.same(await response.json(), {});
  t.equal((await failure(() => ana.client.v1.media.$select(media.id).fetch())).status, 404);
  t.equal((await fetchBytes(media.url!)).status, 404, "the file is gone");
  t.equal((await fetchBytes(media.previewUrl!)).status, 404, "and its preview");
});

t.test("the instance advertises the limits it applies", async (t) => {
  const server = await ana.client.v2.instance.fetch();
  const limits = server.configuration.mediaAttachments;
  t.equal(limits.imageSizeLimit, MAX_IMAGE_BYTES);
  t.equal(limits.videoSizeLimit, MAX_VIDEO_BYTES);
  t.equal((limits as unknown as { descriptionLimit: number }).descriptionLimit, 1500);
  for (const type of ["image/jpeg", "image/png", "image/webp", "video/mp4", "audio/mpeg"]) {
    t.ok(limits.supportedMimeTypes.includes(type), `${type} is supported`);
  }
  t.equal(server.configuration.statuses.maxMediaAttachments, context.config.maxMediaAttachments);
});
