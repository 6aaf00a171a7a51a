// Writing notifications from the services that cause them. Only local accounts have a
// notifications list here: a remote account's notifications live on its own campus, which learns
// what happened through federation.
import { insertNotifications, type NewNotification } from "../../../db/repositories/notifications.ts";
import type { Db } from "../../../db/repositories/types.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";

export interface WrittenNotification {
  id: string;
  account_id: string;
}

/** Inserts the notifications addressed to local accounts (and not to their own author). */
export async function notifyLocal(db: Db, notifications: readonly NewNotification[]): Promise<WrittenNotification[]> {
  const wanted = notifications.filter((notification) => notification.accountId !== notification.fromAccountId);
  if (wanted.length === 0) return [];
  const local = await db
    .selectFrom("accounts")
    .select("id")
    .where("id", "=", (eb) => eb.fn.any(bigintArray([...new Set(wanted.map((n) => n.accountId))])))
    .where("domain", "is", null)
    .execute();
  const localIds = new Set(local.map((row) => row.id));
  return insertNotifications(
    db,
    wanted.filter((notification) => localIds.has(notification.accountId)),
  );
}

/** Announces notifications once their transaction has committed (streaming listens). */
export function publishNotifications(context: AppContext, notifications: readonly WrittenNotification[]): void {
  for (const notification of notifications) {
    context.events.emit("notification.created", {
      notificationId: notification.id,
      accountId: notification.account_id,
    });
  }
}
