// What this campus answers a sibling's search (GET /api/hallway/v1/federated_search, signed by
// the sibling's instance actor): only what any colleague of the organization may see. Public
// posts written here (never unlisted, followers-only, direct or local-only ones, and nothing of
// suspended people), and the discoverable people of this campus. Ranks use the same formula on
// every campus, so that the asking campus can merge the answers.
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { searchAccountHits, searchStatusHits } from "./fulltext.ts";
import { isPersonal, parseQuery } from "./query.ts";
import type { OrgSearchAnswer, SiblingQuery } from "./siblings.ts";

export async function answerSiblingSearch(context: AppContext, query: SiblingQuery): Promise<OrgSearchAnswer> {
  const parsed = parseQuery(query.q);
  const answer: OrgSearchAnswer = { statuses: [], accounts: [] };
  if (isPersonal(parsed)) return answer;
  if (query.type !== "accounts") {
    const hits = await searchStatusHits(context.db, {
      parsed,
      audience: { org: true },
      domain: context.config.domain,
      limit: query.limit,
      offset: query.offset,
    });
    if (hits.length > 0) {
      const rows = await context.db
        .selectFrom("statuses")
        .select(["id", "uri"])
        .where("id", "=", (eb) => eb.fn.any(bigintArray(hits.map((hit) => hit.id))))
        .execute();
      const uris = new Map(rows.map((row) => [row.id, row.uri]));
      for (const hit of hits) {
        const uri = uris.get(hit.id);
        if (uri) answer.statuses.push({ uri, rank: hit.rank });
      }
    }
  }
  if (query.type !== "statuses") {
    const word = query.q.trim().replace(/^@/, "").toLowerCase();
    const hits = await searchAccountHits(context.db, {
      terms: parsed.terms,
      usernamePrefix: /^[\p{L}\p{N}_.-]+$/u.test(word) ? word : null,
      audience: { org: true },
      limit: query.limit,
      offset: query.offset,
    });
    if (hits.length > 0) {
      const rows = await context.db
        .selectFrom("accounts")
        .select(["id", "uri"])
        .where("id", "=", (eb) => eb.fn.any(bigintArray(hits.map((hit) => hit.id))))
        .execute();
      const uris = new Map(rows.map((row) => [row.id, row.uri]));
      for (const hit of hits) {
        const uri = uris.get(hit.id);
        if (uri) answer.accounts.push({ uri, rank: hit.rank, exact: hit.exact });
      }
    }
  }
  return answer;
}
