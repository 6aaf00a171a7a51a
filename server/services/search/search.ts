// GET /api/v2/search: posts and accounts by full-text search (fulltext.ts) with Mastodon's
// operators (query.ts), hashtags by name prefix, and, for a word search, the answers of the
// sibling campuses merged in by rank (siblings.ts). With `resolve`, a sibling's handle or post
// URL is looked up on the sibling (through the allowlist) and stored here.
import { sql } from "kysely";
import { authorNotHiddenFrom } from "../../../db/repositories/relationships.ts";
import { visibleTo } from "../../../db/repositories/statuses.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { Account } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { accountToApi, type ApiAccount } from "../../serializers/account.ts";
import type { ApiStatus } from "../../serializers/status.ts";
import type { ApiTag } from "../../serializers/tag.ts";
import { rankAccountsByExpertise } from "../help/experts.ts";
import { significantTerms } from "../help/ranking.ts";
import { presentStatuses } from "../statuses/present.ts";
import { normalizeTag } from "../statuses/text.ts";
import { presentTags } from "../tags/tags.ts";
import { type AccountHit, type Hit, searchAccountHits, searchStatusHits } from "./fulltext.ts";
import { isPersonal, type ParsedQuery, parseQuery } from "./query.ts";
import type { SiblingResults } from "./siblings.ts";

export interface SearchInput {
  q: string;
  type?: "accounts" | "statuses" | "hashtags";
  resolve?: boolean;
  following?: boolean;
  accountId?: string;
  minId?: string;
  maxId?: string;
  limit: number;
  offset: number;
}

export interface SearchResult {
  accounts: ApiAccount[];
  statuses: ApiStatus[];
  hashtags: ApiTag[];
}

const HANDLE = /^@?([a-z0-9_]+(?:[a-z0-9_.-]*[a-z0-9_])?)@([\p{L}\p{N}.-]+(?::\d{1,5})?)$/iu;
const URL_QUERY = /^https?:\/\/\S+$/i;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** Local hits and the siblings' merged: best rank first, each post or account once. */
function merge<T extends Hit & { exact?: boolean }>(local: T[], remote: T[], limit: number): T[] {
  const byId = new Map<string, T>();
  for (const hit of [...local, ...remote]) {
    const known = byId.get(hit.id);
    if (!known || hit.rank > known.rank) byId.set(hit.id, hit);
  }
  return [...byId.values()]
    .sort(
      (a, b) =>
        Number(b.exact ?? false) - Number(a.exact ?? false) ||
        b.rank - a.rank ||
        (BigInt(b.id) > BigInt(a.id) ? 1 : BigInt(b.id) < BigInt(a.id) ? -1 : 0),
    )
    .slice(0, limit);
}

/** The handle typed (`@raj@campus-b`), looked up or resolved on the sibling. */
async function accountByHandle(context: AppContext, input: SearchInput, username: string, domain: string): Promise<Account | null> {
  if (input.resolve && context.resolver) return context.resolver.accountByHandle(username, domain);
  const found = await context.db
    .selectFrom("accounts")
    .selectAll()
    .where((eb) => eb(eb.fn("lower", ["username"]), "=", username.toLowerCase()))
    .where((eb) =>
      domain.toLowerCase() === context.config.domain ? eb("domain", "is", null) : eb("domain", "=", domain.toLowerCase()),
    )
    .executeTakeFirst();
  return found ?? null;
}

async function searchAccounts(
  context: AppContext,
  viewerId: string,
  input: SearchInput,
  parsed: ParsedQuery,
  siblings: Promise<SiblingResults> | null,
): Promise<ApiAccount[]> {
  const q = input.q.trim();
  const pinned: Account[] = [];
  const handle = HANDLE.exec(q);
  if (handle && input.offset === 0) {
    const [, username, domain] = handle as unknown as [string, string, string];
    const exact = await accountByHandle(context, input, username, domain);
    if (exact && !exact.suspended_at) pinned.push(exact);
  }
  const word = (handle ? handle[1]! : q.replace(/^@/, "")).toLowerCase();
  const hits = (terms: ParsedQuery["terms"], usernamePrefix: string | null) =>
    searchAccountHits(context.db, {
      terms,
      usernamePrefix,
      audience: { viewerId },
      following: input.following,
      limit: input.limit,
      offset: input.offset,
    });
  let local = await hits(
    handle ? parseQuery(handle[1]!).terms : parsed.terms,
    /^[\p{L}\p{N}_.-]+$/u.test(word) ? word : null,
  );
  // "who knows kubernetes" names nobody as a whole; its significant words may.
  const significant = handle ? "" : significantTerms(q).join(" ");
  if (local.length === 0 && significant && significant !== q.toLowerCase()) {
    local = await hits(parseQuery(significant).terms, null);
  }
  const remote = (await siblings)?.accounts ?? [];
  const ids = merge<AccountHit>(local, remote, input.limit).map((hit) => hit.id);
  const rows = ids.length
    ? await context.db.selectFrom("accounts").selectAll().where("id", "=", (eb) => eb.fn.any(bigintArray(ids))).execute()
    : [];
  const byId = new Map(rows.map((row) => [row.id, row]));
  const found = [...pinned];
  for (const id of ids) {
    const account = byId.get(id);
    if (account && !account.suspended_at && !found.some((known) => known.id === id)) found.push(account);
  }
  const ranked = await rankAccountsByExpertise(context, q, found, { ...input, viewerId });
  return ranked.slice(0, input.limit).map((account) => accountToApi(account, context.urls));
}

/** A post URL or URI: the post itself, fetched from the sibling with `resolve`. */
async function statusByUrl(context: AppContext, viewerId: string, input: SearchInput): Promise<ApiStatus[]> {
  const q = input.q.trim();
  if (input.offset > 0) return [];
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
  return presentStatuses(context, await visibleIds(context, viewerId, [statusId], input.accountId), viewerId);
}

/** The ids among `ids` the viewer may see, in the same order. */
async function visibleIds(context: AppContext, viewerId: string, ids: string[], accountId?: string): Promise<string[]> {
  if (ids.length === 0) return [];
  let query = context.db
    .selectFrom("statuses as s")
    .select("s.id")
    .where("s.id", "=", (eb) => eb.fn.any(bigintArray(ids)))
    .where(visibleTo(viewerId))
    .where(authorNotHiddenFrom(viewerId));
  if (accountId) query = query.where("s.account_id", "=", accountId);
  const visible = new Set((await query.execute()).map((row) => row.id));
  return ids.filter((id) => visible.has(id));
}

async function searchStatuses(
  context: AppContext,
  viewerId: string,
  input: SearchInput,
  parsed: ParsedQuery,
  siblings: Promise<SiblingResults> | null,
): Promise<ApiStatus[]> {
  if (URL_QUERY.test(input.q.trim())) return statusByUrl(context, viewerId, input);
  const local = await searchStatusHits(context.db, {
    parsed,
    audience: { viewerId },
    domain: context.config.domain,
    accountId: input.accountId,
    minId: input.minId,
    maxId: input.maxId,
    limit: input.limit,
    offset: input.offset,
  });
  const remote = (await siblings)?.statuses ?? [];
  // A sibling's post is public, but the viewer may block or mute its author.
  const remoteIds = await visibleIds(context, viewerId, remote.map((hit) => hit.id));
  const merged = merge(local, remote.filter((hit) => remoteIds.includes(hit.id)), input.limit);
  return presentStatuses(context, merged.map((hit) => hit.id), viewerId);
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

/**
 * Whether the siblings are asked too: for words and operators any colleague's campus can
 * answer the same way, not for a URL or handle (resolve looks those up), nor for what depends
 * on the viewer (from:me, in:library, following, one account, an id range).
 */
function asksSiblings(context: AppContext, input: SearchInput, parsed: ParsedQuery): boolean {
  const q = input.q.trim();
  return (
    context.siblingSearch !== null &&
    input.type !== "hashtags" &&
    !URL_QUERY.test(q) &&
    !HANDLE.test(q) &&
    parsed.terms.some((term) => !term.negated) &&
    !isPersonal(parsed) &&
    !input.following &&
    !input.accountId &&
    !input.minId &&
    !input.maxId
  );
}

export async function search(context: AppContext, viewerId: string, input: SearchInput): Promise<SearchResult> {
  const wants = (type: SearchInput["type"]) => !input.type || input.type === type;
  const parsed = parseQuery(input.q);
  // The siblings work while this campus searches its own database.
  const siblings = asksSiblings(context, input, parsed)
    ? context.siblingSearch!.search({
        q: input.q,
        type: input.type === "accounts" || input.type === "statuses" ? input.type : undefined,
        limit: input.limit,
        offset: input.offset,
      }).catch((): SiblingResults => ({ statuses: [], accounts: [] }))
    : null;
  return {
    accounts: wants("accounts") ? await searchAccounts(context, viewerId, input, parsed, siblings) : [],
    statuses: wants("statuses") ? await searchStatuses(context, viewerId, input, parsed, siblings) : [],
    hashtags: wants("hashtags") ? await searchHashtags(context, viewerId, input) : [],
  };
}
