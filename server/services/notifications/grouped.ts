// Grouped notifications (/api/v2/notifications), as Mastodon groups them: favourites and boosts
// of one post, and follows, that share a group key (set when the notification is written, see
// the 0008 migration) come back as one group with a count and the latest accounts; everything
// else is a group of one, keyed `ungrouped-<id>`. A page holds `limit` groups: walking the
// notifications newest first, each group is represented by the first of its notifications met.
import { sql } from "kysely";
import { findAccountsByIds } from "../../../db/repositories/accounts.ts";
import type { Account, NotificationType } from "../../../db/schema.ts";
import { textArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { notFound } from "../../errors.ts";
import { type ApiAccount, accountToApi } from "../../serializers/account.ts";
import type { ApiStatus } from "../../serializers/status.ts";
import { lastReadId } from "../markers/markers.ts";
import type { PageParams } from "../pagination.ts";
import { presentStatuses } from "../statuses/present.ts";
import { browsableNotifications, type NotificationFilter } from "./notifications.ts";

/** The types Mastodon groups (and the only ones that carry a group key). */
export const GROUPABLE_TYPES: readonly NotificationType[] = ["favourite", "follow", "reblog", "admin.sign_up"];

/** How many of a group's latest accounts are named in `sample_account_ids`. */
const SAMPLE_ACCOUNTS = 8;
/** Notifications read per round while collecting a page of groups. */
const BATCH = 200;

export interface GroupedFilter extends NotificationFilter {
  /** The types the client can show grouped; others come back one by one. Default: all. */
  groupedTypes?: string[];
}

export interface ApiNotificationGroup {
  group_key: string;
  notifications_count: number;
  type: NotificationType;
  most_recent_notification_id: string;
  page_min_id?: string;
  page_max_id?: string;
  latest_page_notification_at?: string;
  sample_account_ids: string[];
  status_id?: string;
}

export interface ApiPartialAccount {
  id: string;
  acct: string;
  url: string;
  avatar: string;
  avatar_static: string;
  locked: boolean;
  bot: boolean;
}

export interface GroupedNotificationsResults {
  accounts: ApiAccount[];
  /** Empty unless `expand_accounts=partial_avatars`. */
  partial_accounts: ApiPartialAccount[];
  statuses: ApiStatus[];
  notification_groups: ApiNotificationGroup[];
}

interface NotificationRow {
  id: string;
  type: NotificationType;
  from_account_id: string;
  status_id: string | null;
  group_key: string | null;
  created_at: Date;
}

/** A group as the page found it: the notification that represents it, and its key. */
interface PickedGroup {
  key: string;
  grouped: boolean;
  row: NotificationRow;
}

interface GroupData {
  count: number;
  mostRecentId: string;
  sample: string[];
  page?: { minId: string; maxId: string; latestAt: Date };
}

function groupedTypesOf(filter: GroupedFilter): Set<string> {
  const asked = filter.groupedTypes?.filter((type) => GROUPABLE_TYPES.includes(type as NotificationType));
  return new Set(filter.groupedTypes?.length ? asked : GROUPABLE_TYPES);
}

function keyOf(row: NotificationRow, grouped: Set<string>): { key: string; grouped: boolean } {
  return row.group_key && grouped.has(row.type)
    ? { key: row.group_key, grouped: true }
    : { key: `ungrouped-${row.id}`, grouped: false };
}

const ROW_COLUMNS = ["id", "type", "from_account_id", "status_id", "group_key", "created_at"] as const;

/**
 * Walks the viewer's notifications from the page's cursor and keeps the first one of each group
 * until there are `limit` groups. Returns them newest first.
 */
async function pickGroups(
  context: AppContext,
  viewerId: string,
  filter: GroupedFilter,
  page: PageParams,
  limit: number,
): Promise<PickedGroup[]> {
  const grouped = groupedTypesOf(filter);
  // With min_id the walk goes upwards from it (since_id is then ignored, as for any list).
  const ascending = page.min_id !== undefined;
  const seen = new Set<string>();
  const picked: PickedGroup[] = [];
  let cursor = ascending ? page.min_id : page.max_id;
  for (;;) {
    let query = browsableNotifications(context, viewerId, filter).clearSelect().select(ROW_COLUMNS);
    if (ascending) {
      query = query.where("id", ">", cursor!).orderBy("id", "asc");
      if (page.max_id) query = query.where("id", "<", page.max_id);
    } else {
      if (cursor) query = query.where("id", "<", cursor);
      if (page.since_id) query = query.where("id", ">", page.since_id);
      query = query.orderBy("id", "desc");
    }
    const rows = await query.limit(BATCH).execute();
    for (const row of rows) {
      const { key, grouped: isGrouped } = keyOf(row, grouped);
      if (seen.has(key)) continue;
      seen.add(key);
      picked.push({ key, grouped: isGrouped, row });
      if (picked.length === limit) return ascending ? picked.reverse() : picked;
    }
    if (rows.length < BATCH) break;
    cursor = rows.at(-1)!.id;
  }
  return ascending ? picked.reverse() : picked;
}

/**
 * Counts, latest accounts and page bounds of grouped keys. With a range, only notifications up
 * to its top count (later ones belong to a newer page), and the page bounds are the group's
 * first notification from the range's bottom and its last up to the top.
 */
async function loadGroupData(
  context: AppContext,
  viewerId: string,
  keys: string[],
  range: { min: string | null; max: string | null } | null,
): Promise<Map<string, GroupData>> {
  if (keys.length === 0) return new Map();
  const max = range?.max ?? null;
  const min = range?.min ?? null;
  // Shared by every subquery: this group's notifications from active accounts, up to the top.
  const inGroup = sql`n.account_id = ${viewerId}::bigint AND n.group_key = g.key
    AND (${max}::bigint IS NULL OR n.id <= ${max}::bigint)
    AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = n.from_account_id AND a.suspended_at IS NULL)`;
  const { rows } = await sql<{
    key: string;
    count: number;
    most_recent_id: string | null;
    sample: string[];
    latest_at: Date | string | null;
    page_min_id: string | null;
  }>`
    SELECT g.key,
      (SELECT count(*)::int FROM notifications n WHERE ${inGroup}) AS count,
      (SELECT n.id::text FROM notifications n WHERE ${inGroup} ORDER BY n.id DESC LIMIT 1) AS most_recent_id,
      (SELECT n.created_at FROM notifications n WHERE ${inGroup} ORDER BY n.id DESC LIMIT 1) AS latest_at,
      ARRAY(
        SELECT s.from_account_id::text FROM (
          SELECT n.from_account_id, max(n.id) AS latest FROM notifications n WHERE ${inGroup}
          GROUP BY n.from_account_id ORDER BY latest DESC LIMIT ${SAMPLE_ACCOUNTS}
        ) s ORDER BY s.latest DESC
      ) AS sample,
      (SELECT n.id::text FROM notifications n WHERE ${inGroup} AND (${min}::bigint IS NULL OR n.id >= ${min}::bigint)
        ORDER BY n.id ASC LIMIT 1) AS page_min_id
    FROM unnest(${textArray(keys)}) AS g(key)
  `.execute(context.db);
  const data = new Map<string, GroupData>();
  for (const row of rows) {
    if (!row.most_recent_id) continue;
    data.set(row.key, {
      count: row.count,
      mostRecentId: row.most_recent_id,
      sample: row.sample,
      ...(range
        ? {
            page: {
              minId: row.page_min_id ?? row.most_recent_id,
              maxId: row.most_recent_id,
              latestAt: new Date(row.latest_at!),
            },
          }
        : {}),
    });
  }
  return data;
}

function partialAccount(account: ApiAccount): ApiPartialAccount {
  return {
    id: account.id,
    acct: account.acct,
    url: account.url,
    avatar: account.avatar,
    avatar_static: account.avatar_static,
    locked: account.locked,
    bot: account.bot,
  };
}

/** Picked groups → the results entity: groups, and the accounts and statuses they name, once each. */
async function present(
  context: AppContext,
  viewerId: string,
  picked: PickedGroup[],
  range: { min: string | null; max: string | null } | null,
  options: { partialAvatars?: boolean } = {},
): Promise<GroupedNotificationsResults> {
  const data = await loadGroupData(
    context,
    viewerId,
    picked.filter((group) => group.grouped).map((group) => group.key),
    range,
  );
  const groups: { group: ApiNotificationGroup; statusId: string | null }[] = [];
  for (const { key, grouped, row } of picked) {
    const found = grouped ? data.get(key) : undefined;
    if (grouped && !found) continue;
    const group: ApiNotificationGroup = found
      ? {
          group_key: key,
          notifications_count: found.count,
          type: row.type,
          most_recent_notification_id: found.mostRecentId,
          ...(found.page
            ? {
                page_min_id: found.page.minId,
                page_max_id: found.page.maxId,
                latest_page_notification_at: found.page.latestAt.toISOString(),
              }
            : {}),
          sample_account_ids: found.sample,
        }
      : {
          group_key: key,
          notifications_count: 1,
          type: row.type,
          most_recent_notification_id: row.id,
          ...(range
            ? { page_min_id: row.id, page_max_id: row.id, latest_page_notification_at: row.created_at.toISOString() }
            : {}),
          sample_account_ids: [row.from_account_id],
        };
    groups.push({ group, statusId: row.status_id });
  }

  const statuses = await presentStatuses(
    context,
    [...new Set(groups.flatMap(({ statusId }) => (statusId ? [statusId] : [])))],
    viewerId,
    // A post the viewer's "hide" filters match takes its notification group with it, as in v1.
    { filterContext: "notifications" },
  );
  const statusIds = new Set(statuses.map((status) => status.id));
  const accountRows = await findAccountsByIds(context.db, [
    ...new Set(groups.flatMap(({ group }) => group.sample_account_ids)),
  ]);
  const accounts = new Map(accountRows.map((account: Account) => [account.id, accountToApi(account, context.urls)]));

  const kept: ApiNotificationGroup[] = [];
  for (const { group, statusId } of groups) {
    // A post that is gone (or an account that vanished) takes its notifications with it.
    if (statusId && !statusIds.has(statusId)) continue;
    group.sample_account_ids = group.sample_account_ids.filter((id) => accounts.has(id));
    if (group.sample_account_ids.length === 0) continue;
    if (statusId) group.status_id = statusId;
    kept.push(group);
  }

  // With partial_avatars, only each group's latest account comes in full.
  const full = new Set(
    options.partialAvatars ? kept.map((group) => group.sample_account_ids[0]!) : kept.flatMap((g) => g.sample_account_ids),
  );
  const named = [...new Set(kept.flatMap((group) => group.sample_account_ids))];
  return {
    accounts: named.filter((id) => full.has(id)).map((id) => accounts.get(id)!),
    partial_accounts: named.filter((id) => !full.has(id)).map((id) => partialAccount(accounts.get(id)!)),
    statuses,
    notification_groups: kept,
  };
}

export async function listGroupedNotifications(
  context: AppContext,
  viewerId: string,
  filter: GroupedFilter,
  page: PageParams,
  limit: number,
  options: { partialAvatars?: boolean } = {},
): Promise<{ results: GroupedNotificationsResults; cursors: { newest: string; oldest: string } | null }> {
  const picked = await pickGroups(context, viewerId, filter, page, limit);
  if (picked.length === 0) {
    return { results: { accounts: [], partial_accounts: [], statuses: [], notification_groups: [] }, cursors: null };
  }
  const newest = picked[0]!.row.id;
  const oldest = picked.at(-1)!.row.id;
  // The notifications this page speaks for. A full page ends at its oldest representative; the
  // last page (fewer groups than asked) reaches to the end in the direction it was read.
  let range = { min: oldest as string | null, max: newest as string | null };
  if (picked.length < limit) {
    range =
      page.min_id !== undefined
        ? { min: oldest, max: page.max_id ? (BigInt(page.max_id) - 1n).toString() : null }
        : { min: page.since_id ? (BigInt(page.since_id) + 1n).toString() : null, max: newest };
  }
  return {
    results: await present(context, viewerId, picked, range, options),
    cursors: { newest, oldest },
  };
}

/** The notifications a group key names: one notification for `ungrouped-<id>`. */
function byGroupKey(context: AppContext, viewerId: string, groupKey: string) {
  const base = browsableNotifications(context, viewerId, {}).clearSelect().select(ROW_COLUMNS);
  const ungrouped = /^ungrouped-(\d{1,19})$/.exec(groupKey);
  return ungrouped ? base.where("id", "=", ungrouped[1]!) : base.where("group_key", "=", groupKey);
}

export async function showNotificationGroup(
  context: AppContext,
  viewerId: string,
  groupKey: string,
): Promise<GroupedNotificationsResults> {
  const row = await byGroupKey(context, viewerId, groupKey).orderBy("id", "desc").limit(1).executeTakeFirst();
  if (!row) throw notFound();
  const results = await present(context, viewerId, [{ key: groupKey, grouped: row.group_key === groupKey, row }], null);
  if (results.notification_groups.length === 0) throw notFound();
  return results;
}

export async function dismissNotificationGroup(context: AppContext, viewerId: string, groupKey: string): Promise<void> {
  const ungrouped = /^ungrouped-(\d{1,19})$/.exec(groupKey);
  let query = context.db.deleteFrom("notifications").where("account_id", "=", viewerId);
  query = ungrouped ? query.where("id", "=", ungrouped[1]!) : query.where("group_key", "=", groupKey);
  await query.execute();
}

/** Everyone in a group, the latest first. */
export async function notificationGroupAccounts(
  context: AppContext,
  viewerId: string,
  groupKey: string,
): Promise<ApiAccount[]> {
  const rows = await byGroupKey(context, viewerId, groupKey).orderBy("id", "desc").execute();
  if (rows.length === 0) throw notFound();
  const ids = [...new Set(rows.map((row) => row.from_account_id))];
  const accounts = new Map((await findAccountsByIds(context.db, ids)).map((account) => [account.id, account]));
  return ids.flatMap((id) => {
    const account = accounts.get(id);
    return account ? [accountToApi(account, context.urls)] : [];
  });
}

/** Notifications newer than the notifications marker, up to `limit` (Mastodon caps the count). */
export async function unreadNotificationCount(
  context: AppContext,
  viewerId: string,
  filter: NotificationFilter,
  limit: number,
): Promise<number> {
  const marker = await lastReadId(context.db, viewerId, "notifications");
  let query = browsableNotifications(context, viewerId, filter).clearSelect().select("id");
  if (marker) query = query.where("id", ">", marker);
  const row = await context.db
    .selectFrom(query.limit(limit).as("unread"))
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Unread groups (as /api/v2/notifications would group them) newer than the marker, capped. */
export async function unreadGroupCount(
  context: AppContext,
  viewerId: string,
  filter: GroupedFilter,
  limit: number,
): Promise<number> {
  const marker = await lastReadId(context.db, viewerId, "notifications");
  const grouped = [...groupedTypesOf(filter)];
  let query = browsableNotifications(context, viewerId, filter)
    .clearSelect()
    .select(
      sql<string>`CASE WHEN group_key IS NOT NULL AND type = ANY(${textArray(grouped)}) THEN group_key
        ELSE 'ungrouped-' || id::text END`.as("key"),
    )
    .distinct();
  if (marker) query = query.where("id", ">", marker);
  const row = await context.db
    .selectFrom(query.limit(limit).as("unread"))
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
