import type { ExpressionBuilder } from "kysely";
import { findAccountsByIds } from "../../../db/repositories/accounts.ts";
import type { Database, Notification, NotificationType } from "../../../db/schema.ts";
import { textArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { notFound } from "../../errors.ts";
import { accountToApi, type ApiAccount } from "../../serializers/account.ts";
import type { ApiStatus } from "../../serializers/status.ts";
import { type PageParams, pageCursors, pageWindow } from "../pagination.ts";
import { presentStatuses } from "../statuses/present.ts";

export interface ApiNotification {
  id: string;
  type: NotificationType;
  group_key: string;
  created_at: string;
  account: ApiAccount;
  status?: ApiStatus | null;
}

export interface NotificationFilter {
  types?: string[];
  excludeTypes?: string[];
  accountId?: string;
}

/** Notification rows → entities; authors and statuses are loaded in one batch each. */
async function present(context: AppContext, viewerId: string, rows: Notification[]): Promise<ApiNotification[]> {
  const accounts = new Map(
    (await findAccountsByIds(context.db, [...new Set(rows.map((row) => row.from_account_id))])).map(
      (account) => [account.id, accountToApi(account, context.urls)],
    ),
  );
  const statusIds = [...new Set(rows.map((row) => row.status_id).filter((id) => id !== null))];
  const statuses = new Map(
    (await presentStatuses(context, statusIds, viewerId, { filterContext: "notifications" })).map((status) => [
      status.id,
      status,
    ]),
  );
  const result: ApiNotification[] = [];
  for (const row of rows) {
    const account = accounts.get(row.from_account_id);
    if (!account) continue;
    const status = row.status_id ? statuses.get(row.status_id) : undefined;
    // A post that is gone, or that a `hide` filter takes out, takes its notification along.
    if (row.status_id && !status) continue;
    result.push({
      id: row.id,
      type: row.type,
      group_key: row.group_key ?? `ungrouped-${row.id}`,
      created_at: row.created_at.toISOString(),
      account,
      ...(status ? { status } : {}),
    });
  }
  return result;
}

// Hide what suspended accounts did, as Mastodon's browserable notifications do.
export const fromActiveAccount = (eb: ExpressionBuilder<Database, "notifications">) =>
  eb.exists(
    eb
      .selectFrom("accounts as from_account")
      .select("from_account.id")
      .whereRef("from_account.id", "=", "notifications.from_account_id")
      .where("from_account.suspended_at", "is", null),
  );

/**
 * The notifications someone can browse, filtered as asked: the one query under the plain list
 * (/api/v1/notifications), the grouped one (/api/v2/notifications) and the unread counts.
 */
export function browsableNotifications(context: AppContext, viewerId: string, filter: NotificationFilter) {
  let base = context.db
    .selectFrom("notifications")
    .selectAll()
    .where("account_id", "=", viewerId)
    .where(fromActiveAccount);
  if (filter.types?.length) base = base.where("type", "=", (eb) => eb.fn.any(textArray(filter.types!)) as never);
  if (filter.excludeTypes?.length) {
    base = base.where((eb) => eb.not(eb("type", "=", eb.fn.any(textArray(filter.excludeTypes!)) as never)));
  }
  if (filter.accountId) base = base.where("from_account_id", "=", filter.accountId);
  return base;
}

export async function listNotifications(
  context: AppContext,
  viewerId: string,
  filter: NotificationFilter,
  page: PageParams,
  limit: number,
): Promise<{ notifications: ApiNotification[]; cursors: { newest: string; oldest: string } | null }> {
  const base = browsableNotifications(context, viewerId, filter);
  const { query, finish } = pageWindow(base, "id", page, limit);
  const rows = finish(await query.execute());
  return {
    notifications: await present(context, viewerId, rows),
    cursors: pageCursors(rows, "id"),
  };
}

export async function showNotification(context: AppContext, viewerId: string, id: string): Promise<ApiNotification> {
  const row = await context.db
    .selectFrom("notifications")
    .selectAll()
    .where("id", "=", id)
    .where("account_id", "=", viewerId)
    .where(fromActiveAccount)
    .executeTakeFirst();
  const [notification] = row ? await present(context, viewerId, [row]) : [];
  if (!notification) throw notFound();
  return notification;
}

export async function dismissNotification(context: AppContext, viewerId: string, id: string): Promise<void> {
  const result = await context.db
    .deleteFrom("notifications")
    .where("id", "=", id)
    .where("account_id", "=", viewerId)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFound();
}

export async function clearNotifications(context: AppContext, viewerId: string): Promise<void> {
  await context.db.deleteFrom("notifications").where("account_id", "=", viewerId).execute();
}
