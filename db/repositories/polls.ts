import { type Selectable, sql } from "kysely";
import type { PollsTable } from "../schema.ts";
import { bigintArray } from "../sql-helpers.ts";
import type { Db } from "./types.ts";

export type Poll = Selectable<PollsTable>;

/** A poll with the options one viewer chose in it (empty when they did not vote). */
export interface PollWithOwnVotes extends Poll {
  own_votes: number[];
}

/** The polls named by `pollIds`, each with `viewerId`'s own choices, in one statement. */
export async function findPollsWithOwnVotes(
  db: Db,
  pollIds: readonly string[],
  viewerId: string | null,
): Promise<PollWithOwnVotes[]> {
  if (pollIds.length === 0) return [];
  const ownVotes = viewerId
    ? sql<number[]>`coalesce((
        SELECT array_agg(v.choice ORDER BY v.choice) FROM poll_votes v
        WHERE v.poll_id = p.id AND v.account_id = ${viewerId}::bigint
      ), '{}'::integer[])`
    : sql<number[]>`'{}'::integer[]`;
  return db
    .selectFrom("polls as p")
    .selectAll("p")
    .select(ownVotes.as("own_votes"))
    .where("p.id", "=", (eb) => eb.fn.any(bigintArray(pollIds)))
    .execute();
}

export async function findPollById(db: Db, id: string): Promise<Poll | undefined> {
  return db.selectFrom("polls").selectAll().where("id", "=", id).executeTakeFirst();
}

/** The poll row, locked until the end of the caller's transaction (votes are counted one at a time). */
export async function lockPoll(db: Db, id: string): Promise<Poll | undefined> {
  return db.selectFrom("polls").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

/** The choices `accountId` has made in a poll. */
export async function choicesOf(db: Db, pollId: string, accountId: string): Promise<number[]> {
  const rows = await db
    .selectFrom("poll_votes")
    .select("choice")
    .where("poll_id", "=", pollId)
    .where("account_id", "=", accountId)
    .orderBy("choice")
    .execute();
  return rows.map((row) => row.choice);
}
