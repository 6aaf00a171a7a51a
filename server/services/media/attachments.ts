// Uploading media before posting, as Mastodon's /api/v1/media and /api/v2/media do: pictures
// are processed while the request waits (and answer 200); video and audio files are kept as
// they are, with a picture of the uploader's choice as their preview. An upload belongs to its
// uploader and may be described, refocused or deleted until a post carries it.
import type { Account, MediaAttachment, MediaSize } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { ApiError, notFound, unprocessable } from "../../errors.ts";
import type { UploadedFile } from "../../plugins/body.ts";
import { type ApiMediaAttachment, mediaAttachmentToApi } from "../../serializers/media.ts";
import { mediaSize, processImage, processPreview } from "./processing.ts";
import { newMediaKey } from "./store.ts";
import { removeFiles, sweepUnattachedMedia } from "./sweep.ts";
import { sniffMediaKind } from "./types.ts";

/** Mastodon's limit on a description, advertised in /api/v2/instance. */
export const DESCRIPTION_LIMIT = 1500;

export const ORIGINAL_PREFIX = "media_attachments/original";
export const SMALL_PREFIX = "media_attachments/small";

export interface MediaInput {
  description?: string;
  /** "x,y", each from -1.0 to 1.0. */
  focus?: string;
  /** A picture to show for a video or audio file (or instead of an image's own preview). */
  thumbnail?: UploadedFile;
}

interface Focus {
  x: number;
  y: number;
}

export function parseFocus(value: string): Focus {
  const parts = value.split(",").map((part) => part.trim());
  const [x, y] = parts.map(Number);
  if (
    parts.length !== 2 ||
    parts.some((part) => part === "") ||
    !Number.isFinite(x) ||
    !Number.isFinite(y) ||
    Math.abs(x!) > 1 ||
    Math.abs(y!) > 1
  ) {
    throw unprocessable("Focus must be two numbers from -1.0 to 1.0, as x,y");
  }
  return { x: x!, y: y! };
}

/** A description as stored: null when blank, undefined when not given; too long is a 422. */
export function checkDescription(description: string | undefined): string | null | undefined {
  if (description === undefined) return undefined;
  if (Array.from(description).length > DESCRIPTION_LIMIT) {
    throw unprocessable(`Description is too long (maximum is ${DESCRIPTION_LIMIT} characters)`);
  }
  return description.trim() === "" ? null : description;
}

function megabytes(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}

/** Files written for one attachment, removed again when the row cannot be written. */
class Written {
  readonly keys: string[] = [];
  readonly context: AppContext;

  constructor(context: AppContext) {
    this.context = context;
  }

  async put(prefix: string, data: Buffer, contentType: string, extension: string): Promise<string> {
    const key = newMediaKey(prefix, extension);
    await this.context.media.put(key, data, contentType);
    this.keys.push(key);
    return key;
  }

  async remove(key: string): Promise<void> {
    await this.context.media.delete(key);
    this.keys.splice(this.keys.indexOf(key), 1);
  }

  async discard(): Promise<void> {
    await Promise.all(this.keys.map((key) => this.context.media.delete(key).catch(() => {})));
  }
}

interface PreviewColumns {
  preview_key: string;
  blurhash: string;
  small: MediaSize;
}

async function storePreview(context: AppContext, written: Written, thumbnail: UploadedFile): Promise<PreviewColumns> {
  if (thumbnail.data.length > context.config.maxImageBytes) {
    throw unprocessable(`Thumbnail is larger than the limit of ${megabytes(context.config.maxImageBytes)}`);
  }
  const preview = await processPreview(thumbnail.data);
  const key = await written.put(SMALL_PREFIX, preview.small.data, preview.small.contentType, preview.small.extension);
  return { preview_key: key, blurhash: preview.blurhash, small: mediaSize(preview.small.width, preview.small.height) };
}

/** Creates an attachment from an uploaded file; refused with 422 when it is not media we take. */
export async function uploadMedia(
  context: AppContext,
  account: Account,
  file: UploadedFile,
  input: MediaInput,
): Promise<ApiMediaAttachment> {
  const description = checkDescription(input.description);
  const focus = input.focus ? parseFocus(input.focus) : { x: 0, y: 0 };
  const kind = sniffMediaKind(file.data, file.mimetype);
  if (!kind) throw unprocessable("File content type is invalid: only images, video and audio files can be attached");
  const limit = kind.type === "image" ? context.config.maxImageBytes : context.config.maxVideoBytes;
  if (file.data.length > limit) {
    throw unprocessable(`File is larger than the limit of ${megabytes(limit)} for ${kind.type === "image" ? "images" : `${kind.type} files`}`);
  }

  const written = new Written(context);
  try {
    let columns: {
      file_key: string;
      file_content_type: string;
      file_size: number;
      preview_key: string | null;
      blurhash: string | null;
      meta: { original?: MediaSize; small?: MediaSize };
    };
    if (kind.type === "image") {
      const image = await processImage(file.data);
      const { original, small } = image;
      columns = {
        file_key: await written.put(ORIGINAL_PREFIX, original.data, original.contentType, original.extension),
        file_content_type: original.contentType,
        file_size: original.data.length,
        preview_key: await written.put(SMALL_PREFIX, small.data, small.contentType, small.extension),
        blurhash: image.blurhash,
        meta: { original: mediaSize(original.width, original.height), small: mediaSize(small.width, small.height) },
      };
    } else {
      columns = {
        file_key: await written.put(ORIGINAL_PREFIX, file.data, kind.contentType, kind.extension),
        file_content_type: kind.contentType,
        file_size: file.data.length,
        preview_key: null,
        blurhash: null,
        meta: {},
      };
    }
    if (input.thumbnail) {
      const preview = await storePreview(context, written, input.thumbnail);
      if (columns.preview_key) await written.remove(columns.preview_key);
      columns.preview_key = preview.preview_key;
      columns.meta.small = preview.small;
      // An image keeps the blurhash of its own pixels; a video's or a sound's is its preview's.
      if (kind.type !== "image") columns.blurhash = preview.blurhash;
    }
    const row = await context.db
      .insertInto("media_attachments")
      .values({
        account_id: account.id,
        type: kind.type,
        ...columns,
        meta: JSON.stringify(columns.meta),
        description: description ?? null,
        focus_x: focus.x,
        focus_y: focus.y,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    // Files of uploads nobody posted are removed after a day, as Mastodon does.
    sweepUnattachedMedia(context).catch((error) => context.log.warn({ err: error }, "sweeping unattached media failed"));
    return mediaAttachmentToApi(row, context.urls);
  } catch (error) {
    await written.discard();
    throw error;
  }
}

/** The uploader's own media not yet on a post, as Mastodon finds them for show and update. */
async function findUnattached(context: AppContext, account: Account, id: string): Promise<MediaAttachment> {
  const media = await context.db
    .selectFrom("media_attachments")
    .selectAll()
    .where("id", "=", id)
    .where("account_id", "=", account.id)
    .where("status_id", "is", null)
    .executeTakeFirst();
  if (!media) throw notFound();
  return media;
}

export async function showMedia(context: AppContext, account: Account, id: string): Promise<ApiMediaAttachment> {
  return mediaAttachmentToApi(await findUnattached(context, account, id), context.urls);
}

/** Changes the description, focal point or preview of an upload not yet posted. */
export async function updateMedia(
  context: AppContext,
  account: Account,
  id: string,
  input: MediaInput,
): Promise<ApiMediaAttachment> {
  const media = await findUnattached(context, account, id);
  const description = checkDescription(input.description);
  const focus = input.focus ? parseFocus(input.focus) : undefined;
  const written = new Written(context);
  try {
    const preview = input.thumbnail ? await storePreview(context, written, input.thumbnail) : null;
    const meta = preview ? { ...media.meta, small: preview.small } : media.meta;
    const row = await context.db
      .updateTable("media_attachments")
      .set({
        ...(description !== undefined ? { description } : {}),
        ...(focus ? { focus_x: focus.x, focus_y: focus.y } : {}),
        ...(preview
          ? {
              preview_key: preview.preview_key,
              meta: JSON.stringify(meta),
              // An image keeps the blurhash of its own pixels; a video's is its preview's.
              ...(media.type === "image" ? {} : { blurhash: preview.blurhash }),
            }
          : {}),
        updated_at: new Date(),
      })
      .where("id", "=", media.id)
      .where("status_id", "is", null)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound();
    if (preview && media.preview_key) await context.media.delete(media.preview_key).catch(() => {});
    return mediaAttachmentToApi(row, context.urls);
  } catch (error) {
    await written.discard();
    throw error;
  }
}

/** Deletes an upload with its files; one that a post carries stays (422), as in Mastodon. */
export async function deleteMedia(context: AppContext, account: Account, id: string): Promise<void> {
  const media = await context.db
    .selectFrom("media_attachments")
    .select(["id", "status_id"])
    .where("id", "=", id)
    .where("account_id", "=", account.id)
    .executeTakeFirst();
  if (!media) throw notFound();
  if (media.status_id !== null) throw new ApiError(422, "Media attachment is currently used by a status");
  const gone = await context.db
    .deleteFrom("media_attachments")
    .where("id", "=", media.id)
    .where("status_id", "is", null)
    .returning(["file_key", "preview_key"])
    .executeTakeFirst();
  if (!gone) throw new ApiError(422, "Media attachment is currently used by a status");
  await removeFiles(context, [gone]);
}
