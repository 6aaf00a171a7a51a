import { type Selectable, sql, type Transaction } from "kysely";
import { findAccountById } from "../../../db/repositories/accounts.ts";
import { loadRelationshipFacts } from "../../../db/repositories/follows.ts";
import { insertNotifications } from "../../../db/repositories/notifications.ts";
import type { Account, Database, FollowRequestsTable } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import type { DomainEventMap } from "../../events.ts";
import { ApiError, notFound } from "../../errors.ts";
import { type ApiRelationship, relationshipToApi } from "../../serializers/relationship.ts";

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
 * to people the follower does not follow, as the fan-out at posting time does.
 */
async function backfillHome(trx: Transaction<Database>, followerId: string, targetId: string) {
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
  await backfillHome(trx, followerId, targetId);
  return { followId: inserted.id, created: true };
}

/**
 * Follows an account. A locked account gets a follow request instead; following again only
 * updates the options (show boosts, notify, languages), as Mastodon does.
 */
export async function follow(
  context: AppContext,
  viewer: Account,
  targetId: string,
  options: FollowOptions,
): Promise<ApiRelationship> {
  if (targetId === viewer.id) throw new ApiError(403, "You cannot follow yourself");
  const target = await targetAccount(context, targetId);
  const { notifications, created } = await context.db.transaction().execute(async (trx) => {
    const nothing = { notifications: [], created: [] as NewFollow[] };
    const existing = await trx
      .selectFrom("follows")
      .select("id")
      .where("account_id", "=", viewer.id)
      .where("target_account_id", "=", target.id)
      .executeTakeFirst();
    if (existing) {
      const changes = {
        ...(options.reblogs !== undefined ? { show_reblogs: options.reblogs } : {}),
        ...(options.notify !== undefined ? { notify: options.notify } : {}),
        ...(options.languages !== undefined ? { languages: JSON.stringify(options.languages) } : {}),
      };
      if (Object.keys(changes).length > 0) {
        await trx.updateTable("follows").set(changes).where("id", "=", existing.id).execute();
      }
      return nothing;
    }
    if (target.locked) {
      const request = await trx
        .insertInto("follow_requests")
        .values({
          account_id: viewer.id,
          target_account_id: target.id,
          show_reblogs: options.reblogs ?? true,
          notify: options.notify ?? false,
          languages: options.languages ? JSON.stringify(options.languages) : null,
        })
        .onConflict((conflict) => conflict.columns(["account_id", "target_account_id"]).doNothing())
        .returning("id")
        .executeTakeFirst();
      if (!request || target.domain !== null) return nothing;
      return {
        notifications: await insertNotifications(trx, [
          { accountId: target.id, fromAccountId: viewer.id, type: "follow_request" },
        ]),
        created: [],
      };
    }
    // A request left from when the account was locked is answered by the follow itself.
    await trx
      .deleteFrom("follow_requests")
      .where("account_id", "=", viewer.id)
      .where("target_account_id", "=", target.id)
      .execute();
    await deleteRequestNotification(trx, target.id, viewer.id);
    const follow = await establishFollow(trx, viewer.id, target.id, options);
    if (!follow.created) return nothing;
    const created = [{ followId: follow.followId, accountId: viewer.id, targetAccountId: target.id }];
    if (target.domain !== null) return { notifications: [], created };
    return {
      notifications: await insertNotifications(trx, [
        { accountId: target.id, fromAccountId: viewer.id, type: "follow" },
      ]),
      created,
    };
  });
  publishFollows(context, created);
  for (const notification of notifications) {
    context.events.emit("notification.created", {
      notificationId: notification.id,
      accountId: notification.account_id,
    });
  }
  return relationship(context, viewer.id, target.id);
}

/** Removes a follow (or a pending request) and the followed account's posts from the home feed. */
export async function unfollow(context: AppContext, viewer: Account, targetId: string): Promise<ApiRelationship> {
  const target = await targetAccount(context, targetId);
  await context.db.transaction().execute(async (trx) => {
    const withdrawn = await trx
      .deleteFrom("follow_requests")
      .where("account_id", "=", viewer.id)
      .where("target_account_id", "=", target.id)
      .returning("id")
      .executeTakeFirst();
    if (withdrawn) await deleteRequestNotification(trx, target.id, viewer.id);
    const removed = await trx
      .deleteFrom("follows")
      .where("account_id", "=", viewer.id)
      .where("target_account_id", "=", target.id)
      .returning("id")
      .executeTakeFirst();
    if (!removed) return;
    await adjustFollowCounts(trx, viewer.id, target.id, -1);
    await trx
      .deleteFrom("home_feed")
      .where("account_id", "=", viewer.id)
      .where("author_id", "=", target.id)
      .execute();
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
    const follow = await acceptRequest(trx, request);
    if (follow) created.push(follow);
  }
  return created;
}

/** Announces follows that now exist; call after their transaction has committed. */
export function publishFollows(context: AppContext, follows: readonly NewFollow[]): void {
  for (const follow of follows) context.events.emit("follow.created", follow);
}
