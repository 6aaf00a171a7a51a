import type { Account } from "../../../db/schema.ts";

/**
 * How services reach accounts and posts of sibling campuses without knowing ActivityPub. The
 * federation layer implements it; every method answers null for anything outside the allowlist
 * (and counts the refusal) without sending a request.
 */
export interface RemoteResolver {
  /** `username@domain` of a sibling: stored, or looked up by WebFinger on the sibling. */
  accountByHandle(username: string, domain: string): Promise<Account | null>;
  /** An actor URI of a sibling. */
  accountByUri(uri: string): Promise<Account | null>;
  /** A post URI (or URL) on a sibling; returns the local id of the stored copy. */
  statusByUri(uri: string): Promise<string | null>;
}
