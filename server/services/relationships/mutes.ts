// Muting: the account's posts leave the viewer's feeds and timelines, and optionally its
// notifications stop, forever or for a while. Mutes stay on this campus.
import { sql } from "kysely";
import type { Account } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { accountToApi, type ApiAccount } from "../../serializers/account.ts";
import type { ApiRelationship } from "../../serializers/relationship.ts";
import { removeAuthorFromFeeds } from "../lists/feed.ts";
import { type Cursors, type PageParams, pageCursors, pageWindow } from "../pagination.ts";
import { otherAccount, relationshipWith } from "./blocks.ts";

export interface MuteOptions {
  /** Mute its notifications too (Mastodon's default). */
  notifications?: boolean;
  /** Seconds until the mute ends; 0 or none: until unmuted. */
  duration?: number;
}

/** An account as /api/v1/mutes lists it: with when the mute ends. */
export type ApiMutedAccount = ApiAccount & { mute_expires_at: string | null };

/**
 * Mutes an account, or changes an existing mute's options. As in Mastodon, the account's posts
 * (and boosts of them) leave the viewer's home and list feeds at once; new ones stay out while
 * the mute lasts.
 */
export async function mute(
  context: AppContext,
  viewer: Account,
  targetId: string,
  options: MuteOptions,
): Promise<ApiRelationship> {
  const target = await otherAccount(context, viewer, targetId);
  const hideNotifications = options.notifications ?? true;
  const expiresAt = options.duration ? new Date(Date.now() + options.duration * 1000) : null;
  await context.db.transaction().execute(async (trx) => {
    await trx
      .insertInto("mutes")
      .values({
        account_id: viewer.id,
        target_account_id: target.id,
        hide_notifications: hideNotifications,
        expires_at: expiresAt,
      })
      .onConflict((conflict) =>
        conflict
          .columns(["account_id", "target_account_id"])
          .doUpdateSet({ hide_notifications: hideNotifications, expires_at: expiresAt }),
      )
      .execute();
    await removeAuthorFromFeeds(trx, viewer.id, target.id);
  });
  return relationshipWith(context, viewer.id, target.id);
}

export async function unmute(context: AppContext, viewer: Account, targetId: string): Promise<ApiRelationship> {
  const target = await otherAccount(context, viewer, targetId);
  await context.db
    .deleteFrom("mutes")
    .where("account_id", "=", viewer.id)
    .where("target_account_id", "=", target.id)
    .execute();
  return relationshipWith(context, viewer.id, target.id);
}

/** The accounts the viewer mutes right now, paged by the mute (newest first). */
export async function mutedAccounts(
  context: AppContext,
  viewerId: string,
  page: PageParams,
  limit: number,
): Promise<{ accounts: ApiMutedAccount[]; cursors: Cursors }> {
  const { query, finish } = pageWindow(
    context.db
      .selectFrom("mutes as m")
      .innerJoin("accounts as a", "a.id", "m.target_account_id")
      .selectAll("a")
      .select(["m.id as mute_id", "m.expires_at as mute_expires_at"])
      .where("m.account_id", "=", viewerId)
      .where((eb) => eb.or([eb("m.expires_at", "is", null), eb("m.expires_at", ">", sql<Date>`now()`)])),
    "m.id",
    page,
    limit,
  );
  const rows = finish(await query.execute());
  return {
    accounts: rows.map(({ mute_id: _id, mute_expires_at: expiresAt, ...row }) => ({
      ...accountToApi(row, context.urls),
      mute_expires_at: expiresAt ? expiresAt.toISOString() : null,
    })),
    cursors: pageCursors(rows, "mute_id"),
  };
}
