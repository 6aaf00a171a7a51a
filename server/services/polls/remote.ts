// Polls of sibling campuses: stored with their post, and refreshed whenever their campus sends
// the Question again (Update) with new results. The sibling's totals are the truth; votes
// cast here are added to them until its next Update counts them too.
import { lockPoll } from "../../../db/repositories/polls.ts";
import { integerArray, textArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { insertPoll, type PollValues } from "./new-poll.ts";

/**
 * A sibling's poll as its Question describes it. A tally is null when the sibling hides the
 * results until the poll ends; `hideTotals` is then set, and the tallies count as zero.
 */
export interface RemotePollInput {
  options: string[];
  votesCounts: (number | null)[];
  multiple: boolean;
  expiresAt: Date | null;
  votersCount: number | null;
}

export function remotePollValues(input: RemotePollInput): PollValues {
  const hideTotals = input.votesCounts.every((count) => count === null);
  return {
    options: input.options,
    votesCounts: input.votesCounts.map((count) => Math.max(0, Math.trunc(count ?? 0))),
    multiple: input.multiple,
    hideTotals,
    expiresAt: input.expiresAt,
    votersCount: input.votersCount === null ? null : Math.max(0, Math.trunc(input.votersCount)),
  };
}

/** Applies a sibling's newer view of its poll to the stored copy. Returns whether it was stored. */
export async function updateRemotePoll(
  context: AppContext,
  input: { statusUri: string; accountId: string; poll: RemotePollInput },
): Promise<boolean> {
  const status = await context.db
    .selectFrom("statuses")
    .select(["id", "poll_id", "account_id", "local"])
    .where("uri", "=", input.statusUri)
    .executeTakeFirst();
  // Only the author's own campus speaks for a poll.
  if (!status || status.local || status.account_id !== input.accountId) return false;
  const values = remotePollValues(input.poll);
  if (values.options.length < 1) return false;
  await context.db.transaction().execute(async (trx) => {
    const poll = status.poll_id ? await lockPoll(trx, status.poll_id) : undefined;
    if (!poll) {
      await insertPoll(trx, status.id, status.account_id, values);
      return;
    }
    const sameOptions =
      poll.options.length === values.options.length && poll.options.every((title, index) => title === values.options[index]);
    // Changed options void the votes cast for the old ones, as in Mastodon.
    if (!sameOptions) await trx.deleteFrom("poll_votes").where("poll_id", "=", poll.id).execute();
    const keepOwnTallies = sameOptions && values.hideTotals && poll.hide_totals;
    const tallies = keepOwnTallies ? poll.votes_counts : values.votesCounts;
    await trx
      .updateTable("polls")
      .set({
        options: textArray(values.options),
        votes_counts: integerArray(tallies),
        votes_count: tallies.reduce((sum, count) => sum + count, 0),
        voters_count: values.votersCount,
        multiple: values.multiple,
        hide_totals: values.hideTotals,
        expires_at: values.expiresAt,
        updated_at: new Date(),
      })
      .where("id", "=", poll.id)
      .execute();
  });
  return true;
}

/** A sibling's edit took the poll off its post. */
export async function removeRemotePoll(context: AppContext, input: { statusUri: string; accountId: string }): Promise<boolean> {
  return context.db.transaction().execute(async (trx) => {
    const status = await trx
      .selectFrom("statuses")
      .select(["id", "poll_id"])
      .where("uri", "=", input.statusUri)
      .where("account_id", "=", input.accountId)
      .where("local", "=", false)
      .executeTakeFirst();
    if (!status?.poll_id) return false;
    await trx.deleteFrom("polls").where("id", "=", status.poll_id).execute();
    await trx.updateTable("statuses").set({ poll_id: null }).where("id", "=", status.id).execute();
    return true;
  });
}
