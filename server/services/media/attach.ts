// Putting uploads on a post, as Mastodon's PostStatusService and UpdateStatusService do: only
// the author's own uploads that no other post carries, at most the configured number, and a
// video or sound file alone. Edits keep the attachments an earlier version had, so that its
// history can show them.
import type { Db } from "../../../db/repositories/types.ts";
import type { EditedMedia, MediaAttachment } from "../../../db/schema.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { unprocessable } from "../../errors.ts";
import { isId } from "../../schemas/keywords.ts";
import { checkDescription, parseFocus } from "./attachments.ts";

export interface MediaAttributes {
  id: string;
  description?: string;
  focus?: string;
}

/**
 * The attachments `mediaIds` name, in that order, checked for a post by `authorId`; when
 * editing, those already on the post (`statusId`) count as the author's too.
 */
export async function checkPostMedia(
  context: AppContext,
  db: Db,
  authorId: string,
  mediaIds: readonly string[],
  statusId: string | null = null,
): Promise<MediaAttachment[]> {
  const ids = [...new Set(mediaIds.filter((id) => id !== ""))];
  if (ids.length === 0) return [];
  const limit = context.config.maxMediaAttachments;
  if (ids.length > limit) throw unprocessable(`Cannot attach more than ${limit} files`);
  const valid = ids.filter(isId);
  const rows =
    valid.length === 0
      ? []
      : await db
          .selectFrom("media_attachments")
          .selectAll()
          .where("id", "=", (eb) => eb.fn.any(bigintArray(valid)))
          .where("account_id", "=", authorId)
          .where((eb) =>
            statusId === null
              ? eb("status_id", "is", null)
              : eb.or([eb("status_id", "is", null), eb("status_id", "=", statusId)]),
          )
          .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw unprocessable(`Media ${missing.join(", ")} not found or already attached to another post`);
  }
  const ordered = ids.map((id) => byId.get(id)!);
  if (ordered.length > 1 && ordered.some((media) => media.type === "video" || media.type === "audio")) {
    throw unprocessable("Cannot attach a video or audio file to a post with other attachments");
  }
  return ordered;
}

/**
 * Makes `media` the post's attachments, in order, inside the caller's transaction. Attachments
 * taken off by an edit stay the post's (its history shows them) but leave its current version.
 * A concurrent post that took one of them first makes this fail with 422.
 */
export async function setStatusMedia(trx: Db, statusId: string, media: readonly MediaAttachment[]): Promise<void> {
  const ids = media.map((row) => row.id);
  await trx
    .updateTable("media_attachments")
    .set({ position: null })
    .where("status_id", "=", statusId)
    .where("position", "is not", null)
    .where((eb) => (ids.length > 0 ? eb.not(eb("id", "=", eb.fn.any(bigintArray(ids)))) : eb.val(true)))
    .execute();
  for (const [position, row] of media.entries()) {
    const taken = await trx
      .updateTable("media_attachments")
      .set({ status_id: statusId, position, updated_at: new Date() })
      .where("id", "=", row.id)
      .where((eb) => eb.or([eb("status_id", "is", null), eb("status_id", "=", statusId)]))
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) {
      throw unprocessable(`Media ${row.id} not found or already attached to another post`);
    }
  }
}

/** A post's current attachments, in order. */
export async function currentStatusMedia(db: Db, statusId: string): Promise<MediaAttachment[]> {
  return db
    .selectFrom("media_attachments")
    .selectAll()
    .where("status_id", "=", statusId)
    .where("position", "is not", null)
    .orderBy("position")
    .execute();
}

/** A post's attachments as its current version shows them, for the version an edit replaces. */
export async function statusMediaSnapshot(db: Db, statusId: string): Promise<EditedMedia[]> {
  const rows = await db
    .selectFrom("media_attachments")
    .select(["id", "description"])
    .where("status_id", "=", statusId)
    .where("position", "is not", null)
    .orderBy("position")
    .execute();
  return rows.map((row) => ({ id: row.id, description: row.description }));
}

/** Whether an edit changes the attachments: which ones, their order, or a description. */
export function mediaChanged(
  before: readonly { id: string }[],
  after: readonly MediaAttachment[],
  attributes: readonly MediaAttributes[],
): boolean {
  if (before.length !== after.length || before.some((media, index) => media.id !== after[index]!.id)) return true;
  return attributes.some((attribute) => {
    const current = after.find((media) => media.id === attribute.id);
    if (!current) return false;
    const description = checkDescription(attribute.description);
    const focus = attribute.focus ? parseFocus(attribute.focus) : null;
    return (
      (description !== undefined && description !== current.description) ||
      (focus !== null && (focus.x !== current.focus_x || focus.y !== current.focus_y))
    );
  });
}

/**
 * Checks the values of an edit's `media_attributes` before anything is written. Attributes of
 * media that are not on the edited post are ignored, as Mastodon ignores them.
 */
export function checkMediaAttributes(attributes: readonly MediaAttributes[]): void {
  for (const attribute of attributes) {
    checkDescription(attribute.description);
    if (attribute.focus) parseFocus(attribute.focus);
  }
}

/** Applies `media_attributes` (description, focus) to the post's attachments. */
export async function applyMediaAttributes(
  trx: Db,
  statusId: string,
  attributes: readonly MediaAttributes[],
): Promise<void> {
  for (const attribute of attributes) {
    const description = checkDescription(attribute.description);
    const focus = attribute.focus ? parseFocus(attribute.focus) : undefined;
    if (description === undefined && !focus) continue;
    await trx
      .updateTable("media_attachments")
      .set({
        ...(description !== undefined ? { description } : {}),
        ...(focus ? { focus_x: focus.x, focus_y: focus.y } : {}),
        updated_at: new Date(),
      })
      .where("id", "=", attribute.id)
      .where("status_id", "=", statusId)
      .execute();
  }
}
