import { findPollsWithOwnVotes } from "../../../db/repositories/polls.ts";
import type { Db } from "../../../db/repositories/types.ts";
import type { PollView } from "../../serializers/poll.ts";

/**
 * The polls of the statuses among `rows` that have one, as `viewerId` sees them, by poll id:
 * one statement for a whole page, and none at all when no status in it has a poll.
 */
export async function loadPollViews(
  db: Db,
  rows: Iterable<{ poll_id: string | null }>,
  viewerId: string | null,
): Promise<Map<string, PollView>> {
  const ids = new Set<string>();
  for (const row of rows) if (row.poll_id) ids.add(row.poll_id);
  const views = new Map<string, PollView>();
  for (const poll of await findPollsWithOwnVotes(db, [...ids], viewerId)) {
    const { own_votes: ownVotes, ...row } = poll;
    views.set(poll.id, { poll: row, ownVotes, own: poll.account_id === viewerId });
  }
  return views;
}
