import { findStatusRowsByIds } from "../../../db/repositories/statuses.ts";
import type { Account } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { notFound } from "../../errors.ts";
import type { ApiStatus } from "../../serializers/status.ts";
import { presentStatusRows } from "./present.ts";

/**
 * Deletes the author's own status. The answer carries the source text, so that apps can offer
 * "delete and redraft". Rows that point at it (feeds, mentions, notifications, boosts) go with it.
 */
export async function deleteStatus(context: AppContext, author: Account, id: string): Promise<ApiStatus> {
  const [row] = await findStatusRowsByIds(context.db, [id]);
  if (!row || row.account_id !== author.id) throw notFound();
  const [presented] = await presentStatusRows(context, [row], author.id, { withSource: true });

  const deleted = await context.db.transaction().execute(async (trx) => {
    const gone = await trx
      .deleteFrom("statuses")
      .where("id", "=", id)
      .where("account_id", "=", author.id)
      .returning(["id", "visibility", "in_reply_to_id", "reblog_of_id", "uri"])
      .executeTakeFirst();
    if (!gone) return null;
    if (gone.visibility !== "direct") {
      await trx
        .updateTable("accounts")
        .set((eb) => ({ statuses_count: eb("statuses_count", "-", 1) }))
        .where("id", "=", author.id)
        .where("statuses_count", ">", 0)
        .execute();
      if (gone.in_reply_to_id) {
        await trx
          .updateTable("statuses")
          .set((eb) => ({ replies_count: eb("replies_count", "-", 1) }))
          .where("id", "=", gone.in_reply_to_id)
          .where("replies_count", ">", 0)
          .execute();
      }
    }
    return gone;
  });
  if (!deleted || !presented) throw notFound();
  context.events.emit("status.deleted", { statusId: id, accountId: author.id, uri: deleted.uri });
  return presented;
}
