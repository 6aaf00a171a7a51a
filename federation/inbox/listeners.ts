// One handler per activity type a sibling may send. Fedify has checked the signature and that
// the signer is the activity's actor; the bridge has checked that every host involved is
// allowlisted. Handlers resolve the accounts and posts involved and call the services.
import type { InboxContext } from "@fedify/fedify";
import {
  Accept,
  Add,
  Announce,
  Block,
  Create,
  Delete,
  Follow,
  isActor,
  Like,
  Reject,
  Remove,
  Undo,
  Update,
} from "@fedify/vocab";
import type { Account } from "../../db/schema.ts";
import { acceptOutgoingFollow, rejectOutgoingFollow } from "../../server/services/accounts/follows.ts";
import { deleteRemoteAccount } from "../../server/services/remote/accounts.ts";
import { receiveRemoteFollow, undoRemoteFollow } from "../../server/services/remote/follows.ts";
import {
  deleteRemoteStatus,
  findStatusByUri,
  receiveRemoteFavourite,
  receiveRemoteReblog,
  receiveRemoteStatus,
  undoRemoteFavourite,
  updateRemoteStatus,
} from "../../server/services/remote/statuses.ts";
import { removeRemotePoll, updateRemotePoll } from "../../server/services/polls/remote.ts";
import { receiveRemoteVote } from "../../server/services/polls/votes.ts";
import { receiveBlock, receiveUndoBlock } from "../blocks.ts";
import type { FederationDeps, HallwayFederation } from "../deps.ts";
import { receivePinActivity } from "../featured.ts";
import { INSTANCE_ACTOR } from "../mapping/actor.ts";
import { visibilityOf } from "../mapping/note.ts";
import type { FederationResolver } from "../resolver.ts";
import { toDate } from "../time.ts";
import { embeddedJson, isNote, noteToInput, objectId } from "./notes.ts";
import { voteOf } from "./polls.ts";

type Ctx = InboxContext<void>;

/** The local account an actor URI names, or null. */
async function localActor(deps: FederationDeps, ctx: Ctx, uri: URL | null): Promise<Account | null> {
  const parsed = ctx.parseUri(uri);
  if (parsed?.type !== "actor" || parsed.identifier === INSTANCE_ACTOR) return null;
  const account = await deps.app.db
    .selectFrom("accounts")
    .selectAll()
    .where("username", "=", parsed.identifier)
    .where("domain", "is", null)
    .executeTakeFirst();
  return account && !account.suspended_at ? account : null;
}

export function registerInbox(federation: HallwayFederation, deps: FederationDeps, resolver: FederationResolver): void {
  const { app } = deps;
  const sender = async (activity: { actorId: URL | null }) =>
    activity.actorId ? resolver.accountByUri(activity.actorId.href) : null;
  const options = () => resolver.loaderOptions();

  federation
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    // Fetches made while handling an activity are signed by the instance actor.
    .setSharedKeyDispatcher(() => ({ identifier: INSTANCE_ACTOR }))
    .on(Follow, async (ctx, follow) => {
      const actor = await sender(follow);
      const target = await localActor(deps, ctx, follow.objectId);
      if (!actor || !target || !follow.id) return;
      await receiveRemoteFollow(app, { followerId: actor.id, targetId: target.id, uri: follow.id.href });
    })
    .on(Accept, async (ctx, accept) => {
      const actor = await sender(accept);
      // The Follow is ours; reading it embedded avoids fetching our own object back unsigned.
      const follow = await accept.getObject({ ...options(), crossOrigin: "trust" }).catch(() => null);
      if (!actor || !(follow instanceof Follow)) return;
      const follower = await localActor(deps, ctx, follow.actorId);
      if (!follower || follow.objectId?.href !== actor.uri) return;
      await acceptOutgoingFollow(app, { followerId: follower.id, targetId: actor.id });
    })
    .on(Reject, async (ctx, reject) => {
      const actor = await sender(reject);
      const follow = await reject.getObject({ ...options(), crossOrigin: "trust" }).catch(() => null);
      if (!actor || !(follow instanceof Follow)) return;
      const follower = await localActor(deps, ctx, follow.actorId);
      if (!follower || follow.objectId?.href !== actor.uri) return;
      await rejectOutgoingFollow(app, { followerId: follower.id, targetId: actor.id });
    })
    .on(Create, async (_ctx, create) => {
      const actor = await sender(create);
      const object = await create.getObject(options());
      if (!actor || !isNote(object) || object.attributionId?.href !== actor.uri) return;
      // A Note naming an option of one of our polls, in reply to it, is a vote (Mastodon's way).
      const vote = voteOf(object);
      if (vote && (await receiveRemoteVote(app, { ...vote, accountId: actor.id }))) return;
      const input = await noteToInput(resolver, object, 0, await embeddedJson(create, object.id));
      if (input) await receiveRemoteStatus(app, input);
    })
    .on(Update, async (_ctx, update) => {
      const actor = await sender(update);
      const object = await update.getObject(options());
      if (!actor) return;
      if (isActor(object)) {
        if (object.id?.href === actor.uri) await resolver.storeActor(object);
        return;
      }
      if (!isNote(object) || object.attributionId?.href !== actor.uri) return;
      const input = await noteToInput(resolver, object, 0, await embeddedJson(update, object.id));
      if (!input) return;
      if (!(await findStatusByUri(app, input.uri))) await receiveRemoteStatus(app, input);
      else {
        // A Question comes again whenever its results change; only a newer `updated` is an edit.
        const edited = !input.poll || input.editedAt ? await updateRemoteStatus(app, input) : false;
        if (input.poll) await updateRemotePoll(app, { statusUri: input.uri, accountId: actor.id, poll: input.poll });
        // An edit that sends a Note where there was a Question took the poll away.
        else if (edited) await removeRemotePoll(app, { statusUri: input.uri, accountId: actor.id });
      }
    })
    .on(Delete, async (_ctx, del) => {
      const actorUri = del.actorId?.href;
      const target = del.objectId?.href;
      if (!actorUri || !target) return;
      if (target === actorUri) {
        await deleteRemoteAccount(app.db, actorUri);
        return;
      }
      // Deleting does not need a fresh profile: only a stored author can have stored posts.
      const actor = await app.db.selectFrom("accounts").select("id").where("uri", "=", actorUri).executeTakeFirst();
      if (actor) await deleteRemoteStatus(app, target, actor.id);
    })
    .on(Announce, async (_ctx, announce) => {
      const actor = await sender(announce);
      const originalUri = announce.objectId?.href;
      if (!actor || !announce.id || !originalUri) return;
      const originalId = await resolver.statusByUri(originalUri);
      if (!originalId) return;
      await receiveRemoteReblog(app, {
        uri: announce.id.href,
        accountId: actor.id,
        originalId,
        visibility: visibilityOf(announce.toIds, announce.ccIds, actor.followers_url),
        publishedAt: toDate(announce.published) ?? new Date(),
      });
    })
    .on(Like, async (_ctx, like) => {
      const actor = await sender(like);
      const statusUri = like.objectId?.href;
      if (!actor || !like.id || !statusUri) return;
      const status = await findStatusByUri(app, statusUri);
      if (!status) return;
      await receiveRemoteFavourite(app, { uri: like.id.href, accountId: actor.id, statusId: status.id });
    })
    .on(Undo, async (ctx, undo) => {
      const actor = await sender(undo);
      if (!actor) return;
      const object = await undo.getObject({ ...options(), crossOrigin: "trust" }).catch(() => null);
      // What is undone must be the actor's own activity.
      const undoneActor = object && "actorId" in object ? (object.actorId as URL | null) : null;
      if (!object || undoneActor?.href !== actor.uri) return;
      if (object instanceof Follow) {
        const target = await localActor(deps, ctx, object.objectId);
        if (target) await undoRemoteFollow(app, { followerId: actor.id, targetId: target.id });
      } else if (object instanceof Announce) {
        const id = objectId(object);
        if (id) await deleteRemoteStatus(app, id, actor.id);
      } else if (object instanceof Like) {
        const statusUri = object.objectId?.href;
        const status = statusUri ? await findStatusByUri(app, statusUri) : undefined;
        await undoRemoteFavourite(app, { uri: objectId(object), accountId: actor.id, statusId: status?.id ?? null });
      } else if (object instanceof Block) {
        await receiveUndoBlock(deps, ctx, actor, object);
      }
    })
    .on(Block, async (ctx, block) => {
      const actor = await sender(block);
      if (actor) await receiveBlock(deps, ctx, actor, block);
    })
    // Pins and unpins (the target is the actor's featured collection).
    .on(Add, (ctx, add) => receivePinActivity(deps, resolver, ctx, add))
    .on(Remove, (ctx, remove) => receivePinActivity(deps, resolver, ctx, remove))
    .onError((_ctx, error) => {
      app.log.warn({ err: error }, "an incoming activity could not be processed");
    });
}
