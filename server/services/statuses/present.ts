import { findStatusRowsByIds, type StatusRow } from "../../../db/repositories/statuses.ts";
import type { FilterContext } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { type ApiStatus, statusToApi } from "../../serializers/status.ts";
import { applyFilters } from "../filters/apply.ts";
import { hydrateStatuses } from "./hydrate.ts";

export interface PresentOptions {
  withSource?: boolean;
  /** Where the posts are shown: the viewer's filters for it apply, and `hide` ones leave posts out. */
  filterContext?: FilterContext;
}

/** Status rows → Mastodon entities, in the same order. */
export async function presentStatusRows(
  context: AppContext,
  rows: readonly StatusRow[],
  viewerId: string | null,
  options: PresentOptions = {},
): Promise<ApiStatus[]> {
  const bundles = await applyFilters(
    context.db,
    viewerId,
    await hydrateStatuses(context.db, rows, viewerId),
    options.filterContext,
  );
  return bundles.map((bundle) => statusToApi(bundle, context.urls, options));
}

/** Loads and presents statuses by id, keeping the order of `ids` and skipping missing ones. */
export async function presentStatuses(
  context: AppContext,
  ids: readonly string[],
  viewerId: string | null,
  options: PresentOptions = {},
): Promise<ApiStatus[]> {
  const rows = await findStatusRowsByIds(context.db, ids);
  const byId = new Map(rows.map((row) => [row.id, row]));
  const ordered = ids.map((id) => byId.get(id)).filter((row): row is StatusRow => row !== undefined);
  return presentStatusRows(context, ordered, viewerId, options);
}

export async function presentStatus(
  context: AppContext,
  id: string,
  viewerId: string | null,
): Promise<ApiStatus> {
  const [status] = await presentStatuses(context, [id], viewerId);
  if (!status) throw new Error(`status ${id} vanished while it was being presented`);
  return status;
}
