// Attachments as Documents: what a Note carries for each (mediaType, url, name, width, height,
// and Mastodon's blurhash and focalPoint, which Fedify's vocabulary lacks), however Fedify
// writes the Note, and what is read back from JSON as Mastodon and Hallway write it.
import { Create, Note } from "@fedify/vocab";
import t from "tap";
import { attachmentToDocument, documentsToAttachments, mastodonExtras } from "../../federation/mapping/attachment.ts";

const photo = attachmentToDocument({
  url: "https://a.example/system/media_attachments/original/ab/abcdef.jpg",
  mediaType: "image/jpeg",
  description: "The lab bench",
  blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
  focus: { x: 0.5, y: -0.25 },
  width: 1567,
  height: 2351,
  previewUrl: null,
  previewMediaType: null,
});
const video = attachmentToDocument({
  url: "https://a.example/system/media_attachments/original/cd/cdef.mp4",
  mediaType: "video/mp4",
  description: null,
  blurhash: null,
  focus: { x: 0, y: 0 },
  width: null,
  height: null,
  previewUrl: "https://a.example/system/media_attachments/small/ef/ef01.webp",
  previewMediaType: "image/webp",
});
const note = new Note({ id: new URL("https://a.example/users/ana/statuses/1"), content: "Bench", attachments: [photo, video] });

t.test("a Note's Documents carry Mastodon's properties in the JSON that is sent", async (t) => {
  const create = new Create({
    id: new URL("https://a.example/users/ana/statuses/1/activity"),
    actor: new URL("https://a.example/users/ana"),
    object: note,
  });
  for (const [label, json] of [
    ["an activity as delivered", ((await create.toJsonLd({ format: "compact" })) as { object: unknown }).object],
    ["a Note as served", await note.toJsonLd()],
  ] as const) {
    const [first, second] = (json as { attachment: Record<string, unknown>[] }).attachment;
    t.match(first, {
      type: "Document",
      mediaType: "image/jpeg",
      url: "https://a.example/system/media_attachments/original/ab/abcdef.jpg",
      name: "The lab bench",
      width: 1567,
      height: 2351,
    }, label);
    const extras = mastodonExtras(json);
    t.same(extras.get("https://a.example/system/media_attachments/original/ab/abcdef.jpg"), {
      blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
      focus: { x: 0.5, y: -0.25 },
      previewUrl: null,
    }, `${label}: blurhash and focal point`);
    t.equal(extras.get(String(second!.url))?.previewUrl, "https://a.example/system/media_attachments/small/ef/ef01.webp", `${label}: a video's preview is its icon`);
  }
});

t.test("Mastodon's own JSON is read as well, and nonsense is not", async (t) => {
  const mastodonNote = {
    "@context": ["https://www.w3.org/ns/activitystreams", { toot: "http://joinmastodon.org/ns#", blurhash: "toot:blurhash", focalPoint: { "@container": "@list", "@id": "toot:focalPoint" } }],
    id: "https://m.example/users/x/statuses/2",
    type: "Note",
    content: "hi",
    attachment: [
      { type: "Document", mediaType: "image/png", url: "https://m.example/a.png", name: "", blurhash: "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}", focalPoint: [-0.4, 0.7], width: 640, height: 480 },
      { type: "Document", mediaType: "image/png", url: "https://m.example/b.png", blurhash: "<script>", focalPoint: [5, 0] },
    ],
  };
  const parsed = await Note.fromJsonLd(mastodonNote);
  const attachments: unknown[] = [];
  for await (const attachment of parsed.getAttachments()) attachments.push(attachment);
  const [first, second] = documentsToAttachments(attachments, mastodonNote);
  t.same(first, {
    url: "https://m.example/a.png",
    mediaType: "image/png",
    description: null,
    blurhash: "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}",
    focus: { x: -0.4, y: 0.7 },
    width: 640,
    height: 480,
    previewUrl: null,
  });
  t.equal(second!.blurhash, null, "a blurhash outside its alphabet is dropped");
  t.equal(second!.focus, null, "a focal point outside ±1 is dropped");
});
