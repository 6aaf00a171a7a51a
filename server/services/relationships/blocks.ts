// Blocking: the two accounts stop following each other and stop seeing each other's posts. A
// block of an account on a sibling campus is sent there (Block), and so is its end (Undo).
import { sql, type Transaction } from "kysely";
import { findAccountById } from "../../../db/repositories/accounts.ts";
import type { Account, Database } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { forbidden, notFound } from "../../errors.ts";
import { accountToApi, type ApiAccount } from "../../serializers/account.ts";
import type { ApiRelationship } from "../../serializers/relationship.ts";
import { relationships, removeFollow } from "../accounts/follows.ts";
import { recordIntent } from "../federation/intents.ts";
import { removeAuthorFromFeeds } from "../lists/feed.ts";
import { type Cursors, type PageParams, pageCursors, pageWindow } from "../pagination.ts";

/** The account a relationship change is about: it exists, is not suspended, and is not the viewer. */
export async function otherAccount(context: AppContext, viewer: Account, targetId: string): Promise<Account> {
  if (targetId === viewer.id) throw forbidden();
  const target = await findAccountById(context.db, targetId);
  if (!target || target.suspended_at) throw notFound();
  return target;
}

export async function relationshipWith(context: AppContext, viewerId: string, targetId: string): Promise<ApiRelationship> {
  const [relationship] = await relationships(context, viewerId, [targetId]);
  return relationship!;
}

/**
 * What a block does besides its row, whichever side made it (here or on a sibling campus): the
 * follows and follow requests between the two go (with their notifications), and each loses the
 * other's posts and boosts of them from home and list feeds.
 */
export async function severRelationship(trx: Transaction<Database>, blockerId: string, targetId: string): Promise<void> {
  await removeFollow(trx, blockerId, targetId);
  await removeFollow(trx, targetId, blockerId);
  await sql`
    DELETE FROM follow_requests
    WHERE (account_id = ${blockerId}::bigint AND target_account_id = ${targetId}::bigint)
      OR (account_id = ${targetId}::bigint AND target_account_id = ${blockerId}::bigint)
  `.execute(trx);
  await sql`
    DELETE FROM notifications
    WHERE type = 'follow_request' AND ((account_id = ${blockerId}::bigint AND from_account_id = ${targetId}::bigint)
      OR (account_id = ${targetId}::bigint AND from_account_id = ${blockerId}::bigint))
  `.execute(trx);
  await removeAuthorFromFeeds(trx, blockerId, targetId);
  await removeAuthorFromFeeds(trx, targetId, blockerId);
}

/**
 * Blocks an account, as Mastodon does: follows both ways end, and the blocker's notifications
 * from it go. Blocking again changes nothing.
 */
export async function block(context: AppContext, viewer: Account, targetId: string): Promise<ApiRelationship> {
  const target = await otherAccount(context, viewer, targetId);
  await context.db.transaction().execute(async (trx) => {
    const { id } = await sql<{ id: string }>`SELECT timestamp_id() AS id`.execute(trx).then((result) => result.rows[0]!);
    const inserted = await trx
      .insertInto("blocks")
      .values({ id, account_id: viewer.id, target_account_id: target.id, uri: `${viewer.uri}#blocks/${id}` })
      .onConflict((conflict) => conflict.columns(["account_id", "target_account_id"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) return;
    await severRelationship(trx, viewer.id, target.id);
    await trx
      .deleteFrom("notifications")
      .where("account_id", "=", viewer.id)
      .where("from_account_id", "=", target.id)
      .execute();
    if (target.domain !== null) await recordIntent(trx, { type: "block.created", blockId: id, accountId: viewer.id });
  });
  return relationshipWith(context, viewer.id, target.id);
}

export async function unblock(context: AppContext, viewer: Account, targetId: string): Promise<ApiRelationship> {
  const target = await otherAccount(context, viewer, targetId);
  await context.db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom("blocks")
      .where("account_id", "=", viewer.id)
      .where("target_account_id", "=", target.id)
      .returning("uri")
      .executeTakeFirst();
    if (removed && target.domain !== null) {
      await recordIntent(trx, {
        type: "block.undone",
        uri: removed.uri,
        accountId: viewer.id,
        targetAccountId: target.id,
      });
    }
  });
  return relationshipWith(context, viewer.id, target.id);
}

/** The accounts the viewer blocks, paged by the block (newest first). */
export async function blockedAccounts(
  context: AppContext,
  viewerId: string,
  page: PageParams,
  limit: number,
): Promise<{ accounts: ApiAccount[]; cursors: Cursors }> {
  const { query, finish } = pageWindow(
    context.db
      .selectFrom("blocks as b")
      .innerJoin("accounts as a", "a.id", "b.target_account_id")
      .selectAll("a")
      .select("b.id as block_id")
      .where("b.account_id", "=", viewerId),
    "b.id",
    page,
    limit,
  );
  const rows = finish(await query.execute());
  return {
    accounts: rows.map(({ block_id: _id, ...row }) => accountToApi(row, context.urls)),
    cursors: pageCursors(rows, "block_id"),
  };
}
