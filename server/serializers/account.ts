// Account rows to Mastodon Account entities. Pure: no queries, only what the row holds.
import type { Account, Role, User } from "../../db/schema.ts";
import type { Urls } from "../urls.ts";

export interface ApiField {
  name: string;
  value: string;
  verified_at: string | null;
}

export interface ApiAccount {
  id: string;
  username: string;
  acct: string;
  url: string;
  uri: string;
  display_name: string;
  note: string;
  avatar: string;
  avatar_static: string;
  header: string;
  header_static: string;
  locked: boolean;
  fields: ApiField[];
  emojis: never[];
  bot: boolean;
  group: boolean;
  discoverable: boolean;
  indexable: boolean;
  noindex: boolean;
  hide_collections: boolean;
  suspended?: boolean;
  created_at: string;
  last_status_at: string | null;
  statuses_count: number;
  followers_count: number;
  following_count: number;
  roles: { id: string; name: string; color: string }[];
}

/** Mastodon reports account creation at day precision. */
function midnight(date: Date): string {
  return `${date.toISOString().slice(0, 10)}T00:00:00.000Z`;
}

export function acctOf(account: Pick<Account, "username" | "domain">): string {
  return account.domain ? `${account.username}@${account.domain}` : account.username;
}

function imageUrl(urls: Urls, path: string | null, remote: string | null, fallback: string): string {
  if (path) return urls.media(path);
  return remote ?? fallback;
}

export function accountToApi(account: Account, urls: Urls): ApiAccount {
  const avatar = imageUrl(urls, account.avatar_path, account.avatar_remote_url, urls.defaultAvatar());
  const header = imageUrl(urls, account.header_path, account.header_remote_url, urls.defaultHeader());
  const suspended = account.suspended_at !== null;
  return {
    id: account.id,
    username: account.username,
    acct: acctOf(account),
    url: account.url,
    uri: account.uri,
    display_name: suspended ? "" : account.display_name,
    note: suspended ? "" : account.note,
    avatar,
    avatar_static: avatar,
    header,
    header_static: header,
    locked: account.locked,
    fields: suspended
      ? []
      : account.fields.map((field) => ({ name: field.name, value: field.value, verified_at: null })),
    emojis: [],
    bot: account.bot,
    group: false,
    discoverable: account.discoverable,
    indexable: account.indexable,
    noindex: !account.indexable,
    hide_collections: false,
    ...(suspended ? { suspended: true } : {}),
    created_at: midnight(account.created_at),
    last_status_at: account.last_status_at ? account.last_status_at.toISOString().slice(0, 10) : null,
    statuses_count: account.statuses_count,
    followers_count: account.followers_count,
    following_count: account.following_count,
    roles: [],
  };
}

const ROLES: Record<Role, { id: string; name: string; permissions: string; color: string }> = {
  user: { id: "-99", name: "", permissions: "65536", color: "" },
  moderator: { id: "1", name: "Moderator", permissions: "1308", color: "" },
  admin: { id: "2", name: "Admin", permissions: "1", color: "" },
};

export function roleToApi(role: Role) {
  return { ...ROLES[role], highlighted: role !== "user" };
}

export function credentialAccountToApi(
  account: Account,
  user: Pick<User, "role" | "default_visibility" | "default_sensitive" | "default_language" | "default_local_only">,
  urls: Urls,
  followRequestsCount: number,
) {
  return {
    ...accountToApi(account, urls),
    source: {
      note: account.note_source,
      fields: account.fields_source.map((field) => ({ ...field, verified_at: null })),
      privacy: user.default_visibility,
      sensitive: user.default_sensitive,
      language: user.default_language,
      follow_requests_count: followRequestsCount,
      hide_collections: false,
      discoverable: account.discoverable,
      indexable: account.indexable,
      local_only: user.default_local_only,
    },
    role: roleToApi(user.role),
  };
}
