// Turns status rows into serializable bundles with a fixed number of queries, whatever the
// page size: authors and boosted originals are each loaded in one batch, or not at all when the
// caller read them together with the page.
import { findAccountsByIds } from "../../../db/repositories/accounts.ts";
import { findStatusRowsByIds, type StatusRow } from "../../../db/repositories/statuses.ts";
import type { Db } from "../../../db/repositories/types.ts";
import type { Account } from "../../../db/schema.ts";
import type { StatusBundle, ViewerFlags } from "../../serializers/status.ts";

const NO_FLAGS: ViewerFlags = {
  favourited: false,
  reblogged: false,
  muted: false,
  bookmarked: false,
  pinned: false,
};

/** Rows and accounts the caller has already read; only what is missing is loaded. */
export interface Prefetched {
  reblogs?: readonly StatusRow[];
  accounts?: readonly Account[];
}

/** Bundles in the order of `rows`; the viewer's own flags are included. */
export async function hydrateStatuses(
  db: Db,
  rows: readonly StatusRow[],
  _viewerId: string | null,
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

  const bundle = (row: StatusRow): StatusBundle | null => {
    const account = accounts.get(row.account_id);
    // A suspended account's posts disappear from every list until the suspension is lifted.
    if (!account || account.suspended_at) return null;
    const reblogRow = row.reblog_of_id ? reblogById.get(row.reblog_of_id) : undefined;
    const reblog = reblogRow ? bundle(reblogRow) : null;
    // A boost whose original is gone (or hidden) is not shown at all.
    if (row.reblog_of_id && !reblog) return null;
    return { row, account, reblog, flags: NO_FLAGS };
  };
  return rows.map(bundle).filter((item): item is StatusBundle => item !== null);
}
