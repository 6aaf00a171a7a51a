import type { Transaction } from "kysely";
import type { Database } from "../schema.ts";

/** Creates the tags that are new and touches the rest; returns their ids. */
export async function upsertTags(
  trx: Transaction<Database>,
  tags: readonly { name: string; displayName: string }[],
): Promise<string[]> {
  if (tags.length === 0) return [];
  const now = new Date();
  const rows = await trx
    .insertInto("tags")
    .values(tags.map((tag) => ({ name: tag.name, display_name: tag.displayName, last_status_at: now })))
    .onConflict((conflict) => conflict.column("name").doUpdateSet({ last_status_at: now }))
    .returning("id")
    .execute();
  return rows.map((row) => row.id);
}
