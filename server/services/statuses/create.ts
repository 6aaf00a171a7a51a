import { sql } from "kysely";
import { visibleTo } from "../../../db/repositories/statuses.ts";
import { setStatusTags } from "../../../db/repositories/tags.ts";
import type { Account, Status, Visibility } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { ApiError, unprocessable } from "../../errors.ts";
import { publishConversations } from "../conversations/conversations.ts";
import { recordIntent } from "../federation/intents.ts";
import { checkPostMedia, setStatusMedia } from "../media/attach.ts";
import { notifyLocal, publishNotifications } from "../notifications/notify.ts";
import { insertPoll, type NewPollInput, validatePoll } from "../polls/new-poll.ts";
import { noteHelpActivity, withHelpTag } from "../help/requests.ts";
import { fanOutToHomeFeeds } from "./fan-out.ts";
import { textToHtml } from "./html.ts";
import { mentionLookup, resolveMentions } from "./mentions.ts";
import { countedLength, extractHashtags, normalizeTag } from "./text.ts";

export interface NewStatusInput {
  status?: string;
  spoilerText?: string;
  sensitive?: boolean;
  visibility?: Visibility;
  language?: string;
  inReplyToId?: string;
  /** Kept on this campus: never federated (GoToSocial's and Hometown's local-only posts). */
  localOnly?: boolean;
  idempotencyKey?: string;
  applicationId: string | null;
  /** The author's own uploads, in order (`media_ids[]`). */
  mediaIds?: string[];
  /** `poll[...]`: a poll to post with the text. */
  poll?: NewPollInput;
  /** `help_request` (a Hallway extension): post as a help request, adding the campus help tag. */
  helpRequest?: boolean;
}

const IDEMPOTENCY_WINDOW_MS = 60 * 60 * 1000;

async function findIdempotent(context: AppContext, accountId: string, key: string) {
  const row = await context.db
    .selectFrom("idempotency_keys")
    .select(["status_id", "created_at"])
    .where("account_id", "=", accountId)
    .where("key", "=", key)
    .executeTakeFirst();
  if (!row?.status_id || Date.now() - row.created_at.getTime() > IDEMPOTENCY_WINDOW_MS) return null;
  return row.status_id;
}

/** The tags a text carries: normalized names, each with the spelling the author used. */
export function textTags(text: string): { name: string; displayName: string }[] {
  return extractHashtags(text).map((name) => ({ name: normalizeTag(name), displayName: name }));
}

/** The checks a post's text passes when it is written and whenever it is edited. */
export function validateStatusText(
  context: AppContext,
  input: { status?: string; spoilerText?: string; language?: string; hasMedia?: boolean },
): void {
  const text = input.status ?? "";
  // A post of pictures alone needs no text, as in Mastodon.
  if (text.trim() === "" && !input.hasMedia) throw unprocessable("Text can't be blank");
  const length = countedLength(text) + Array.from(input.spoilerText ?? "").length;
  if (length > context.config.maxCharacters) {
    throw unprocessable(`Text character limit of ${context.config.maxCharacters} exceeded`);
  }
  if (input.language && !/^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(input.language)) {
    throw unprocessable("Language is not a valid language code");
  }
}

/** Posts a status for a local user; returns its id. */
export async function createStatus(context: AppContext, author: Account, input: NewStatusInput): Promise<string> {
  if (input.idempotencyKey) {
    const existing = await findIdempotent(context, author.id, input.idempotencyKey);
    if (existing) return existing;
  }
  const media = await checkPostMedia(context, context.db, author.id, input.mediaIds ?? []);
  validateStatusText(context, { ...input, hasMedia: media.length > 0 });
  // A post carries pictures or a poll, never both, as in Mastodon.
  if (input.poll && media.length > 0) throw unprocessable("Cannot attach files to a post with a poll");
  const poll = input.poll ? validatePoll(context, input.poll) : null;
  const text = input.helpRequest ? withHelpTag(context, (input.status ?? "").trim()) : (input.status ?? "").trim();
  const user = await context.db
    .selectFrom("users")
    .select(["default_visibility", "default_sensitive", "default_language", "default_local_only"])
    .where("account_id", "=", author.id)
    .executeTakeFirstOrThrow();

  let parent: Status | undefined;
  if (input.inReplyToId) {
    parent = await context.db
      .selectFrom("statuses as s")
      .selectAll("s")
      .where("s.id", "=", input.inReplyToId)
      .where(visibleTo(author.id))
      .executeTakeFirst();
    if (!parent) throw new ApiError(404, "The post you are trying to reply to does not appear to exist.");
  }

  const mentions = await resolveMentions(context, text);
  const mentioned = [...new Set([...mentions.values()].map((account) => account.id))];
  const content = textToHtml(text, { mention: mentionLookup(mentions), tagUrl: (name) => context.urls.tag(name) });
  const visibility = input.visibility ?? user.default_visibility;
  const spoilerText = (input.spoilerText ?? "").trim();

  const { statusId, notificationIds, created } = await context.db.transaction().execute(async (trx) => {
    if (input.idempotencyKey) {
      // Claim the key first: a concurrent retry with the same key waits here, then finds it.
      await trx
        .deleteFrom("idempotency_keys")
        .where("account_id", "=", author.id)
        .where("key", "=", input.idempotencyKey)
        .where("created_at", "<", new Date(Date.now() - IDEMPOTENCY_WINDOW_MS))
        .execute();
      const claimed = await trx
        .insertInto("idempotency_keys")
        .values({ account_id: author.id, key: input.idempotencyKey })
        .onConflict((conflict) => conflict.columns(["account_id", "key"]).doNothing())
        .returning("key")
        .executeTakeFirst();
      if (!claimed) {
        const row = await trx
          .selectFrom("idempotency_keys")
          .select("status_id")
          .where("account_id", "=", author.id)
          .where("key", "=", input.idempotencyKey)
          .executeTakeFirstOrThrow();
        if (row.status_id) return { statusId: row.status_id, notificationIds: [], created: false };
      }
    }
    const { id } = await sql<{ id: string }>`SELECT timestamp_id() AS id`
      .execute(trx)
      .then((result) => result.rows[0]!);
    const status = await trx
      .insertInto("statuses")
      .values({
        id,
        uri: context.urls.statusUri(author.username, id),
        url: context.urls.status(author.username, id),
        account_id: author.id,
        local: true,
        text,
        content,
        spoiler_text: spoilerText,
        sensitive: input.sensitive ?? (spoilerText !== "" || user.default_sensitive),
        visibility,
        language: input.language ?? user.default_language ?? null,
        in_reply_to_id: parent?.id ?? null,
        in_reply_to_account_id: parent?.account_id ?? null,
        application_id: input.applicationId,
        local_only: input.localOnly ?? user.default_local_only,
      })
      .returningAll()
      .executeTakeFirstOrThrow();

    if (mentioned.length > 0) {
      await trx
        .insertInto("mentions")
        .values(mentioned.map((accountId) => ({ status_id: id, account_id: accountId })))
        .execute();
    }
    await setStatusTags(trx, id, textTags(text));
    await noteHelpActivity(trx, context, status);
    if (poll) await insertPoll(trx, id, author.id, poll);
    if (media.length > 0) await setStatusMedia(trx, id, media);
    if (input.idempotencyKey) {
      await trx
        .updateTable("idempotency_keys")
        .set({ status_id: id })
        .where("account_id", "=", author.id)
        .where("key", "=", input.idempotencyKey)
        .execute();
    }
    if (visibility !== "direct") {
      await trx
        .updateTable("accounts")
        .set((eb) => ({ statuses_count: eb("statuses_count", "+", 1), last_status_at: new Date() }))
        .where("id", "=", author.id)
        .execute();
      if (parent) {
        await trx
          .updateTable("statuses")
          .set((eb) => ({ replies_count: eb("replies_count", "+", 1) }))
          .where("id", "=", parent.id)
          .execute();
      }
    }
    await fanOutToHomeFeeds(trx, status, { mentionedIds: mentioned, authorIsLocal: true });

    const localMentioned = [...mentions.values()].filter((account) => account.domain === null);
    const subscribers =
      visibility === "direct" || (parent && parent.account_id !== author.id)
        ? []
        : await trx
            .selectFrom("follows")
            .select("account_id")
            .where("target_account_id", "=", author.id)
            .where("notify", "=", true)
            .execute();
    const notified = await notifyLocal(trx, [
      ...localMentioned.map((account) => ({
        accountId: account.id,
        fromAccountId: author.id,
        type: "mention" as const,
        statusId: id,
      })),
      ...subscribers
        .filter((row) => !mentioned.includes(row.account_id))
        .map((row) => ({
          accountId: row.account_id,
          fromAccountId: author.id,
          type: "status" as const,
          statusId: id,
        })),
    ]);
    await recordIntent(trx, { type: "status.created", statusId: id, accountId: author.id });
    return { statusId: id, notificationIds: notified, created: true };
  });

  if (created) context.events.emit("status.created", { statusId, accountId: author.id });
  if (created && visibility === "direct") await publishConversations(context, statusId);
  publishNotifications(context, notificationIds);
  return statusId;
}

