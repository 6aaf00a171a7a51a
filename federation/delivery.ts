// Turns the intents services record into ActivityPub activities and hands them to Fedify, which
// queues one delivery per sibling (shared inboxes) and signs it. Intents about things that never
// leave the campus (local-only posts, interactions between local people) end here.
import type { Context } from "@fedify/fedify";
import {
  Accept,
  Announce,
  Create,
  Delete,
  Follow,
  Like,
  PUBLIC_COLLECTION,
  type Recipient,
  Reject,
  Tombstone,
  Undo,
  Update,
} from "@fedify/vocab";
import type { OutboxIntent } from "../server/services/federation/intents.ts";
import { publishScheduledStatus } from "../server/services/scheduled-statuses/scheduled-statuses.ts";
import { routeHelpRequest } from "../server/services/help/routing.ts";
import type { FederationDeps } from "./deps.ts";
import { deliverBlock } from "./blocks.ts";
import { deliverPin } from "./featured.ts";
import { accountToPerson } from "./mapping/actor.ts";
import { addressing, statusToObject } from "./mapping/note.ts";
import { deliverPollUpdate, deliverVotes } from "./polls.ts";
import {
  loadOutgoingStatus,
  mergeRecipients,
  remoteAccountRecipients,
  remoteFollowerRecipients,
} from "./outgoing.ts";
import { toInstant } from "./time.ts";
import { accountToApi } from "../server/serializers/account.ts";

interface Sender {
  id: string;
  username: string;
  uri: string;
  domain: string | null;
}

async function localAccount(deps: FederationDeps, id: string): Promise<Sender | null> {
  const account = await deps.app.db
    .selectFrom("accounts")
    .select(["id", "username", "uri", "domain"])
    .where("id", "=", id)
    .executeTakeFirst();
  return account && account.domain === null ? account : null;
}

async function remoteAccount(deps: FederationDeps, id: string) {
  const account = await deps.app.db
    .selectFrom("accounts")
    .select(["id", "uri", "domain"])
    .where("id", "=", id)
    .executeTakeFirst();
  return account && account.domain !== null ? account : null;
}

async function send(
  ctx: Context<void>,
  sender: Sender,
  recipients: Recipient[],
  activity: Create | Update | Delete | Announce | Undo | Like | Follow | Accept | Reject,
): Promise<void> {
  if (recipients.length === 0) return;
  await ctx.sendActivity({ identifier: sender.username }, recipients, activity, {
    preferSharedInbox: true,
    // Activities about one actor reach each sibling in the order they were made.
    orderingKey: sender.uri,
  });
}

async function statusCreated(deps: FederationDeps, ctx: Context<void>, statusId: string, update: boolean) {
  const outgoing = await loadOutgoingStatus(deps, statusId);
  if (!outgoing?.status.local || outgoing.status.local_only) return;
  const { status } = outgoing;
  const sender = await localAccount(deps, status.account_id);
  if (!sender) return;
  const followers = status.visibility === "direct" ? [] : await remoteFollowerRecipients(deps, sender.id);
  if (status.reblog_of_id) {
    const original = await deps.app.db
      .selectFrom("statuses")
      .select(["uri", "account_id", "local_only"])
      .where("id", "=", status.reblog_of_id)
      .executeTakeFirst();
    if (!original || original.local_only) return;
    const originalAuthor = await deps.app.db
      .selectFrom("accounts")
      .select("uri")
      .where("id", "=", original.account_id)
      .executeTakeFirstOrThrow();
    const { tos, ccs } = addressing(status.visibility, outgoing.followersUri, [originalAuthor.uri]);
    const announce = new Announce({
      id: new URL(status.uri),
      actor: new URL(sender.uri),
      object: new URL(original.uri),
      published: toInstant(status.created_at),
      tos,
      ccs,
    });
    await send(ctx, sender, mergeRecipients(followers, await remoteAccountRecipients(deps, [original.account_id])), announce);
    return;
  }
  const mentioned = await deps.app.db
    .selectFrom("mentions")
    .select("account_id")
    .where("status_id", "=", status.id)
    .execute();
  const audience = [...mentioned.map((row) => row.account_id), ...(status.in_reply_to_account_id ? [status.in_reply_to_account_id] : [])];
  const recipients = mergeRecipients(followers, await remoteAccountRecipients(deps, audience));
  const note = statusToObject(outgoing);
  const { tos, ccs } = addressing(status.visibility, outgoing.followersUri, outgoing.mentions.map((mention) => mention.uri));
  const activity = update
    ? new Update({
        id: new URL(`${status.uri}#updates/${(status.edited_at ?? status.updated_at).getTime()}`),
        actor: new URL(sender.uri),
        object: note,
        published: toInstant(status.edited_at ?? status.updated_at),
        tos,
        ccs,
      })
    : new Create({
        id: new URL(`${status.uri}/activity`),
        actor: new URL(sender.uri),
        object: note,
        published: toInstant(status.created_at),
        tos,
        ccs,
      });
  await send(ctx, sender, recipients, activity);
}

async function statusDeleted(
  deps: FederationDeps,
  ctx: Context<void>,
  intent: Extract<OutboxIntent, { type: "status.deleted" }>,
) {
  if (intent.localOnly) return;
  const sender = await localAccount(deps, intent.accountId);
  if (!sender) return;
  const followers = intent.visibility === "direct" ? [] : await remoteFollowerRecipients(deps, sender.id);
  if (intent.reblogOf) {
    const recipients = mergeRecipients(followers, await remoteAccountRecipients(deps, [intent.reblogOf.accountId]));
    await send(
      ctx,
      sender,
      recipients,
      new Undo({
        id: new URL(`${intent.uri}#undo`),
        actor: new URL(sender.uri),
        object: new Announce({ id: new URL(intent.uri), actor: new URL(sender.uri), object: new URL(intent.reblogOf.uri) }),
        tos: [PUBLIC_COLLECTION],
      }),
    );
    return;
  }
  const recipients = mergeRecipients(followers, await remoteAccountRecipients(deps, intent.audienceIds));
  await send(
    ctx,
    sender,
    recipients,
    new Delete({
      id: new URL(`${intent.uri}#delete`),
      actor: new URL(sender.uri),
      object: new Tombstone({ id: new URL(intent.uri) }),
      tos: [PUBLIC_COLLECTION],
    }),
  );
}

export async function handleIntent(deps: FederationDeps, ctx: Context<void>, intent: OutboxIntent): Promise<void> {
  const { db } = deps.app;
  switch (intent.type) {
    case "status.created":
      return statusCreated(deps, ctx, intent.statusId, false);
    case "status.updated":
      return statusCreated(deps, ctx, intent.statusId, true);
    case "status.deleted":
      return statusDeleted(deps, ctx, intent);
    case "favourite.created": {
      const favourite = await db
        .selectFrom("favourites as f")
        .innerJoin("statuses as s", "s.id", "f.status_id")
        .select(["f.id", "f.uri", "f.account_id", "s.uri as status_uri", "s.account_id as status_account_id", "s.local_only"])
        .where("f.id", "=", intent.favouriteId)
        .executeTakeFirst();
      if (!favourite || favourite.local_only) return;
      const sender = await localAccount(deps, favourite.account_id);
      const author = await remoteAccount(deps, favourite.status_account_id);
      if (!sender || !author) return;
      const uri = favourite.uri ?? `${sender.uri}#likes/${favourite.id}`;
      if (!favourite.uri) await db.updateTable("favourites").set({ uri }).where("id", "=", favourite.id).execute();
      await send(
        ctx,
        sender,
        await remoteAccountRecipients(deps, [author.id]),
        new Like({ id: new URL(uri), actor: new URL(sender.uri), object: new URL(favourite.status_uri) }),
      );
      return;
    }
    case "favourite.deleted": {
      const sender = await localAccount(deps, intent.accountId);
      if (!sender || !(await remoteAccount(deps, intent.statusAccountId))) return;
      await send(
        ctx,
        sender,
        await remoteAccountRecipients(deps, [intent.statusAccountId]),
        new Undo({
          id: new URL(`${intent.uri}#undo`),
          actor: new URL(sender.uri),
          object: new Like({ id: new URL(intent.uri), actor: new URL(sender.uri), object: new URL(intent.statusUri) }),
        }),
      );
      return;
    }
    case "follow.requested": {
      const request = await db
        .selectFrom("follow_requests")
        .selectAll()
        .where("id", "=", intent.requestId)
        .executeTakeFirst();
      if (!request) return;
      const sender = await localAccount(deps, request.account_id);
      const target = await remoteAccount(deps, request.target_account_id);
      if (!sender || !target) return;
      const uri = request.uri ?? `${sender.uri}#follows/${request.id}`;
      if (!request.uri) await db.updateTable("follow_requests").set({ uri }).where("id", "=", request.id).execute();
      await send(
        ctx,
        sender,
        await remoteAccountRecipients(deps, [target.id]),
        new Follow({ id: new URL(uri), actor: new URL(sender.uri), object: new URL(target.uri) }),
      );
      return;
    }
    case "follow.undone": {
      const sender = await localAccount(deps, intent.accountId);
      const target = await remoteAccount(deps, intent.targetAccountId);
      if (!sender || !target) return;
      const followUri = intent.uri ?? `${sender.uri}#follows/unknown-${intent.targetAccountId}`;
      await send(
        ctx,
        sender,
        await remoteAccountRecipients(deps, [target.id]),
        new Undo({
          id: new URL(`${followUri}#undo-${Date.now()}`),
          actor: new URL(sender.uri),
          object: new Follow({ id: new URL(followUri), actor: new URL(sender.uri), object: new URL(target.uri) }),
        }),
      );
      return;
    }
    case "follow.decided":
    case "follower.removed": {
      const accepted = intent.type === "follow.decided" && intent.accepted;
      const followerId = intent.type === "follow.decided" ? intent.targetAccountId : intent.followerId;
      const sender = await localAccount(deps, intent.accountId);
      const follower = await remoteAccount(deps, followerId);
      if (!sender || !follower) return;
      const follow = new Follow({
        id: intent.followUri ? new URL(intent.followUri) : null,
        actor: new URL(follower.uri),
        object: new URL(sender.uri),
      });
      const id = new URL(`${sender.uri}#${accepted ? "accepts" : "rejects"}/${followerId}-${Date.now()}`);
      const activity = accepted
        ? new Accept({ id, actor: new URL(sender.uri), object: follow })
        : new Reject({ id, actor: new URL(sender.uri), object: follow });
      await send(ctx, sender, await remoteAccountRecipients(deps, [follower.id]), activity);
      return;
    }
    case "pin.created":
    case "pin.deleted":
      return deliverPin(deps, ctx, intent);
    case "block.created":
    case "block.undone":
      return deliverBlock(deps, ctx, intent);
    case "poll.voted":
      return deliverVotes(deps, ctx, intent);
    case "poll.updated":
      return deliverPollUpdate(deps, ctx, intent);
    case "account.updated": {
      const account = await db.selectFrom("accounts").selectAll().where("id", "=", intent.accountId).executeTakeFirst();
      if (!account || account.domain !== null) return;
      const api = accountToApi(account, deps.app.urls);
      const person = await accountToPerson(ctx, account, {
        avatar: account.avatar_path ? api.avatar : null,
        header: account.header_path ? api.header : null,
      });
      await send(
        ctx,
        account,
        await remoteFollowerRecipients(deps, account.id),
        new Update({
          id: new URL(`${account.uri}#updates/${account.updated_at.getTime()}`),
          actor: new URL(account.uri),
          object: person,
          tos: [PUBLIC_COLLECTION],
        }),
      );
      return;
    }
    case "status.scheduled":
      // Not an activity yet: publishing the post records the status.created that federates it.
      return publishScheduledStatus(deps.app, intent.scheduledStatusId);
    case "help.route":
      // Not an activity either: the assistant's mentions federate as posts of their own.
      return routeHelpRequest(deps.app, intent.statusId);
    case "account.deleted": {
      // The account is kept as a suspended husk with its keys, so that it can sign its own Delete.
      const sender = await localAccount(deps, intent.accountId);
      if (!sender) return;
      const recipients: Recipient[] = mergeRecipients(
        await remoteFollowerRecipients(deps, sender.id),
        intent.inboxes
          .filter((inbox) => deps.wall.allowsUrl(inbox))
          .map((inbox) => ({ id: new URL(inbox), inboxId: new URL(inbox), endpoints: null })),
      );
      await send(
        ctx,
        sender,
        recipients,
        new Delete({
          id: new URL(`${intent.uri}#delete`),
          actor: new URL(intent.uri),
          object: new URL(intent.uri),
          tos: [PUBLIC_COLLECTION],
        }),
      );
      return;
    }
  }
}
