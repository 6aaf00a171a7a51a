// Building blocks for route schemas.

/** A boolean in any of Mastodon's spellings (see keywords.ts). */
export const bool = { "x-boolean": true } as const;

/** Our IDs: decimal 64-bit integers as strings (the `x-id` keyword checks the range). */
export const idString = { type: "string", "x-id": true } as const;

export const idParams = {
  type: "object",
  required: ["id"],
  properties: { id: idString },
} as const;

/** A `limit` parameter; values above the endpoint's maximum are clamped, as Mastodon does. */
export const limitParam = { type: "integer", minimum: 0, maximum: 100000 } as const;

/** max_id / since_id / min_id / limit, as every Mastodon list endpoint takes them. */
export const pageQuery = {
  max_id: idString,
  since_id: idString,
  min_id: idString,
  limit: limitParam,
} as const;

export const errorResponse = {
  type: "object",
  properties: {
    error: { type: "string" },
    error_description: { type: "string" },
    details: { type: "object", additionalProperties: true },
  },
} as const;

export const emptyObject = { type: "object", properties: {}, additionalProperties: false } as const;

export const stringArray = { type: "array", items: { type: "string" } } as const;
