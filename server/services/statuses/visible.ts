import type { ExpressionBuilder } from "kysely";
import { visibleTo } from "../../../db/repositories/statuses.ts";
import type { Database } from "../../../db/schema.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";

/** The author of `s` is not suspended: a suspended account's posts are gone for everyone, as in Mastodon. */
export const authorActive = (eb: ExpressionBuilder<Database & { s: Database["statuses"] }, "s">) =>
  eb.exists(
    eb
      .selectFrom("accounts as author")
      .select("author.id")
      .whereRef("author.id", "=", "s.account_id")
      .where("author.suspended_at", "is", null),
  );

/** The subset of `ids` the viewer may see, in the order given. */
export async function findVisibleStatusIds(context: AppContext, ids: string[], viewerId: string): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await context.db
    .selectFrom("statuses as s")
    .select("s.id")
    .where("s.id", "=", (eb) => eb.fn.any(bigintArray(ids)))
    .where(visibleTo(viewerId))
    .where(authorActive)
    .execute();
  const visible = new Set(rows.map((row) => row.id));
  return [...new Set(ids)].filter((id) => visible.has(id));
}
