// Hydrated status bundles to Mastodon Status entities. Pure: everything arrives pre-loaded.
import type { StatusRow } from "../../db/repositories/statuses.ts";
import type { Account, MediaAttachment } from "../../db/schema.ts";
import type { Urls } from "../urls.ts";
import { type ApiAccount, accountToApi, acctOf } from "./account.ts";
import type { ApiFilterResult } from "./filter.ts";
import { type ApiMediaAttachment, mediaAttachmentToApi } from "./media.ts";
import { type ApiPoll, type PollView, pollToApi } from "./poll.ts";

/**
 * What the viewer has done to a status: favourited, boosted, bookmarked or pinned it, or muted
 * its conversation.
 */
export interface ViewerFlags {
  favourited: boolean;
  reblogged: boolean;
  muted: boolean;
  bookmarked: boolean;
  pinned: boolean;
}

export interface StatusBundle {
  row: StatusRow;
  account: Account;
  reblog: StatusBundle | null;
  flags: ViewerFlags;
  /** The viewer's filters that match the post (see services/filters/apply.ts). */
  filtered?: ApiFilterResult[];
  /** The post's poll as the viewer sees it. */
  poll?: PollView | null;
  /** The post's attachments, in order. */
  media?: MediaAttachment[];
}

export interface ApiStatus {
  id: string;
  uri: string;
  url: string | null;
  created_at: string;
  account: ApiAccount;
  content: string;
  visibility: string;
  sensitive: boolean;
  spoiler_text: string;
  media_attachments: ApiMediaAttachment[];
  application: { name: string; website: string | null } | null;
  mentions: { id: string; username: string; url: string; acct: string }[];
  tags: { name: string; url: string }[];
  emojis: never[];
  reblogs_count: number;
  favourites_count: number;
  replies_count: number;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  reblog: ApiStatus | null;
  poll: ApiPoll | null;
  card: null;
  language: string | null;
  text?: string;
  edited_at: string | null;
  /** GoToSocial's field: the post stays on this campus and is never federated. */
  local_only: boolean;
  favourited: boolean;
  reblogged: boolean;
  muted: boolean;
  bookmarked: boolean;
  pinned: boolean;
  filtered: ApiFilterResult[];
}

export function statusToApi(bundle: StatusBundle, urls: Urls, options: { withSource?: boolean } = {}): ApiStatus {
  const { row, flags } = bundle;
  return {
    id: row.id,
    uri: row.uri,
    url: row.url,
    created_at: row.created_at.toISOString(),
    account: accountToApi(bundle.account, urls),
    content: row.content,
    visibility: row.visibility,
    sensitive: row.sensitive,
    spoiler_text: row.spoiler_text,
    media_attachments: (bundle.media ?? []).map((media) => mediaAttachmentToApi(media, urls)),
    application: row.application_name
      ? { name: row.application_name, website: row.application_website }
      : null,
    mentions: row.mention_refs.map((mention) => ({
      id: mention.id,
      username: mention.username,
      url: mention.url,
      acct: acctOf(mention),
    })),
    tags: row.tag_refs.map((tag) => ({ name: tag.name, url: urls.tag(tag.name) })),
    emojis: [],
    reblogs_count: row.reblogs_count,
    favourites_count: row.favourites_count,
    replies_count: row.replies_count,
    in_reply_to_id: row.in_reply_to_id,
    in_reply_to_account_id: row.in_reply_to_account_id,
    reblog: bundle.reblog ? statusToApi(bundle.reblog, urls) : null,
    poll: bundle.poll ? pollToApi(bundle.poll) : null,
    card: null,
    language: row.language,
    ...(options.withSource ? { text: row.text } : {}),
    edited_at: row.edited_at ? row.edited_at.toISOString() : null,
    local_only: row.local_only,
    ...flags,
    filtered: bundle.filtered ?? [],
  };
}

/** One version of a post: an earlier one from status_edits, or the current one from the row. */
export interface StatusVersion {
  content: string;
  spoiler_text: string;
  sensitive: boolean;
  created_at: Date;
}

export interface ApiStatusEdit {
  content: string;
  spoiler_text: string;
  sensitive: boolean;
  created_at: string;
  account: ApiAccount;
  poll: null;
  media_attachments: ApiMediaAttachment[];
  emojis: never[];
}

export function statusEditToApi(
  version: StatusVersion,
  account: Account,
  urls: Urls,
  media: ApiMediaAttachment[] = [],
): ApiStatusEdit {
  return {
    content: version.content,
    spoiler_text: version.spoiler_text,
    sensitive: version.sensitive,
    created_at: version.created_at.toISOString(),
    account: accountToApi(account, urls),
    poll: null,
    media_attachments: media,
    emojis: [],
  };
}
