// Polls as they are written: checked against the instance's limits when a local post carries
// one, and stored inside the transaction that stores their post (local or from a sibling).
import type { Db } from "../../../db/repositories/types.ts";
import { integerArray, textArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { unprocessable } from "../../errors.ts";

/** `poll[...]` of POST /api/v1/statuses. */
export interface NewPollInput {
  options: string[];
  /** Seconds from now. */
  expiresIn?: number;
  multiple?: boolean;
  hideTotals?: boolean;
}

export interface PollValues {
  options: string[];
  /** One tally per option; zeros for a new poll. */
  votesCounts: number[];
  multiple: boolean;
  hideTotals: boolean;
  expiresAt: Date | null;
  votersCount: number | null;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

function graphemeLength(text: string): number {
  let count = 0;
  for (const _ of graphemes.segment(text)) count++;
  return count;
}

/** A local poll checked as Mastodon checks one, with Mastodon's messages. */
export function validatePoll(context: AppContext, input: NewPollInput, now = new Date()): PollValues {
  const { config } = context;
  // Blank options are dropped and the others trimmed, as Mastodon prepares them.
  const options = input.options.map((option) => option.trim()).filter((option) => option !== "");
  if (options.length < 2) throw unprocessable("Poll options must have more than one item");
  if (options.length > config.maxPollOptions) {
    throw unprocessable(`Poll options can't contain more than ${config.maxPollOptions} items`);
  }
  if (options.some((option) => graphemeLength(option) > config.maxPollOptionChars)) {
    throw unprocessable(`Poll options cannot be longer than ${config.maxPollOptionChars} characters each`);
  }
  if (new Set(options).size !== options.length) throw unprocessable("Poll options contain duplicate items");
  if (input.expiresIn === undefined) throw unprocessable("Poll expires in can't be blank");
  if (input.expiresIn < config.pollMinExpirySeconds) throw unprocessable("Poll expires at is too soon");
  if (input.expiresIn > config.pollMaxExpirySeconds) throw unprocessable("Poll expires at is too far into the future");
  return {
    options,
    votesCounts: options.map(() => 0),
    multiple: input.multiple ?? false,
    hideTotals: input.hideTotals ?? false,
    expiresAt: new Date(now.getTime() + input.expiresIn * 1000),
    votersCount: 0,
  };
}

/** Stores a poll for a status inside the caller's transaction and links the status to it. */
export async function insertPoll(
  trx: Db,
  statusId: string,
  accountId: string,
  values: PollValues,
): Promise<string> {
  const { id } = await trx
    .insertInto("polls")
    .values({
      status_id: statusId,
      account_id: accountId,
      options: textArray(values.options),
      votes_counts: integerArray(values.votesCounts),
      votes_count: values.votesCounts.reduce((sum, count) => sum + count, 0),
      voters_count: values.votersCount,
      multiple: values.multiple,
      hide_totals: values.hideTotals,
      expires_at: values.expiresAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await trx.updateTable("statuses").set({ poll_id: id }).where("id", "=", statusId).execute();
  return id;
}
