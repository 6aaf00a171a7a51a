// Who among the people listening in this process a status event is for. Each question is one
// query over the listeners' ids, never one per listener.
import { hasMedia } from "../../../db/repositories/media.ts";
import { authorNotHiddenFrom } from "../../../db/repositories/relationships.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { authorActive } from "../statuses/visible.ts";

/** What decides where a post shows: read once per event. */
export interface StatusFacts {
  id: string;
  accountId: string;
  visibility: string;
  isBoost: boolean;
  /** Written on this campus (public:local) rather than a sibling (public:remote). */
  local: boolean;
  hasMedia: boolean;
  /** Normalized tag names. */
  tags: string[];
}

export async function loadStatusFacts(
  context: AppContext,
  statusId: string,
): Promise<StatusFacts | null> {
  const row = await context.db
    .selectFrom("statuses as s")
    .select([
      "s.id",
      "s.account_id",
      "s.visibility",
      "s.reblog_of_id",
      "s.local",
      (eb) => hasMedia()(eb).as("has_media"),
    ])
    .where("s.id", "=", statusId)
    .where(authorActive)
    .executeTakeFirst();
  if (!row) return null;
  const tags = await context.db
    .selectFrom("statuses_tags as st")
    .innerJoin("tags as t", "t.id", "st.tag_id")
    .select("t.name")
    .where("st.status_id", "=", statusId)
    .execute();
  return {
    id: row.id,
    accountId: row.account_id,
    visibility: row.visibility,
    isBoost: row.reblog_of_id !== null,
    local: row.local,
    hasMedia: Boolean(row.has_media),
    tags: tags.map((tag) => tag.name),
  };
}

/** Whether an author is of this campus; null when the account is gone. */
export async function authorIsLocal(
  context: AppContext,
  accountId: string,
): Promise<boolean | null> {
  const row = await context.db
    .selectFrom("accounts")
    .select("domain")
    .where("id", "=", accountId)
    .executeTakeFirst();
  return row ? row.domain === null : null;
}

/** The viewers among `viewerIds` whose home feed holds the status. */
export async function homeFeedsHolding(
  context: AppContext,
  statusId: string,
  viewerIds: string[],
): Promise<Set<string>> {
  if (viewerIds.length === 0) return new Set();
  const rows = await context.db
    .selectFrom("home_feed")
    .select("account_id")
    .where("status_id", "=", statusId)
    .where("account_id", "=", (eb) => eb.fn.any(bigintArray(viewerIds)))
    .execute();
  return new Set(rows.map((row) => row.account_id));
}

/** The lists among `listIds` whose feed holds the status (written with the home feeds). */
export async function listFeedsHolding(
  context: AppContext,
  statusId: string,
  listIds: string[],
): Promise<Set<string>> {
  if (listIds.length === 0) return new Set();
  const rows = await context.db
    .selectFrom("list_feed")
    .select("list_id")
    .where("status_id", "=", statusId)
    .where("list_id", "=", (eb) => eb.fn.any(bigintArray(listIds)))
    .execute();
  return new Set(rows.map((row) => row.list_id));
}

/** The lists among `listIds` that have `accountId` as a member. */
export async function listsWithMember(
  context: AppContext,
  accountId: string,
  listIds: string[],
): Promise<Set<string>> {
  if (listIds.length === 0) return new Set();
  const rows = await context.db
    .selectFrom("list_accounts")
    .select("list_id")
    .where("account_id", "=", accountId)
    .where("list_id", "=", (eb) => eb.fn.any(bigintArray(listIds)))
    .execute();
  return new Set(rows.map((row) => row.list_id));
}

/** Whether `viewerId` owns list `listId` (a list stream is its owner's alone). */
export async function ownsList(
  context: AppContext,
  viewerId: string,
  listId: string,
): Promise<boolean> {
  const row = await context.db
    .selectFrom("lists")
    .select("id")
    .where("id", "=", listId)
    .where("account_id", "=", viewerId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The viewers among `viewerIds` who follow `accountId`. */
export async function followersAmong(
  context: AppContext,
  accountId: string,
  viewerIds: string[],
): Promise<Set<string>> {
  if (viewerIds.length === 0) return new Set();
  const rows = await context.db
    .selectFrom("follows")
    .select("account_id")
    .where("target_account_id", "=", accountId)
    .where("account_id", "=", (eb) => eb.fn.any(bigintArray(viewerIds)))
    .execute();
  return new Set(rows.map((row) => row.account_id));
}

/**
 * Whether a post may show in the viewer's shared streams (public, hashtag): not by someone the
 * viewer blocks or mutes, or who blocks the viewer, as the public timelines leave them out.
 */
export async function notHiddenFrom(
  context: AppContext,
  statusId: string,
  viewerId: string,
): Promise<boolean> {
  const row = await context.db
    .selectFrom("statuses as s")
    .select("s.id")
    .where("s.id", "=", statusId)
    .where(authorNotHiddenFrom(viewerId))
    .executeTakeFirst();
  return row !== undefined;
}
