// Statuses ↔ Notes, and visibility ↔ addressing. Pure: the callers load what is needed.
import {
  Hashtag,
  LanguageString,
  Mention,
  Note,
  PUBLIC_COLLECTION,
  Question,
  Tombstone,
} from "@fedify/vocab";
import type { Status, Visibility } from "../../db/schema.ts";
import { toInstant } from "../time.ts";
import { attachmentToDocument, type OutgoingAttachment } from "./attachment.ts";
import { type OutgoingPoll, questionValues } from "./poll.ts";

export interface OutgoingStatus {
  status: Status;
  authorUri: string;
  followersUri: string;
  inReplyToUri: string | null;
  mentions: { uri: string; acct: string; url: string }[];
  tags: { name: string; url: string }[];
  /** The status's poll, when it has one. */
  poll?: OutgoingPoll | null;
  /** The status's attachments, in order. */
  attachments?: OutgoingAttachment[];
}

/**
 * Mastodon's addressing: public → to Public, cc followers; unlisted → to followers, cc Public;
 * followers-only → to followers; direct → the people mentioned only. Mentions are always cc'd
 * (or to'd, for direct posts) so their servers deliver the notification.
 */
export function addressing(visibility: Visibility, followersUri: string, mentionUris: string[]) {
  const followers = new URL(followersUri);
  const mentioned = mentionUris.map((uri) => new URL(uri));
  switch (visibility) {
    case "public":
      return { tos: [PUBLIC_COLLECTION], ccs: [followers, ...mentioned] };
    case "unlisted":
      return { tos: [followers], ccs: [PUBLIC_COLLECTION, ...mentioned] };
    case "private":
      return { tos: [followers, ...mentioned], ccs: [] };
    case "direct":
      return { tos: mentioned, ccs: [] };
  }
}

/** Reads visibility back from addressing, as Mastodon does. */
export function visibilityOf(tos: readonly URL[], ccs: readonly URL[], followersUri: string | null): Visibility {
  const has = (list: readonly URL[], uri: string) => list.some((url) => url.href === uri);
  const publicUri = PUBLIC_COLLECTION.href;
  // Some servers address the public collection by its compact forms.
  const isPublic = (list: readonly URL[]) => has(list, publicUri) || has(list, "as:Public") || has(list, "Public");
  if (isPublic(tos)) return "public";
  if (isPublic(ccs)) return "unlisted";
  if (followersUri && (has(tos, followersUri) || has(ccs, followersUri))) return "private";
  return "direct";
}

export function statusToNote(outgoing: OutgoingStatus): Note {
  return new Note(noteValues(outgoing));
}

/**
 * A status as siblings receive it: a Question when it carries a poll (as Mastodon sends one:
 * the options as Notes counting their votes in `replies.totalItems`), otherwise a Note.
 */
export function statusToObject(outgoing: OutgoingStatus): Note | Question {
  const values = noteValues(outgoing);
  return outgoing.poll ? new Question({ ...values, ...questionValues(outgoing.poll) }) : new Note(values);
}

function noteValues(outgoing: OutgoingStatus) {
  const { status } = outgoing;
  const language = status.language ?? undefined;
  return {
    id: new URL(status.uri),
    url: new URL(status.url),
    attribution: new URL(outgoing.authorUri),
    ...addressing(status.visibility, outgoing.followersUri, outgoing.mentions.map((mention) => mention.uri)),
    content: language ? new LanguageString(status.content, language) : status.content,
    summary: status.spoiler_text ? status.spoiler_text : null,
    sensitive: status.sensitive,
    published: toInstant(status.created_at),
    updated: status.edited_at ? toInstant(status.edited_at) : null,
    replyTarget: outgoing.inReplyToUri ? new URL(outgoing.inReplyToUri) : null,
    tags: [
      ...outgoing.mentions.map((mention) => new Mention({ href: new URL(mention.uri), name: `@${mention.acct}` })),
      ...outgoing.tags.map((tag) => new Hashtag({ href: new URL(tag.url), name: `#${tag.name}` })),
    ],
    attachments: (outgoing.attachments ?? []).map(attachmentToDocument),
  };
}

export function tombstoneFor(uri: string, deletedAt: Date): Tombstone {
  return new Tombstone({ id: new URL(uri), deleted: toInstant(deletedAt) });
}
