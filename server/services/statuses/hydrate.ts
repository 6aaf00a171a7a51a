// Turns status rows into serializable bundles with a fixed number of queries, whatever the
// page size: authors and boosted originals are each loaded in one batch, or not at all when the
// caller read them together with the page, and the viewer's own flags in one more statement.
import { sql } from "kysely";
import { findAccountsByIds } from "../../../db/repositories/accounts.ts";
import { findStatusMedia } from "../../../db/repositories/media.ts";
import { findStatusRowsByIds, type StatusRow } from "../../../db/repositories/statuses.ts";
import type { Db } from "../../../db/repositories/types.ts";
import type { Account } from "../../../db/schema.ts";
import { PREPARED } from "../../../db/sql-helpers.ts";
import type { StatusBundle, ViewerFlags } from "../../serializers/status.ts";
import { loadPollViews } from "../polls/views.ts";

const NO_FLAGS: ViewerFlags = {
  favourited: false,
  reblogged: false,
  muted: false,
  bookmarked: false,
  pinned: false,
};

type InteractionKind = "favourited" | "reblogged" | "bookmarked" | "pinned" | "muted";
type ViewerInteractions = Record<InteractionKind, Set<string>>;

/**
 * Which of `statusIds` the viewer has favourited, boosted, bookmarked, pinned, and which lie in
 * a conversation the viewer muted: one statement for a whole page, each part an index lookup
 * (the walk up a thread only starts when the viewer has muted a conversation at all).
 * The ids travel as one array literal, so that the text never varies and is prepared once.
 */
async function loadViewerInteractions(
  db: Db,
  viewerId: string,
  statusIds: readonly string[],
): Promise<ViewerInteractions> {
  const found: ViewerInteractions = {
    favourited: new Set(),
    reblogged: new Set(),
    bookmarked: new Set(),
    pinned: new Set(),
    muted: new Set(),
  };
  if (statusIds.length === 0) return found;
  const ids = `{${statusIds.join(",")}}`;
  const result = await sql<{ kind: InteractionKind; id: string }>`${sql.raw(PREPARED)}
    WITH RECURSIVE up(start_id, id, parent, depth) AS (
      SELECT s.id, s.id, s.in_reply_to_id, 0 FROM statuses s
      WHERE s.id = ANY(${ids}::bigint[])
        AND EXISTS (SELECT 1 FROM conversation_mutes cm WHERE cm.account_id = ${viewerId}::bigint)
      UNION ALL
      SELECT up.start_id, s.id, s.in_reply_to_id, up.depth + 1
      FROM up JOIN statuses s ON s.id = up.parent
      WHERE up.depth < 256
    )
    SELECT 'favourited' AS kind, f.status_id AS id FROM favourites f
    WHERE f.account_id = ${viewerId}::bigint AND f.status_id = ANY(${ids}::bigint[])
    UNION ALL
    SELECT 'reblogged', b.reblog_of_id FROM statuses b
    WHERE b.reblog_of_id = ANY(${ids}::bigint[]) AND b.account_id = ${viewerId}::bigint
    UNION ALL
    SELECT 'bookmarked', bm.status_id FROM bookmarks bm
    WHERE bm.account_id = ${viewerId}::bigint AND bm.status_id = ANY(${ids}::bigint[])
    UNION ALL
    SELECT 'pinned', p.status_id FROM status_pins p
    WHERE p.account_id = ${viewerId}::bigint AND p.status_id = ANY(${ids}::bigint[])
    UNION ALL
    SELECT DISTINCT 'muted', up.start_id FROM up
    JOIN conversation_mutes m ON m.account_id = ${viewerId}::bigint AND m.status_id = up.id`.execute(db);
  for (const row of result.rows) found[row.kind].add(row.id);
  return found;
}

/** Rows and accounts the caller has already read; only what is missing is loaded. */
export interface Prefetched {
  reblogs?: readonly StatusRow[];
  accounts?: readonly Account[];
}

/** Bundles in the order of `rows`; the viewer's own flags are included. */
export async function hydrateStatuses(
  db: Db,
  rows: readonly StatusRow[],
  viewerId: string | null,
  prefetched: Prefetched = {},
): Promise<StatusBundle[]> {
  const reblogById = new Map((prefetched.reblogs ?? []).map((row) => [row.id, row]));
  const missingReblogs = new Set<string>();
  for (const row of rows) {
    if (row.reblog_of_id !== null && !reblogById.has(row.reblog_of_id))
      missingReblogs.add(row.reblog_of_id);
  }
  for (const row of await findStatusRowsByIds(db, [...missingReblogs])) reblogById.set(row.id, row);

  const accounts = new Map((prefetched.accounts ?? []).map((account) => [account.id, account]));
  const missingAccounts = new Set<string>();
  for (const row of [...rows, ...reblogById.values()]) {
    if (!accounts.has(row.account_id)) missingAccounts.add(row.account_id);
  }
  for (const account of await findAccountsByIds(db, [...missingAccounts]))
    accounts.set(account.id, account);

  // A boost's flags are those of the post it boosts (favourites and boosts always name the
  // original), both on the boost and on the original inside it.
  const properIds = new Set(rows.map((row) => row.reblog_of_id ?? row.id));
  const interactions = viewerId ? await loadViewerInteractions(db, viewerId, [...properIds]) : null;
  const flagsOf = (row: StatusRow): ViewerFlags => {
    if (!interactions) return NO_FLAGS;
    const proper = row.reblog_of_id ?? row.id;
    const flags: ViewerFlags = {
      favourited: interactions.favourited.has(proper),
      reblogged: interactions.reblogged.has(proper),
      muted: interactions.muted.has(proper),
      bookmarked: interactions.bookmarked.has(proper),
      pinned: interactions.pinned.has(proper),
    };
    return Object.values(flags).some(Boolean) ? flags : NO_FLAGS;
  };
  const polls = await loadPollViews(db, [...rows, ...reblogById.values()], viewerId);
  const media = await findStatusMedia(db, [...rows, ...reblogById.values()].map((row) => row.id));

  const bundle = (row: StatusRow): StatusBundle | null => {
    const account = accounts.get(row.account_id);
    // A suspended account's posts disappear from every list until the suspension is lifted.
    if (!account || account.suspended_at) return null;
    const reblogRow = row.reblog_of_id ? reblogById.get(row.reblog_of_id) : undefined;
    const reblog = reblogRow ? bundle(reblogRow) : null;
    // A boost whose original is gone (or hidden) is not shown at all.
    if (row.reblog_of_id && !reblog) return null;
    return {
      row,
      account,
      reblog,
      flags: flagsOf(row),
      poll: row.poll_id ? (polls.get(row.poll_id) ?? null) : null,
      media: media.get(row.id) ?? [],
    };
  };
  return rows.map(bundle).filter((item): item is StatusBundle => item !== null);
}
