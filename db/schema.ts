// The database as Kysely sees it. 64-bit IDs travel as strings (both drivers are set up that
// way) so that they reach JSON unchanged, as Mastodon's string IDs.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

type Id = ColumnType<string, string | undefined, string>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export type Visibility = "public" | "unlisted" | "private" | "direct";
export type Role = "user" | "moderator" | "admin";

export interface ProfileField {
  name: string;
  value: string;
}

export interface AccountsTable {
  id: Id;
  username: string;
  domain: string | null;
  uri: string;
  url: string;
  display_name: Generated<string>;
  note: Generated<string>;
  note_source: Generated<string>;
  fields: ColumnType<ProfileField[], string | undefined, string>;
  fields_source: ColumnType<ProfileField[], string | undefined, string>;
  avatar_path: string | null;
  avatar_remote_url: string | null;
  header_path: string | null;
  header_remote_url: string | null;
  locked: Generated<boolean>;
  bot: Generated<boolean>;
  discoverable: Generated<boolean>;
  indexable: Generated<boolean>;
  statuses_count: Generated<number>;
  followers_count: Generated<number>;
  following_count: Generated<number>;
  last_status_at: NullableTimestamp;
  suspended_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  actor_type: Generated<string>;
  inbox_url: string | null;
  shared_inbox_url: string | null;
  outbox_url: string | null;
  followers_url: string | null;
  following_url: string | null;
  featured_url: string | null;
  fetched_at: NullableTimestamp;
}

export interface UsersTable {
  account_id: string;
  email: string;
  password_hash: string;
  role: ColumnType<Role, Role | undefined, Role>;
  locale: Generated<string>;
  default_visibility: ColumnType<Visibility, Visibility | undefined, Visibility>;
  default_sensitive: Generated<boolean>;
  default_language: string | null;
  invite_id: string | null;
  created_at: Timestamp;
  last_sign_in_at: NullableTimestamp;
  default_local_only: Generated<boolean>;
}

export interface InvitesTable {
  id: Id;
  code: string;
  created_by_account_id: string | null;
  max_uses: number | null;
  uses: Generated<number>;
  expires_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface OauthApplicationsTable {
  id: Id;
  name: string;
  website: string | null;
  redirect_uris: Json<string[]>;
  scopes: string;
  client_id: string;
  client_secret: string;
  created_at: Timestamp;
}

export interface OauthAuthorizationCodesTable {
  code_hash: string;
  application_id: string;
  account_id: string;
  redirect_uri: string;
  scopes: string;
  code_challenge: string | null;
  code_challenge_method: string | null;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface OauthAccessTokensTable {
  id: Id;
  application_id: string | null;
  account_id: string | null;
  scopes: string;
  created_at: Timestamp;
  revoked_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
}

export interface WebSessionsTable {
  token_hash: string;
  account_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface StatusesTable {
  id: Id;
  uri: string;
  url: string;
  account_id: string;
  local: boolean;
  text: Generated<string>;
  content: Generated<string>;
  spoiler_text: Generated<string>;
  sensitive: Generated<boolean>;
  visibility: Visibility;
  language: string | null;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  reblog_of_id: string | null;
  application_id: string | null;
  replies_count: Generated<number>;
  reblogs_count: Generated<number>;
  favourites_count: Generated<number>;
  created_at: Timestamp;
  edited_at: NullableTimestamp;
  updated_at: Timestamp;
  local_only: Generated<boolean>;
  fetched_at: NullableTimestamp;
}

export interface MentionsTable {
  status_id: string;
  account_id: string;
}

export interface TagsTable {
  id: Id;
  name: string;
  display_name: string;
  last_status_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface StatusesTagsTable {
  tag_id: string;
  status_id: string;
}

export interface FollowsTable {
  id: Id;
  account_id: string;
  target_account_id: string;
  show_reblogs: Generated<boolean>;
  notify: Generated<boolean>;
  languages: ColumnType<string[] | null, string | null | undefined, string | null>;
  uri: string | null;
  created_at: Timestamp;
}

export type FollowRequestsTable = FollowsTable;

export interface HomeFeedTable {
  account_id: string;
  status_id: string;
  author_id: string;
}

export type NotificationType =
  | "mention"
  | "status"
  | "reblog"
  | "follow"
  | "follow_request"
  | "favourite"
  | "poll"
  | "update"
  | "admin.sign_up"
  | "admin.report";

export interface NotificationsTable {
  id: Id;
  account_id: string;
  from_account_id: string;
  type: NotificationType;
  status_id: string | null;
  created_at: Timestamp;
}

export interface IdempotencyKeysTable {
  account_id: string;
  key: string;
  status_id: string | null;
  created_at: Timestamp;
}

export type KeyAlgorithm = "RSASSA-PKCS1-v1_5" | "Ed25519";

export interface ActorKeysTable {
  id: Id;
  /** null: the instance actor. */
  account_id: string | null;
  algorithm: KeyAlgorithm;
  public_key: ColumnType<JsonWebKey, string, string>;
  private_key: ColumnType<JsonWebKey, string, string>;
  created_at: Timestamp;
}

export interface StatusEditsTable {
  id: Id;
  status_id: string;
  text: Generated<string>;
  content: Generated<string>;
  spoiler_text: Generated<string>;
  sensitive: Generated<boolean>;
  created_at: Timestamp;
}

export interface FavouritesTable {
  id: Id;
  account_id: string;
  status_id: string;
  uri: string | null;
  created_at: Timestamp;
}

export interface TombstonesTable {
  uri: string;
  deleted_at: Timestamp;
}

export interface AllowedOriginsTable {
  origin: string;
  created_at: Timestamp;
}

export interface FederationRefusalsTable {
  host: string;
  direction: "inbound" | "outbound";
  reason: string;
  count: ColumnType<string, number | string | undefined, number | string>;
  first_at: Timestamp;
  last_at: Timestamp;
}

export interface FedifyKvTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  expires_at: NullableTimestamp;
}

export type QueueStatus = "pending" | "processing" | "dead";

export interface FederationQueueTable {
  id: Id;
  message: ColumnType<unknown, string, string>;
  ordering_key: string | null;
  status: ColumnType<QueueStatus, QueueStatus | undefined, QueueStatus>;
  available_at: Timestamp;
  leased_until: NullableTimestamp;
  leased_by: string | null;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: Timestamp;
}

export interface Database {
  accounts: AccountsTable;
  users: UsersTable;
  invites: InvitesTable;
  oauth_applications: OauthApplicationsTable;
  oauth_authorization_codes: OauthAuthorizationCodesTable;
  oauth_access_tokens: OauthAccessTokensTable;
  web_sessions: WebSessionsTable;
  statuses: StatusesTable;
  mentions: MentionsTable;
  tags: TagsTable;
  statuses_tags: StatusesTagsTable;
  follows: FollowsTable;
  follow_requests: FollowRequestsTable;
  home_feed: HomeFeedTable;
  notifications: NotificationsTable;
  idempotency_keys: IdempotencyKeysTable;
  actor_keys: ActorKeysTable;
  status_edits: StatusEditsTable;
  favourites: FavouritesTable;
  tombstones: TombstonesTable;
  allowed_origins: AllowedOriginsTable;
  federation_refusals: FederationRefusalsTable;
  fedify_kv: FedifyKvTable;
  federation_queue: FederationQueueTable;
}

export type Account = Selectable<AccountsTable>;
export type NewAccount = Insertable<AccountsTable>;
export type AccountUpdate = Updateable<AccountsTable>;
export type User = Selectable<UsersTable>;
export type Invite = Selectable<InvitesTable>;
export type OauthApplication = Selectable<OauthApplicationsTable>;
export type OauthAccessToken = Selectable<OauthAccessTokensTable>;
export type Status = Selectable<StatusesTable>;
export type NewStatus = Insertable<StatusesTable>;
export type Tag = Selectable<TagsTable>;
export type Follow = Selectable<FollowsTable>;
export type Notification = Selectable<NotificationsTable>;
