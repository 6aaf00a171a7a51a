// List timelines, written when a post is made or arrives (as home feeds are), and read as one
// index range per page.
import { type RawBuilder, sql, type Transaction } from "kysely";
import { silences } from "../../../db/repositories/relationships.ts";
import type { Database, Status } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { notFound } from "../../errors.ts";
import type { PageParams } from "../pagination.ts";
import { type TimelinePage, toPage } from "../timelines/timelines.ts";
import { openAsksTimeline } from "../help/open-asks.ts";

/** How many of a new member's recent posts a list receives, as a home feed does on a follow. */
const BACKFILL = 400;

/**
 * SQL: whether a post `s` belongs in list `l` (joined with the owner's follow of the author as
 * `f`, possibly null). Never direct posts; followers-only posts only when the owner follows the
 * author; boosts when the follow shows them, never of the owner's own posts. A reply to someone
 * else follows the list's replies policy, as Mastodon's: `followed` shows replies to people the
 * owner follows, `list` replies to other members, `none` only replies to the owner. Nothing of
 * an account the owner blocks or mutes.
 */
const BELONGS = sql`
  s.visibility <> 'direct'
  AND (s.visibility <> 'private' OR f.id IS NOT NULL)
  AND (s.reblog_of_id IS NULL OR (coalesce(f.show_reblogs, true) AND NOT EXISTS (
    SELECT 1 FROM statuses o WHERE o.id = s.reblog_of_id AND o.account_id = l.account_id
  )))
  AND (s.in_reply_to_account_id IS NULL OR s.in_reply_to_account_id IN (s.account_id, l.account_id)
    OR (l.replies_policy = 'followed' AND EXISTS (
      SELECT 1 FROM follows rf WHERE rf.account_id = l.account_id AND rf.target_account_id = s.in_reply_to_account_id
    ))
    OR (l.replies_policy = 'list' AND EXISTS (
      SELECT 1 FROM list_accounts rla WHERE rla.list_id = l.id AND rla.account_id = s.in_reply_to_account_id
    )))
  AND NOT ${silences(
    sql`l.account_id`,
    sql`ARRAY[s.account_id, (SELECT o.account_id FROM statuses o WHERE o.id = s.reblog_of_id)]`,
  )}
`;

/** Adds a post (or boost) to the lists its author is a member of; call where home feeds are written. */
export async function fanOutToListFeeds(trx: Transaction<Database>, statusId: string): Promise<void> {
  await sql`
    INSERT INTO list_feed (list_id, status_id, author_id)
    SELECT l.id, s.id, s.account_id
    FROM statuses s
    JOIN list_accounts la ON la.account_id = s.account_id
    JOIN lists l ON l.id = la.list_id
    LEFT JOIN follows f ON f.account_id = l.account_id AND f.target_account_id = s.account_id
    WHERE s.id = ${statusId}::bigint AND ${BELONGS}
    ON CONFLICT DO NOTHING
  `.execute(trx);
}

/** Brings a new member's recent posts into a list, as a follow does for the home feed. */
export async function backfillListFeed(trx: Transaction<Database>, listId: string, memberId: string): Promise<void> {
  await sql`
    INSERT INTO list_feed (list_id, status_id, author_id)
    SELECT l.id, s.id, s.account_id
    FROM lists l
    JOIN statuses s ON s.account_id = ${memberId}::bigint
    LEFT JOIN follows f ON f.account_id = l.account_id AND f.target_account_id = s.account_id
    WHERE l.id = ${listId}::bigint AND ${BELONGS}
    ORDER BY s.id DESC
    LIMIT ${BACKFILL}
    ON CONFLICT DO NOTHING
  `.execute(trx);
}

/**
 * SQL: the post `status` stays out of `receiver`'s home feed: the receiver blocks or mutes its
 * author (or, for a boost, the boosted author), or has the author in an exclusive list, whose
 * members' posts show only there (as Mastodon's exclusive lists).
 */
export function keptFromHome(
  receiver: RawBuilder<unknown>,
  status: Pick<Status, "account_id" | "reblog_of_id">,
): RawBuilder<boolean> {
  return sql<boolean>`(${silences(
    receiver,
    sql`ARRAY[${status.account_id}::bigint, (SELECT o.account_id FROM statuses o WHERE o.id = ${status.reblog_of_id}::bigint)]`,
  )} OR EXISTS (
    SELECT 1 FROM lists xl JOIN list_accounts xla ON xla.list_id = xl.id
    WHERE xl.account_id = ${receiver} AND xl.exclusive AND xla.account_id = ${status.account_id}::bigint
  ))`;
}

/**
 * Takes an account's posts, and boosts of its posts, out of an owner's home and list feeds:
 * what blocking or muting it does to feeds already written (as Mastodon's unmerge).
 */
export async function removeAuthorFromFeeds(trx: Transaction<Database>, ownerId: string, authorId: string): Promise<void> {
  await sql`
    DELETE FROM home_feed h
    WHERE h.account_id = ${ownerId}::bigint AND (h.author_id = ${authorId}::bigint OR EXISTS (
      SELECT 1 FROM statuses b JOIN statuses o ON o.id = b.reblog_of_id
      WHERE b.id = h.status_id AND o.account_id = ${authorId}::bigint
    ))
  `.execute(trx);
  await sql`
    DELETE FROM list_feed lf
    USING lists l
    WHERE l.id = lf.list_id AND l.account_id = ${ownerId}::bigint AND (lf.author_id = ${authorId}::bigint OR EXISTS (
      SELECT 1 FROM statuses b JOIN statuses o ON o.id = b.reblog_of_id
      WHERE b.id = lf.status_id AND o.account_id = ${authorId}::bigint
    ))
  `.execute(trx);
}

/** A list's timeline, newest first; only its owner may read it. */
export async function listTimeline(
  context: AppContext,
  viewerId: string,
  listId: string,
  page: PageParams,
  limit: number,
): Promise<TimelinePage> {
  const list = await context.db
    .selectFrom("lists")
    .select(["id", "kind"])
    .where("id", "=", listId)
    .where("account_id", "=", viewerId)
    .executeTakeFirst();
  if (!list) throw notFound();
  if (list.kind === "open_asks") return openAsksTimeline(context, viewerId, page, limit);
  const ids = context.db.selectFrom("list_feed as lf").select("lf.status_id as id").where("lf.list_id", "=", listId);
  // Lists use the home filters, as Mastodon's do.
  return toPage(context, viewerId, ids, "lf.status_id", page, limit, true, "home");
}
