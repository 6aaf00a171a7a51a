// Follow suggestions (Mastodon's /api/v2/suggestions): colleagues on any campus whose expertise
// overlaps the viewer's. Expertise is what a profile's Skills field lists plus the hashtags a
// person posts with, each reduced to a key ("Open-source CRM" and #OpenSourceCRM meet as
// "opensourcecrm"). People the viewer follows, has asked to follow or dismissed are left out;
// when too few overlap, the most followed people of the directory fill the list.
import { sql } from "kysely";
import type { Account } from "../../../db/schema.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { notFound } from "../../errors.ts";
import { accountToApi, type ApiAccount } from "../../serializers/account.ts";
import { directoryScope, SKILL_FIELD_NAMES } from "./directory.ts";

/** Mastodon's Suggestion entity. */
export interface ApiSuggestion {
  source: "staff" | "past_interactions" | "global";
  sources: string[];
  account: ApiAccount;
}

const CANDIDATES = 1000;
const TAGS_PER_PERSON = 50;

/** "Open-source CRM" → "opensourcecrm": the form in which skills and hashtags are compared. */
export function expertiseKey(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
}

/** The entries of someone's Skills field(s), as keys. */
export function skillKeys(fields: readonly { name: string; value: string }[]): Set<string> {
  const keys = new Set<string>();
  for (const field of fields) {
    if (!SKILL_FIELD_NAMES.includes(field.name.trim().toLowerCase())) continue;
    const text = field.value
      .replace(/<[^>]*>/g, " ")
      .replace(/&amp;/g, "&")
      .replace(/&#39;|&apos;/g, "'")
      .replace(/&quot;/g, '"');
    for (const part of text.split(/[,;|/·•\n]|\band\b/i)) {
      const key = expertiseKey(part);
      if (key) keys.add(key);
    }
  }
  return keys;
}

/** The hashtags each of `accountIds` posts with most (public and unlisted posts), as keys. */
async function tagKeys(context: AppContext, accountIds: readonly string[]): Promise<Map<string, Set<string>>> {
  const byAccount = new Map<string, Set<string>>();
  if (accountIds.length === 0) return byAccount;
  const rows = await context.db
    .selectFrom("statuses as s")
    .innerJoin("statuses_tags as st", "st.status_id", "s.id")
    .innerJoin("tags as t", "t.id", "st.tag_id")
    .select(["s.account_id", "t.name", sql<string>`count(*)`.as("uses")])
    .where("s.account_id", "=", sql<string>`any(${bigintArray(accountIds)})`)
    .where("s.visibility", "in", ["public", "unlisted"])
    .groupBy(["s.account_id", "t.name"])
    .orderBy("s.account_id")
    .orderBy(sql`count(*)`, "desc")
    .execute();
  for (const row of rows) {
    const keys = byAccount.get(row.account_id) ?? new Set<string>();
    if (keys.size < TAGS_PER_PERSON) keys.add(expertiseKey(row.name));
    byAccount.set(row.account_id, keys);
  }
  return byAccount;
}

function overlap(viewer: Set<string>, candidate: Set<string>): number {
  let count = 0;
  for (const key of candidate) if (viewer.has(key)) count++;
  return count;
}

export async function listSuggestions(context: AppContext, viewer: Account, limit: number): Promise<ApiSuggestion[]> {
  const { db } = context;
  const candidates = await db
    .selectFrom("accounts as a")
    .selectAll("a")
    .where(directoryScope(context, viewer.id))
    .where("a.id", "!=", viewer.id)
    // Not someone already followed, asked to follow or dismissed:
    .where((eb) =>
      eb.not(
        eb.exists(eb.selectFrom("follows as f").select("f.id").where("f.account_id", "=", viewer.id).whereRef("f.target_account_id", "=", "a.id")),
      ),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom("follow_requests as r").select("r.id").where("r.account_id", "=", viewer.id).whereRef("r.target_account_id", "=", "a.id"),
        ),
      ),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("suggestion_dismissals as d")
            .select("d.account_id")
            .where("d.account_id", "=", viewer.id)
            .whereRef("d.target_account_id", "=", "a.id"),
        ),
      ),
    )
    .orderBy(sql`a.last_status_at DESC NULLS LAST`)
    .orderBy("a.id", "desc")
    .limit(CANDIDATES)
    .execute();

  const tags = await tagKeys(context, [viewer.id, ...candidates.map((account) => account.id)]);
  const viewerKeys = new Set([...skillKeys(viewer.fields), ...(tags.get(viewer.id) ?? [])]);
  const scored = candidates.map((account) => {
    const skills = skillKeys(account.fields);
    const posted = tags.get(account.id) ?? new Set<string>();
    // A shared skill counts twice: it is what people say they know, hashtags what they post about.
    const score = 2 * overlap(viewerKeys, skills) + overlap(viewerKeys, new Set([...posted].filter((key) => !skills.has(key))));
    return { account, score };
  });
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      b.account.followers_count - a.account.followers_count ||
      (b.account.last_status_at?.getTime() ?? 0) - (a.account.last_status_at?.getTime() ?? 0) ||
      (BigInt(b.account.id) > BigInt(a.account.id) ? 1 : -1),
  );
  return scored.slice(0, limit).map(({ account, score }) => ({
    source: "global",
    sources: [score > 0 ? "similar_to_recently_followed" : "most_followed"],
    account: accountToApi(account, context.urls),
  }));
}

/** Removes someone from the viewer's suggestions for good, as Mastodon does. */
export async function dismissSuggestion(context: AppContext, viewer: Account, accountId: string): Promise<void> {
  const target = await context.db.selectFrom("accounts").select("id").where("id", "=", accountId).executeTakeFirst();
  if (!target) throw notFound();
  await context.db
    .insertInto("suggestion_dismissals")
    .values({ account_id: viewer.id, target_account_id: target.id })
    .onConflict((conflict) => conflict.columns(["account_id", "target_account_id"]).doNothing())
    .execute();
}
