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
  poll_id: string | null;
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
  /** Set on insert by the database (favourites, boosts, follows); null: never grouped. */
  group_key: Generated<string | null>;
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
  /** The attachments that version had, in order, with the descriptions they had then. */
  media: ColumnType<EditedMedia[], string | undefined, string>;
}

export interface EditedMedia {
  id: string;
  description: string | null;
}

export type MediaType = "image" | "gifv" | "video" | "audio" | "unknown";

/** Mastodon's meta sizes of one rendition of an image (or of a video's preview). */
export interface MediaSize {
  width: number;
  height: number;
  size: string;
  aspect: number;
}

export interface MediaAttachmentsTable {
  id: Id;
  account_id: string;
  status_id: string | null;
  position: number | null;
  type: MediaType;
  file_key: string | null;
  file_content_type: string | null;
  file_size: ColumnType<string | null, number | string | null | undefined, number | string | null>;
  preview_key: string | null;
  remote_url: string | null;
  preview_remote_url: string | null;
  description: string | null;
  meta: ColumnType<{ original?: MediaSize; small?: MediaSize }, string | undefined, string>;
  focus_x: Generated<number>;
  focus_y: Generated<number>;
  blurhash: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** A scheduled post waiting to publish this upload (0008). */
  scheduled_status_id: Generated<string | null>;
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

export interface PollsTable {
  id: Id;
  status_id: string;
  account_id: string;
  options: string[];
  /** One tally per option, in the order of `options`. */
  votes_counts: ColumnType<number[], number[], number[]>;
  multiple: Generated<boolean>;
  hide_totals: Generated<boolean>;
  votes_count: Generated<number>;
  voters_count: number | null;
  expires_at: NullableTimestamp;
  ended_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PollVotesTable {
  id: Id;
  poll_id: string;
  account_id: string;
  choice: number;
  uri: string | null;
  created_at: Timestamp;
}

export interface BlocksTable {
  id: Id;
  account_id: string;
  target_account_id: string;
  uri: string | null;
  created_at: Timestamp;
}

export interface MutesTable {
  id: Id;
  account_id: string;
  target_account_id: string;
  hide_notifications: Generated<boolean>;
  expires_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface AccountNotesTable {
  account_id: string;
  target_account_id: string;
  comment: string;
  updated_at: Timestamp;
}

export type RepliesPolicy = "followed" | "list" | "none";

export interface ListsTable {
  id: Id;
  account_id: string;
  title: string;
  replies_policy: ColumnType<RepliesPolicy, RepliesPolicy | undefined, RepliesPolicy>;
  exclusive: Generated<boolean>;
  created_at: Timestamp;
  /** A list the server keeps itself (0010): 'open_asks'; null for people's own lists. */
  kind: Generated<"open_asks" | null>;
}

export interface ListAccountsTable {
  id: Id;
  list_id: string;
  account_id: string;
  created_at: Timestamp;
}

export interface ListFeedTable {
  list_id: string;
  status_id: string;
  author_id: string;
}

export interface ConversationsTable {
  id: Id;
  account_id: string;
  /** The other participants' ids, sorted. */
  participant_ids: ColumnType<string[], string | undefined, string>;
  unread: Generated<boolean>;
  created_at: Timestamp;
}

export interface ConversationStatusesTable {
  conversation_id: string;
  status_id: string;
}

export interface BookmarksTable {
  id: Id;
  account_id: string;
  status_id: string;
  created_at: Timestamp;
}

export interface StatusPinsTable {
  id: Id;
  account_id: string;
  status_id: string;
  created_at: Timestamp;
}

/** A muted thread, named by its first post. */
export interface ConversationMutesTable {
  account_id: string;
  status_id: string;
  created_at: Timestamp;
}

export type FilterContext = "home" | "notifications" | "public" | "thread" | "account";
export type FilterAction = "warn" | "hide" | "blur";

export interface FiltersTable {
  id: Id;
  account_id: string;
  title: string;
  context: ColumnType<FilterContext[], FilterContext[], FilterContext[]>;
  action: ColumnType<FilterAction, FilterAction | undefined, FilterAction>;
  expires_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FilterKeywordsTable {
  id: Id;
  filter_id: string;
  keyword: string;
  whole_word: Generated<boolean>;
  created_at: Timestamp;
}

export interface FilterStatusesTable {
  id: Id;
  filter_id: string;
  status_id: string;
  created_at: Timestamp;
}

export type MarkerTimeline = "home" | "notifications";

export interface MarkersTable {
  account_id: string;
  timeline: MarkerTimeline;
  last_read_id: string;
  version: Generated<number>;
  updated_at: Timestamp;
}

export interface TagFollowsTable {
  id: Id;
  account_id: string;
  tag_id: string;
  created_at: Timestamp;
}

export interface FeaturedTagsTable {
  id: Id;
  account_id: string;
  tag_id: string;
  created_at: Timestamp;
}

export interface CustomEmojisTable {
  id: Id;
  shortcode: string;
  file_key: string;
  static_key: string;
  content_type: string;
  visible_in_picker: Generated<boolean>;
  category: string | null;
  created_at: Timestamp;
}

export interface AnnouncementsTable {
  id: Id;
  text: string;
  content: string;
  starts_at: NullableTimestamp;
  ends_at: NullableTimestamp;
  all_day: Generated<boolean>;
  /** Local accounts, local posts and hashtags the text names, resolved when it was written. */
  mention_ids: ColumnType<string[], string | undefined, string>;
  status_ids: ColumnType<string[], string | undefined, string>;
  tag_names: ColumnType<string[], string | undefined, string>;
  published_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AnnouncementDismissalsTable {
  announcement_id: string;
  account_id: string;
  created_at: Timestamp;
}

export interface AnnouncementReactionsTable {
  id: Id;
  announcement_id: string;
  account_id: string;
  name: string;
  created_at: Timestamp;
}

export interface ScheduledStatusesTable {
  id: Id;
  account_id: string;
  scheduled_at: Timestamp;
  /** What the post was written with (see server/services/statuses/scheduled.ts). */
  params: ColumnType<Record<string, unknown>, string, string>;
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
  markers: MarkersTable;
  tag_follows: TagFollowsTable;
  featured_tags: FeaturedTagsTable;
  custom_emojis: CustomEmojisTable;
  announcements: AnnouncementsTable;
  announcement_dismissals: AnnouncementDismissalsTable;
  announcement_reactions: AnnouncementReactionsTable;
  scheduled_statuses: ScheduledStatusesTable;
  idempotency_keys: IdempotencyKeysTable;
  actor_keys: ActorKeysTable;
  status_edits: StatusEditsTable;
  favourites: FavouritesTable;
  media_attachments: MediaAttachmentsTable;
  tombstones: TombstonesTable;
  allowed_origins: AllowedOriginsTable;
  federation_refusals: FederationRefusalsTable;
  fedify_kv: FedifyKvTable;
  federation_queue: FederationQueueTable;
  polls: PollsTable;
  poll_votes: PollVotesTable;
  blocks: BlocksTable;
  mutes: MutesTable;
  account_notes: AccountNotesTable;
  lists: ListsTable;
  list_accounts: ListAccountsTable;
  list_feed: ListFeedTable;
  conversations: ConversationsTable;
  conversation_statuses: ConversationStatusesTable;
  bookmarks: BookmarksTable;
  status_pins: StatusPinsTable;
  conversation_mutes: ConversationMutesTable;
  filters: FiltersTable;
  filter_keywords: FilterKeywordsTable;
  filter_statuses: FilterStatusesTable;
  help_requests: HelpRequestsTable;
  help_routings: HelpRoutingsTable;
  suggestion_dismissals: SuggestionDismissalsTable;
  status_search: StatusSearchTable;
  account_search: AccountSearchTable;
}

/** The full-text document of a post, kept by triggers (0009); never written by the application. */
export interface StatusSearchTable {
  status_id: string;
  document: ColumnType<string, never, never>;
}

/** The full-text document of an account, kept by triggers (0009). */
export interface AccountSearchTable {
  account_id: string;
  document: ColumnType<string, never, never>;
}

/** A post that asks the organization for help (0010). */
export interface HelpRequestsTable {
  status_id: string;
  account_id: string;
  created_at: Timestamp;
  solved_at: NullableTimestamp;
  solved_by_status_id: string | null;
  answer_status_id: string | null;
  rounds: Generated<number>;
}

/** Who a help request was routed to, in which round (0010). */
export interface HelpRoutingsTable {
  status_id: string;
  account_id: string;
  round: number;
  score: number;
  created_at: Timestamp;
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
export type MediaAttachment = Selectable<MediaAttachmentsTable>;

/** Someone a user removed from their follow suggestions (0011). */
export interface SuggestionDismissalsTable {
  account_id: string;
  target_account_id: string;
  created_at: Timestamp;
}
