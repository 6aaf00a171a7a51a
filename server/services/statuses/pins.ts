// Pinned posts: a person features up to five of their own posts on their profile (and in their
// featured collection, which siblings read); siblings' people's pins arrive by federation.
import { findStatusById, type selectStatusRows, type StatusRow } from "../../../db/repositories/statuses.ts";
import type { Account } from "../../../db/schema.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { notFound, unprocessable } from "../../errors.ts";
import type { ApiStatus } from "../../serializers/status.ts";
import { recordIntent } from "../federation/intents.ts";
import type { PageParams } from "../pagination.ts";
import { presentStatus } from "./present.ts";
import { findVisibleStatusRow } from "./read.ts";

/** As many as Mastodon allows (and /api/v2/instance announces). */
export const MAX_PINNED_STATUSES = 5;

/**
 * Pins one of the viewer's own posts. A boost, someone else's post and a direct post cannot be
 * pinned, nor a sixth post (422, as in Mastodon); pinning a pinned post changes nothing.
 */
export async function pinStatus(context: AppContext, viewer: Account, id: string): Promise<ApiStatus> {
  const status = await findVisibleStatusRow(context, id, viewer.id);
  if (status.reblog_of_id) throw unprocessable("A boost cannot be pinned");
  if (status.account_id !== viewer.id) throw unprocessable("Someone else's post cannot be pinned");
  if (status.visibility === "direct") {
    throw unprocessable("Posts that are only visible to mentioned users cannot be pinned");
  }
  await context.db.transaction().execute(async (trx) => {
    // One pin at a time per account, so that two requests at once cannot both be the fifth.
    await trx.selectFrom("accounts").select("id").where("id", "=", viewer.id).forUpdate().execute();
    const pinned = await trx
      .selectFrom("status_pins")
      .select(["status_id"])
      .where("account_id", "=", viewer.id)
      .execute();
    if (pinned.some((pin) => pin.status_id === status.id)) return;
    if (pinned.length >= MAX_PINNED_STATUSES) {
      throw unprocessable(`You have already pinned the maximum number of posts (${MAX_PINNED_STATUSES})`);
    }
    await trx.insertInto("status_pins").values({ account_id: viewer.id, status_id: status.id }).execute();
    await recordIntent(trx, { type: "pin.created", accountId: viewer.id, statusId: status.id });
  });
  return presentStatus(context, id, viewer.id);
}

/** Unpins a post; a post that is not pinned answers as it is (404 when the viewer cannot see it). */
export async function unpinStatus(context: AppContext, viewer: Account, id: string): Promise<ApiStatus> {
  const status = await findVisibleStatusRow(context, id, viewer.id);
  await context.db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom("status_pins")
      .where("account_id", "=", viewer.id)
      .where("status_id", "=", status.id)
      .returning("id")
      .executeTakeFirst();
    if (!removed) return;
    await recordIntent(trx, {
      type: "pin.deleted",
      accountId: viewer.id,
      statusUri: status.uri,
      localOnly: status.local_only,
      visibility: status.visibility,
    });
  });
  return presentStatus(context, id, viewer.id);
}

/**
 * The pinned ones among an account's posts that `query` selects, most recently pinned first.
 * max_id, since_id and min_id still bound the post ids, so that an app paging by the last id
 * it saw comes to an end.
 */
export async function pinnedStatusRows(
  query: ReturnType<typeof selectStatusRows>,
  accountId: string,
  page: PageParams,
  limit: number,
): Promise<StatusRow[]> {
  let pinned = query.innerJoin("status_pins as pin", (join) =>
    join.onRef("pin.status_id", "=", "s.id").on("pin.account_id", "=", accountId),
  );
  if (page.max_id) pinned = pinned.where("s.id", "<", page.max_id);
  const after = page.min_id ?? page.since_id;
  if (after) pinned = pinned.where("s.id", ">", after);
  return pinned.orderBy("pin.id", "desc").limit(limit).execute();
}

// Siblings' people's pins, as their featured collections and Add/Remove activities tell them.

/** Pins a post of a sibling's account (its own post, already stored). */
export async function pinRemoteStatus(context: AppContext, accountId: string, statusId: string): Promise<boolean> {
  const status = await findStatusById(context.db, statusId);
  if (!status || status.account_id !== accountId || status.local || status.reblog_of_id) return false;
  const inserted = await context.db
    .insertInto("status_pins")
    .values({ account_id: accountId, status_id: statusId })
    .onConflict((conflict) => conflict.columns(["account_id", "status_id"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function unpinRemoteStatus(context: AppContext, accountId: string, statusId: string): Promise<void> {
  await context.db
    .deleteFrom("status_pins")
    .where("account_id", "=", accountId)
    .where("status_id", "=", statusId)
    .execute();
}

/**
 * Makes a sibling's account's public and unlisted pins exactly `statusIds` (its featured
 * collection, newest pin first): pins no longer listed go, new ones come, in one transaction.
 * Followers-only pins, which the collection does not list (they arrive as Add), stay.
 */
export async function replaceRemotePins(
  context: AppContext,
  accountId: string,
  statusIds: readonly string[],
): Promise<void> {
  const account = await context.db.selectFrom("accounts").select("domain").where("id", "=", accountId).executeTakeFirst();
  if (!account) throw notFound();
  if (account.domain === null) throw new Error("a local account's pins are its own to change");
  const owned =
    statusIds.length === 0
      ? []
      : await context.db
          .selectFrom("statuses")
          .select("id")
          .where("id", "=", (eb) => eb.fn.any(bigintArray(statusIds)))
          .where("account_id", "=", accountId)
          .where("reblog_of_id", "is", null)
          .execute();
  const ownedIds = new Set(owned.map((row) => row.id));
  // Oldest pin first, so that pin ids sort as the collection does (newest first).
  const wanted = [...new Set(statusIds)].filter((id) => ownedIds.has(id)).reverse();
  await context.db.transaction().execute(async (trx) => {
    let stale = trx
      .deleteFrom("status_pins")
      .where("account_id", "=", accountId)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom("statuses as ps")
            .select("ps.id")
            .whereRef("ps.id", "=", "status_pins.status_id")
            .where("ps.visibility", "in", ["public", "unlisted"]),
        ),
      );
    if (wanted.length > 0) stale = stale.where((eb) => eb.not(eb("status_id", "=", eb.fn.any(bigintArray(wanted)))));
    await stale.execute();
    for (const statusId of wanted) {
      await trx
        .insertInto("status_pins")
        .values({ account_id: accountId, status_id: statusId })
        .onConflict((conflict) => conflict.columns(["account_id", "status_id"]).doNothing())
        .execute();
    }
  });
}
