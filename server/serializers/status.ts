// Hydrated status bundles to Mastodon Status entities. Pure: everything arrives pre-loaded.
import type { StatusRow } from "../../db/repositories/statuses.ts";
import type { Account } from "../../db/schema.ts";
import type { Urls } from "../urls.ts";
import { type ApiAccount, accountToApi, acctOf } from "./account.ts";

/** What the viewer has done to a status; all false until those features exist for them. */
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
  media_attachments: unknown[];
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
  poll: null;
  card: null;
  language: string | null;
  text?: string;
  edited_at: string | null;
  favourited: boolean;
  reblogged: boolean;
  muted: boolean;
  bookmarked: boolean;
  pinned: boolean;
  filtered: unknown[];
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
    media_attachments: [],
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
    poll: null,
    card: null,
    language: row.language,
    ...(options.withSource ? { text: row.text } : {}),
    edited_at: row.edited_at ? row.edited_at.toISOString() : null,
    ...flags,
    filtered: [],
  };
}
