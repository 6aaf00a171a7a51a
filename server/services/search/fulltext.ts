// The full-text queries behind search: posts and accounts matched against their documents
// (status_search, account_search: db/migrations/0009_search.ts), ranked with ts_rank_cd.
// The plans are explained in docs/search.md.
import { type Expression, type SqlBool, sql } from "kysely";
import { authorNotHiddenFrom } from "../../../db/repositories/relationships.ts";
import type { Db } from "../../../db/repositories/types.ts";
import { visibleTo } from "../../../db/repositories/statuses.ts";
import type { Operator, ParsedQuery, TextTerm } from "./query.ts";

/** Who the results are for: a signed-in person here, or any colleague of the organization. */
export type SearchAudience = { viewerId: string } | { org: true };

export interface StatusSearch {
  parsed: ParsedQuery;
  audience: SearchAudience;
  /** This campus's domain, for `from:user@domain` naming a local person. */
  domain: string;
  accountId?: string;
  minId?: string;
  maxId?: string;
  limit: number;
  offset: number;
}

export interface Hit {
  id: string;
  rank: number;
}

/**
 * The newest matches ranked at most: enough that a rare or mid term is ranked in full, while a
 * very common one ranks only its newest matches (newest first is what people want from a word
 * everyone uses) instead of scoring every post that contains it.
 */
const RANK_WINDOW = 1000;

/** Below this many matching documents, the matches are read from the GIN index first. */
const FEW_MATCHES = 5000;

/**
 * One tsquery for the terms, or null when there is no word to match. Each word matches through
 * either configuration (see the migration); a negated one through neither. It is built in one
 * round trip and passed back as a constant, so that the planner sees its value.
 */
export async function compileTsquery(db: Db, terms: readonly TextTerm[]): Promise<string | null> {
  if (terms.length === 0) return null;
  const parts = terms.map((term) => {
    const either = sql`(to_tsquery('simple', ${term.tsquery}) || to_tsquery('english', ${term.tsquery}))`;
    return term.negated ? sql`(!! ${either})` : either;
  });
  const { rows } = await sql<{ q: string }>`SELECT (${sql.join(parts, sql` && `)})::text AS q`.execute(db);
  const q = rows[0]?.q ?? "";
  return q.trim() === "" ? null : q;
}

const FALSE = sql<SqlBool>`false`;

// A link that is not a mention or a hashtag (both are links with a "mention" class).
const LINK = `<a (?![^>]*class="[^"]*mention)[^>]*href="https?://`;

async function operatorCondition(db: Db, search: StatusSearch, operator: Operator): Promise<Expression<SqlBool>> {
  const viewerId = "viewerId" in search.audience ? search.audience.viewerId : null;
  switch (operator.kind) {
    case "from": {
      if (operator.me) return viewerId ? sql<SqlBool>`s.account_id = ${viewerId}` : FALSE;
      const local = operator.domain === null || operator.domain === search.domain;
      const author = await db
        .selectFrom("accounts")
        .select("id")
        .where((eb) => eb(eb.fn("lower", ["username"]), "=", operator.username.toLowerCase()))
        .where((eb) => (local ? eb("domain", "is", null) : eb("domain", "=", operator.domain)))
        .executeTakeFirst();
      return author ? sql<SqlBool>`s.account_id = ${author.id}` : FALSE;
    }
    case "has":
      switch (operator.value) {
        case "media":
          return sql<SqlBool>`EXISTS (SELECT 1 FROM media_attachments hm WHERE hm.status_id = s.id)`;
        case "image":
        case "video":
        case "audio": {
          const types = operator.value === "video" ? ["video", "gifv"] : [operator.value];
          return sql<SqlBool>`EXISTS (SELECT 1 FROM media_attachments hm WHERE hm.status_id = s.id AND hm.type = ANY (${types}::text[]))`;
        }
        case "poll":
          return sql<SqlBool>`s.poll_id IS NOT NULL`;
        case "link":
          return sql<SqlBool>`s.content ~ ${LINK}`;
        case "embed":
          // Embeds are links with a rich preview card; this campus makes no preview cards.
          return FALSE;
      }
      return FALSE;
    case "is":
      return operator.value === "reply" ? sql<SqlBool>`s.in_reply_to_id IS NOT NULL` : sql<SqlBool>`s.sensitive`;
    case "language":
      return sql<SqlBool>`lower(s.language) = ${operator.value}`;
    // Days are UTC days. `after:` is after that day and `before:` before it, as Mastodon's.
    case "before":
      return sql<SqlBool>`s.created_at < ${operator.date}::date`;
    case "after":
      return sql<SqlBool>`s.created_at >= ${operator.date}::date + 1`;
    case "during":
      return sql<SqlBool>`s.created_at >= ${operator.date}::date AND s.created_at < ${operator.date}::date + 1`;
    case "in":
      if (operator.value === "public") return sql<SqlBool>`s.visibility = 'public'`;
      if (!viewerId) return FALSE;
      // What the viewer wrote, favourited, bookmarked or was mentioned in.
      return sql<SqlBool>`(s.account_id = ${viewerId}
        OR EXISTS (SELECT 1 FROM favourites lf WHERE lf.status_id = s.id AND lf.account_id = ${viewerId})
        OR EXISTS (SELECT 1 FROM bookmarks lb WHERE lb.status_id = s.id AND lb.account_id = ${viewerId})
        OR EXISTS (SELECT 1 FROM mentions lm WHERE lm.status_id = s.id AND lm.account_id = ${viewerId}))`;
  }
}

/** The conditions on `s` other than the words and the viewer's visibility: operators, author, id range. */
async function statusConditions(db: Db, search: StatusSearch): Promise<Expression<SqlBool>[]> {
  const conditions: Expression<SqlBool>[] = [sql<SqlBool>`s.reblog_of_id IS NULL`];
  if (!("viewerId" in search.audience)) {
    // What a sibling may show any colleague: public posts written here, never local-only ones.
    conditions.push(sql<SqlBool>`s.local AND s.visibility = 'public' AND NOT s.local_only`);
    conditions.push(sql<SqlBool>`NOT EXISTS (SELECT 1 FROM accounts sa WHERE sa.id = s.account_id AND sa.suspended_at IS NOT NULL)`);
  }
  for (const { operator, negated } of search.parsed.operators) {
    const condition = await operatorCondition(db, search, operator);
    conditions.push(negated ? sql<SqlBool>`NOT (${condition})` : condition);
  }
  if (search.accountId) conditions.push(sql<SqlBool>`s.account_id = ${search.accountId}`);
  if (search.minId) conditions.push(sql<SqlBool>`s.id > ${search.minId}`);
  if (search.maxId) conditions.push(sql<SqlBool>`s.id < ${search.maxId}`);
  return conditions;
}

/**
 * Matching posts the audience may see, best first: ranked among the newest RANK_WINDOW
 * matches, or newest first when the query has no words (operators only).
 */
export async function searchStatusHits(db: Db, search: StatusSearch): Promise<Hit[]> {
  const tsquery = await compileTsquery(db, search.parsed.terms);
  if (!tsquery && search.parsed.operators.length === 0 && !search.accountId) return [];
  let query = db.selectFrom("statuses as s").select("s.id");
  for (const condition of await statusConditions(db, search)) query = query.where(condition);
  if ("viewerId" in search.audience) {
    const { viewerId } = search.audience;
    // What the viewer may see, and nothing of people they block or mute (as Mastodon's search).
    query = query.where(visibleTo(viewerId)).where(authorNotHiddenFrom(viewerId));
  }
  if (!tsquery) {
    const rows = await query.orderBy("s.id", "desc").limit(search.limit).offset(search.offset).execute();
    return rows.map((row) => ({ id: row.id, rank: 0 }));
  }
  const window = Math.max(RANK_WINDOW, search.offset + search.limit);
  // How many documents match at all, up to a bound. Few: read them from the GIN index first (the
  // planner, left alone, may walk every post newest first looking for them). Many: walk the
  // newest posts, which finds the window of matches quickly. See docs/search.md.
  const { rows: counted } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM (
    SELECT 1 FROM status_search WHERE document @@ ${tsquery}::tsquery LIMIT ${FEW_MATCHES}) m`.execute(db);
  const few = (counted[0]?.n ?? 0) < FEW_MATCHES;
  const matches = few
    ? // OFFSET 0 keeps the subquery planned on its own: a bitmap scan of the GIN index.
      sql`(SELECT status_id, document FROM status_search WHERE document @@ ${tsquery}::tsquery OFFSET 0)`
    : sql`status_search`;
  const candidates = query
    .innerJoin(matches.as("ss"), (join) => join.onRef(sql.ref("ss.status_id"), "=", "s.id"))
    .select(sql<string>`ss.document`.as("document"))
    .where(sql<SqlBool>`ss.document @@ ${tsquery}::tsquery`)
    .orderBy(sql`ss.status_id`, "desc")
    .limit(window);
  const rows = await db
    .selectFrom(candidates.as("c"))
    .select(["c.id", sql<number>`ts_rank_cd(c.document, ${tsquery}::tsquery)`.as("rank")])
    .orderBy("rank", "desc")
    .orderBy("c.id", "desc")
    .limit(search.limit)
    .offset(search.offset)
    .execute();
  return rows.map((row) => ({ id: row.id, rank: Number(row.rank) }));
}

export interface AccountSearch {
  /** The words typed (a username prefix also matches the start of a username). */
  terms: readonly TextTerm[];
  usernamePrefix: string | null;
  audience: SearchAudience;
  following?: boolean;
  limit: number;
  offset: number;
}

export interface AccountHit extends Hit {
  /** The username is exactly what was typed: such an account goes first. */
  exact: boolean;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * Accounts whose name, username, bio or profile fields match: exact usernames first, then the
 * people the viewer follows, then by rank and by how followed they are.
 */
export async function searchAccountHits(db: Db, search: AccountSearch): Promise<AccountHit[]> {
  const tsquery = await compileTsquery(db, search.terms);
  const prefix = search.usernamePrefix?.toLowerCase() ?? null;
  if (!tsquery && !prefix) return [];
  const rank = tsquery ? sql<number>`coalesce(ts_rank_cd(acs.document, ${tsquery}::tsquery), 0)` : sql<number>`0`;
  const exact = prefix ? sql<boolean>`lower(a.username) = ${prefix}` : sql<boolean>`false`;
  let query = db
    .selectFrom("accounts as a")
    .leftJoin("account_search as acs", "acs.account_id", "a.id")
    .select(["a.id", rank.as("rank"), exact.as("exact")])
    .where("a.suspended_at", "is", null)
    .where((eb) => {
      const matches: Expression<SqlBool>[] = [];
      if (prefix) matches.push(eb(eb.fn("lower", ["a.username"]), "like", `${escapeLike(prefix)}%`));
      if (tsquery) matches.push(sql<SqlBool>`acs.document @@ ${tsquery}::tsquery`);
      return eb.or(matches);
    });
  if ("viewerId" in search.audience) {
    const { viewerId } = search.audience;
    const follows = sql<boolean>`EXISTS (SELECT 1 FROM follows f WHERE f.account_id = ${viewerId} AND f.target_account_id = a.id)`;
    if (search.following) query = query.where(follows);
    // Nobody who blocks the viewer.
    query = query
      .where(sql<SqlBool>`NOT EXISTS (SELECT 1 FROM blocks ab WHERE ab.account_id = a.id AND ab.target_account_id = ${viewerId})`)
      .orderBy("exact", "desc")
      .orderBy(follows, "desc");
  } else {
    // A sibling shows the people of this campus who want to be found.
    query = query.where("a.domain", "is", null).where("a.discoverable", "=", true).where("a.actor_type", "=", "Person").orderBy("exact", "desc");
  }
  // By the selected columns' names: a constant expression (no terms, no prefix) cannot be ordered by.
  const rows = await query
    .orderBy("rank", "desc")
    .orderBy("a.followers_count", "desc")
    .orderBy("a.id")
    .limit(search.limit)
    .offset(search.offset)
    .execute();
  return rows.map((row) => ({ id: row.id, rank: Number(row.rank), exact: Boolean(row.exact) }));
}
