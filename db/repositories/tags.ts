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

/**
 * Gives a post exactly these tags (creating the new ones); `replace` drops the ones it had, as an
 * edit does. Names are deduplicated by their normalized form, the first spelling kept.
 */
export async function setStatusTags(
  trx: Transaction<Database>,
  statusId: string,
  tags: readonly { name: string; displayName: string }[],
  { replace = false }: { replace?: boolean } = {},
): Promise<void> {
  if (replace) await trx.deleteFrom("statuses_tags").where("status_id", "=", statusId).execute();
  const unique = [...new Map(tags.map((tag) => [tag.name, tag] as const)).values()];
  const tagIds = await upsertTags(trx, unique);
  if (tagIds.length === 0) return;
  await trx
    .insertInto("statuses_tags")
    .values(tagIds.map((tagId) => ({ tag_id: tagId, status_id: statusId })))
    .execute();
}
