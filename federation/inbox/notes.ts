// A Note from a sibling → a stored status: its author, the post it replies to (fetched from the
// sibling when we do not have it yet), the accounts it mentions, its hashtags and attachments.
import { Document, Hashtag, Mention, Note, type Object as APObject, Question } from "@fedify/vocab";
import type { RemoteStatusInput } from "../../server/services/remote/statuses.ts";
import { sanitizeHtml } from "../../server/services/statuses/html.ts";
import { documentsToAttachments } from "../mapping/attachment.ts";
import { visibilityOf } from "../mapping/note.ts";
import { toDate } from "../time.ts";
import type { FederationResolver } from "../resolver.ts";
import { questionToPoll } from "./polls.ts";

/** How deep a chain of missing parents is followed before giving up. */
export const MAX_REPLY_DEPTH = 8;

/** A post: a Note, or a Question (a post with a poll). */
export function isNote(object: unknown): object is Note | Question {
  return object instanceof Note || object instanceof Question;
}

/**
 * The Note as a RemoteStatusInput, or null when it lacks an author we can store. `rawNote` is
 * the Note's JSON as it arrived (inside its activity), where Mastodon's attachment properties
 * live; a Note fetched on its own keeps its JSON itself.
 */
export async function noteToInput(
  resolver: FederationResolver,
  note: Note | Question,
  depth: number,
  rawNote?: unknown,
): Promise<RemoteStatusInput | null> {
  if (!note.id || !note.attributionId) return null;
  // A Note must come from the same origin as its id; anything else is a forgery attempt.
  if (note.attributionId.origin !== note.id.origin) return null;
  const author = await resolver.accountByUri(note.attributionId.href);
  if (!author || author.domain === null) return null;
  const options = resolver.loaderOptions();
  let inReplyTo: RemoteStatusInput["inReplyTo"] = null;
  if (note.replyTargetId) {
    const parentId = depth < MAX_REPLY_DEPTH ? await resolver.statusByUri(note.replyTargetId.href, depth + 1) : null;
    if (parentId) inReplyTo = await resolver.statusOwner(parentId);
  }
  const mentionIds: string[] = [];
  const tags: string[] = [];
  for await (const tag of note.getTags(options)) {
    if (tag instanceof Mention && tag.href) {
      const account = await resolver.accountByUri(tag.href.href);
      if (account) mentionIds.push(account.id);
    } else if (tag instanceof Hashtag && tag.name) {
      const name = String(tag.name).replace(/^#/, "");
      if (/^[\p{L}\p{N}_]+$/u.test(name)) tags.push(name);
    }
  }
  const attachments: unknown[] = [];
  for await (const attachment of note.getAttachments(options)) attachments.push(attachment);
  const media = attachments.some((attachment) => attachment instanceof Document)
    ? documentsToAttachments(attachments, rawNote ?? (await note.toJsonLd()))
    : [];
  const content = note.content ? sanitizeHtml(String(note.content)) : "";
  const language = note.contents.find((value) => typeof value === "object" && "locale" in value) as
    | { locale: Intl.Locale }
    | undefined;
  return {
    uri: note.id.href,
    url: note.url instanceof URL ? note.url.href : note.id.href,
    accountId: author.id,
    content,
    spoilerText: note.summary ? String(note.summary).slice(0, 1000) : "",
    sensitive: note.sensitive ?? false,
    visibility: visibilityOf(note.toIds, note.ccIds, author.followers_url),
    language: language?.locale.language ?? null,
    inReplyTo,
    mentionIds,
    tags,
    publishedAt: toDate(note.published) ?? new Date(),
    editedAt: toDate(note.updated),
    poll: note instanceof Question ? await questionToPoll(note, options) : null,
    media,
  };
}

/** The JSON of the object embedded in an activity as it arrived, when it is the one named `id`. */
export async function embeddedJson(activity: APObject, id: URL | null): Promise<unknown> {
  const raw = await activity.toJsonLd();
  const object = raw && typeof raw === "object" ? (raw as Record<string, unknown>).object : undefined;
  const embedded = Array.isArray(object) ? object[0] : object;
  return embedded && typeof embedded === "object" && (embedded as { id?: unknown }).id === id?.href ? embedded : undefined;
}

export function objectId(object: APObject | URL | null): string | null {
  if (!object) return null;
  if (object instanceof URL) return object.href;
  return object.id?.href ?? null;
}
