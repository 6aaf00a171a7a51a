// Muted conversations. A thread is named by its first post (the one that replies to nothing);
// a post belongs to every thread on its chain of parents, so checking a post walks up that
// chain and looks for a mute on any post of it.
import { sql } from "kysely";
import { PREPARED } from "../sql-helpers.ts";
import type { Db } from "./types.ts";

/** How far up a chain of replies is followed; deeper threads are named by the post this far up. */
const MAX_DEPTH = 256;

/** The post and the posts it replies to, up to the first post of its thread (last). */
export async function threadChain(db: Db, statusId: string): Promise<string[]> {
  const result = await sql<{ id: string }>`${sql.raw(PREPARED)}
    WITH RECURSIVE up(id, parent, depth) AS (
      SELECT s.id, s.in_reply_to_id, 0 FROM statuses s WHERE s.id = ${statusId}::bigint
      UNION ALL
      SELECT s.id, s.in_reply_to_id, up.depth + 1
      FROM up JOIN statuses s ON s.id = up.parent
      WHERE up.depth < ${MAX_DEPTH}
    )
    SELECT id::text AS id FROM up ORDER BY depth`.execute(db);
  return result.rows.map((row) => row.id);
}

/**
 * Which of `pairs` (an account and a post) name a post in a conversation that account muted,
 * as `account:status` keys. One statement; the walk up only starts for accounts with mutes.
 */
export async function mutedConversationPairs(
  db: Db,
  pairs: readonly { accountId: string; statusId: string }[],
): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const accounts = `{${pairs.map((pair) => pair.accountId).join(",")}}`;
  const statuses = `{${pairs.map((pair) => pair.statusId).join(",")}}`;
  const result = await sql<{ account_id: string; start_id: string }>`${sql.raw(PREPARED)}
    WITH RECURSIVE wanted(account_id, status_id) AS (
      SELECT * FROM unnest(${accounts}::bigint[], ${statuses}::bigint[])
    ), up(account_id, start_id, id, parent, depth) AS (
      SELECT w.account_id, w.status_id, s.id, s.in_reply_to_id, 0
      FROM wanted w JOIN statuses s ON s.id = w.status_id
      WHERE EXISTS (SELECT 1 FROM conversation_mutes m WHERE m.account_id = w.account_id)
      UNION ALL
      SELECT up.account_id, up.start_id, s.id, s.in_reply_to_id, up.depth + 1
      FROM up JOIN statuses s ON s.id = up.parent
      WHERE up.depth < ${MAX_DEPTH}
    )
    SELECT DISTINCT up.account_id::text AS account_id, up.start_id::text AS start_id
    FROM up JOIN conversation_mutes m ON m.account_id = up.account_id AND m.status_id = up.id`.execute(db);
  return new Set(result.rows.map((row) => `${row.account_id}:${row.start_id}`));
}
