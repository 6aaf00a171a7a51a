// Posts, boosts and favourites that arrive from sibling campuses. Each is idempotent by its
// ActivityPub id: a redelivered activity changes nothing the second time.
import { sql } from "kysely";
import { insertNotifications } from "../../../db/repositories/notifications.ts";
import { blockedEitherWay } from "../../../db/repositories/relationships.ts";
import { setStatusTags } from "../../../db/repositories/tags.ts";
import type { Status, Visibility } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { currentStatusMedia, statusMediaSnapshot } from "../media/attach.ts";
import { applyRemoteMedia, prepareRemoteMedia, type RemoteMediaInput } from "../media/remote.ts";
import { sweepUnattachedMedia } from "../media/sweep.ts";
import { insertPoll } from "../polls/new-poll.ts";
import { type RemotePollInput, remotePollValues } from "../polls/remote.ts";
import { publishConversations } from "../conversations/conversations.ts";
import { noteHelpActivity } from "../help/requests.ts";
import { fanOutToHomeFeeds } from "../statuses/fan-out.ts";
import { normalizeTag } from "../statuses/text.ts";

export interface RemoteStatusInput {
  uri: string;
  url: string;
  accountId: string;
  content: string;
  spoilerText: string;
  sensitive: boolean;
  visibility: Visibility;
  language: string | null;
  inReplyTo: { id: string; accountId: string } | null;
  /** Accounts (local or remote) the post mentions, already stored. */
  mentionIds: string[];
  tags: string[];
  publishedAt: Date;
  editedAt: Date | null;
  /** The poll of a Question. */
  poll?: RemotePollInput | null;
  /** The post's attachments, in order. */
  media?: RemoteMediaInput[];
}

type Notified = { id: string; account_id: string }[];

/** A sibling's hashtag names as tags: normalized, each with the spelling its author used. */
function remoteTags(names: readonly string[]): { name: string; displayName: string }[] {
  return names.map((name) => ({ name: normalizeTag(name), displayName: name }));
}

function emitNotifications(context: AppContext, notified: Notified): void {
  for (const notification of notified) {
    context.events.emit("notification.created", {
      notificationId: notification.id,
      accountId: notification.account_id,
    });
  }
}

/** Local accounts among `ids` (notifications go to local people only). */
async function localAmong(context: AppContext, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await context.db
    .selectFrom("accounts")
    .select("id")
    .where("id", "in", ids)
    .where("domain", "is", null)
    .execute();
  return rows.map((row) => row.id);
}

export async function findStatusByUri(context: AppContext, uri: string): Promise<Status | undefined> {
  return context.db.selectFrom("statuses").selectAll().where("uri", "=", uri).executeTakeFirst();
}

/** Stores a sibling's post, fans it out to local followers and notifies local people mentioned. */
export async function receiveRemoteStatus(
  context: AppContext,
  input: RemoteStatusInput,
): Promise<{ statusId: string; created: boolean }> {
  const existing = await findStatusByUri(context, input.uri);
  if (existing) return { statusId: existing.id, created: false };
  const localMentioned = await localAmong(context, input.mentionIds);
  // Files are fetched from the sibling before the transaction opens.
  const media = await prepareRemoteMedia(context, input.media ?? []);
  const result = await context.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto("statuses")
      .values({
        id: sql<string>`timestamp_id(${input.publishedAt})`,
        uri: input.uri,
        url: input.url,
        account_id: input.accountId,
        local: false,
        content: input.content,
        spoiler_text: input.spoilerText,
        sensitive: input.sensitive,
        visibility: input.visibility,
        language: input.language,
        in_reply_to_id: input.inReplyTo?.id ?? null,
        in_reply_to_account_id: input.inReplyTo?.accountId ?? null,
        created_at: input.publishedAt,
        edited_at: input.editedAt,
        fetched_at: new Date(),
      })
      .onConflict((conflict) => conflict.column("uri").doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) return null;
    if (input.mentionIds.length > 0) {
      await trx
        .insertInto("mentions")
        .values([...new Set(input.mentionIds)].map((accountId) => ({ status_id: inserted.id, account_id: accountId })))
        .execute();
    }
    await setStatusTags(trx, inserted.id, remoteTags(input.tags));
    // The same rule as for local posts: a sibling's request, or its asker's #solved reply.
    await noteHelpActivity(trx, context, inserted);
    await applyRemoteMedia(trx, inserted.id, input.accountId, media);
    if (input.poll) await insertPoll(trx, inserted.id, input.accountId, remotePollValues(input.poll));
    if (input.visibility !== "direct") {
      await trx
        .updateTable("accounts")
        .set((eb) => ({ statuses_count: eb("statuses_count", "+", 1), last_status_at: input.publishedAt }))
        .where("id", "=", input.accountId)
        .execute();
      if (input.inReplyTo) {
        await trx
          .updateTable("statuses")
          .set((eb) => ({ replies_count: eb("replies_count", "+", 1) }))
          .where("id", "=", input.inReplyTo.id)
          .execute();
      }
    }
    await fanOutToHomeFeeds(trx, inserted, { mentionedIds: localMentioned, authorIsLocal: false });
    const subscribers =
      input.visibility === "direct" || (input.inReplyTo && input.inReplyTo.accountId !== input.accountId)
        ? []
        : await trx
            .selectFrom("follows as f")
            .innerJoin("accounts as a", "a.id", "f.account_id")
            .select("f.account_id")
            .where("f.target_account_id", "=", input.accountId)
            .where("f.notify", "=", true)
            .where("a.domain", "is", null)
            .execute();
    const notified = await insertNotifications(trx, [
      ...localMentioned.map((accountId) => ({
        accountId,
        fromAccountId: input.accountId,
        type: "mention" as const,
        statusId: inserted.id,
      })),
      ...subscribers
        .filter((row) => !localMentioned.includes(row.account_id))
        .map((row) => ({
          accountId: row.account_id,
          fromAccountId: input.accountId,
          type: "status" as const,
          statusId: inserted.id,
        })),
    ]);
    return { statusId: inserted.id, notified };
  }).catch(async (error: unknown) => {
    await media.discard();
    throw error;
  });
  if (!result) {
    await media.discard();
    const raced = await findStatusByUri(context, input.uri);
    return { statusId: raced!.id, created: false };
  }
  context.events.emit("status.created", { statusId: result.statusId, accountId: input.accountId });
  if (input.visibility === "direct") await publishConversations(context, result.statusId);
  emitNotifications(context, result.notified);
  return { statusId: result.statusId, created: true };
}

/**
 * Applies an edit made on the sibling campus: the earlier version goes to the history, local
 * people mentioned for the first time are notified, and local people who boosted it get an
 * `update` notification, as Mastodon sends.
 */
export async function updateRemoteStatus(
  context: AppContext,
  input: RemoteStatusInput,
): Promise<boolean> {
  const current = await findStatusByUri(context, input.uri);
  if (!current || current.account_id !== input.accountId) return false;
  // An older or repeated Update changes nothing.
  const editedAt = input.editedAt ?? new Date();
  if (current.edited_at && current.edited_at.getTime() >= editedAt.getTime()) return false;
  const localMentioned = await localAmong(context, input.mentionIds);
  const media = input.media
    ? await prepareRemoteMedia(context, input.media, await currentStatusMedia(context.db, current.id))
    : null;
  const notified = await context.db.transaction().execute(async (trx) => {
    await trx
      .insertInto("status_edits")
      .values({
        status_id: current.id,
        text: current.text,
        content: current.content,
        spoiler_text: current.spoiler_text,
        sensitive: current.sensitive,
        created_at: current.edited_at ?? current.created_at,
        media: JSON.stringify(await statusMediaSnapshot(trx, current.id)),
      })
      .execute();
    await trx
      .updateTable("statuses")
      .set({
        content: input.content,
        spoiler_text: input.spoilerText,
        sensitive: input.sensitive,
        language: input.language,
        edited_at: editedAt,
        updated_at: new Date(),
        fetched_at: new Date(),
      })
      .where("id", "=", current.id)
      .execute();
    const previous = await trx.selectFrom("mentions").select("account_id").where("status_id", "=", current.id).execute();
    const before = new Set(previous.map((row) => row.account_id));
    const added = [...new Set(input.mentionIds)].filter((id) => !before.has(id));
    if (added.length > 0) {
      await trx
        .insertInto("mentions")
        .values(added.map((accountId) => ({ status_id: current.id, account_id: accountId })))
        .execute();
    }
    await setStatusTags(trx, current.id, remoteTags(input.tags), { replace: true });
    if (media) await applyRemoteMedia(trx, current.id, input.accountId, media);
    const boosters = await trx
      .selectFrom("statuses as b")
      .innerJoin("accounts as a", "a.id", "b.account_id")
      .select("b.account_id")
      .distinct()
      .where("b.reblog_of_id", "=", current.id)
      .where("a.domain", "is", null)
      .execute();
    return insertNotifications(trx, [
      ...localMentioned
        .filter((id) => added.includes(id))
        .map((accountId) => ({ accountId, fromAccountId: input.accountId, type: "mention" as const, statusId: current.id })),
      ...boosters.map((row) => ({
        accountId: row.account_id,
        fromAccountId: input.accountId,
        type: "update" as const,
        statusId: current.id,
      })),
    ]);
  }).catch(async (error: unknown) => {
    await media?.discard();
    throw error;
  });
  context.events.emit("status.updated", { statusId: current.id, accountId: input.accountId });
  emitNotifications(context, notified);
  return true;
}

/** Deletes a sibling's post (or boost) when its author asks; anyone else's Delete is ignored. */
export async function deleteRemoteStatus(context: AppContext, uri: string, actorAccountId: string): Promise<boolean> {
  const deleted = await context.db.transaction().execute(async (trx) => {
    const gone = await trx
      .deleteFrom("statuses")
      .where("uri", "=", uri)
      .where("account_id", "=", actorAccountId)
      .where("local", "=", false)
      .returning(["id", "visibility", "in_reply_to_id", "reblog_of_id"])
      .executeTakeFirst();
    if (!gone) return null;
    if (gone.reblog_of_id) {
      await trx
        .updateTable("statuses")
        .set((eb) => ({ reblogs_count: eb("reblogs_count", "-", 1) }))
        .where("id", "=", gone.reblog_of_id)
        .where("reblogs_count", ">", 0)
        .execute();
    } else if (gone.visibility !== "direct") {
      await trx
        .updateTable("accounts")
        .set((eb) => ({ statuses_count: eb("statuses_count", "-", 1) }))
        .where("id", "=", actorAccountId)
        .where("statuses_count", ">", 0)
        .execute();
      if (gone.in_reply_to_id) {
        await trx
          .updateTable("statuses")
          .set((eb) => ({ replies_count: eb("replies_count", "-", 1) }))
          .where("id", "=", gone.in_reply_to_id)
          .where("replies_count", ">", 0)
          .execute();
      }
    }
    return gone;
  });
  if (!deleted) return false;
  context.events.emit("status.deleted", {
    statusId: deleted.id,
    accountId: actorAccountId,
    uri,
    visibility: deleted.visibility,
  });
  // Our copies of its attachments go too (the rows are unattached now).
  sweepUnattachedMedia(context, { force: true }).catch((error: unknown) =>
    context.log.warn({ err: error }, "sweeping unattached media failed"),
  );
  return true;
}

/** A sibling's boost of a post we hold: a status row pointing at the original. */
export async function receiveRemoteReblog(
  context: AppContext,
  input: { uri: string; accountId: string; originalId: string; visibility: Visibility; publishedAt: Date },
): Promise<boolean> {
  if (await findStatusByUri(context, input.uri)) return false;
  const original = await context.db
    .selectFrom("statuses as s")
    .innerJoin("accounts as a", "a.id", "s.account_id")
    .select(["s.id", "s.account_id", "a.domain"])
    .where("s.id", "=", input.originalId)
    .executeTakeFirst();
  if (!original) return false;
  const result = await context.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto("statuses")
      .values({
        id: sql<string>`timestamp_id(${input.publishedAt})`,
        uri: input.uri,
        url: input.uri,
        account_id: input.accountId,
        local: false,
        visibility: input.visibility,
        reblog_of_id: original.id,
        language: null,
        created_at: input.publishedAt,
        fetched_at: new Date(),
      })
      .onConflict((conflict) => conflict.column("uri").doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) return null;
    await trx
      .updateTable("statuses")
      .set((eb) => ({ reblogs_count: eb("reblogs_count", "+", 1) }))
      .where("id", "=", original.id)
      .execute();
    await fanOutToHomeFeeds(trx, inserted, { mentionedIds: [], authorIsLocal: false });
    const notified =
      original.domain === null
        ? await insertNotifications(trx, [
            { accountId: original.account_id, fromAccountId: input.accountId, type: "reblog", statusId: original.id },
          ])
        : [];
    return { statusId: inserted.id, notified };
  });
  if (!result) return false;
  context.events.emit("status.created", { statusId: result.statusId, accountId: input.accountId });
  emitNotifications(context, result.notified);
  return true;
}

/** A sibling's favourite of a post we hold; the local author is notified. */
export async function receiveRemoteFavourite(
  context: AppContext,
  input: { uri: string; accountId: string; statusId: string },
): Promise<boolean> {
  const status = await context.db
    .selectFrom("statuses as s")
    .innerJoin("accounts as a", "a.id", "s.account_id")
    .select(["s.id", "s.account_id", "a.domain"])
    .where("s.id", "=", input.statusId)
    .executeTakeFirst();
  if (!status) return false;
  // Someone the author blocks (or who blocks the author) cannot favourite the author's posts.
  if (await blockedEitherWay(context.db, input.accountId, status.account_id)) return false;
  const notified = await context.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto("favourites")
      .values({ account_id: input.accountId, status_id: status.id, uri: input.uri })
      .onConflict((conflict) => conflict.doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) return null;
    await trx
      .updateTable("statuses")
      .set((eb) => ({ favourites_count: eb("favourites_count", "+", 1) }))
      .where("id", "=", status.id)
      .execute();
    return status.domain === null
      ? insertNotifications(trx, [
          { accountId: status.account_id, fromAccountId: input.accountId, type: "favourite", statusId: status.id },
        ])
      : [];
  });
  if (!notified) return false;
  emitNotifications(context, notified);
  return true;
}

/** Undo(Like) from a sibling: by the Like's id, or by who liked what when the id is unknown. */
export async function undoRemoteFavourite(
  context: AppContext,
  input: { uri: string | null; accountId: string; statusId: string | null },
): Promise<boolean> {
  return context.db.transaction().execute(async (trx) => {
    let query = trx.deleteFrom("favourites").where("account_id", "=", input.accountId);
    if (input.uri) query = query.where("uri", "=", input.uri);
    else if (input.statusId) query = query.where("status_id", "=", input.statusId);
    else return false;
    const gone = await query.returning("status_id").executeTakeFirst();
    if (!gone) return false;
    await trx
      .updateTable("statuses")
      .set((eb) => ({ favourites_count: eb("favourites_count", "-", 1) }))
      .where("id", "=", gone.status_id)
      .where("favourites_count", ">", 0)
      .execute();
    await trx
      .deleteFrom("notifications")
      .where("from_account_id", "=", input.accountId)
      .where("status_id", "=", gone.status_id)
      .where("type", "=", "favourite")
      .execute();
    return true;
  });
}
