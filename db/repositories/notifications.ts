import type { NotificationType } from "../schema.ts";
import { mutedConversationPairs } from "./conversation-mutes.ts";
import { silencedNotificationPairs } from "./relationships.ts";
import type { Db } from "./types.ts";

export interface NewNotification {
  accountId: string;
  fromAccountId: string;
  type: NotificationType;
  statusId?: string | null;
}

/**
 * Inserts notifications, skipping people notified about themselves, about posts in
 * conversations they muted, and by accounts blocked either way or whose notifications they
 * muted (as Mastodon drops them); returns the new rows.
 */
export async function insertNotifications(
  db: Db,
  notifications: readonly NewNotification[],
): Promise<{ id: string; account_id: string }[]> {
  const wanted = notifications.filter((notification) => notification.accountId !== notification.fromAccountId);
  const muted = await mutedConversationPairs(
    db,
    wanted.flatMap((notification) =>
      notification.statusId ? [{ accountId: notification.accountId, statusId: notification.statusId }] : [],
    ),
  );
  // Nothing passes a block either way, nor a mute of the sender's notifications.
  const silenced = await silencedNotificationPairs(
    db,
    wanted.map((notification) => ({ recipientId: notification.accountId, senderId: notification.fromAccountId })),
  );
  const values = wanted
    .filter((notification) => !notification.statusId || !muted.has(`${notification.accountId}:${notification.statusId}`))
    .filter((notification) => !silenced.has(`${notification.accountId}:${notification.fromAccountId}`))
    .map((notification) => ({
      account_id: notification.accountId,
      from_account_id: notification.fromAccountId,
      type: notification.type,
      status_id: notification.statusId ?? null,
    }));
  if (values.length === 0) return [];
  return db.insertInto("notifications").values(values).returning(["id", "account_id"]).execute();
}
