// A post's poll when the post is edited, as Mastodon's edit treats it: the request carries the
// whole poll again (or none, which removes it); new options, or switching between one and
// several choices, void the votes cast so far; the duration starts again from the edit.
import { lockPoll, type Poll } from "../../../db/repositories/polls.ts";
import type { Db } from "../../../db/repositories/types.ts";
import { integerArray, textArray } from "../../../db/sql-helpers.ts";
import { insertPoll, type PollValues } from "./new-poll.ts";

/** Whether an edit leaves the poll as it is (its duration aside). */
export function samePoll(current: Poll | undefined, next: PollValues | null): boolean {
  if (!current || !next) return !current && !next;
  return (
    current.multiple === next.multiple &&
    current.hide_totals === next.hideTotals &&
    current.options.length === next.options.length &&
    current.options.every((title, index) => title === next.options[index])
  );
}

/** Puts `next` in place of the status's poll inside the caller's transaction. */
export async function replacePoll(
  trx: Db,
  statusId: string,
  accountId: string,
  currentPollId: string | null,
  next: PollValues | null,
): Promise<void> {
  const current = currentPollId ? await lockPoll(trx, currentPollId) : undefined;
  if (!next) {
    if (current) {
      await trx.deleteFrom("polls").where("id", "=", current.id).execute();
      await trx.updateTable("statuses").set({ poll_id: null }).where("id", "=", statusId).execute();
    }
    return;
  }
  if (!current) {
    await insertPoll(trx, statusId, accountId, next);
    return;
  }
  const votesStand =
    current.multiple === next.multiple &&
    current.options.length === next.options.length &&
    current.options.every((title, index) => title === next.options[index]);
  if (!votesStand) await trx.deleteFrom("poll_votes").where("poll_id", "=", current.id).execute();
  await trx
    .updateTable("polls")
    .set({
      options: textArray(next.options),
      ...(votesStand ? {} : { votes_counts: integerArray(next.votesCounts), votes_count: 0, voters_count: 0 }),
      multiple: next.multiple,
      hide_totals: next.hideTotals,
      expires_at: next.expiresAt,
      // A poll that had ended and is given more time runs again.
      ended_at: null,
      updated_at: new Date(),
    })
    .where("id", "=", current.id)
    .execute();
}
