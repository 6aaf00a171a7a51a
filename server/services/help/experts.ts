// "Who knows X": the people of every campus ranked by expertise for a query (ranking.ts), with
// the posts that show it and how the viewer is connected to them over follows.
import { sql } from "kysely";
import { findAccountsByIds } from "../../../db/repositories/accounts.ts";
import type { Account } from "../../../db/schema.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { accountToApi, type ApiAccount } from "../../serializers/account.ts";
import { helpTag } from "./requests.ts";
import { rankExperts, expertEvidence, type RankedExpert, significantTerms } from "./ranking.ts";

const EVIDENCE_PER_EXPERT = 5;

export interface ApiExpertEvidence {
  status_id: string;
  url: string;
  /** The post solved a help request. */
  answer: boolean;
}

export interface ApiExpert {
  account: ApiAccount;
  score: number;
  /** What the score is made of: counts per kind of evidence (see docs/expert-routing.md). */
  breakdown: { posts: number; replies: number; answers: number; hashtags: number; skills: number };
  evidence: ApiExpertEvidence[];
  /** 0 to 2 follows from the viewer to the expert; null when further (or unknown). */
  hops: number | null;
  /** The viewer, whoever they follow on the way, and the expert; empty beyond two hops. */
  follow_path: ApiAccount[];
}

/** The terms of a "who knows" query. */
export function queryTerms(context: AppContext, q: string): string[] {
  return significantTerms(q, [helpTag(context)]);
}

/**
 * The shortest follow path from the viewer to each target over follows the campus knows
 * (local→local, local→remote, remote→local), at most two hops. Of two equal paths the one
 * through the lower account id is taken, so the answer is stable.
 */
export async function followPaths(
  context: AppContext,
  viewerId: string,
  targetIds: readonly string[],
): Promise<Map<string, string[]>> {
  const paths = new Map<string, string[]>();
  if (targetIds.length === 0) return paths;
  const direct = await context.db
    .selectFrom("follows")
    .select("target_account_id")
    .where("account_id", "=", viewerId)
    .where("target_account_id", "=", (eb) => eb.fn.any(bigintArray(targetIds)))
    .execute();
  const followed = new Set(direct.map((row) => row.target_account_id));
  const twoHops = await sql<{ target: string; middle: string }>`
    SELECT f2.target_account_id AS target, min(f1.target_account_id) AS middle
    FROM follows f1
    JOIN follows f2 ON f2.account_id = f1.target_account_id
    JOIN accounts m ON m.id = f1.target_account_id AND m.suspended_at IS NULL
    WHERE f1.account_id = ${viewerId}::bigint AND f2.target_account_id = ANY(${bigintArray(targetIds)})
    GROUP BY f2.target_account_id
  `.execute(context.db);
  const middles = new Map(twoHops.rows.map((row) => [String(row.target), String(row.middle)]));
  for (const target of targetIds) {
    if (target === viewerId) paths.set(target, [viewerId]);
    else if (followed.has(target)) paths.set(target, [viewerId, target]);
    else if (middles.has(target)) paths.set(target, [viewerId, middles.get(target)!, target]);
    else paths.set(target, []);
  }
  return paths;
}

/** GET /api/hallway/v1/experts: the experts for a query, best first, with evidence and paths. */
export async function findExperts(
  context: AppContext,
  viewerId: string,
  q: string,
  page: { limit: number; offset: number },
): Promise<ApiExpert[]> {
  const terms = queryTerms(context, q);
  const ranked = await rankExperts(context.db, terms, page);
  if (ranked.length === 0) return [];
  const ids = ranked.map((expert) => expert.accountId);
  const [evidence, paths] = await Promise.all([
    expertEvidence(context.db, terms, ids, EVIDENCE_PER_EXPERT),
    followPaths(context, viewerId, ids),
  ]);
  const pathIds = [...new Set([...paths.values()].flat())];
  const accounts = new Map(
    (await findAccountsByIds(context.db, [...new Set([...ids, ...pathIds])])).map((a) => [a.id, a]),
  );
  const present = (id: string) => accountToApi(accounts.get(id)!, context.urls);
  return ranked
    .filter((expert) => accounts.has(expert.accountId))
    .map((expert: RankedExpert) => {
      const path = paths.get(expert.accountId) ?? [];
      return {
        account: present(expert.accountId),
        score: expert.score,
        breakdown: {
          posts: expert.posts,
          replies: expert.replies,
          answers: expert.answers,
          hashtags: expert.hashtags,
          skills: expert.skills,
        },
        evidence: (evidence.get(expert.accountId) ?? []).map((item) => ({
          status_id: item.statusId,
          url: item.url,
          answer: item.answer,
        })),
        hops: path.length === 0 ? null : path.length - 1,
        follow_path: path.map(present),
      };
    });
}

/**
 * Account results of search ranked by expertise: at the first page, the people with evidence
 * for the query come first (best first), then the accounts the name search found, without
 * repeats, up to `limit`. A query with no significant words, or that is a handle or a URL, is
 * left as it is. With `following`, only people the viewer follows are added.
 */
export async function rankAccountsByExpertise(
  context: AppContext,
  q: string,
  matched: Account[],
  options: { limit: number; offset: number; viewerId: string; following?: boolean },
): Promise<Account[]> {
  if (options.offset > 0 || q.includes("@") || q.includes("://")) return matched;
  const terms = queryTerms(context, q);
  if (terms.length === 0) return matched;
  const ranked = await rankExperts(context.db, terms, { limit: options.limit });
  let expertIds = ranked.map((expert) => expert.accountId);
  if (options.following && expertIds.length > 0) {
    const followed = await context.db
      .selectFrom("follows")
      .select("target_account_id")
      .where("account_id", "=", options.viewerId)
      .where("target_account_id", "=", (eb) => eb.fn.any(bigintArray(expertIds)))
      .execute();
    const ids = new Set(followed.map((row) => row.target_account_id));
    expertIds = expertIds.filter((id) => ids.has(id));
  }
  const experts = new Map(
    (await findAccountsByIds(context.db, expertIds)).map((account) => [account.id, account]),
  );
  const ordered = expertIds.flatMap((id) => (experts.has(id) ? [experts.get(id)!] : []));
  const seen = new Set(ordered.map((account) => account.id));
  return [...ordered, ...matched.filter((account) => !seen.has(account.id))].slice(
    0,
    options.limit,
  );
}
