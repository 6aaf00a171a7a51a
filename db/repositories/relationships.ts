// Blocks, mutes and personal notes as the other queries need them: as conditions that hide an
// author's posts from a viewer, and as facts for Relationship entities and notifications.
import { type ExpressionBuilder, type RawBuilder, sql } from "kysely";
import type { Database } from "../schema.ts";
import { bigintArray } from "../sql-helpers.ts";
import type { Db } from "./types.ts";

type StatusScope = ExpressionBuilder<Database & { s: Database["statuses"] }, "s">;

/**
 * Whether `s`'s author is someone the viewer should not meet in shared timelines, threads and
 * search results: the viewer blocks or mutes (until the mute runs out) the author, or the author
 * blocks the viewer. One NOT EXISTS per case, so that each plans as an anti-join on an index.
 */
export function authorNotHiddenFrom(viewerId: string) {
  return (eb: StatusScope) =>
    eb.and([
      eb.not(
        eb.exists(
          eb
            .selectFrom("blocks as hb")
            .select("hb.id")
            .where("hb.account_id", "=", viewerId)
            .whereRef("hb.target_account_id", "=", "s.account_id"),
        ),
      ),
      eb.not(
        eb.exists(
          eb
            .selectFrom("blocks as hbb")
            .select("hbb.id")
            .whereRef("hbb.account_id", "=", "s.account_id")
            .where("hbb.target_account_id", "=", viewerId),
        ),
      ),
      eb.not(
        eb.exists(
          eb
            .selectFrom("mutes as hm")
            .select("hm.id")
            .where("hm.account_id", "=", viewerId)
            .whereRef("hm.target_account_id", "=", "s.account_id")
            .where((mute) => mute.or([mute("hm.expires_at", "is", null), mute("hm.expires_at", ">", sql<Date>`now()`)])),
        ),
      ),
    ]);
}

/** `s`'s author does not block the viewer: a blocked person cannot see the blocker's posts. */
export function authorDoesNotBlock(viewerId: string) {
  return (eb: StatusScope) =>
    eb.not(
      eb.exists(
        eb
          .selectFrom("blocks as vb")
          .select("vb.id")
          .whereRef("vb.account_id", "=", "s.account_id")
          .where("vb.target_account_id", "=", viewerId),
      ),
    );
}

/**
 * SQL: the account `receiver` and one of `subjects` (a bigint array expression) are kept apart:
 * a block either way, or a mute by the receiver while it lasts. Feeds written at posting time
 * leave such posts out.
 */
export function silences(receiver: RawBuilder<unknown>, subjects: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`(EXISTS (
      SELECT 1 FROM blocks sb WHERE sb.account_id = ${receiver} AND sb.target_account_id = ANY(${subjects})
    ) OR EXISTS (
      SELECT 1 FROM blocks sbb WHERE sbb.target_account_id = ${receiver} AND sbb.account_id = ANY(${subjects})
    ) OR EXISTS (
      SELECT 1 FROM mutes sm WHERE sm.account_id = ${receiver} AND sm.target_account_id = ANY(${subjects})
        AND (sm.expires_at IS NULL OR sm.expires_at > now())
    ))`;
}

export interface BlockMuteFacts {
  blocking: Set<string>;
  blockedBy: Set<string>;
  /** Accounts muted right now, with whether their notifications are muted too. */
  muting: Map<string, { hide_notifications: boolean; expires_at: Date | null }>;
  notes: Map<string, string>;
}

/** What a batch of Relationship entities needs about blocks, mutes and notes, in one statement. */
export async function loadBlockMuteFacts(db: Db, viewerId: string, targetIds: readonly string[]): Promise<BlockMuteFacts> {
  const facts: BlockMuteFacts = { blocking: new Set(), blockedBy: new Set(), muting: new Map(), notes: new Map() };
  if (targetIds.length === 0) return facts;
  const targets = bigintArray(targetIds);
  const result = await sql<{ kind: "b" | "B" | "m" | "n"; id: string; flag: boolean | null; expires_at: Date | null; comment: string | null }>`
    SELECT 'b' AS kind, target_account_id AS id, NULL::boolean AS flag, NULL::timestamptz AS expires_at, NULL::text AS comment
    FROM blocks WHERE account_id = ${viewerId}::bigint AND target_account_id = ANY(${targets})
    UNION ALL
    SELECT 'B', account_id, NULL, NULL, NULL
    FROM blocks WHERE target_account_id = ${viewerId}::bigint AND account_id = ANY(${targets})
    UNION ALL
    SELECT 'm', target_account_id, hide_notifications, expires_at, NULL
    FROM mutes WHERE account_id = ${viewerId}::bigint AND target_account_id = ANY(${targets})
      AND (expires_at IS NULL OR expires_at > now())
    UNION ALL
    SELECT 'n', target_account_id, NULL, NULL, comment
    FROM account_notes WHERE account_id = ${viewerId}::bigint AND target_account_id = ANY(${targets})
  `.execute(db);
  for (const row of result.rows) {
    const id = String(row.id);
    if (row.kind === "b") facts.blocking.add(id);
    else if (row.kind === "B") facts.blockedBy.add(id);
    else if (row.kind === "m") {
      const expires = row.expires_at === null ? null : new Date(row.expires_at);
      facts.muting.set(id, { hide_notifications: row.flag === true, expires_at: expires });
    } else facts.notes.set(id, row.comment ?? "");
  }
  return facts;
}

/**
 * Of the (recipient, sender) pairs, those whose notification must not be written: either one
 * blocks the other, or the recipient mutes the sender's notifications. Keys are "recipient:sender".
 */
export async function silencedNotificationPairs(
  db: Db,
  pairs: readonly { recipientId: string; senderId: string }[],
): Promise<Set<string>> {
  const silenced = new Set<string>();
  if (pairs.length === 0) return silenced;
  const recipients = bigintArray([...new Set(pairs.map((pair) => pair.recipientId))]);
  const senders = bigintArray([...new Set(pairs.map((pair) => pair.senderId))]);
  const result = await sql<{ recipient: string; sender: string }>`
    SELECT account_id AS recipient, target_account_id AS sender FROM blocks
    WHERE account_id = ANY(${recipients}) AND target_account_id = ANY(${senders})
    UNION ALL
    SELECT target_account_id, account_id FROM blocks
    WHERE target_account_id = ANY(${recipients}) AND account_id = ANY(${senders})
    UNION ALL
    SELECT account_id, target_account_id FROM mutes
    WHERE account_id = ANY(${recipients}) AND target_account_id = ANY(${senders}) AND hide_notifications
      AND (expires_at IS NULL OR expires_at > now())
  `.execute(db);
  for (const row of result.rows) silenced.add(`${row.recipient}:${row.sender}`);
  return silenced;
}

/** Whether either account blocks the other. */
export async function blockedEitherWay(db: Db, a: string, b: string): Promise<boolean> {
  const row = await db
    .selectFrom("blocks")
    .select("id")
    .where((eb) =>
      eb.or([
        eb.and([eb("account_id", "=", a), eb("target_account_id", "=", b)]),
        eb.and([eb("account_id", "=", b), eb("target_account_id", "=", a)]),
      ]),
    )
    .executeTakeFirst();
  return row !== undefined;
}
