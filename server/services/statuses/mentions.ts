import { findAccountByHandle } from "../../../db/repositories/accounts.ts";
import type { Account } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import type { MentionTarget } from "./html.ts";
import { extractMentions } from "./text.ts";

export const mentionKey = (username: string, domain: string | null) => `${username.toLowerCase()}@${domain ?? ""}`;

/**
 * The accounts a text mentions: local people, and people of sibling campuses (looked up on the
 * sibling when not stored yet). Unknown handles and handles outside the allowlist stay plain text.
 */
export async function resolveMentions(context: AppContext, text: string): Promise<Map<string, Account>> {
  const resolved = new Map<string, Account>();
  for (const handle of extractMentions(text)) {
    const domain = handle.domain === context.config.domain ? null : handle.domain;
    const account =
      (await findAccountByHandle(context.db, handle.username, domain)) ??
      (domain ? await context.resolver?.accountByHandle(handle.username, domain) : null);
    if (account && !account.suspended_at) resolved.set(mentionKey(handle.username, handle.domain), account);
  }
  return resolved;
}

/** The formatter's view of resolved mentions. */
export function mentionLookup(resolved: Map<string, Account>) {
  return (username: string, domain: string | null): MentionTarget | null => {
    const account = resolved.get(mentionKey(username, domain));
    return account ? { username: account.username, url: account.url } : null;
  };
}
