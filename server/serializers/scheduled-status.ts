// Posts waiting for their time, as Mastodon's ScheduledStatus entity.
import type { MediaAttachment } from "../../db/schema.ts";
import type { Urls } from "../urls.ts";
import { type ApiMediaAttachment, mediaAttachmentToApi } from "./media.ts";

/** What a scheduled post was written with (the input of statuses/create.ts, as stored). */
export interface ScheduledParams {
  status?: string;
  spoilerText?: string;
  sensitive?: boolean;
  visibility?: string;
  language?: string;
  inReplyToId?: string;
  localOnly?: boolean;
  idempotencyKey?: string;
  applicationId?: string | null;
  mediaIds?: string[];
  poll?: { options: string[]; expiresIn?: number; multiple?: boolean; hideTotals?: boolean };
}

export interface ApiScheduledStatus {
  id: string;
  scheduled_at: string;
  params: {
    text: string;
    poll: { options: string[]; expires_in: number | null; multiple: boolean; hide_totals: boolean } | null;
    media_ids: string[] | null;
    sensitive: boolean | null;
    spoiler_text: string | null;
    visibility: string | null;
    in_reply_to_id: string | null;
    language: string | null;
    application_id: string | null;
    scheduled_at: null;
    idempotency: string | null;
    with_rate_limit: boolean;
    local_only: boolean | null;
  };
  media_attachments: ApiMediaAttachment[];
}

export function scheduledStatusToApi(
  row: { id: string; scheduled_at: Date; params: ScheduledParams },
  media: readonly MediaAttachment[],
  urls: Urls,
): ApiScheduledStatus {
  const { params } = row;
  return {
    id: row.id,
    scheduled_at: row.scheduled_at.toISOString(),
    params: {
      text: params.status ?? "",
      poll: params.poll
        ? {
            options: params.poll.options,
            expires_in: params.poll.expiresIn ?? null,
            multiple: params.poll.multiple ?? false,
            hide_totals: params.poll.hideTotals ?? false,
          }
        : null,
      media_ids: params.mediaIds?.length ? params.mediaIds : null,
      sensitive: params.sensitive ?? null,
      spoiler_text: params.spoilerText ?? null,
      visibility: params.visibility ?? null,
      in_reply_to_id: params.inReplyToId ?? null,
      language: params.language ?? null,
      application_id: params.applicationId ?? null,
      scheduled_at: null,
      idempotency: params.idempotencyKey ?? null,
      with_rate_limit: false,
      local_only: params.localOnly ?? null,
    },
    media_attachments: media.map((attachment) => mediaAttachmentToApi(attachment, urls)),
  };
}
