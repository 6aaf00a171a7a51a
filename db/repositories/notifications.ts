import type { NotificationType } from "../schema.ts";
import type { Db } from "./types.ts";

export interface NewNotification {
  accountId: string;
  fromAccountId: string;
  type: NotificationType;
  statusId?: string | null;
}

/** Inserts notifications, skipping people notified about themselves; returns the new rows. */
export async function insertNotifications(
  db: Db,
  notifications: readonly NewNotification[],
): Promise<{ id: string; account_id: string }[]> {
  const values = notifications
    .filter((notification) => notification.accountId !== notification.fromAccountId)
    .map((notification) => ({
      account_id: notification.accountId,
      from_account_id: notification.fromAccountId,
      type: notification.type,
      status_id: notification.statusId ?? null,
    }));
  if (values.length === 0) return [];
  return db.insertInto("notifications").values(values).returning(["id", "account_id"]).execute();
}
