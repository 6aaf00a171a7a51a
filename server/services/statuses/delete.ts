import type { Transaction } from "kysely";
import { findStatusRowsByIds } from "../../../db/repositories/statuses.ts";
import type { Account, Database, Status } from "../../../db/schema.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { notFound } from "../../errors.ts";
import type { ApiStatus } from "../../serializers/status.ts";
import { recordIntent } from "../federation/intents.ts";
import { detachStatusMedia } from "../media/sweep.ts";
import { presentStatusRows } from "./present.ts";

/**
 * Removes a local account's own status (a post or a boost) inside the caller's transaction, with
 * every count that included it, and records the `status.deleted` intent. Rows that point at it
 * (feeds, mentions, notifications, favourites, edits, boosts of it) go with it by cascade.
 * Returns false when the row was already gone.
 */
export async function removeOwnStatus(trx: Transaction<Database>, status: Status): Promise<boolean> {
  // Who was sent the post, read before the rows that say so disappear.
  const mentioned = await trx
    .selectFrom("mentions as m")
    .innerJoin("accounts as a", "a.id", "m.account_id")
    .select("a.id")
    .where("m.status_id", "=", status.id)
    .where("a.domain", "is not", null)
    .execute();
  const original = status.reblog_of_id
    ? await trx
        .selectFrom("statuses as s")
        .innerJoin("accounts as a", "a.id", "s.account_id")
        .select(["s.id", "s.uri", "s.account_id", "a.domain"])
        .where("s.id", "=", status.reblog_of_id)
        .executeTakeFirst()
    : undefined;
  const repliedTo = status.in_reply_to_account_id
    ? await trx
        .selectFrom("accounts")
        .select(["id", "domain"])
        .where("id", "=", status.in_reply_to_account_id)
        .executeTakeFirst()
    : undefined;
  // Boosts of this post vanish with it; their local authors count one post fewer.
  const boosters = await trx
    .selectFrom("statuses as b")
    .innerJoin("accounts as a", "a.id", "b.account_id")
    .select("b.account_id")
    .where("b.reblog_of_id", "=", status.id)
    .where("a.domain", "is", null)
    .execute();

  // Its attachments become unattached uploads again, for "delete and redraft" (as in Mastodon).
  await detachStatusMedia(trx, status.id);
  const gone = await trx
    .deleteFrom("statuses")
    .where("id", "=", status.id)
    .where("account_id", "=", status.account_id)
    .returning("id")
    .executeTakeFirst();
  if (!gone) return false;

  if (status.visibility !== "direct") {
    await trx
      .updateTable("accounts")
      .set((eb) => ({ statuses_count: eb("statuses_count", "-", 1) }))
      .where("id", "=", status.account_id)
      .where("statuses_count", ">", 0)
      .execute();
    if (status.in_reply_to_id) {
      await trx
        .updateTable("statuses")
        .set((eb) => ({ replies_count: eb("replies_count", "-", 1) }))
        .where("id", "=", status.in_reply_to_id)
        .where("replies_count", ">", 0)
        .execute();
    }
  }
  if (boosters.length > 0) {
    await trx
      .updateTable("accounts")
      .set((eb) => ({ statuses_count: eb("statuses_count", "-", 1) }))
      .where("id", "=", (eb) => eb.fn.any(bigintArray(boosters.map((row) => row.account_id))))
      .where("statuses_count", ">", 0)
      .execute();
  }
  if (original) {
    await trx
      .updateTable("statuses")
      .set((eb) => ({ reblogs_count: eb("reblogs_count", "-", 1) }))
      .where("id", "=", original.id)
      .where("reblogs_count", ">", 0)
      .execute();
    // The "boosted your post" notification is about the original; it goes with the boost.
    await trx
      .deleteFrom("notifications")
      .where("account_id", "=", original.account_id)
      .where("from_account_id", "=", status.account_id)
      .where("type", "=", "reblog")
      .where("status_id", "=", original.id)
      .execute();
  }

  const audience = new Set(mentioned.map((row) => row.id));
  if (repliedTo?.domain) audience.add(repliedTo.id);
  if (original?.domain) audience.add(original.account_id);
  await recordIntent(trx, {
    type: "status.deleted",
    uri: status.uri,
    accountId: status.account_id,
    reblogOf: original ? { uri: original.uri, accountId: original.account_id } : null,
    audienceIds: [...audience],
    localOnly: status.local_only,
    visibility: status.visibility,
  });
  return true;
}

/**
 * Deletes the author's own status or boost. The answer carries the source text, so that apps can
 * offer "delete and redraft".
 */
export async function deleteStatus(context: AppContext, author: Account, id: string): Promise<ApiStatus> {
  const [row] = await findStatusRowsByIds(context.db, [id]);
  if (!row || row.account_id !== author.id) throw notFound();
  const [presented] = await presentStatusRows(context, [row], author.id, { withSource: true });

  const deleted = await context.db.transaction().execute((trx) => removeOwnStatus(trx, row));
  if (!deleted || !presented) throw notFound();
  context.events.emit("status.deleted", {
    statusId: id,
    accountId: author.id,
    uri: row.uri,
    visibility: row.visibility,
  });
  return presented;
}
