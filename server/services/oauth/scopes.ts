// OAuth scopes as Mastodon defines them: top-level scopes (read, write, follow, push, profile,
// admin:read, admin:write) and granular ones beneath them (read:statuses, admin:read:accounts).

const GRANULAR = {
  read: [
    "accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists", "mutes",
    "notifications", "search", "statuses",
  ],
  write: [
    "accounts", "blocks", "bookmarks", "conversations", "favourites", "filters", "follows", "lists",
    "media", "mutes", "notifications", "reports", "statuses",
  ],
  "admin:read": [
    "accounts", "reports", "domain_allows", "domain_blocks", "ip_blocks", "email_domain_blocks",
    "canonical_email_blocks",
  ],
  "admin:write": [
    "accounts", "reports", "domain_allows", "domain_blocks", "ip_blocks", "email_domain_blocks",
    "canonical_email_blocks",
  ],
} as const;

export const ALL_SCOPES: readonly string[] = [
  "read", "write", "follow", "push", "profile", "admin:read", "admin:write",
  ...Object.entries(GRANULAR).flatMap(([parent, children]) =>
    children.map((child) => `${parent}:${child}`),
  ),
];
const KNOWN = new Set(ALL_SCOPES);

// The legacy `follow` scope stands for these granular ones.
const FOLLOW_COVERS = new Set([
  "read:blocks", "write:blocks", "read:follows", "write:follows", "read:mutes", "write:mutes",
]);

export const DEFAULT_SCOPES = "read";

/** Splits a scope string on spaces (and `+`, which some clients leave unencoded). */
export function parseScopes(value: string | undefined | null): string[] {
  return [...new Set((value ?? "").split(/[\s+]+/).filter(Boolean))];
}

export function unknownScopes(scopes: string[]): string[] {
  return scopes.filter((scope) => !KNOWN.has(scope));
}

/** Whether a token holding `granted` may use something that needs `required`. */
export function grants(granted: ReadonlySet<string>, required: string): boolean {
  if (granted.has(required)) return true;
  if (FOLLOW_COVERS.has(required) && granted.has("follow")) return true;
  const parts = required.split(":");
  // admin:read:accounts ← admin:read; read:statuses ← read
  for (let length = parts.length - 1; length > 0; length--) {
    if (granted.has(parts.slice(0, length).join(":"))) return true;
  }
  return false;
}

/** Whether every scope in `requested` is covered by `allowed` (an app's registered scopes). */
export function withinScopes(allowed: readonly string[], requested: readonly string[]): boolean {
  const granted = new Set(allowed);
  return requested.every((scope) => grants(granted, scope));
}
