// Turns status rows into serializable bundles with a fixed number of queries, whatever the
// page size: authors and boosted originals are each loaded in one batch, or not at all when the
// caller read them together with the page, and the viewer's own flags in one more statement.
import { sql } from "kysely";
import { findAccountsByIds } from "../../../db/repositories/accounts.ts";
import { findStatusRowsByIds, type StatusRow } from "../../../db/repositories/statuses.ts";
import type { Db } from "../../../db/repositories/types.ts";
import type { Account } from "../../../db/schema.ts";
import { PREPARED } from "../../../db/sql-helpers.ts";
import type { StatusBundle, ViewerFlags } from "../../serializers/status.ts";

const NO_FLAGS: ViewerFlags = {
  favourited: false,
  reblogged: false,
  muted: false,
  bookmarked: false,
  pinned: false,
};

interface ViewerInteractions {
  favourited: Set<string>;
  reblogged: Set<string>;
}

/**
 * Which of `statusIds` the viewer has favourited and boosted: one statement for a whole page,
 * each half an index lookup (favourites by account and status; boosts by original and account).
 * The ids travel as one array literal, so that the text never varies and is prepared once.
 */
async function loadViewerInteractions(
  db: Db,
  viewerId: string,
  statusIds: readonly string[],
): Promise<ViewerInteractions> {
  const found: ViewerInteractions = { favourited: new Set(), reblogged: new Set() };
  if (statusIds.length === 0) return found;
  const ids = `{${statusIds.join(",")}}`;
  const result = await sql<{ kind: "f" | "r"; id: string }>`${sql.raw(PREPARED)}
    SELECT 'f' AS kind, f.status_id AS id FROM favourites f
    WHERE f.account_id = ${viewerId}::bigint AND f.status_id = ANY(${ids}::bigint[])
    UNION ALL
    SELECT 'r', b.reblog_of_id FROM statuses b
    WHERE b.reblog_of_id = ANY(${ids}::bigint[]) AND b.account_id = ${viewerId}::bigint`.execute(db);
  for (const row of result.rows) (row.kind === "f" ? found.favourited : found.reblogged).add(row.id);
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
    const favourited = interactions.favourited.has(proper);
    const reblogged = interactions.reblogged.has(proper);
    return favourited || reblogged ? { ...NO_FLAGS, favourited, reblogged } : NO_FLAGS;
  };

  const bundle = (row: StatusRow): StatusBundle | null => {
    const account = accounts.get(row.account_id);
    // A suspended account's posts disappear from every list until the suspension is lifted.
    if (!account || account.suspended_at) return null;
    const reblogRow = row.reblog_of_id ? reblogById.get(row.reblog_of_id) : undefined;
    const reblog = reblogRow ? bundle(reblogRow) : null;
    // A boost whose original is gone (or hidden) is not shown at all.
    if (row.reblog_of_id && !reblog) return null;
    return { row, account, reblog, flags: flagsOf(row) };
  };
  return rows.map(bundle).filter((item): item is StatusBundle => item !== null);
}
