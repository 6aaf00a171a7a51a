// Follows that siblings' accounts make of local accounts.
import { insertNotifications } from "../../../db/repositories/notifications.ts";
import { blockedEitherWay } from "../../../db/repositories/relationships.ts";
import type { AppContext } from "../../context.ts";
import { establishFollow } from "../accounts/follows.ts";
import { recordIntent } from "../federation/intents.ts";

/**
 * A remote account asks to follow a local one. An unlocked account accepts at once (and the
 * Accept goes back through the queue, in the same transaction); a locked one gets a request to
 * decide in its app. Asking again when already following just answers Accept again.
 */
export async function receiveRemoteFollow(
  context: AppContext,
  input: { followerId: string; targetId: string; uri: string },
): Promise<"accepted" | "pending" | "ignored"> {
  const target = await context.db
    .selectFrom("accounts")
    .select(["id", "locked", "domain", "suspended_at"])
    .where("id", "=", input.targetId)
    .executeTakeFirst();
  if (!target || target.domain !== null || target.suspended_at) return "ignored";
  // Across a block (either way) the answer is a Reject, as Mastodon's.
  if (await blockedEitherWay(context.db, input.followerId, target.id)) {
    await recordIntent(context.db, {
      type: "follow.decided",
      accepted: false,
      followUri: input.uri,
      accountId: target.id,
      targetAccountId: input.followerId,
    });
    return "ignored";
  }
  const outcome = await context.db.transaction().execute(async (trx) => {
    const following = await trx
      .selectFrom("follows")
      .select("id")
      .where("account_id", "=", input.followerId)
      .where("target_account_id", "=", target.id)
      .executeTakeFirst();
    if (following || !target.locked) {
      const { created } = following
        ? { created: false }
        : await establishFollow(trx, input.followerId, target.id, { uri: input.uri });
      if (following) {
        await trx.updateTable("follows").set({ uri: input.uri }).where("id", "=", following.id).execute();
      }
      await recordIntent(trx, {
        type: "follow.decided",
        accepted: true,
        followUri: input.uri,
        accountId: target.id,
        targetAccountId: input.followerId,
      });
      const notified = created
        ? await insertNotifications(trx, [{ accountId: target.id, fromAccountId: input.followerId, type: "follow" }])
        : [];
      return { result: "accepted" as const, notified };
    }
    const request = await trx
      .insertInto("follow_requests")
      .values({ account_id: input.followerId, target_account_id: target.id, uri: input.uri })
      .onConflict((conflict) => conflict.columns(["account_id", "target_account_id"]).doUpdateSet({ uri: input.uri }))
      .returning("id")
      .executeTakeFirstOrThrow();
    const already = await trx
      .selectFrom("notifications")
      .select("id")
      .where("account_id", "=", target.id)
      .where("from_account_id", "=", input.followerId)
      .where("type", "=", "follow_request")
      .executeTakeFirst();
    const notified = already
      ? []
      : await insertNotifications(trx, [
          { accountId: target.id, fromAccountId: input.followerId, type: "follow_request" },
        ]);
    return { result: "pending" as const, notified, requestId: request.id };
  });
  for (const notification of outcome.notified) {
    context.events.emit("notification.created", { notificationId: notification.id, accountId: notification.account_id });
  }
  return outcome.result;
}

/** Undo(Follow): the remote account stops following (or withdraws its request). */
export async function undoRemoteFollow(
  context: AppContext,
  input: { followerId: string; targetId: string },
): Promise<boolean> {
  return context.db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom("follow_requests")
      .where("account_id", "=", input.followerId)
      .where("target_account_id", "=", input.targetId)
      .execute();
    await trx
      .deleteFrom("notifications")
      .where("account_id", "=", input.targetId)
      .where("from_account_id", "=", input.followerId)
      .where("type", "=", "follow_request")
      .execute();
    const removed = await trx
      .deleteFrom("follows")
      .where("account_id", "=", input.followerId)
      .where("target_account_id", "=", input.targetId)
      .returning("id")
      .executeTakeFirst();
    if (!removed) return false;
    await trx
      .updateTable("accounts")
      .set((eb) => ({ following_count: eb("following_count", "-", 1) }))
      .where("id", "=", input.followerId)
      .where("following_count", ">", 0)
      .execute();
    await trx
      .updateTable("accounts")
      .set((eb) => ({ followers_count: eb("followers_count", "-", 1) }))
      .where("id", "=", input.targetId)
      .where("followers_count", ">", 0)
      .execute();
    return true;
  });
}
