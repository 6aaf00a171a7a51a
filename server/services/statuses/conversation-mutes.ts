// Muting a conversation: no more notifications about the thread a post belongs to (mentions,
// replies, favourites, boosts, edits), as Mastodon's conversation mutes do. The thread is named
// by its first post, so muting from any post of it mutes all of it.
import { threadChain } from "../../../db/repositories/conversation-mutes.ts";
import type { Account } from "../../../db/schema.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import type { ApiStatus } from "../../serializers/status.ts";
import { presentStatus } from "./present.ts";
import { findVisibleProperStatus } from "./read.ts";

export async function muteConversation(context: AppContext, viewer: Account, id: string): Promise<ApiStatus> {
  const status = await findVisibleProperStatus(context, id, viewer.id);
  const chain = await threadChain(context.db, status.id);
  await context.db
    .insertInto("conversation_mutes")
    .values({ account_id: viewer.id, status_id: chain.at(-1) ?? status.id })
    .onConflict((conflict) => conflict.columns(["account_id", "status_id"]).doNothing())
    .execute();
  return presentStatus(context, id, viewer.id);
}

/** Unmutes the conversation, whichever post of the thread it was muted by. */
export async function unmuteConversation(context: AppContext, viewer: Account, id: string): Promise<ApiStatus> {
  const status = await findVisibleProperStatus(context, id, viewer.id);
  const chain = await threadChain(context.db, status.id);
  await context.db
    .deleteFrom("conversation_mutes")
    .where("account_id", "=", viewer.id)
    .where("status_id", "=", (eb) => eb.fn.any(bigintArray(chain)))
    .execute();
  return presentStatus(context, id, viewer.id);
}
