// Polls arriving from siblings: a Question's options and results, and the Notes that are votes.
import type { DocumentLoader } from "@fedify/fedify";
import { Note, type Object as APObject, type Question } from "@fedify/vocab";
import type { RemotePollInput } from "../../server/services/polls/remote.ts";
import { toDate } from "../time.ts";

const MAX_OPTIONS = 100;
const MAX_TITLE = 1000;

interface LoaderOptions {
  documentLoader?: DocumentLoader;
  contextLoader?: DocumentLoader;
}

async function optionOf(option: APObject, options: LoaderOptions): Promise<{ title: string; votes: number | null } | null> {
  const title = option.name ? String(option.name).trim().slice(0, MAX_TITLE) : "";
  if (!title) return null;
  // Mastodon embeds the count; a link to a collection elsewhere is not followed.
  const replies = await option.getReplies({ ...options, suppressError: true }).catch(() => null);
  const total = replies?.totalItems;
  return { title, votes: typeof total === "number" && Number.isFinite(total) ? total : null };
}

/** The poll a Question carries (oneOf: single choice, anyOf: multiple), or null when it has none. */
export async function questionToPoll(question: Question, options: LoaderOptions): Promise<RemotePollInput | null> {
  // Options are embedded objects without ids, so the lists are read, not their ids.
  const read = async (source: AsyncIterable<APObject>) => {
    const found: { title: string; votes: number | null }[] = [];
    for await (const item of source) {
      if (found.length >= MAX_OPTIONS) break;
      const option = await optionOf(item, options);
      if (option && !found.some((other) => other.title === option.title)) found.push(option);
    }
    return found;
  };
  const exclusive = await read(question.getExclusiveOptions(options));
  const multiple = exclusive.length === 0;
  const found = multiple ? await read(question.getInclusiveOptions(options)) : exclusive;
  if (found.length === 0) return null;
  const endTime = toDate(question.endTime);
  // `closed` is the time the poll ended (or just true); a poll closed early ends then.
  const closed = question.closed;
  let closedAt: Date | null = null;
  if (closed === true) closedAt = endTime ?? new Date();
  else if (closed && typeof closed === "object") closedAt = toDate(closed);
  const expiresAt = closedAt && (!endTime || closedAt < endTime) ? closedAt : endTime;
  const voters = question.voters;
  return {
    options: found.map((option) => option.title),
    votesCounts: found.map((option) => option.votes),
    multiple,
    expiresAt,
    votersCount: typeof voters === "number" && Number.isFinite(voters) ? voters : null,
  };
}

/**
 * A Note that may be a vote: it names an option and answers a post. Whether it is one depends on
 * that post (a local poll offering that option), which the service decides.
 */
export function voteOf(object: unknown): { uri: string; statusUri: string; title: string } | null {
  if (!(object instanceof Note) || !object.id || !object.replyTargetId || !object.name) return null;
  if (object.attributionId?.origin !== object.id.origin) return null;
  return { uri: object.id.href, statusUri: object.replyTargetId.href, title: String(object.name).trim() };
}
