import { type Selectable, sql, type Transaction } from "kysely";
import { findAccountById } from "../../../db/repositories/accounts.ts";
import { loadRelationshipFacts } from "../../../db/repositories/follows.ts";
import { blockedEitherWay, silences } from "../../../db/repositories/relationships.ts";
import type { Account, Database, FollowRequestsTable } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import type { DomainEventMap } from "../../events.ts";
import { ApiError, forbidden, notFound } from "../../errors.ts";
import { type ApiRelationship, relationshipToApi } from "../../serializers/relationship.ts";
import { recordIntent } from "../federation/intents.ts";
import { leaveOwnerLists } from "../lists/lists.ts";
import { notifyLocal, publishNotifications } from "../notifications/notify.ts";

export interface FollowOptions {
  reblogs?: boolean;
  notify?: boolean;
  languages?: string[];
}

const BACKFILL = 400;

/** A follow that did not exist before, as the `follow.created` event carries it. */
export type NewFollow = DomainEventMap["follow.created"];

export async function relationships(
  context: AppContext,
  viewerId: string,
  targetIds: readonly string[],
): Promise<ApiRelationship[]> {
  const unique = [...new Set(targetIds)];
  const facts = await loadRelationshipFacts(context.db, viewerId, unique);
  return unique.map((id) => relationshipToApi(id, facts));
}

async function relationship(context: AppContext, viewerId: string, targetId: string): Promise<ApiRelationship> {
  const [result] = await relationships(context, viewerId, [targetId]);
  return result!;
}

async function targetAccount(context: AppContext, targetId: string): Promise<Account> {
  const target = await findAccountById(context.db, targetId);
  if (!target || target.suspended_at) throw notFound();
  return target;
}

async function adjustFollowCounts(trx: Transaction<Database>, followerId: string, targetId: string, delta: 1 | -1) {
  await trx
    .updateTable("accounts")
    .set((eb) => ({ following_count: eb("following_count", "+", delta) }))
    .where("id", "=", followerId)
    .execute();
  await trx
    .updateTable("accounts")
    .set((eb) => ({ followers_count: eb("followers_count", "+", delta) }))
    .where("id", "=", targetId)
    .execute();
}

/**
 * Brings the followed account's recent posts into the follower's home feed, leaving out replies
 * to people the follower does not follow and boosts the follow does not show, as the fan-out at
 * posting time does.
 */
async function backfillHome(trx: Transaction<Database>, followerId: string, targetId: string, showReblogs: boolean) {
  await sql`
    INSERT INTO home_feed (account_id, status_id, author_id)
    SELECT ${followerId}::bigint, s.id, s.account_id
    FROM statuses s
    WHERE s.account_id = ${targetId} AND s.visibility IN ('public', 'unlisted', 'private')
      AND (s.in_reply_to_account_id IS NULL OR s.in_reply_to_account_id IN (s.account_id, ${followerId}::bigint)
        OR EXISTS (
          SELECT 1 FROM follows rf
          WHERE rf.account_id = ${followerId}::bigint AND rf.target_account_id = s.in_reply_to_account_id
        ))
      -- Boosts only for a follow that shows them, and never of the follower's own posts.
      AND (s.reblog_of_id IS NULL OR (${showReblogs} AND NOT EXISTS (
        SELECT 1 FROM statuses o WHERE o.id = s.reblog_of_id AND o.account_id = ${followerId}::bigint
      )))
      -- Nothing the follower has muted or blocked, boosted or not.
      AND NOT ${silences(
        sql`${followerId}::bigint`,
        sql`ARRAY[s.account_id, (SELECT o.account_id FROM statuses o WHERE o.id = s.reblog_of_id)]`,
      )}
    ORDER BY s.id DESC
    LIMIT ${BACKFILL}
    ON CONFLICT DO NOTHING
  `.execute(trx);
}

/** Makes a follow that has been accepted (or needed no approval) real: row, counts, feed. */
export async function establishFollow(
  trx: Transaction<Database>,
  followerId: string,
  targetId: string,
  options: FollowOptions & { uri?: string | null },
): Promise<{ followId: string; created: boolean }> {
  const inserted = await trx
    .insertInto("follows")
    .values({
      account_id: followerId,
      target_account_id: targetId,
      show_reblogs: options.reblogs ?? true,
      notify: options.notify ?? false,
      languages: options.languages ? JSON.stringify(options.languages) : null,
      uri: options.uri ?? null,
    })
    .onConflict((conflict) => conflict.columns(["account_id", "target_account_id"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  if (!inserted) {
    const existing = await trx
      .selectFrom("follows")
      .select("id")
      .where("account_id", "=", followerId)
      .where("target_account_id", "=", targetId)
      .executeTakeFirstOrThrow();
    return { followId: existing.id, created: false };
  }
  await adjustFollowCounts(trx, followerId, targetId, 1);
  await backfillHome(trx, followerId, targetId, options.reblogs ?? true);
  return { followId: inserted.id, created: true };
}

/** The Follow activity's id for a local account's request: a fragment of the actor's URI, like its likes. */
const followUri = (follower: Account, requestId: string) => `${follower.uri}#follows/${requestId}`;

/**
 * Follows an account. A locked account gets a follow request instead, and so does every account
 * of a sibling campus: its campus answers (acceptOutgoingFollow, rejectOutgoingFollow), and until
 * then the relationship says `requested`, as Mastodon shows it. Following again only updates the
 * options (show boosts, notify, languages), as Mastodon does.
 */
export async function follow(
  context: AppContext,
  viewer: Account,
  targetId: string,
  options: FollowOptions,
): Promise<ApiRelationship> {
  if (targetId === viewer.id) throw new ApiError(403, "You cannot follow yourself");
  const target = await targetAccount(context, targetId);
  // As Mastodon: no follow across a block, whichever side made it.
  if (await blockedEitherWay(context.db, viewer.id, target.id)) throw forbidden();
  const remote = target.domain !== null;
  const changes = {
    ...(options.reblogs !== undefined ? { show_reblogs: options.reblogs } : {}),
    ...(options.notify !== undefined ? { notify: options.notify } : {}),
    ...(options.languages !== undefined ? { languages: JSON.stringify(options.languages) } : {}),
  };
  const { notifications, created } = await context.db.transaction().execute(async (trx) => {
    const nothing = { notifications: [], created: [] as NewFollow[] };
    const needsApproval = target.locked || remote;
    // A pending request is still pending, unless a local account has been unlocked since: then
    // the follow itself answers it.
    for (const table of needsApproval ? (["follows", "follow_requests"] as const) : (["follows"] as const)) {
      const existing = await trx
        .selectFrom(table)
        .select("id")
        .where("account_id", "=", viewer.id)
        .where("target_account_id", "=", target.id)
        .executeTakeFirst();
      if (!existing) continue;
      if (Object.keys(changes).length > 0) {
        await trx.updateTable(table).set(changes).where("id", "=", existing.id).execute();
      }
      return nothing;
    }
    if (needsApproval) {
      const { id: requestId } = await sql<{ id: string }>`SELECT timestamp_id() AS id`
        .execute(trx)
        .then((result) => result.rows[0]!);
      const request = await trx
        .insertInto("follow_requests")
        .values({
          id: requestId,
          account_id: viewer.id,
          target_account_id: target.id,
          show_reblogs: options.reblogs ?? true,
          notify: options.notify ?? false,
          languages: options.languages ? JSON.stringify(options.languages) : null,
          uri: remote ? followUri(viewer, requestId) : null,
        })
        .onConflict((conflict) => conflict.columns(["account_id", "target_account_id"]).doNothing())
        .returning("id")
        .executeTakeFirst();
      if (!request) return nothing;
      if (remote) {
        await recordIntent(trx, { type: "follow.requested", requestId, accountId: viewer.id });
        return nothing;
      }
      return {
        notifications: await notifyLocal(trx, [
          { accountId: target.id, fromAccountId: viewer.id, type: "follow_request" },
        ]),
        created: [],
      };
    }
    await trx
      .deleteFrom("follow_requests")
      .where("account_id", "=", viewer.id)
      .where("target_account_id", "=", target.id)
      .execute();
    await deleteRequestNotification(trx, target.id, viewer.id);
    const follow = await establishFollow(trx, viewer.id, target.id, options);
    if (!follow.created) return nothing;
    return {
      notifications: await notifyLocal(trx, [{ accountId: target.id, fromAccountId: viewer.id, type: "follow" }]),
      created: [{ followId: follow.followId, accountId: viewer.id, targetAccountId: target.id }],
    };
  });
  publishFollows(context, created);
  publishNotifications(context, notifications);
  return relationship(context, viewer.id, target.id);
}

/**
 * Ends a follow that exists: counts, and the followed account's posts and boosts leave home. The
 * account also leaves the follower's lists (lists hold only followed accounts, as Mastodon's).
 */
export async function removeFollow(
  trx: Transaction<Database>,
  followerId: string,
  targetId: string,
): Promise<{ uri: string | null } | undefined> {
  await leaveOwnerLists(trx, followerId, targetId);
  const removed = await trx
    .deleteFrom("follows")
    .where("account_id", "=", followerId)
    .where("target_account_id", "=", targetId)
    .returning("uri")
    .executeTakeFirst();
  if (!removed) return undefined;
  await adjustFollowCounts(trx, followerId, targetId, -1);
  await trx.deleteFrom("home_feed").where("account_id", "=", followerId).where("author_id", "=", targetId).execute();
  return removed;
}

/**
 * Removes a follow (or withdraws a pending request) and the followed account's posts from the
 * home feed. For an account of a sibling campus, its campus is told (Undo(Follow)).
 */
export async function unfollow(context: AppContext, viewer: Account, targetId: string): Promise<ApiRelationship> {
  const target = await targetAccount(context, targetId);
  await context.db.transaction().execute(async (trx) => {
    const withdrawn = await trx
      .deleteFrom("follow_requests")
      .where("account_id", "=", viewer.id)
      .where("target_account_id", "=", target.id)
      .returning("uri")
      .executeTakeFirst();
    if (withdrawn) await deleteRequestNotification(trx, target.id, viewer.id);
    const removed = await removeFollow(trx, viewer.id, target.id);
    if (target.domain !== null && (removed || withdrawn)) {
      await recordIntent(trx, {
        type: "follow.undone",
        uri: removed?.uri ?? withdrawn?.uri ?? null,
        accountId: viewer.id,
        targetAccountId: target.id,
      });
    }
  });
  return relationship(context, viewer.id, target.id);
}

/** A decided or withdrawn request has nothing left to ask: its notification goes with it. */
async function deleteRequestNotification(trx: Transaction<Database>, targetId: string, requesterId: string) {
  await trx
    .deleteFrom("notifications")
    .where("account_id", "=", targetId)
    .where("from_account_id", "=", requesterId)
    .where("type", "=", "follow_request")
    .execute();
}

/** Turns a pending request into a follow, with the options it was made with. */
async function acceptRequest(
  trx: Transaction<Database>,
  request: Selectable<FollowRequestsTable>,
): Promise<NewFollow | null> {
  const { followId, created } = await establishFollow(trx, request.account_id, request.target_account_id, {
    reblogs: request.show_reblogs,
    notify: request.notify,
    languages: request.languages ?? undefined,
    uri: request.uri,
  });
  return created ? { followId, accountId: request.account_id, targetAccountId: request.target_account_id } : null;
}

/** A remote requester's campus learns the answer (Accept or Reject of its Follow). */
async function announceDecision(
  trx: Transaction<Database>,
  request: Selectable<FollowRequestsTable>,
  accepted: boolean,
): Promise<void> {
  const requester = await trx
    .selectFrom("accounts")
    .select("domain")
    .where("id", "=", request.account_id)
    .executeTakeFirst();
  if (!requester || requester.domain === null) return;
  await recordIntent(trx, {
    type: "follow.decided",
    accepted,
    followUri: request.uri,
    accountId: request.target_account_id,
    targetAccountId: request.account_id,
  });
}

/** Accepts or rejects a pending follow request addressed to the viewer. */
export async function decideFollowRequest(
  context: AppContext,
  viewer: Account,
  requesterId: string,
  accept: boolean,
): Promise<ApiRelationship> {
  const created = await context.db.transaction().execute(async (trx) => {
    const request = await trx
      .deleteFrom("follow_requests")
      .where("account_id", "=", requesterId)
      .where("target_account_id", "=", viewer.id)
      .returningAll()
      .executeTakeFirst();
    if (!request) throw notFound();
    await deleteRequestNotification(trx, viewer.id, requesterId);
    await announceDecision(trx, request, accept);
    return accept ? await acceptRequest(trx, request) : null;
  });
  publishFollows(context, created ? [created] : []);
  return relationship(context, viewer.id, requesterId);
}

/**
 * Accepts every pending request addressed to an account, as Mastodon does when an account is
 * unlocked: nobody is left waiting for an approval that is no longer asked for.
 */
export async function acceptAllFollowRequests(trx: Transaction<Database>, accountId: string): Promise<NewFollow[]> {
  const pending = await trx
    .deleteFrom("follow_requests")
    .where("target_account_id", "=", accountId)
    .returningAll()
    .execute();
  const created: NewFollow[] = [];
  for (const request of pending) {
    await deleteRequestNotification(trx, accountId, request.account_id);
    await announceDecision(trx, request, true);
    const follow = await acceptRequest(trx, request);
    if (follow) created.push(follow);
  }
  return created;
}

/** Which outgoing follow a sibling campus answers: by its Follow's id, or by who follows whom. */
export type OutgoingFollowRef = { requestUri: string } | { followerId: string; targetId: string };

/**
 * A sibling campus accepted a local account's follow of one of its accounts: the pending request
 * becomes a follow (counts, home backfill, the `follow.created` event). Returns false when there
 * was no such request (already accepted, withdrawn, or never made).
 */
export async function acceptOutgoingFollow(context: AppContext, ref: OutgoingFollowRef): Promise<boolean> {
  const created = await context.db.transaction().execute(async (trx) => {
    const request = await trx
      .deleteFrom("follow_requests")
      .where((eb) =>
        "requestUri" in ref
          ? eb("uri", "=", ref.requestUri)
          : eb.and([eb("account_id", "=", ref.followerId), eb("target_account_id", "=", ref.targetId)]),
      )
      // Only a local account's request to a remote one is answered this way.
      .where((eb) =>
        eb.and([
          eb.exists(
            eb
              .selectFrom("accounts as follower")
              .select("follower.id")
              .whereRef("follower.id", "=", "follow_requests.account_id")
              .where("follower.domain", "is", null),
          ),
          eb.exists(
            eb
              .selectFrom("accounts as target")
              .select("target.id")
              .whereRef("target.id", "=", "follow_requests.target_account_id")
              .where("target.domain", "is not", null),
          ),
        ]),
      )
      .returningAll()
      .executeTakeFirst();
    if (!request) return null;
    return { follow: await acceptRequest(trx, request) };
  });
  if (!created) return false;
  publishFollows(context, created.follow ? [created.follow] : []);
  return true;
}

/**
 * A sibling campus rejected a local account's follow: the pending request goes, and so does the
 * follow if it had been accepted before (Mastodon's way for a remote account to remove a
 * follower). Returns false when there was neither.
 */
export async function rejectOutgoingFollow(context: AppContext, ref: OutgoingFollowRef): Promise<boolean> {
  return context.db.transaction().execute(async (trx) => {
    const local = (table: "follows" | "follow_requests") =>
      trx
        .selectFrom(`${table} as r`)
        .innerJoin("accounts as follower", "follower.id", "r.account_id")
        .innerJoin("accounts as target", "target.id", "r.target_account_id")
        .select(["r.account_id", "r.target_account_id"])
        .where("follower.domain", "is", null)
        .where("target.domain", "is not", null)
        .where((eb) =>
          "requestUri" in ref
            ? eb("r.uri", "=", ref.requestUri)
            : eb.and([eb("r.account_id", "=", ref.followerId), eb("r.target_account_id", "=", ref.targetId)]),
        )
        .executeTakeFirst();
    const pair = (await local("follow_requests")) ?? (await local("follows"));
    if (!pair) return false;
    await trx
      .deleteFrom("follow_requests")
      .where("account_id", "=", pair.account_id)
      .where("target_account_id", "=", pair.target_account_id)
      .execute();
    await removeFollow(trx, pair.account_id, pair.target_account_id);
    return true;
  });
}

/** Announces follows that now exist; call after their transaction has committed. */
export function publishFollows(context: AppContext, follows: readonly NewFollow[]): void {
  for (const follow of follows) context.events.emit("follow.created", follow);
}
