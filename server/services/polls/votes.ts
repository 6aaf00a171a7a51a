// Votes: a local person's, through the API, and a sibling's, arriving as Create(Note). Each is
// checked as Mastodon checks a vote and counted under a lock on the poll row, so that
// concurrent votes neither lose a count nor let anyone vote twice in a single-choice poll.
import { choicesOf, lockPoll, type Poll } from "../../../db/repositories/polls.ts";
import { visibleTo } from "../../../db/repositories/statuses.ts";
import type { Db } from "../../../db/repositories/types.ts";
import { integerArray } from "../../../db/sql-helpers.ts";
import type { Account } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { notFound, unprocessable } from "../../errors.ts";
import { type ApiPoll, pollExpired } from "../../serializers/poll.ts";
import { recordIntent } from "../federation/intents.ts";
import { findVisibleStatusRow } from "../statuses/read.ts";
import { presentPoll } from "./read.ts";

const VOTE_ERRORS = {
  expired: "The poll has already ended",
  invalidChoice: "The chosen vote option does not exist",
  selfVote: "You cannot vote in your own polls",
  alreadyVoted: "You have already voted on this poll",
} as const;

type VoteRefusal = keyof typeof VOTE_ERRORS;

/** Why `choices` may not be counted for `accountId`, or null when they may. */
function refusal(poll: Poll, accountId: string, previous: readonly number[], choices: readonly number[]): VoteRefusal | null {
  if (pollExpired(poll)) return "expired";
  if (choices.some((choice) => !Number.isInteger(choice) || choice < 0 || choice >= poll.options.length)) {
    return "invalidChoice";
  }
  if (accountId === poll.account_id) return "selfVote";
  // One vote in a single-choice poll; in a multiple-choice poll, each option once. Several
  // choices at once in a single-choice poll fail the same way, as they do in Mastodon.
  if (!poll.multiple && previous.length + choices.length > 1) return "alreadyVoted";
  const chosen = new Set(previous);
  for (const choice of choices) {
    if (chosen.has(choice)) return "alreadyVoted";
    chosen.add(choice);
  }
  return null;
}

/** Adds votes to a locked poll: the rows, the tallies, and the voter count for a new voter. */
async function countVotes(
  trx: Db,
  poll: Poll,
  accountId: string,
  choices: readonly number[],
  options: { firstVote: boolean; uri?: string },
): Promise<string[]> {
  const inserted = await trx
    .insertInto("poll_votes")
    .values(choices.map((choice) => ({ poll_id: poll.id, account_id: accountId, choice, uri: options.uri ?? null })))
    .returning("id")
    .execute();
  const tallies = poll.votes_counts.map((count, index) => count + choices.filter((choice) => choice === index).length);
  await trx
    .updateTable("polls")
    .set({
      votes_counts: integerArray(tallies),
      votes_count: poll.votes_count + choices.length,
      voters_count: poll.voters_count === null ? null : poll.voters_count + (options.firstVote ? 1 : 0),
      updated_at: new Date(),
    })
    .where("id", "=", poll.id)
    .execute();
  return inserted.map((row) => row.id);
}

/** POST /api/v1/polls/:id/votes: the viewer votes; answers the poll as it now stands. */
export async function votePoll(context: AppContext, voter: Account, pollId: string, choices: number[]): Promise<ApiPoll> {
  const found = await context.db.selectFrom("polls").select(["id", "status_id"]).where("id", "=", pollId).executeTakeFirst();
  if (!found) throw notFound();
  // A poll is only as visible as its post.
  const status = await findVisibleStatusRow(context, found.status_id, voter.id);
  if (choices.length === 0) throw unprocessable("choices can't be blank");
  await context.db.transaction().execute(async (trx) => {
    const poll = await lockPoll(trx, pollId);
    if (!poll) throw notFound();
    const previous = await choicesOf(trx, poll.id, voter.id);
    const refused = refusal(poll, voter.id, previous, choices);
    if (refused) throw unprocessable(VOTE_ERRORS[refused]);
    const voteIds = await countVotes(trx, poll, voter.id, choices, { firstVote: previous.length === 0 });
    if (!status.local) {
      // The poll's campus counts the vote and sends everyone the new results.
      await recordIntent(trx, { type: "poll.voted", accountId: voter.id, pollId: poll.id, voteIds });
    } else if (!poll.hide_totals) {
      await recordIntent(trx, { type: "poll.updated", accountId: poll.account_id, statusId: poll.status_id });
    }
  });
  return presentPoll(context, pollId, voter.id);
}

export interface RemoteVoteInput {
  /** The id of the vote's Note (or of its Create), which makes a redelivery count once. */
  uri: string;
  accountId: string;
  /** The Question the vote answers (its `inReplyTo`). */
  statusUri: string;
  /** The chosen option's title (its `name`). */
  title: string;
}

/**
 * A sibling's vote in a local poll. False when the Note is no vote in one of our polls (it is then
 * an ordinary reply); true when it was one, whether counted or refused (too late, twice…).
 */
export async function receiveRemoteVote(context: AppContext, input: RemoteVoteInput): Promise<boolean> {
  const target = await context.db
    .selectFrom("statuses as s")
    .innerJoin("polls as p", "p.id", "s.poll_id")
    .select(["p.id", "p.options", "p.status_id"])
    .where("s.uri", "=", input.statusUri)
    .where("s.local", "=", true)
    .executeTakeFirst();
  const choice = target?.options.indexOf(input.title) ?? -1;
  if (!target || choice < 0) return false;
  // Only someone who may see the post may vote in its poll.
  const visible = await context.db
    .selectFrom("statuses as s")
    .select("s.id")
    .where("s.id", "=", target.status_id)
    .where(visibleTo(input.accountId))
    .executeTakeFirst();
  if (!visible) return true;
  try {
    await context.db.transaction().execute(async (trx) => {
      const poll = await lockPoll(trx, target.id);
      if (!poll) return;
      const known = await trx.selectFrom("poll_votes").select("id").where("uri", "=", input.uri).executeTakeFirst();
      if (known) return;
      const previous = await choicesOf(trx, poll.id, input.accountId);
      if (refusal(poll, input.accountId, previous, [choice])) return;
      await countVotes(trx, poll, input.accountId, [choice], { firstVote: previous.length === 0, uri: input.uri });
      if (!poll.hide_totals) {
        await recordIntent(trx, { type: "poll.updated", accountId: poll.account_id, statusId: poll.status_id });
      }
    });
  } catch (error) {
    // A concurrent redelivery of the same vote lost the race on the unique uri.
    if (!isUniqueViolation(error)) throw error;
  }
  return true;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "23505";
}
