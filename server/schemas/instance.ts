// Response shapes of the instance and discovery endpoints.
const open = { type: "object", additionalProperties: true } as const;
const nullableString = { type: ["string", "null"] } as const;
const accountOrNull = { anyOf: [{ $ref: "Account#" }, { type: "null" }] } as const;

export const InstanceV1Schema = {
  type: "object",
  properties: {
    uri: { type: "string" },
    title: { type: "string" },
    short_description: { type: "string" },
    description: { type: "string" },
    email: { type: "string" },
    version: { type: "string" },
    urls: { type: "object", properties: { streaming_api: { type: "string" } } },
    stats: {
      type: "object",
      properties: {
        user_count: { type: "integer" },
        status_count: { type: "integer" },
        domain_count: { type: "integer" },
      },
    },
    thumbnail: nullableString,
    languages: { type: "array", items: { type: "string" } },
    registrations: { type: "boolean" },
    approval_required: { type: "boolean" },
    invites_enabled: { type: "boolean" },
    configuration: open,
    contact_account: accountOrNull,
    rules: { type: "array", items: open },
  },
} as const;

export const InstanceV2Schema = {
  type: "object",
  properties: {
    domain: { type: "string" },
    title: { type: "string" },
    version: { type: "string" },
    source_url: { type: "string" },
    description: { type: "string" },
    usage: open,
    thumbnail: open,
    icon: { type: "array", items: open },
    languages: { type: "array", items: { type: "string" } },
    configuration: open,
    registrations: open,
    api_versions: open,
    contact: {
      type: "object",
      properties: { email: { type: "string" }, account: accountOrNull },
    },
    rules: { type: "array", items: open },
  },
} as const;
