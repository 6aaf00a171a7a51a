// Media attachment rows to Mastodon MediaAttachment entities. Pure: the row holds everything.
import type { MediaAttachment, MediaSize, MediaType } from "../../db/schema.ts";
import type { Urls } from "../urls.ts";

export interface ApiMediaAttachment {
  id: string;
  type: MediaType;
  url: string | null;
  preview_url: string | null;
  remote_url: string | null;
  preview_remote_url: string | null;
  text_url: string | null;
  meta: { original?: MediaSize; small?: MediaSize; focus: { x: number; y: number } };
  description: string | null;
  blurhash: string | null;
}

/**
 * A local file is served from this campus; a sibling's from our cached copy when there is one,
 * else from the sibling itself. `description` overrides the row's, for an earlier version of
 * an edited post.
 */
export function mediaAttachmentToApi(
  media: MediaAttachment,
  urls: Urls,
  options: { description?: string | null } = {},
): ApiMediaAttachment {
  const url = media.file_key ? urls.media(media.file_key) : media.remote_url;
  const previewUrl = media.preview_key
    ? urls.media(media.preview_key)
    : (media.preview_remote_url ?? (media.type === "image" ? url : null));
  return {
    id: media.id,
    type: media.type,
    url,
    preview_url: previewUrl,
    remote_url: media.remote_url,
    preview_remote_url: media.preview_remote_url,
    text_url: media.remote_url === null ? url : null,
    meta: {
      ...(media.meta.original ? { original: media.meta.original } : {}),
      ...(media.meta.small ? { small: media.meta.small } : {}),
      focus: { x: media.focus_x, y: media.focus_y },
    },
    description: options.description !== undefined ? options.description : media.description,
    blurhash: media.blurhash,
  };
}
