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
    media_attachments: { type: "array", items: anyObject },
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
    poll: { anyOf: [anyObject, { type: "null" }] },
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
    filtered: { type: "array", items: anyObject },
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
    media_attachments: { type: "array", items: anyObject },
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
    history: { type: "array", items: anyObject },
    following: { type: "boolean" },
  },
} as const;

const ALL = [
  FieldSchema,
  CustomEmojiSchema,
  RoleSchema,
  AccountSchema,
  CredentialAccountSchema,
  RelationshipSchema,
  StatusMentionSchema,
  StatusTagSchema,
  StatusSchema,
  StatusEditSchema,
  StatusSourceSchema,
  ContextSchema,
  NotificationSchema,
  ApplicationSchema,
  TokenSchema,
  TagEntitySchema,
];

export function registerEntitySchemas(app: FastifyInstance): void {
  for (const schema of ALL) app.addSchema(schema);
}

export const ref = (id: string) => ({ $ref: `${id}#` }) as const;
export const arrayOf = (id: string) => ({ type: "array", items: { $ref: `${id}#` } }) as const;
