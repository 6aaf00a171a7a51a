import type { ExpressionBuilder } from "kysely";
import type { Database, MediaAttachment } from "../schema.ts";
import { bigintArray } from "../sql-helpers.ts";
import type { Db } from "./types.ts";

/** The current attachments of each status among `statusIds`, in their order on the post. */
export async function findStatusMedia(db: Db, statusIds: readonly string[]): Promise<Map<string, MediaAttachment[]>> {
  const byStatus = new Map<string, MediaAttachment[]>();
  if (statusIds.length === 0) return byStatus;
  const rows = await db
    .selectFrom("media_attachments")
    .selectAll()
    .where("status_id", "=", (eb) => eb.fn.any(bigintArray(statusIds)))
    .where("position", "is not", null)
    .orderBy("status_id")
    .orderBy("position")
    .execute();
  for (const row of rows) {
    const list = byStatus.get(row.status_id!) ?? [];
    list.push(row);
    byStatus.set(row.status_id!, list);
  }
  return byStatus;
}

export async function findMediaByIds(db: Db, ids: readonly string[]): Promise<MediaAttachment[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom("media_attachments")
    .selectAll()
    .where("id", "=", (eb) => eb.fn.any(bigintArray(ids)))
    .execute();
}

/** Whether the status `s` has attachments, as a SQL condition (`only_media`). */
export function hasMedia() {
  return (eb: ExpressionBuilder<Database & { s: Database["statuses"] }, "s">) =>
    eb.exists(
      eb
        .selectFrom("media_attachments as ma")
        .select("ma.id")
        .whereRef("ma.status_id", "=", "s.id")
        .where("ma.position", "is not", null),
    );
}
