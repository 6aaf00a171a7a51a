// Attachments across two campuses: a photo posted on one arrives on the other as a Document
// with its description, blurhash, focal point and size; the receiving campus fetches the file
// from its sibling once and serves its own copy (which still loads with the sibling down). An
// edit of the description travels as Update(Note), and a video keeps its bytes and preview.
import type { mastodon } from "masto";
import sharp from "sharp";
import t from "tap";
import { type Campus, type CampusUser, eventually, homeHas, resolveAccount, startCampuses } from "../helpers/campuses.ts";
import { mp4Like, plainPicture, sidewaysPhoto } from "../helpers/images.ts";

const campuses = await startCampuses(t, { campuses: ["A", "B"] });
const A = campuses.A as Campus;
const B = campuses.B as Campus;
const [ana, raj] = await Promise.all([A.createUser("ana"), B.createUser("raj")]);

async function bytesOf(href: string): Promise<{ status: number; type: string | null; data: Buffer }> {
  const response = await fetch(href);
  return { status: response.status, type: response.headers.get("content-type"), data: Buffer.from(await response.arrayBuffer()) };
}

const upload = (who: CampusUser, data: Buffer, type: string, extra: Record<string, unknown> = {}) =>
  who.client.v2.media.create({ file: new Blob([new Uint8Array(data)], { type }), ...extra });

t.before(async () => {
  const anaOnB = await resolveAccount(raj, ana);
  await raj.client.v1.accounts.$select(anaOnB.id).follow();
  await eventually(
    async () => (await raj.client.v1.accounts.relationships.fetch({ id: [anaOnB.id] }))[0]?.following,
    { what: "raj following ana across campuses" },
  );
});

let sent: mastodon.v1.Status;
let received: mastodon.v1.Status;

t.test("a post with a photo arrives with its attachment: description, blurhash, focus and sizes", async (t) => {
  const media = await upload(ana, await sidewaysPhoto(), "image/jpeg", {
    description: "The new lab bench, seen from the door",
    focus: "0.5,-0.25",
  });
  sent = await ana.client.v1.statuses.create({ status: "Bench is in! #lab", mediaIds: [media.id], visibility: "public" });
  received = await eventually(() => homeHas(raj, sent.uri), { what: "ana's post on campus B" });

  t.equal(received.mediaAttachments.length, 1);
  const [original] = sent.mediaAttachments;
  const [copy] = received.mediaAttachments;
  t.equal(copy!.type, "image");
  t.equal(copy!.description, "The new lab bench, seen from the door", "the description came along (Document name)");
  t.equal(copy!.blurhash, original!.blurhash, "the blurhash came along");
  t.same(copy!.meta?.focus, { x: 0.5, y: -0.25 }, "the focal point came along");
  t.same(copy!.meta?.original, original!.meta?.original, "the sizes agree");
  t.same(copy!.meta?.small, original!.meta?.small);
  t.equal(copy!.remoteUrl, original!.url, "remote_url is the file on campus A");
  t.not(copy!.id, original!.id, "campus B has its own attachment row");
});

t.test("the receiving campus serves its own copy of the file", async (t) => {
  const [original] = sent.mediaAttachments;
  const [copy] = received.mediaAttachments;
  t.ok(copy!.url?.startsWith(`${B.origin}/system/`), `served by campus B (${copy!.url})`);
  t.ok(copy!.previewUrl?.startsWith(`${B.origin}/system/`), "and so is the preview");
  const file = await bytesOf(copy!.url!);
  t.equal(file.status, 200);
  t.equal(file.type, "image/jpeg");
  const metadata = await sharp(file.data).metadata();
  t.same([metadata.width, metadata.height], [original!.meta?.original?.width, original!.meta?.original?.height]);
  t.equal(metadata.exif, undefined, "no EXIF in the copy either");
  const fetchedFromA = A.gate.seen.filter((request) => request.url === new URL(original!.url!).pathname);
  t.equal(fetchedFromA.length, 1, "campus B fetched the file from campus A once");
});

t.test("an edit of the description reaches the other campus, which keeps its cached file", async (t) => {
  const [original] = sent.mediaAttachments;
  await ana.client.v1.statuses.$select(sent.id).update({
    status: "Bench is in! #lab (with power now)",
    mediaIds: [original!.id],
    mediaAttributes: [{ id: original!.id, description: "The lab bench, powered" }],
  });
  const edited = await eventually(
    async () => {
      const status = await raj.client.v1.statuses.$select(received.id).fetch();
      return status.mediaAttachments[0]?.description === "The lab bench, powered" ? status : null;
    },
    { what: "the Update(Note) on campus B" },
  );
  t.equal(edited.mediaAttachments[0]!.id, received.mediaAttachments[0]!.id, "the same attachment");
  t.equal(edited.mediaAttachments[0]!.url, received.mediaAttachments[0]!.url, "the same cached file");
  const history = await raj.client.v1.statuses.$select(received.id).history.list();
  t.equal(history[0]!.mediaAttachments[0]!.description, "The new lab bench, seen from the door", "history keeps the old description");
});

t.test("a video keeps its bytes and its preview across campuses", async (t) => {
  const video = mp4Like(512 * 1024);
  const media = await upload(ana, video, "video/mp4", {
    description: "Robot arm test run",
    thumbnail: new Blob([new Uint8Array(await plainPicture(1280, 720, "#225588", "jpeg"))], { type: "image/jpeg" }),
  });
  const post = await ana.client.v1.statuses.create({ status: "Arm works", mediaIds: [media.id], visibility: "public" });
  const arrived = await eventually(() => homeHas(raj, post.uri), { what: "the video post on campus B" });
  const [copy] = arrived.mediaAttachments;
  t.equal(copy!.type, "video");
  t.equal(copy!.description, "Robot arm test run");
  t.equal(copy!.blurhash, media.blurhash);
  t.ok(copy!.url?.startsWith(`${B.origin}/system/`));
  t.ok((await bytesOf(copy!.url!)).data.equals(video), "byte for byte");
  t.ok(copy!.previewUrl?.startsWith(`${B.origin}/system/`), "the preview was cached too");
  t.equal((await bytesOf(copy!.previewUrl!)).status, 200);
});

t.test("only_media on the sibling timeline finds the post with pictures", async (t) => {
  const plain = await ana.client.v1.statuses.create({ status: "just words", visibility: "public" });
  await eventually(() => homeHas(raj, plain.uri), { what: "the plain post on campus B" });
  const withMedia = await raj.client.v1.timelines.public.list({ remote: true, onlyMedia: true });
  t.ok(withMedia.some((status) => status.uri === sent.uri));
  t.notOk(withMedia.some((status) => status.uri === plain.uri));
});

t.test("the cached copy still loads while the sibling is down", async (t) => {
  await A.stop();
  const file = await bytesOf(received.mediaAttachments[0]!.url!);
  t.equal(file.status, 200, "campus B serves it without campus A");
  t.ok((await sharp(file.data).metadata()).width, "and it is the picture");
});
