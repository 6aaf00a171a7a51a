import { visibleTo } from "../../../db/repositories/statuses.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";

/** The subset of `ids` the viewer may see, in the order given. */
export async function findVisibleStatusIds(context: AppContext, ids: string[], viewerId: string): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await context.db
    .selectFrom("statuses as s")
    .select("s.id")
    .where("s.id", "=", (eb) => eb.fn.any(bigintArray(ids)))
    .where(visibleTo(viewerId))
    .execute();
  const visible = new Set(rows.map((row) => row.id));
  return [...new Set(ids)].filter((id) => visible.has(id));
}
