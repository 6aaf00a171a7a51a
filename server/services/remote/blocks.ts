// Blocks that siblings' accounts make of local accounts. The blocked local person stops seeing
// the blocker's posts, and the follows between them end, as when a local account blocks.
import type { AppContext } from "../../context.ts";
import { severRelationship } from "../relationships/blocks.ts";

/** Block from a sibling: its author (remote) blocks a local account. Repeating it changes nothing. */
export async function receiveRemoteBlock(
  context: AppContext,
  input: { blockerId: string; targetId: string; uri: string },
): Promise<boolean> {
  const accounts = await context.db
    .selectFrom("accounts")
    .select(["id", "domain"])
    .where("id", "in", [input.blockerId, input.targetId])
    .execute();
  const blocker = accounts.find((account) => account.id === input.blockerId);
  const target = accounts.find((account) => account.id === input.targetId);
  if (!blocker || blocker.domain === null || !target || target.domain !== null) return false;
  return context.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto("blocks")
      .values({ account_id: blocker.id, target_account_id: target.id, uri: input.uri })
      .onConflict((conflict) => conflict.doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) return false;
    await severRelationship(trx, blocker.id, target.id);
    return true;
  });
}

/** Undo(Block) from a sibling: the block its author made ends. */
export async function undoRemoteBlock(
  context: AppContext,
  input: { blockerId: string; targetId: string },
): Promise<boolean> {
  const result = await context.db
    .deleteFrom("blocks")
    .where("account_id", "=", input.blockerId)
    .where("target_account_id", "=", input.targetId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
