// Lists: named sets of followed accounts, each with its own timeline (see feed.ts).
import { sql, type Transaction } from "kysely";
import { findAccountsByIds } from "../../../db/repositories/accounts.ts";
import type { Database, RepliesPolicy } from "../../../db/schema.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { notFound, unprocessable } from "../../errors.ts";
import { accountToApi, type ApiAccount } from "../../serializers/account.ts";
import { type ApiList, listToApi } from "../../serializers/list.ts";
import { type Cursors, type PageParams, pageCursors, pageWindow } from "../pagination.ts";
import { assertUserList, ensureOpenAsksList } from "../help/open-asks.ts";
import { backfillListFeed } from "./feed.ts";

/** As many lists as Mastodon allows one account. */
const MAX_LISTS = 50;
const MAX_TITLE = 200;

export interface ListInput {
  title?: string;
  repliesPolicy?: RepliesPolicy;
  exclusive?: boolean;
}

function cleanTitle(title: string | undefined): string {
  const trimmed = (title ?? "").trim();
  if (trimmed === "") throw unprocessable("Title can't be blank");
  if (Array.from(trimmed).length > MAX_TITLE) {
    throw unprocessable(`Title is too long (maximum is ${MAX_TITLE} characters)`);
  }
  return trimmed;
}

async function ownedList(context: AppContext, viewerId: string, listId: string) {
  const list = await context.db
    .selectFrom("lists")
    .selectAll()
    .where("id", "=", listId)
    .where("account_id", "=", viewerId)
    .executeTakeFirst();
  if (!list) throw notFound();
  return list;
}

export async function ownedLists(context: AppContext, viewerId: string): Promise<ApiList[]> {
  // Every user has the server's Open asks list (help requests) among their own.
  await ensureOpenAsksList(context.db, viewerId);
  const rows = await context.db
    .selectFrom("lists")
    .selectAll()
    .where("account_id", "=", viewerId)
    .orderBy(sql`kind IS NULL`)
    .orderBy("id")
    .execute();
  return rows.map(listToApi);
}

export async function showList(context: AppContext, viewerId: string, listId: string): Promise<ApiList> {
  return listToApi(await ownedList(context, viewerId, listId));
}

export async function createList(context: AppContext, viewerId: string, input: ListInput): Promise<ApiList> {
  const title = cleanTitle(input.title);
  const row = await context.db.transaction().execute(async (trx) => {
    // The owner's row lock makes two creations racing past the limit wait for each other.
    await trx.selectFrom("accounts").select("id").where("id", "=", viewerId).forUpdate().execute();
    const { count } = await trx
      .selectFrom("lists")
      .select((eb) => eb.fn.countAll<string>().as("count"))
      .where("account_id", "=", viewerId)
      .where("kind", "is", null)
      .executeTakeFirstOrThrow();
    if (Number(count) >= MAX_LISTS) throw unprocessable(`You cannot have more than ${MAX_LISTS} lists`);
    return trx
      .insertInto("lists")
      .values({
        account_id: viewerId,
        title,
        replies_policy: input.repliesPolicy ?? "list",
        exclusive: input.exclusive ?? false,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  return listToApi(row);
}

/** Changes what is given; the title, when given, may not be blank. */
export async function updateList(
  context: AppContext,
  viewerId: string,
  listId: string,
  input: ListInput,
): Promise<ApiList> {
  assertUserList(await ownedList(context, viewerId, listId));
  const changes = {
    ...(input.title !== undefined ? { title: cleanTitle(input.title) } : {}),
    ...(input.repliesPolicy !== undefined ? { replies_policy: input.repliesPolicy } : {}),
    ...(input.exclusive !== undefined ? { exclusive: input.exclusive } : {}),
  };
  if (Object.keys(changes).length > 0) {
    await context.db.updateTable("lists").set(changes).where("id", "=", listId).execute();
  }
  return showList(context, viewerId, listId);
}

export async function deleteList(context: AppContext, viewerId: string, listId: string): Promise<void> {
  assertUserList(await ownedList(context, viewerId, listId));
  const result = await context.db
    .deleteFrom("lists")
    .where("id", "=", listId)
    .where("account_id", "=", viewerId)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFound();
}

/** A list's members, paged by when they were added (newest first); `limit` null: all of them. */
export async function listMembers(
  context: AppContext,
  viewerId: string,
  listId: string,
  page: PageParams,
  limit: number | null,
): Promise<{ accounts: ApiAccount[]; cursors: Cursors }> {
  await ownedList(context, viewerId, listId);
  const base = context.db
    .selectFrom("list_accounts as la")
    .innerJoin("accounts as a", "a.id", "la.account_id")
    .selectAll("a")
    .select("la.id as member_id")
    .where("la.list_id", "=", listId)
    .where("a.suspended_at", "is", null);
  if (limit === null) {
    const rows = await base.orderBy("la.id", "desc").execute();
    return { accounts: rows.map(({ member_id: _id, ...row }) => accountToApi(row, context.urls)), cursors: null };
  }
  const { query, finish } = pageWindow(base, "la.id", page, limit);
  const rows = finish(await query.execute());
  return {
    accounts: rows.map(({ member_id: _id, ...row }) => accountToApi(row, context.urls)),
    cursors: pageCursors(rows, "member_id"),
  };
}

/**
 * Adds accounts to a list, each with its recent posts. As in Mastodon, only accounts the owner
 * follows (or has asked to follow) and the owner itself may be members: anyone else, or an
 * account already in the list, is refused (422) and nothing is added.
 */
export async function addListMembers(
  context: AppContext,
  viewerId: string,
  listId: string,
  accountIds: readonly string[],
): Promise<void> {
  assertUserList(await ownedList(context, viewerId, listId));
  const ids = [...new Set(accountIds)];
  if (ids.length === 0) throw unprocessable("account_ids can't be blank");
  const found = await findAccountsByIds(context.db, ids);
  if (found.length !== ids.length || found.some((account) => account.suspended_at)) throw notFound();
  await context.db.transaction().execute(async (trx) => {
    const followed = await sql<{ id: string }>`
      SELECT target_account_id AS id FROM follows
      WHERE account_id = ${viewerId}::bigint AND target_account_id = ANY(${bigintArray(ids)})
      UNION
      SELECT target_account_id FROM follow_requests
      WHERE account_id = ${viewerId}::bigint AND target_account_id = ANY(${bigintArray(ids)})
    `.execute(trx);
    const allowed = new Set([viewerId, ...followed.rows.map((row) => String(row.id))]);
    if (ids.some((id) => !allowed.has(id))) throw unprocessable("Account must be followed before it can be added to a list");
    const present = await trx
      .selectFrom("list_accounts")
      .select("account_id")
      .where("list_id", "=", listId)
      .where("account_id", "=", (eb) => eb.fn.any(bigintArray(ids)))
      .execute();
    if (present.length > 0) throw unprocessable("Account has already been taken");
    for (const id of ids) {
      await trx.insertInto("list_accounts").values({ list_id: listId, account_id: id }).execute();
      await backfillListFeed(trx, listId, id);
    }
  });
}

/** Removes accounts from a list, and their posts from its timeline; absent ones are no error. */
export async function removeListMembers(
  context: AppContext,
  viewerId: string,
  listId: string,
  accountIds: readonly string[],
): Promise<void> {
  assertUserList(await ownedList(context, viewerId, listId));
  const ids = bigintArray([...new Set(accountIds)]);
  await context.db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom("list_accounts")
      .where("list_id", "=", listId)
      .where("account_id", "=", (eb) => eb.fn.any(ids))
      .execute();
    await trx
      .deleteFrom("list_feed")
      .where("list_id", "=", listId)
      .where("author_id", "=", (eb) => eb.fn.any(ids))
      .execute();
  });
}

/** The viewer's lists that have the account as a member. */
export async function listsWithMember(context: AppContext, viewerId: string, accountId: string): Promise<ApiList[]> {
  const account = await context.db.selectFrom("accounts").select("id").where("id", "=", accountId).executeTakeFirst();
  if (!account) throw notFound();
  const rows = await context.db
    .selectFrom("lists as l")
    .innerJoin("list_accounts as la", "la.list_id", "l.id")
    .selectAll("l")
    .where("l.account_id", "=", viewerId)
    .where("la.account_id", "=", accountId)
    .orderBy("l.id")
    .execute();
  return rows.map(listToApi);
}

/**
 * Takes an account out of every list of an owner, with its posts: what ending the owner's
 * follow of it does (unfollowing, a block, a refused request).
 */
export async function leaveOwnerLists(trx: Transaction<Database>, ownerId: string, memberId: string): Promise<void> {
  await sql`
    DELETE FROM list_feed lf USING lists l
    WHERE l.id = lf.list_id AND l.account_id = ${ownerId}::bigint AND lf.author_id = ${memberId}::bigint
  `.execute(trx);
  await sql`
    DELETE FROM list_accounts la USING lists l
    WHERE l.id = la.list_id AND l.account_id = ${ownerId}::bigint AND la.account_id = ${memberId}::bigint
  `.execute(trx);
}
