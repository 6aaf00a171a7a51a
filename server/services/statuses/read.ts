import { sql } from "kysely";
import { authorNotHiddenFrom } from "../../../db/repositories/relationships.ts";
import { selectStatusRows, type StatusRow, visibleTo } from "../../../db/repositories/statuses.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { notFound, unprocessable } from "../../errors.ts";
import type { ApiStatus } from "../../serializers/status.ts";
import { presentStatusRows, presentStatuses } from "./present.ts";
import { authorActive, findVisibleStatusIds } from "./visible.ts";

/** A status the viewer may see, or 404 (never 403: existence is not revealed). */
export async function findVisibleStatusRow(
  context: AppContext,
  id: string,
  viewerId: string,
): Promise<StatusRow> {
  const row = await selectStatusRows(context.db)
    .where("s.id", "=", id)
    .where(visibleTo(viewerId))
    .where(authorActive)
    .executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

/**
 * The post an interaction is about: the status itself, or for a boost the post it boosts, as
 * Mastodon favourites and boosts the original when handed a boost. Both must be visible.
 */
export async function findVisibleProperStatus(
  context: AppContext,
  id: string,
  viewerId: string,
): Promise<StatusRow> {
  const row = await findVisibleStatusRow(context, id, viewerId);
  return row.reblog_of_id ? findVisibleStatusRow(context, row.reblog_of_id, viewerId) : row;
}

export async function showStatus(context: AppContext, id: string, viewerId: string): Promise<ApiStatus> {
  const row = await findVisibleStatusRow(context, id, viewerId);
  const [status] = await presentStatusRows(context, [row], viewerId);
  if (!status) throw notFound();
  return status;
}

/** As many as Mastodon answers for at once (more is a 422). */
const MAX_STATUSES_AT_ONCE = 20;

/**
 * Several statuses at once: the ones the viewer may see, each once, oldest first (the order in
 * which Mastodon's database hands them over, not the order asked for); the rest are left out.
 */
export async function showStatuses(context: AppContext, ids: readonly string[], viewerId: string): Promise<ApiStatus[]> {
  const unique = [...new Set(ids)];
  if (unique.length > MAX_STATUSES_AT_ONCE) {
    throw unprocessable(`no more than ${MAX_STATUSES_AT_ONCE} statuses can be asked for at once`);
  }
  const visible = await findVisibleStatusIds(context, unique, viewerId);
  visible.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  return presentStatuses(context, visible, viewerId);
}

const MAX_ANCESTORS = 40;
const MAX_DESCENDANTS = 4096;

/** The thread around a status: its ancestors oldest first, and its replies depth-first. */
export async function statusContext(
  context: AppContext,
  id: string,
  viewerId: string,
): Promise<{ ancestors: ApiStatus[]; descendants: ApiStatus[] }> {
  const status = await findVisibleStatusRow(context, id, viewerId);
  const ancestorIds = await sql<{ id: string }>`
    WITH RECURSIVE up(id, parent, depth) AS (
      SELECT s.id, s.in_reply_to_id, 0 FROM statuses s WHERE s.id = ${status.in_reply_to_id}
      UNION ALL
      SELECT s.id, s.in_reply_to_id, up.depth + 1
      FROM statuses s JOIN up ON s.id = up.parent
      WHERE up.depth < ${MAX_ANCESTORS}
    )
    SELECT id FROM up ORDER BY depth DESC
  `.execute(context.db);
  // Depth-first order, as Mastodon presents threads: each reply followed by its own replies.
  const descendantIds = await sql<{ id: string }>`
    WITH RECURSIVE down(id, path) AS (
      SELECT s.id, ARRAY[s.id] FROM statuses s WHERE s.in_reply_to_id = ${status.id}
      UNION ALL
      SELECT s.id, down.path || s.id
      FROM statuses s JOIN down ON s.in_reply_to_id = down.id
      WHERE cardinality(down.path) < 256
    )
    SELECT id FROM down ORDER BY path LIMIT ${MAX_DESCENDANTS}
  `.execute(context.db);

  const visible = async (ids: string[]) => {
    if (ids.length === 0) return [];
    const rows = await selectStatusRows(context.db)
      .where("s.id", "=", (eb) => eb.fn.any(bigintArray(ids)))
      .where(visibleTo(viewerId))
      .where(authorActive)
      // Posts of people the viewer blocks or mutes are left out of the thread, as in Mastodon.
      .where(authorNotHiddenFrom(viewerId))
      .execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    const ordered = ids.map((rowId) => byId.get(rowId)).filter((row): row is StatusRow => !!row);
    return presentStatusRows(context, ordered, viewerId, { filterContext: "thread" });
  };
  return {
    ancestors: status.in_reply_to_id ? await visible(ancestorIds.rows.map((row) => row.id)) : [],
    descendants: await visible(descendantIds.rows.map((row) => row.id)),
  };
}
