import { findStatusMedia } from "../db/repositories/media.ts";
import type { Db } from "../db/repositories/types.ts";
import type { Urls } from "../server/urls.ts";
import type { OutgoingAttachment } from "./mapping/attachment.ts";

/** A status's attachments as siblings are told about them: where to fetch each file and how to show it. */
export async function loadOutgoingAttachments(db: Db, urls: Urls, statusId: string): Promise<OutgoingAttachment[]> {
  const media = (await findStatusMedia(db, [statusId])).get(statusId) ?? [];
  return media.flatMap((row) => {
    const url = row.file_key ? urls.media(row.file_key) : row.remote_url;
    if (!url) return [];
    const size = row.meta.original;
    // An image's small rendition is ours to make again; a video's or sound's preview is not.
    const preview = row.type !== "image" && row.preview_key ? urls.media(row.preview_key) : null;
    return [
      {
        url,
        mediaType: row.file_content_type ?? "application/octet-stream",
        description: row.description,
        blurhash: row.blurhash,
        focus: { x: row.focus_x, y: row.focus_y },
        width: size?.width ?? null,
        height: size?.height ?? null,
        previewUrl: preview,
        previewMediaType: preview ? "image/webp" : null,
      },
    ];
  });
}
