import { findPollById } from "../db/repositories/polls.ts";
import type { Db } from "../db/repositories/types.ts";
import { pollExpired, pollTotalsShown } from "../server/serializers/poll.ts";
import type { OutgoingPoll } from "./mapping/poll.ts";

/** A status's poll as siblings are told about it: hidden totals stay hidden until the end. */
export async function loadOutgoingPoll(db: Db, pollId: string): Promise<OutgoingPoll | null> {
  const poll = await findPollById(db, pollId);
  if (!poll) return null;
  const shown = pollTotalsShown(poll);
  return {
    options: poll.options.map((title, index) => ({ title, votesCount: shown ? (poll.votes_counts[index] ?? 0) : null })),
    multiple: poll.multiple,
    expiresAt: poll.expires_at,
    closed: pollExpired(poll),
    votersCount: poll.voters_count,
  };
}
