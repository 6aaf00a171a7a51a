// Blocks across campuses, as Mastodon federates them: a local account's block of a sibling's
// account is sent to that account's campus (Block, later Undo(Block)), which hides the blocker's
// posts from the blocked person and ends the follows between them; a sibling's Block does the
// same here.
import type { Context, InboxContext } from "@fedify/fedify";
import { Block, Undo } from "@fedify/vocab";
import type { OutboxIntent } from "../server/services/federation/intents.ts";
import { receiveRemoteBlock, undoRemoteBlock } from "../server/services/remote/blocks.ts";
import type { FederationDeps } from "./deps.ts";
import { INSTANCE_ACTOR } from "./mapping/actor.ts";
import { remoteAccountRecipients } from "./outgoing.ts";

type BlockIntent = Extract<OutboxIntent, { type: "block.created" | "block.undone" }>;

async function account(deps: FederationDeps, id: string) {
  return deps.app.db
    .selectFrom("accounts")
    .select(["id", "username", "uri", "domain"])
    .where("id", "=", id)
    .executeTakeFirst();
}

/** Block, or Undo(Block), to the blocked account's campus only. */
export async function deliverBlock(deps: FederationDeps, ctx: Context<void>, intent: BlockIntent): Promise<void> {
  let targetId: string;
  let uri: string | null;
  if (intent.type === "block.created") {
    const row = await deps.app.db.selectFrom("blocks").selectAll().where("id", "=", intent.blockId).executeTakeFirst();
    // Unblocked before this was sent: the Undo that follows has nothing to undo there.
    if (!row) return;
    targetId = row.target_account_id;
    uri = row.uri;
  } else {
    targetId = intent.targetAccountId;
    uri = intent.uri;
  }
  const sender = await account(deps, intent.accountId);
  const target = await account(deps, targetId);
  if (!sender || sender.domain !== null || !target || target.domain === null) return;
  const id = uri ?? `${sender.uri}#blocks/unknown-${target.id}`;
  const block = new Block({ id: new URL(id), actor: new URL(sender.uri), object: new URL(target.uri) });
  const activity =
    intent.type === "block.created"
      ? block
      : new Undo({ id: new URL(`${id}#undo-${Date.now()}`), actor: new URL(sender.uri), object: block });
  const recipients = await remoteAccountRecipients(deps, [target.id]);
  if (recipients.length === 0) return;
  await ctx.sendActivity({ identifier: sender.username }, recipients, activity, {
    preferSharedInbox: true,
    orderingKey: sender.uri,
  });
}

/** The local account an actor URI names, or null. */
async function localTarget(deps: FederationDeps, ctx: InboxContext<void>, uri: URL | null) {
  const parsed = ctx.parseUri(uri);
  if (parsed?.type !== "actor" || parsed.identifier === INSTANCE_ACTOR) return null;
  const found = await deps.app.db
    .selectFrom("accounts")
    .select(["id", "suspended_at"])
    .where("username", "=", parsed.identifier)
    .where("domain", "is", null)
    .executeTakeFirst();
  return found && !found.suspended_at ? found : null;
}

/** A sibling's account blocks a local one. */
export async function receiveBlock(
  deps: FederationDeps,
  ctx: InboxContext<void>,
  actor: { id: string },
  block: Block,
): Promise<void> {
  const target = await localTarget(deps, ctx, block.objectId);
  if (!target || !block.id) return;
  await receiveRemoteBlock(deps.app, { blockerId: actor.id, targetId: target.id, uri: block.id.href });
}

/** A sibling's account ends its block of a local one (the Block inside an Undo). */
export async function receiveUndoBlock(
  deps: FederationDeps,
  ctx: InboxContext<void>,
  actor: { id: string },
  block: Block,
): Promise<void> {
  const target = await localTarget(deps, ctx, block.objectId);
  if (target) await undoRemoteBlock(deps.app, { blockerId: actor.id, targetId: target.id });
}
