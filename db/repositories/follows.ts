import { bigintArray } from "../sql-helpers.ts";
import { type BlockMuteFacts, loadBlockMuteFacts } from "./relationships.ts";
import type { Db } from "./types.ts";

export interface RelationshipFacts extends BlockMuteFacts {
  following: Map<string, { show_reblogs: boolean; notify: boolean; languages: string[] | null }>;
  followedBy: Set<string>;
  requested: Map<string, { show_reblogs: boolean; notify: boolean; languages: string[] | null }>;
  requestedBy: Set<string>;
}

/** Everything a batch of Relationship entities needs, in five indexed lookups. */
export async function loadRelationshipFacts(
  db: Db,
  viewerId: string,
  targetIds: readonly string[],
): Promise<RelationshipFacts> {
  const targets = bigintArray(targetIds);
  const [following, followedBy, requested, requestedBy, blocksAndMutes] = await Promise.all([
    db
      .selectFrom("follows")
      .select(["target_account_id", "show_reblogs", "notify", "languages"])
      .where("account_id", "=", viewerId)
      .where("target_account_id", "=", (eb) => eb.fn.any(targets))
      .execute(),
    db
      .selectFrom("follows")
      .select("account_id")
      .where("target_account_id", "=", viewerId)
      .where("account_id", "=", (eb) => eb.fn.any(targets))
      .execute(),
    db
      .selectFrom("follow_requests")
      .select(["target_account_id", "show_reblogs", "notify", "languages"])
      .where("account_id", "=", viewerId)
      .where("target_account_id", "=", (eb) => eb.fn.any(targets))
      .execute(),
    db
      .selectFrom("follow_requests")
      .select("account_id")
      .where("target_account_id", "=", viewerId)
      .where("account_id", "=", (eb) => eb.fn.any(targets))
      .execute(),
    loadBlockMuteFacts(db, viewerId, targetIds),
  ]);
  return {
    ...blocksAndMutes,
    following: new Map(following.map((row) => [row.target_account_id, row])),
    followedBy: new Set(followedBy.map((row) => row.account_id)),
    requested: new Map(requested.map((row) => [row.target_account_id, row])),
    requestedBy: new Set(requestedBy.map((row) => row.account_id)),
  };
}
