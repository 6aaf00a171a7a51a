// GET /api/v2/search as Mastodon answers it without a full-text index: accounts by handle, name
// or username prefix; posts by their URL; hashtags by name prefix. With `resolve`, a sibling's
// handle or post URL is looked up on the sibling (through the allowlist) and stored here.
import { sql } from "kysely";
import { authorNotHiddenFrom } from "../../../db/repositories/relationships.ts";
import { visibleTo } from "../../../db/repositories/statuses.ts";
import type { Account } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { accountToApi, type ApiAccount } from "../../serializers/account.ts";
import type { ApiStatus } from "../../serializers/status.ts";
import type { ApiTag } from "../../serializers/tag.ts";
import { presentStatuses } from "../statuses/present.ts";
import { normalizeTag } from "../statuses/text.ts";
import { presentTags } from "../tags/tags.ts";

export interface SearchInput {
  q: string;
  type?: "accounts" | "statuses" | "hashtags";
  resolve?: boolean;
  following?: boolean;
  accountId?: string;
  limit: number;
  offset: number;
}

export interface SearchResult {
  accounts: ApiAccount[];
  statuses: ApiStatus[];
  hashtags: ApiTag[];
}

const HANDLE = /^@?([a-z0-9_]+(?:[a-z0-9_.-]*[a-z0-9_])?)@([\p{L}\p{N}.-]+(?::\d{1,5})?)$/iu;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

async function searchAccounts(context: AppContext, viewerId: string, input: SearchInput): Promise<ApiAccount[]> {
  const q = input.q.trim();
  const found: Account[] = [];
  const handle = HANDLE.exec(q);
  if (handle && input.offset === 0) {
    const [, username, domain] = handle as unknown as [string, string, string];
    const exact = input.resolve && context.resolver
      ? await context.resolver.accountByHandle(username, domain)
      : await context.db
          .selectFrom("accounts")
          .selectAll()
          .where((eb) => eb(eb.fn("lower", ["username"]), "=", username.toLowerCase()))
          .where((eb) =>
            domain.toLowerCase() === context.config.domain ? eb("domain", "is", null) : eb("domain", "=", domain.toLowerCase()),
          )
          .executeTakeFirst();
    if (exact && !exact.suspended_at) found.push(exact);
  }
  const term = (handle ? handle[1]! : q.replace(/^@/, "")).toLowerCase();
  if (term) {
    let query = context.db
      .selectFrom("accounts as a")
      .selectAll("a")
      .where("a.suspended_at", "is", null)
      .where((eb) =>
        eb.or([
          eb(eb.fn("lower", ["a.username"]), "like", `${escapeLike(term)}%`),
          eb(eb.fn("lower", ["a.display_name"]), "like", `%${escapeLike(term)}%`),
        ]),
      )
      // Exact usernames first, then the people the viewer follows, then by activity.
      .orderBy(sql`lower(a.username) = ${term}`, "desc")
      .orderBy(
        sql`exists (select 1 from follows f where f.account_id = ${viewerId} and f.target_account_id = a.id)`,
        "desc",
      )
      .orderBy("a.followers_count", "desc")
      .orderBy("a.id")
      .limit(input.limit)
      .offset(input.offset);
    if (input.following) {
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom("follows as f")
            .select("f.id")
            .where("f.account_id", "=", viewerId)
            .whereRef("f.target_account_id", "=", "a.id"),
        ),
      );
    }
    for (const account of await query.execute()) {
      if (!found.some((known) => known.id === account.id)) found.push(account);
    }
  }
  return found.slice(0, input.limit).map((account) => accountToApi(account, context.urls));
}

async function searchStatuses(context: AppContext, viewerId: string, input: SearchInput): Promise<ApiStatus[]> {
  const q = input.q.trim();
  if (!/^https?:\/\/\S+$/i.test(q) || input.offset > 0) return [];
  let statusId: string | null = null;
  if (input.resolve && context.resolver) statusId = await context.resolver.statusByUri(q);
  if (!statusId) {
    const row = await context.db
      .selectFrom("statuses")
      .select("id")
      .where((eb) => eb.or([eb("uri", "=", q), eb("url", "=", q)]))
      .executeTakeFirst();
    statusId = row?.id ?? null;
  }
  if (!statusId) return [];
  let visible = context.db
    .selectFrom("statuses as s")
    .select("s.id")
    .where("s.id", "=", statusId)
    .where(visibleTo(viewerId))
    // Nothing of people the viewer blocks or mutes, as Mastodon's status search filters them.
    .where(authorNotHiddenFrom(viewerId));
  if (input.accountId) visible = visible.where("s.account_id", "=", input.accountId);
  const row = await visible.executeTakeFirst();
  return row ? presentStatuses(context, [row.id], viewerId) : [];
}

async function searchHashtags(context: AppContext, viewerId: string, input: SearchInput): Promise<SearchResult["hashtags"]> {
  const name = normalizeTag(input.q.trim().replace(/^#/, ""));
  if (!/^[\p{L}\p{N}_]+$/u.test(name)) return [];
  const rows = await context.db
    .selectFrom("tags")
    .select(["id", "name", "display_name"])
    .where("name", "like", `${escapeLike(name)}%`)
    .orderBy(sql`name = ${name}`, "desc")
    .orderBy("last_status_at", (order) => order.desc().nullsLast())
    .limit(input.limit)
    .offset(input.offset)
    .execute();
  // With their history, and whether the viewer follows and features each.
  return presentTags(context, viewerId, rows);
}

export async function search(context: AppContext, viewerId: string, input: SearchInput): Promise<SearchResult> {
  const wants = (type: SearchInput["type"]) => !input.type || input.type === type;
  return {
    accounts: wants("accounts") ? await searchAccounts(context, viewerId, input) : [],
    statuses: wants("statuses") ? await searchStatuses(context, viewerId, input) : [],
    hashtags: wants("hashtags") ? await searchHashtags(context, viewerId, input) : [],
  };
}

