// Attachments of siblings' posts. Their files are fetched from the sibling that hosts them
// (through the process-wide fetch, which reaches allowlisted origins only) and kept here, so
// that people's apps load them from their own campus: pictures are processed as uploads are
// (scaled, previewed, re-encoded without metadata); video and sound files are kept as they are
// when they are what they claim. A file that cannot be fetched leaves the attachment pointing at
// the sibling's copy. Files are fetched before any transaction opens, and never from outsiders.
import type { Insertable } from "kysely";
import type { Db } from "../../../db/repositories/types.ts";
import type { MediaAttachment, MediaAttachmentsTable, MediaSize } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { ORIGINAL_PREFIX, SMALL_PREFIX } from "./attachments.ts";
import { mediaSize, processImage, processPreview } from "./processing.ts";
import { newMediaKey } from "./store.ts";
import { typeOfContentType, sniffMediaKind } from "./types.ts";

const FETCH_TIMEOUT_MS = 30_000;

/** What a sibling says about one attachment of its post. */
export interface RemoteMediaInput {
  url: string;
  mediaType: string | null;
  description: string | null;
  blurhash: string | null;
  focus: { x: number; y: number } | null;
  width: number | null;
  height: number | null;
  previewUrl: string | null;
}

type NewRow = Omit<Insertable<MediaAttachmentsTable>, "account_id" | "status_id" | "position">;

/** One attachment of the post: a row it already has (an edit), or a new one with its files. */
type Planned = { existing: MediaAttachment; input: RemoteMediaInput } | { row: NewRow };

export interface RemoteMediaPlan {
  items: Planned[];
  /** Removes the files cached for the plan, when its rows are not written after all. */
  discard(): Promise<void>;
}

function isSiblingUrl(context: AppContext, url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === "https:" || parsed.protocol === "http:") && context.siblingHosts().includes(parsed.host);
  } catch {
    return false;
  }
}

/** The body of a sibling's file, or null when it cannot be had within `maxBytes`. */
async function download(url: string, maxBytes: number): Promise<Buffer | null> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: "follow" });
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => {});
    return null;
  }
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body.cancel().catch(() => {});
    return null;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    // Leaving the loop cancels the rest of the body.
    if (size > maxBytes) return null;
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** The columns of an attachment we could not cache: it points at the sibling's copy. */
function uncached(input: RemoteMediaInput): NewRow {
  const original: MediaSize | undefined =
    input.width && input.height ? mediaSize(input.width, input.height) : undefined;
  return {
    type: typeOfContentType(input.mediaType),
    file_key: null,
    file_content_type: input.mediaType,
    preview_key: null,
    remote_url: input.url,
    preview_remote_url: input.previewUrl,
    description: input.description,
    meta: JSON.stringify(original ? { original } : {}),
    focus_x: input.focus?.x ?? 0,
    focus_y: input.focus?.y ?? 0,
    blurhash: input.blurhash,
  };
}

/** Fetches and keeps one attachment's files; `keys` collects what was written. */
async function cache(context: AppContext, input: RemoteMediaInput, keys: string[]): Promise<NewRow> {
  const row = uncached(input);
  const { maxImageBytes, maxVideoBytes } = context.config;
  const data = await download(input.url, Math.max(maxImageBytes, maxVideoBytes));
  const kind = data ? sniffMediaKind(data, input.mediaType ?? "") : null;
  if (!data || !kind || data.length > (kind.type === "image" ? maxImageBytes : maxVideoBytes)) return row;
  const put = async (prefix: string, bytes: Buffer, contentType: string, extension: string) => {
    const key = newMediaKey(prefix, extension);
    await context.media.put(key, bytes, contentType);
    keys.push(key);
    return key;
  };
  if (kind.type === "image") {
    const image = await processImage(data);
    const { original, small } = image;
    return {
      ...row,
      type: "image",
      file_key: await put(ORIGINAL_PREFIX, original.data, original.contentType, original.extension),
      file_content_type: original.contentType,
      file_size: original.data.length,
      preview_key: await put(SMALL_PREFIX, small.data, small.contentType, small.extension),
      meta: JSON.stringify({ original: mediaSize(original.width, original.height), small: mediaSize(small.width, small.height) }),
      // The sibling's blurhash was made from the same picture; ours only stands in for a missing one.
      blurhash: input.blurhash ?? image.blurhash,
    };
  }
  let preview: { key: string; small: MediaSize; blurhash: string } | null = null;
  if (input.previewUrl && isSiblingUrl(context, input.previewUrl)) {
    const previewData = await download(input.previewUrl, maxImageBytes).catch(() => null);
    if (previewData) {
      const processed = await processPreview(previewData).catch(() => null);
      if (processed) {
        const key = await put(SMALL_PREFIX, processed.small.data, processed.small.contentType, processed.small.extension);
        preview = { key, small: mediaSize(processed.small.width, processed.small.height), blurhash: processed.blurhash };
      }
    }
  }
  return {
    ...row,
    type: kind.type,
    file_key: await put(ORIGINAL_PREFIX, data, kind.contentType, kind.extension),
    file_content_type: kind.contentType,
    file_size: data.length,
    preview_key: preview?.key ?? null,
    meta: JSON.stringify(preview ? { small: preview.small } : {}),
    blurhash: input.blurhash ?? preview?.blurhash ?? null,
  };
}

/**
 * Prepares a sibling's attachments for its post (at most as many as a post here may carry):
 * those the post already has (matched by URL) are kept, new ones are fetched and cached.
 * Attachments hosted anywhere but on a sibling are left out: nobody here fetches from
 * outsiders, people's apps included.
 */
export async function prepareRemoteMedia(
  context: AppContext,
  inputs: readonly RemoteMediaInput[],
  current: readonly MediaAttachment[] = [],
): Promise<RemoteMediaPlan> {
  const keys: string[] = [];
  const items: Planned[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    if (items.length >= context.config.maxMediaAttachments) break;
    if (seen.has(input.url) || !isSiblingUrl(context, input.url)) continue;
    seen.add(input.url);
    const existing = current.find((media) => media.remote_url === input.url);
    if (existing) {
      items.push({ existing, input });
      continue;
    }
    try {
      items.push({ row: await cache(context, input, keys) });
    } catch (error) {
      context.log.warn({ err: error, url: input.url }, "a sibling's attachment could not be cached");
      items.push({ row: uncached(input) });
    }
  }
  return {
    items,
    discard: async () => {
      await Promise.all(keys.map((key) => context.media.delete(key).catch(() => {})));
    },
  };
}

/**
 * Writes the plan as the post's attachments, in order, inside the caller's transaction.
 * Attachments the sibling took off the post leave its current version (its history keeps them).
 */
export async function applyRemoteMedia(trx: Db, statusId: string, accountId: string, plan: RemoteMediaPlan): Promise<void> {
  const kept = plan.items.flatMap((item) => ("existing" in item ? [item.existing.id] : []));
  let removed = trx
    .updateTable("media_attachments")
    .set({ position: null })
    .where("status_id", "=", statusId)
    .where("position", "is not", null);
  if (kept.length > 0) removed = removed.where("id", "not in", kept);
  await removed.execute();
  for (const [position, item] of plan.items.entries()) {
    if ("existing" in item) {
      await trx
        .updateTable("media_attachments")
        .set({
          position,
          description: item.input.description,
          focus_x: item.input.focus?.x ?? 0,
          focus_y: item.input.focus?.y ?? 0,
          ...(item.input.blurhash ? { blurhash: item.input.blurhash } : {}),
          updated_at: new Date(),
        })
        .where("id", "=", item.existing.id)
        .execute();
    } else {
      await trx
        .insertInto("media_attachments")
        .values({ ...item.row, account_id: accountId, status_id: statusId, position })
        .execute();
    }
  }
}
