// Attachments ↔ Documents. Mastodon puts two properties of its own namespace on them, a
// blurhash and a focal point, which Fedify's vocabulary does not know: outgoing Documents add
// them to their JSON-LD, and incoming ones are read from the JSON as it arrived. Pure: the
// callers load what is needed.
import { Document, Image, Link } from "@fedify/vocab";

const TOOT = "http://joinmastodon.org/ns#";

export interface OutgoingAttachment {
  url: string;
  mediaType: string;
  description: string | null;
  blurhash: string | null;
  focus: { x: number; y: number };
  width: number | null;
  height: number | null;
  /** The preview of a video or sound, sent as the Document's icon (as Mastodon does). */
  previewUrl: string | null;
  previewMediaType: string | null;
}

/** What a sibling said about one attachment of its post. */
export interface IncomingAttachment {
  url: string;
  mediaType: string | null;
  description: string | null;
  blurhash: string | null;
  focus: { x: number; y: number } | null;
  width: number | null;
  height: number | null;
  previewUrl: string | null;
}

type ToJsonLdOptions = Parameters<Document["toJsonLd"]>[0];

/** A Document that carries Mastodon's blurhash and focalPoint in whichever form it is written. */
class MastodonDocument extends Document {
  readonly mastodon: { blurhash: string | null; focalPoint: [number, number] };

  constructor(
    values: ConstructorParameters<typeof Document>[0],
    mastodon: { blurhash: string | null; focalPoint: [number, number] },
  ) {
    super(values);
    this.mastodon = mastodon;
  }

  override async toJsonLd(options: ToJsonLdOptions = {}): Promise<unknown> {
    const json = await super.toJsonLd(options);
    const { blurhash, focalPoint } = this.mastodon;
    if (options?.format === "expand") {
      // Documents inside a Note or an activity are written this way, then compacted with a
      // context that names the toot: prefix.
      const node = (json as Record<string, unknown>[])[0];
      if (node) {
        if (blurhash) node[`${TOOT}blurhash`] = [{ "@value": blurhash }];
        node[`${TOOT}focalPoint`] = [{ "@list": focalPoint.map((value) => ({ "@value": value })) }];
      }
      return json;
    }
    if (options?.format === undefined && json && typeof json === "object" && !Array.isArray(json)) {
      // Compact on its own: Mastodon's own terms, defined as Mastodon defines them.
      const object = json as Record<string, unknown>;
      const context = Array.isArray(object["@context"]) ? object["@context"] : [object["@context"]];
      return {
        ...object,
        "@context": [
          ...context.filter((item) => item !== undefined),
          { toot: TOOT, blurhash: "toot:blurhash", focalPoint: { "@container": "@list", "@id": "toot:focalPoint" } },
        ],
        ...(blurhash ? { blurhash } : {}),
        focalPoint,
      };
    }
    return json;
  }
}

export function attachmentToDocument(attachment: OutgoingAttachment): Document {
  return new MastodonDocument(
    {
      mediaType: attachment.mediaType,
      url: new URL(attachment.url),
      name: attachment.description,
      width: attachment.width,
      height: attachment.height,
      icon: attachment.previewUrl
        ? new Image({ url: new URL(attachment.previewUrl), mediaType: attachment.previewMediaType })
        : null,
    },
    { blurhash: attachment.blurhash, focalPoint: [attachment.focus.x, attachment.focus.y] },
  );
}

/** The href of a Document's url (a URL or a Link), when it is http(s). */
function hrefOf(url: URL | Link | null): { href: string; mediaType: string | null } | null {
  const target = url instanceof Link ? url.href : url;
  if (!target || (target.protocol !== "https:" && target.protocol !== "http:")) return null;
  return { href: target.href, mediaType: url instanceof Link ? url.mediaType : null };
}

/** A JSON value's property under any of Mastodon's spellings. */
function tootProperty(item: Record<string, unknown>, name: string): unknown {
  return item[name] ?? item[`toot:${name}`] ?? item[`${TOOT}${name}`];
}

function urlsOfRaw(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(urlsOfRaw);
  if (value && typeof value === "object") {
    const href = (value as Record<string, unknown>).href ?? (value as Record<string, unknown>)["@id"];
    return typeof href === "string" ? [href] : [];
  }
  return [];
}

function numbers(value: unknown): number[] {
  if (Array.isArray(value)) return value.flatMap(numbers);
  if (typeof value === "number") return [value];
  if (value && typeof value === "object") {
    const object = value as Record<string, unknown>;
    if ("@list" in object) return numbers(object["@list"]);
    if ("@value" in object) return numbers(object["@value"]);
  }
  return [];
}

interface RawExtras {
  blurhash: string | null;
  focus: { x: number; y: number } | null;
  previewUrl: string | null;
}

/**
 * Blurhash, focal point and preview of each attachment in a Note's JSON as it arrived, by URL. The
 * values are checked: a blurhash is a short string of its alphabet, a focal point two numbers
 * within ±1.
 */
export function mastodonExtras(rawNote: unknown): Map<string, RawExtras> {
  const extras = new Map<string, RawExtras>();
  if (!rawNote || typeof rawNote !== "object") return extras;
  const attachments = (rawNote as Record<string, unknown>).attachment;
  for (const item of Array.isArray(attachments) ? attachments : [attachments]) {
    if (!item || typeof item !== "object") continue;
    const object = item as Record<string, unknown>;
    const blurhash = tootProperty(object, "blurhash");
    const point = numbers(tootProperty(object, "focalPoint"));
    const focus =
      point.length === 2 && point.every((value) => Number.isFinite(value) && Math.abs(value) <= 1)
        ? { x: point[0]!, y: point[1]! }
        : null;
    const validBlurhash =
      typeof blurhash === "string" && /^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{6,100}$/.test(blurhash) ? blurhash : null;
    // The icon of a video or sound is its preview: a URL, or an Image whose url is one.
    const icon = Array.isArray(object.icon) ? object.icon[0] : object.icon;
    const iconUrl = urlsOfRaw(icon && typeof icon === "object" ? (icon as Record<string, unknown>).url : icon)[0];
    const previewUrl = iconUrl && /^https?:\/\//.test(iconUrl) ? iconUrl : null;
    for (const url of urlsOfRaw(object.url)) extras.set(url, { blurhash: validBlurhash, focus, previewUrl });
  }
  return extras;
}

/**
 * A Note's Documents as attachments, with what its JSON as it arrived says beyond Fedify's
 * vocabulary. Other attachments (profile-style PropertyValues, links) are not media.
 */
export function documentsToAttachments(attachments: readonly unknown[], rawNote: unknown): IncomingAttachment[] {
  const extras = mastodonExtras(rawNote);
  const found: IncomingAttachment[] = [];
  for (const attachment of attachments) {
    if (!(attachment instanceof Document)) continue;
    const url = hrefOf(attachment.url);
    if (!url) continue;
    const extra = extras.get(url.href);
    const name = attachment.name ? String(attachment.name) : "";
    found.push({
      url: url.href,
      mediaType: attachment.mediaType ?? url.mediaType,
      description: name.trim() === "" ? null : name.slice(0, 1500),
      blurhash: extra?.blurhash ?? null,
      focus: extra?.focus ?? null,
      width: attachment.width ?? null,
      height: attachment.height ?? null,
      previewUrl: extra?.previewUrl ?? null,
    });
  }
  return found;
}
