// Pinned posts across campuses, as Mastodon federates them: an account's featured collection
// lists its pins; pinning and unpinning send Add and Remove (target: the featured collection) to
// its followers on sibling campuses, who keep the pins of the people they know.
import type { Context, InboxContext } from "@fedify/fedify";
import { Add, Remove } from "@fedify/vocab";
import {
  pinRemoteStatus,
  replaceRemotePins,
  unpinRemoteStatus,
} from "../server/services/statuses/pins.ts";
import type { OutboxIntent } from "../server/services/federation/intents.ts";
import { findStatusByUri } from "../server/services/remote/statuses.ts";
import type { FederationDeps } from "./deps.ts";
import { remoteFollowerRecipients } from "./outgoing.ts";
import type { FederationResolver } from "./resolver.ts";

type PinIntent = Extract<OutboxIntent, { type: "pin.created" | "pin.deleted" }>;

/** Add (pin) or Remove (unpin) to the account's followers on sibling campuses. */
export async function deliverPin(deps: FederationDeps, ctx: Context<void>, intent: PinIntent): Promise<void> {
  const { db } = deps.app;
  const account = await db
    .selectFrom("accounts")
    .select(["id", "username", "uri", "domain"])
    .where("id", "=", intent.accountId)
    .executeTakeFirst();
  if (!account || account.domain !== null) return;
  let statusUri: string;
  if (intent.type === "pin.created") {
    const status = await db
      .selectFrom("statuses")
      .select(["uri", "account_id", "local_only", "visibility"])
      .where("id", "=", intent.statusId)
      .executeTakeFirst();
    if (!status || status.account_id !== account.id || status.local_only || status.visibility === "direct") return;
    statusUri = status.uri;
  } else {
    if (intent.localOnly || intent.visibility === "direct") return;
    statusUri = intent.statusUri;
  }
  const recipients = await remoteFollowerRecipients(deps, account.id);
  if (recipients.length === 0) return;
  const values = {
    // Pinning, unpinning and pinning again are three activities: each needs its own id.
    id: new URL(`${account.uri}#${intent.type === "pin.created" ? "pins" : "unpins"}/${Date.now()}`),
    actor: new URL(account.uri),
    object: new URL(statusUri),
    target: ctx.getFeaturedUri(account.username),
  };
  const activity = intent.type === "pin.created" ? new Add(values) : new Remove(values);
  await ctx.sendActivity({ identifier: account.username }, recipients, activity, {
    preferSharedInbox: true,
    orderingKey: account.uri,
  });
}

/**
 * Add/Remove whose target is the actor's own featured collection: pin or unpin one of its posts
 * (fetched from its campus when we do not have it yet). Anything else added or removed is
 * ignored here.
 */
export async function receivePinActivity(
  deps: FederationDeps,
  resolver: FederationResolver,
  _ctx: InboxContext<void>,
  activity: Add | Remove,
): Promise<void> {
  const actor = activity.actorId ? await resolver.accountByUri(activity.actorId.href) : null;
  const target = activity.targetId?.href;
  const objectUri = activity.objectId?.href;
  if (!actor || actor.domain === null || !actor.featured_url || target !== actor.featured_url || !objectUri) return;
  if (activity instanceof Add) {
    const statusId = await resolver.statusByUri(objectUri);
    if (statusId) await pinRemoteStatus(deps.app, actor.id, statusId);
    return;
  }
  const status = await findStatusByUri(deps.app, objectUri);
  if (status) await unpinRemoteStatus(deps.app, actor.id, status.id);
}

/** Stores the pins a sibling's account lists in its featured collection (when it can be read). */
export async function syncFeaturedCollection(
  deps: FederationDeps,
  resolver: FederationResolver,
  account: { id: string; featured_url: string | null },
): Promise<void> {
  if (!account.featured_url) return;
  const statusIds = await resolver.featuredStatusIds(account.featured_url);
  if (statusIds) await replaceRemotePins(deps.app, account.id, statusIds);
}
