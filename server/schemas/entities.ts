// JSON Schemas of the Mastodon entities we return, registered once and referenced by $id.
// A response schema also decides what is serialized: a field missing here never leaks.
import type { FastifyInstance } from "fastify";

const nullable = (type: string) => ({ type: [type, "null"] }) as const;
const anyObject = { type: "object", additionalProperties: true } as const;

export const FieldSchema = {
  $id: "Field",
  type: "object",
  properties: {
    name: { type: "string" },
    value: { type: "string" },
    verified_at: nullable("string"),
  },
} as const;

export const CustomEmojiSchema = {
  $id: "CustomEmoji",
  type: "object",
  properties: {
    shortcode: { type: "string" },
    url: { type: "string" },
    static_url: { type: "string" },
    visible_in_picker: { type: "boolean" },
    category: nullable("string"),
  },
} as const;

export const RoleSchema = {
  $id: "Role",
  type: "object",
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    color: { type: "string" },
    permissions: { type: "string" },
    highlighted: { type: "boolean" },
  },
} as const;

const accountProperties = {
  id: { type: "string" },
  username: { type: "string" },
  acct: { type: "string" },
  url: { type: "string" },
  uri: { type: "string" },
  display_name: { type: "string" },
  note: { type: "string" },
  avatar: { type: "string" },
  avatar_static: { type: "string" },
  header: { type: "string" },
  header_static: { type: "string" },
  locked: { type: "boolean" },
  fields: { type: "array", items: { $ref: "Field#" } },
  emojis: { type: "array", items: { $ref: "CustomEmoji#" } },
  bot: { type: "boolean" },
  group: { type: "boolean" },
  discoverable: nullable("boolean"),
  indexable: { type: "boolean" },
  noindex: nullable("boolean"),
  hide_collections: nullable("boolean"),
  suspended: { type: "boolean" },
  limited: { type: "boolean" },
  memorial: { type: "boolean" },
  created_at: { type: "string" },
  last_status_at: nullable("string"),
  statuses_count: { type: "integer" },
  followers_count: { type: "integer" },
  following_count: { type: "integer" },
  roles: { type: "array", items: { $ref: "Role#" } },
} as const;

export const AccountSchema = {
  $id: "Account",
  type: "object",
  properties: accountProperties,
} as const;

export const CredentialAccountSchema = {
  $id: "CredentialAccount",
  type: "object",
  properties: {
    ...accountProperties,
    source: {
      type: "object",
      properties: {
        note: { type: "string" },
        fields: { type: "array", items: { $ref: "Field#" } },
        privacy: { type: "string" },
        sensitive: { type: "boolean" },
        language: nullable("string"),
        follow_requests_count: { type: "integer" },
        hide_collections: nullable("boolean"),
        discoverable: nullable("boolean"),
        indexable: { type: "boolean" },
        local_only: { type: "boolean" },
      },
    },
    role: { $ref: "Role#" },
  },
} as const;

export const RelationshipSchema = {
  $id: "Relationship",
  type: "object",
  properties: {
    id: { type: "string" },
    following: { type: "boolean" },
    showing_reblogs: { type: "boolean" },
    notifying: { type: "boolean" },
    languages: { type: ["array", "null"], items: { type: "string" } },
    followed_by: { type: "boolean" },
    blocking: { type: "boolean" },
    blocked_by: { type: "boolean" },
    muting: { type: "boolean" },
    muting_notifications: { type: "boolean" },
    requested: { type: "boolean" },
    requested_by: { type: "boolean" },
    domain_blocking: { type: "boolean" },
    endorsed: { type: "boolean" },
    note: { type: "string" },
  },
} as const;

export const StatusMentionSchema = {
  $id: "StatusMention",
  type: "object",
  properties: {
    id: { type: "string" },
    username: { type: "string" },
    url: { type: "string" },
    acct: { type: "string" },
  },
} as const;

export const StatusTagSchema = {
  $id: "StatusTag",
  type: "object",
  properties: { name: { type: "string" }, url: { type: "string" } },
} as const;

const mediaSize = {
  type: "object",
  properties: {
    width: { type: "integer" },
    height: { type: "integer" },
    size: { type: "string" },
    aspect: { type: "number" },
  },
} as const;

export const MediaAttachmentSchema = {
  $id: "MediaAttachment",
  type: "object",
  properties: {
    id: { type: "string" },
    type: { type: "string", enum: ["image", "gifv", "video", "audio", "unknown"] },
    url: nullable("string"),
    preview_url: nullable("string"),
    remote_url: nullable("string"),
    preview_remote_url: nullable("string"),
    text_url: nullable("string"),
    meta: {
      type: "object",
      properties: {
        original: mediaSize,
        small: mediaSize,
        focus: { type: "object", properties: { x: { type: "number" }, y: { type: "number" } } },
      },
    },
    description: nullable("string"),
    blurhash: nullable("string"),
  },
} as const;

export const PollSchema = {
  $id: "Poll",
  type: "object",
  properties: {
    id: { type: "string" },
    expires_at: nullable("string"),
    expired: { type: "boolean" },
    multiple: { type: "boolean" },
    votes_count: { type: "integer" },
    voters_count: nullable("integer"),
    options: {
      type: "array",
      items: {
        type: "object",
        properties: { title: { type: "string" }, votes_count: nullable("integer") },
      },
    },
    emojis: { type: "array", items: { $ref: "CustomEmoji#" } },
    voted: { type: "boolean" },
    own_votes: { type: "array", items: { type: "integer" } },
  },
} as const;

export const StatusSchema = {
  $id: "Status",
  type: "object",
  properties: {
    id: { type: "string" },
    uri: { type: "string" },
    url: nullable("string"),
    created_at: { type: "string" },
    account: { $ref: "Account#" },
    content: { type: "string" },
    visibility: { type: "string" },
    sensitive: { type: "boolean" },
    spoiler_text: { type: "string" },
    media_attachments: { type: "array", items: { $ref: "MediaAttachment#" } },
    application: {
      type: ["object", "null"],
      properties: { name: { type: "string" }, website: nullable("string") },
    },
    mentions: { type: "array", items: { $ref: "StatusMention#" } },
    tags: { type: "array", items: { $ref: "StatusTag#" } },
    emojis: { type: "array", items: { $ref: "CustomEmoji#" } },
    reblogs_count: { type: "integer" },
    favourites_count: { type: "integer" },
    replies_count: { type: "integer" },
    in_reply_to_id: nullable("string"),
    in_reply_to_account_id: nullable("string"),
    reblog: { anyOf: [{ $ref: "Status#" }, { type: "null" }] },
    poll: { anyOf: [{ $ref: "Poll#" }, { type: "null" }] },
    card: { anyOf: [anyObject, { type: "null" }] },
    language: nullable("string"),
    text: nullable("string"),
    edited_at: nullable("string"),
    local_only: { type: "boolean" },
    favourited: { type: "boolean" },
    reblogged: { type: "boolean" },
    muted: { type: "boolean" },
    bookmarked: { type: "boolean" },
    pinned: { type: "boolean" },
    filtered: { type: "array", items: { $ref: "FilterResult#" } },
  },
} as const;

/** One version of a post, as /api/v1/statuses/:id/history lists them. */
export const StatusEditSchema = {
  $id: "StatusEdit",
  type: "object",
  properties: {
    content: { type: "string" },
    spoiler_text: { type: "string" },
    sensitive: { type: "boolean" },
    created_at: { type: "string" },
    account: { $ref: "Account#" },
    poll: { anyOf: [anyObject, { type: "null" }] },
    media_attachments: { type: "array", items: { $ref: "MediaAttachment#" } },
    emojis: { type: "array", items: { $ref: "CustomEmoji#" } },
  },
} as const;

export const StatusSourceSchema = {
  $id: "StatusSource",
  type: "object",
  properties: {
    id: { type: "string" },
    text: { type: "string" },
    spoiler_text: { type: "string" },
  },
} as const;

export const FilterKeywordSchema = {
  $id: "FilterKeyword",
  type: "object",
  properties: { id: { type: "string" }, keyword: { type: "string" }, whole_word: { type: "boolean" } },
} as const;

export const FilterStatusSchema = {
  $id: "FilterStatus",
  type: "object",
  properties: { id: { type: "string" }, status_id: { type: "string" } },
} as const;

const filterProperties = {
  id: { type: "string" },
  title: { type: "string" },
  context: { type: "array", items: { type: "string" } },
  expires_at: nullable("string"),
  filter_action: { type: "string" },
} as const;

export const FilterSchema = {
  $id: "Filter",
  type: "object",
  properties: {
    ...filterProperties,
    keywords: { type: "array", items: { $ref: "FilterKeyword#" } },
    statuses: { type: "array", items: { $ref: "FilterStatus#" } },
  },
} as const;

export const FilterResultSchema = {
  $id: "FilterResult",
  type: "object",
  properties: {
    // The filter without its keywords and statuses, as Mastodon shows it in a result.
    filter: { type: "object", properties: filterProperties },
    keyword_matches: { type: ["array", "null"], items: { type: "string" } },
    status_matches: { type: ["array", "null"], items: { type: "string" } },
  },
} as const;

export const V1FilterSchema = {
  $id: "V1Filter",
  type: "object",
  properties: {
    id: { type: "string" },
    phrase: { type: "string" },
    context: { type: "array", items: { type: "string" } },
    whole_word: { type: "boolean" },
    expires_at: nullable("string"),
    irreversible: { type: "boolean" },
  },
} as const;

export const ContextSchema = {
  $id: "Context",
  type: "object",
  properties: {
    ancestors: { type: "array", items: { $ref: "Status#" } },
    descendants: { type: "array", items: { $ref: "Status#" } },
  },
} as const;

export const NotificationSchema = {
  $id: "Notification",
  type: "object",
  properties: {
    id: { type: "string" },
    type: { type: "string" },
    group_key: { type: "string" },
    created_at: { type: "string" },
    account: { $ref: "Account#" },
    status: { anyOf: [{ $ref: "Status#" }, { type: "null" }] },
  },
} as const;

export const ApplicationSchema = {
  $id: "Application",
  type: "object",
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    website: nullable("string"),
    scopes: { type: "array", items: { type: "string" } },
    redirect_uri: { type: "string" },
    redirect_uris: { type: "array", items: { type: "string" } },
    vapid_key: { type: "string" },
    client_id: { type: "string" },
    client_secret: { type: "string" },
    client_secret_expires_at: { type: "integer" },
  },
} as const;

export const TokenSchema = {
  $id: "Token",
  type: "object",
  properties: {
    access_token: { type: "string" },
    token_type: { type: "string" },
    scope: { type: "string" },
    created_at: { type: "integer" },
  },
} as const;

export const TagEntitySchema = {
  $id: "Tag",
  type: "object",
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    url: { type: "string" },
    history: {
      type: "array",
      items: {
        type: "object",
        properties: { day: { type: "string" }, uses: { type: "string" }, accounts: { type: "string" } },
      },
    },
    following: { type: "boolean" },
    featuring: { type: "boolean" },
  },
} as const;

export const MarkerSchema = {
  $id: "Marker",
  type: "object",
  properties: {
    last_read_id: { type: "string" },
    version: { type: "integer" },
    updated_at: { type: "string" },
  },
} as const;

export const NotificationGroupSchema = {
  $id: "NotificationGroup",
  type: "object",
  properties: {
    group_key: { type: "string" },
    notifications_count: { type: "integer" },
    type: { type: "string" },
    most_recent_notification_id: { type: "string" },
    page_min_id: { type: "string" },
    page_max_id: { type: "string" },
    latest_page_notification_at: { type: "string" },
    sample_account_ids: { type: "array", items: { type: "string" } },
    status_id: { type: "string" },
  },
} as const;

export const PartialAccountWithAvatarSchema = {
  $id: "PartialAccountWithAvatar",
  type: "object",
  properties: {
    id: { type: "string" },
    acct: { type: "string" },
    url: { type: "string" },
    avatar: { type: "string" },
    avatar_static: { type: "string" },
    locked: { type: "boolean" },
    bot: { type: "boolean" },
  },
} as const;

export const GroupedNotificationsResultsSchema = {
  $id: "GroupedNotificationsResults",
  type: "object",
  properties: {
    accounts: { type: "array", items: { $ref: "Account#" } },
    partial_accounts: { type: "array", items: { $ref: "PartialAccountWithAvatar#" } },
    statuses: { type: "array", items: { $ref: "Status#" } },
    notification_groups: { type: "array", items: { $ref: "NotificationGroup#" } },
  },
} as const;

export const FeaturedTagSchema = {
  $id: "FeaturedTag",
  type: "object",
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    url: { type: "string" },
    statuses_count: { type: "string" },
    last_status_at: nullable("string"),
  },
} as const;

export const AnnouncementSchema = {
  $id: "Announcement",
  type: "object",
  properties: {
    id: { type: "string" },
    content: { type: "string" },
    starts_at: nullable("string"),
    ends_at: nullable("string"),
    all_day: { type: "boolean" },
    published_at: { type: "string" },
    updated_at: { type: "string" },
    read: { type: "boolean" },
    mentions: { type: "array", items: { $ref: "StatusMention#" } },
    statuses: {
      type: "array",
      items: { type: "object", properties: { id: { type: "string" }, url: { type: "string" } } },
    },
    tags: { type: "array", items: { $ref: "StatusTag#" } },
    emojis: { type: "array", items: { $ref: "CustomEmoji#" } },
    reactions: {
      type: "array",
      items: {
        type: "object",
        properties: {
          name: { type: "string" },
          count: { type: "integer" },
          me: { type: "boolean" },
          url: { type: "string" },
          static_url: { type: "string" },
        },
      },
    },
  },
} as const;

export const ScheduledStatusSchema = {
  $id: "ScheduledStatus",
  type: "object",
  // Required so that a response that may be either tells a ScheduledStatus from a Status.
  required: ["id", "scheduled_at", "params"],
  properties: {
    id: { type: "string" },
    scheduled_at: { type: "string" },
    params: {
      type: "object",
      properties: {
        text: { type: "string" },
        poll: { type: ["object", "null"], additionalProperties: true },
        media_ids: { type: ["array", "null"], items: { type: "string" } },
        sensitive: nullable("boolean"),
        spoiler_text: nullable("string"),
        visibility: nullable("string"),
        in_reply_to_id: nullable("string"),
        language: nullable("string"),
        application_id: nullable("string"),
        scheduled_at: { type: "null" },
        idempotency: nullable("string"),
        with_rate_limit: { type: "boolean" },
        local_only: nullable("boolean"),
      },
    },
    media_attachments: { type: "array", items: { $ref: "MediaAttachment#" } },
  },
} as const;

export const WebPushSubscriptionSchema = {
  $id: "WebPushSubscription",
  type: "object",
  properties: {
    id: { type: "string" },
    endpoint: { type: "string" },
    standard: { type: "boolean" },
    alerts: { type: "object", additionalProperties: { type: "boolean" } },
    server_key: { type: "string" },
    policy: { type: "string" },
  },
} as const;

/** An account as /api/v1/mutes lists it: with when the mute ends. */
export const MutedAccountSchema = {
  $id: "MutedAccount",
  type: "object",
  properties: { ...accountProperties, mute_expires_at: nullable("string") },
} as const;

export const FamiliarFollowersSchema = {
  $id: "FamiliarFollowers",
  type: "object",
  properties: {
    id: { type: "string" },
    accounts: { type: "array", items: { $ref: "Account#" } },
  },
} as const;

export const ListSchema = {
  $id: "List",
  type: "object",
  properties: {
    id: { type: "string" },
    title: { type: "string" },
    replies_policy: { type: "string", enum: ["followed", "list", "none"] },
    exclusive: { type: "boolean" },
  },
} as const;

export const ConversationSchema = {
  $id: "Conversation",
  type: "object",
  properties: {
    id: { type: "string" },
    unread: { type: "boolean" },
    accounts: { type: "array", items: { $ref: "Account#" } },
    last_status: { anyOf: [{ $ref: "Status#" }, { type: "null" }] },
  },
} as const;

const ALL = [
  FieldSchema,
  CustomEmojiSchema,
  RoleSchema,
  AccountSchema,
  CredentialAccountSchema,
  RelationshipSchema,
  MutedAccountSchema,
  FamiliarFollowersSchema,
  ListSchema,
  ConversationSchema,
  StatusMentionSchema,
  StatusTagSchema,
  MediaAttachmentSchema,
  PollSchema,
  StatusSchema,
  StatusEditSchema,
  StatusSourceSchema,
  FilterKeywordSchema,
  FilterStatusSchema,
  FilterSchema,
  FilterResultSchema,
  V1FilterSchema,
  ContextSchema,
  NotificationSchema,
  ApplicationSchema,
  TokenSchema,
  TagEntitySchema,
  MarkerSchema,
  NotificationGroupSchema,
  PartialAccountWithAvatarSchema,
  GroupedNotificationsResultsSchema,
  FeaturedTagSchema,
  AnnouncementSchema,
  ScheduledStatusSchema,
  WebPushSubscriptionSchema,
];

export function registerEntitySchemas(app: FastifyInstance): void {
  for (const schema of ALL) app.addSchema(schema);
}

export const ref = (id: string) => ({ $ref: `${id}#` }) as const;
export const arrayOf = (id: string) => ({ type: "array", items: { $ref: `${id}#` } }) as const;
