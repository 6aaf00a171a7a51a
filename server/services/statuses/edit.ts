// Editing a post, and reading its earlier versions and its source.
import { sql } from "kysely";
import { findAccountById } from "../../../db/repositories/accounts.ts";
import { findMediaByIds } from "../../../db/repositories/media.ts";
import { findPollById } from "../../../db/repositories/polls.ts";
import type { Account, EditedMedia, Status } from "../../../db/schema.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { notFound, unprocessable } from "../../errors.ts";
import { type ApiStatus, type ApiStatusEdit, type StatusVersion, statusEditToApi } from "../../serializers/status.ts";
import { mediaAttachmentToApi } from "../../serializers/media.ts";
import { recordIntent } from "../federation/intents.ts";
import {
  applyMediaAttributes,
  checkMediaAttributes,
  checkPostMedia,
  currentStatusMedia,
  type MediaAttributes,
  mediaChanged,
  setStatusMedia,
  statusMediaSnapshot,
} from "../media/attach.ts";
import { notifyLocal, publishNotifications } from "../notifications/notify.ts";
import { replacePoll, samePoll } from "../polls/edit.ts";
import { type NewPollInput, validatePoll } from "../polls/new-poll.ts";
import { textTags, validateStatusText } from "./create.ts";
import { setStatusTags } from "../../../db/repositories/tags.ts";
import { textToHtml } from "./html.ts";
import { mentionLookup, resolveMentions } from "./mentions.ts";
import { presentStatus } from "./present.ts";
import { findVisibleStatusRow } from "./read.ts";

export interface StatusEditInput {
  status?: string;
  spoilerText?: string;
  sensitive?: boolean;
  language?: string;
  /** The new list of attachments; undefined keeps the current ones. */
  mediaIds?: string[];
  mediaAttributes?: MediaAttributes[];
  /** The post's poll after the edit; none removes it, as in Mastodon. */
  poll?: NewPollInput;
}

async function findOwnStatus(context: AppContext, author: Account, id: string): Promise<Status> {
  const status = await context.db
    .selectFrom("statuses")
    .selectAll()
    .where("id", "=", id)
    .where("account_id", "=", author.id)
    .executeTakeFirst();
  if (!status) throw notFound();
  return status;
}

/**
 * Edits the author's own post, as Mastodon's PUT does: the request carries the whole new version
 * (text, content warning, sensitive; a missing content warning means none, and a post with one
 * is sensitive), and the language stays unless a new one is given. The version it replaces goes
 * into status_edits. Mentions and tags are read again from the new text: newly mentioned
 * colleagues are notified, colleagues who boosted the post get an `update` notification. An edit
 * that changes nothing answers with the post as it is.
 */
export async function editStatus(
  context: AppContext,
  author: Account,
  id: string,
  input: StatusEditInput,
): Promise<ApiStatus> {
  const current = await findOwnStatus(context, author, id);
  if (current.reblog_of_id) throw unprocessable("A boost cannot be edited");
  const mediaBefore = await currentStatusMedia(context.db, id);
  const media =
    input.mediaIds !== undefined ? await checkPostMedia(context, context.db, author.id, input.mediaIds, id) : mediaBefore;
  const mediaAttributes = input.mediaAttributes ?? [];
  checkMediaAttributes(mediaAttributes);
  validateStatusText(context, { ...input, hasMedia: media.length > 0 });
  if (input.poll && media.length > 0) throw unprocessable("Cannot attach files to a post with a poll");
  const poll = input.poll ? validatePoll(context, input.poll) : null;
  const pollBefore = current.poll_id ? await findPollById(context.db, current.poll_id) : undefined;
  const text = (input.status ?? "").trim();
  const spoilerText = (input.spoilerText ?? "").trim();
  const sensitive = (input.sensitive ?? false) || spoilerText !== "";
  const language = input.language ?? current.language;
  const unchanged =
    text === current.text &&
    spoilerText === current.spoiler_text &&
    sensitive === current.sensitive &&
    language === current.language &&
    !mediaChanged(mediaBefore, media, mediaAttributes) &&
    samePoll(pollBefore, poll);
  if (unchanged) return presentStatus(context, id, author.id);

  const mentions = await resolveMentions(context, text);
  const mentioned = [...new Set([...mentions.values()].map((account) => account.id))];
  const content = textToHtml(text, { mention: mentionLookup(mentions), tagUrl: (name) => context.urls.tag(name) });

  const notifications = await context.db.transaction().execute(async (trx) => {
    // Read again under a row lock: two edits at once each keep the version they replace.
    const previous = await trx
      .selectFrom("statuses")
      .selectAll()
      .where("id", "=", id)
      .where("account_id", "=", author.id)
      .forUpdate()
      .executeTakeFirst();
    if (!previous) throw notFound();
    await trx
      .insertInto("status_edits")
      .values({
        status_id: id,
        text: previous.text,
        content: previous.content,
        spoiler_text: previous.spoiler_text,
        sensitive: previous.sensitive,
        // When that version came to be: the post's creation, or its previous edit.
        created_at: previous.edited_at ?? previous.created_at,
        media: JSON.stringify(await statusMediaSnapshot(trx, id)),
      })
      .execute();
    const now = new Date();
    await trx
      .updateTable("statuses")
      .set({ text, content, spoiler_text: spoilerText, sensitive, language, edited_at: now, updated_at: now })
      .where("id", "=", id)
      .execute();
    if (input.mediaIds !== undefined) await setStatusMedia(trx, id, media);
    await applyMediaAttributes(trx, id, mediaAttributes);
    await replacePoll(trx, id, author.id, previous.poll_id, poll);

    const before = await trx.selectFrom("mentions").select("account_id").where("status_id", "=", id).execute();
    const beforeIds = new Set(before.map((row) => row.account_id));
    const added = mentioned.filter((accountId) => !beforeIds.has(accountId));
    const dropped = [...beforeIds].filter((accountId) => !mentioned.includes(accountId));
    if (dropped.length > 0) {
      await trx
        .deleteFrom("mentions")
        .where("status_id", "=", id)
        .where("account_id", "=", (eb) => eb.fn.any(bigintArray(dropped)))
        .execute();
      // A direct post reaches exactly who it mentions: the unmentioned lose it from home.
      if (previous.visibility === "direct") {
        await trx
          .deleteFrom("home_feed")
          .where("status_id", "=", id)
          .where("account_id", "=", (eb) => eb.fn.any(bigintArray(dropped)))
          .execute();
      }
    }
    if (added.length > 0) {
      await trx
        .insertInto("mentions")
        .values(added.map((accountId) => ({ status_id: id, account_id: accountId })))
        .execute();
      if (previous.visibility === "direct") {
        // As at posting time: the newly mentioned who follow the author see it at home.
        await sql`
          INSERT INTO home_feed (account_id, status_id, author_id)
          SELECT f.account_id, ${id}::bigint, ${author.id}::bigint
          FROM follows f JOIN accounts a ON a.id = f.account_id AND a.domain IS NULL
          WHERE f.target_account_id = ${author.id} AND f.account_id = ANY(${bigintArray(added)})
          ON CONFLICT DO NOTHING
        `.execute(trx);
      }
    }

    await setStatusTags(trx, id, textTags(text), { replace: true });

    // Colleagues who boosted the post are told it changed; a newer edit replaces the notice.
    const boosters = await trx
      .selectFrom("statuses as b")
      .innerJoin("accounts as a", "a.id", "b.account_id")
      .select("b.account_id")
      .distinct()
      .where("b.reblog_of_id", "=", id)
      .where("a.domain", "is", null)
      .execute();
    const boosterIds = boosters.map((row) => row.account_id);
    if (boosterIds.length > 0) {
      await trx
        .deleteFrom("notifications")
        .where("account_id", "=", (eb) => eb.fn.any(bigintArray(boosterIds)))
        .where("type", "=", "update")
        .where("status_id", "=", id)
        .execute();
    }
    await recordIntent(trx, { type: "status.updated", statusId: id, accountId: author.id });
    return notifyLocal(trx, [
      ...added.map((accountId) => ({ accountId, fromAccountId: author.id, type: "mention" as const, statusId: id })),
      ...boosterIds.map((accountId) => ({ accountId, fromAccountId: author.id, type: "update" as const, statusId: id })),
    ]);
  });
  context.events.emit("status.updated", { statusId: id, accountId: author.id });
  publishNotifications(context, notifications);
  return presentStatus(context, id, author.id);
}

/**
 * Every version of a post the viewer can see, oldest first, ending with the current one. A post
 * never edited has a history of one version, as in Mastodon.
 */
export async function statusHistory(context: AppContext, viewerId: string, id: string): Promise<ApiStatusEdit[]> {
  const status = await findVisibleStatusRow(context, id, viewerId);
  const [account, earlier] = await Promise.all([
    findAccountById(context.db, status.account_id),
    context.db
      .selectFrom("status_edits")
      .select(["content", "spoiler_text", "sensitive", "created_at", "media"])
      .where("status_id", "=", status.id)
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
  ]);
  if (!account) throw notFound();
  const currentVersion: StatusVersion & { media: EditedMedia[] } = {
    content: status.content,
    spoiler_text: status.spoiler_text,
    sensitive: status.sensitive,
    created_at: status.edited_at ?? status.created_at,
    media: await statusMediaSnapshot(context.db, status.id),
  };
  const versions = [...earlier, currentVersion];
  // Each version shows its attachments with the descriptions they had then.
  const media = new Map(
    (await findMediaByIds(context.db, [...new Set(versions.flatMap((version) => version.media.map((item) => item.id)))])).map(
      (row) => [row.id, row],
    ),
  );
  return versions.map((version) =>
    statusEditToApi(
      version,
      account,
      context.urls,
      version.media.flatMap((item) => {
        const row = media.get(item.id);
        return row ? [mediaAttachmentToApi(row, context.urls, { description: item.description })] : [];
      }),
    ),
  );
}

/** A post's text as it was typed, for an edit form; any post the viewer can see, as in Mastodon. */
export async function statusSource(
  context: AppContext,
  viewerId: string,
  id: string,
): Promise<{ id: string; text: string; spoiler_text: string }> {
  const status = await findVisibleStatusRow(context, id, viewerId);
  return { id: status.id, text: status.text, spoiler_text: status.spoiler_text };
}
