import {
  type Compilable,
  CompiledQuery,
  type ExpressionBuilder,
  type SelectQueryBuilder,
  sql,
} from "kysely";
import type {
  Account,
  AccountsTable,
  Database,
  Status,
  StatusesTable,
  Visibility,
} from "../schema.ts";
import { bigintArray, PREPARED } from "../sql-helpers.ts";
import { authorDoesNotBlock } from "./relationships.ts";
import type { Db } from "./types.ts";

export interface MentionRef {
  id: string;
  username: string;
  domain: string | null;
  url: string;
}

export interface TagRef {
  name: string;
  display_name: string;
}

/** A status row with what every serialization needs from other tables, in one round trip. */
export interface StatusRow extends Status {
  mention_refs: MentionRef[];
  tag_refs: TagRef[];
  application_name: string | null;
  application_website: string | null;
}

type StatusQuery = SelectQueryBuilder<Database & { s: Database["statuses"] }, "s", StatusRow>;

// IDs inside the JSON are cast to text first: JSON numbers would lose precision. Both lists are
// ordered, so that every read path shows them alike.
const MENTION_REF =
  "json_build_object('id', ma.id::text, 'username', ma.username, 'domain', ma.domain, 'url', ma.url)";
const TAG_REF = "json_build_object('name', t.name, 'display_name', t.display_name)";

/**
 * statuses AS s with mentions and tags aggregated per row. Callers add where/order/limit.
 */
export function selectStatusRows(db: Db) {
  return db
    .selectFrom("statuses as s")
    .leftJoin("oauth_applications as app", "app.id", "s.application_id")
    .selectAll("s")
    .select([
      "app.name as application_name",
      "app.website as application_website",
      sql<MentionRef[]>`(
        SELECT coalesce(json_agg(${sql.raw(MENTION_REF)} ORDER BY ma.id), '[]'::json)
        FROM mentions m JOIN accounts ma ON ma.id = m.account_id
        WHERE m.status_id = s.id
      )`.as("mention_refs"),
      sql<TagRef[]>`(
        SELECT coalesce(json_agg(${sql.raw(TAG_REF)} ORDER BY t.name), '[]'::json)
        FROM statuses_tags st JOIN tags t ON t.id = st.tag_id
        WHERE st.status_id = s.id
      )`.as("tag_refs"),
    ]) as unknown as StatusQuery;
}

export async function findStatusRowsByIds(db: Db, ids: readonly string[]): Promise<StatusRow[]> {
  if (ids.length === 0) return [];
  return selectStatusRows(db)
    .where("s.id", "=", (eb) => eb.fn.any(bigintArray(ids)))
    .execute();
}

export async function findStatusById(db: Db, id: string): Promise<Status | undefined> {
  return db.selectFrom("statuses").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * How a column travels inside a JSON document: bigint ids as text (JSON numbers would lose
 * precision), timestamps as ISO strings turned back into Dates, everything else as it is.
 * `satisfies` makes a column added to the table fail type-checking until it is listed here.
 */
type ColumnKind = "id" | "time" | "value";

const STATUS_COLUMNS = {
  id: "id",
  uri: "value",
  url: "value",
  account_id: "id",
  local: "value",
  text: "value",
  content: "value",
  spoiler_text: "value",
  sensitive: "value",
  visibility: "value",
  language: "value",
  in_reply_to_id: "id",
  in_reply_to_account_id: "id",
  reblog_of_id: "id",
  application_id: "id",
  replies_count: "value",
  reblogs_count: "value",
  favourites_count: "value",
  created_at: "time",
  edited_at: "time",
  updated_at: "time",
  local_only: "value",
  fetched_at: "time",
  poll_id: "id",
} as const satisfies Record<keyof StatusesTable, ColumnKind>;

const ACCOUNT_COLUMNS = {
  id: "id",
  username: "value",
  domain: "value",
  uri: "value",
  url: "value",
  display_name: "value",
  note: "value",
  note_source: "value",
  fields: "value",
  fields_source: "value",
  avatar_path: "value",
  avatar_remote_url: "value",
  header_path: "value",
  header_remote_url: "value",
  locked: "value",
  bot: "value",
  discoverable: "value",
  indexable: "value",
  statuses_count: "value",
  followers_count: "value",
  following_count: "value",
  last_status_at: "time",
  suspended_at: "time",
  created_at: "time",
  updated_at: "time",
  actor_type: "value",
  inbox_url: "value",
  shared_inbox_url: "value",
  outbox_url: "value",
  followers_url: "value",
  following_url: "value",
  featured_url: "value",
  fetched_at: "time",
} as const satisfies Record<keyof AccountsTable, ColumnKind>;

/** A select list that turns into JSON as the columns are named (json_agg of the records). */
function jsonColumns(alias: string, columns: Record<string, ColumnKind>): string {
  return Object.entries(columns)
    .map(([column, kind]) =>
      kind === "id" ? `${alias}.${column}::text AS ${column}` : `${alias}.${column}`,
    )
    .join(", ");
}

function timeColumns(columns: Record<string, ColumnKind>): string[] {
  return Object.entries(columns)
    .filter(([, kind]) => kind === "time")
    .map(([column]) => column);
}

const STATUS_TIMES = timeColumns(STATUS_COLUMNS);
const ACCOUNT_TIMES = timeColumns(ACCOUNT_COLUMNS);

function revive<T>(row: Record<string, unknown>, times: readonly string[]): T {
  for (const column of times) {
    const value = row[column];
    if (typeof value === "string") row[column] = new Date(value);
  }
  return row as T;
}

export interface StatusPage {
  /** The page, newest first. */
  rows: StatusRow[];
  /** The originals of the boosts among `rows`. */
  reblogs: StatusRow[];
  /** The authors of `rows` and `reblogs`. */
  accounts: Account[];
}

/**
 * Everything a page of statuses shows, read in one statement: `page` picks the ids (an index
 * scan, paged by the caller); the boosted originals join them; mentions and tags are aggregated
 * in one pass each; and it all comes back as one JSON document, which costs the client one
 * JSON.parse instead of decoding some fifty columns on every row.
 */
function statusPageText(pageSql: string): string {
  return `WITH page AS (
  ${pageSql}
), ids AS (
  SELECT page.id, false AS boosted FROM page
  UNION ALL
  SELECT b.reblog_of_id, true FROM page JOIN statuses b ON b.id = page.id
  WHERE b.reblog_of_id IS NOT NULL
), page_rows AS (
  SELECT ids.boosted, s.* FROM ids JOIN statuses s ON s.id = ids.id
), mention_refs AS (
  SELECT m.status_id, json_agg(${MENTION_REF} ORDER BY ma.id) AS refs
  FROM mentions m JOIN accounts ma ON ma.id = m.account_id
  WHERE m.status_id IN (SELECT id FROM ids)
  GROUP BY m.status_id
), tag_refs AS (
  SELECT st.status_id, json_agg(${TAG_REF} ORDER BY t.name) AS refs
  FROM statuses_tags st JOIN tags t ON t.id = st.tag_id
  WHERE st.status_id IN (SELECT id FROM ids)
  GROUP BY st.status_id
)
SELECT json_build_object(
  'statuses', (
    SELECT coalesce(json_agg(status ORDER BY status.id::bigint DESC), '[]'::json)
    FROM (
      SELECT s.boosted, ${jsonColumns("s", STATUS_COLUMNS)},
        app.name AS application_name, app.website AS application_website,
        coalesce(mr.refs, '[]'::json) AS mention_refs, coalesce(tr.refs, '[]'::json) AS tag_refs
      FROM page_rows s
      LEFT JOIN oauth_applications app ON app.id = s.application_id
      LEFT JOIN mention_refs mr ON mr.status_id = s.id
      LEFT JOIN tag_refs tr ON tr.status_id = s.id
    ) status
  ),
  'accounts', (
    SELECT coalesce(json_agg(account), '[]'::json)
    FROM (SELECT ${jsonColumns("a", ACCOUNT_COLUMNS)} FROM accounts a WHERE a.id IN (SELECT account_id FROM page_rows)) account
  )
) AS document`;
}

/**
 * Reads the statuses whose ids `page` selects (as a column named `id`, already ordered and
 * limited), with their boosted originals and authors. `prepared` is for callers whose page query
 * has a bounded number of texts: PostgreSQL and PGlite then plan the statement once.
 */
export async function readStatusPage(
  db: Db,
  page: Compilable<{ id: string }>,
  options: { prepared?: boolean } = {},
): Promise<StatusPage> {
  const compiled = page.compile();
  const text = `${options.prepared ? PREPARED : ""}${statusPageText(compiled.sql)}`;
  const result = await db.executeQuery<{
    document: {
      statuses: (Record<string, unknown> & { boosted: boolean })[];
      accounts: Record<string, unknown>[];
    };
  }>(CompiledQuery.raw(text, [...compiled.parameters]));
  const { statuses, accounts } = result.rows[0]!.document;
  const read: StatusPage = { rows: [], reblogs: [], accounts: [] };
  for (const status of statuses) {
    // `boosted` stays on the object: removing a key would cost more than carrying it.
    (status.boosted ? read.reblogs : read.rows).push(revive<StatusRow>(status, STATUS_TIMES));
  }
  for (const account of accounts) read.accounts.push(revive<Account>(account, ACCOUNT_TIMES));
  return read;
}

/**
 * Whether the viewer may see a status, as a SQL condition on `s`: public and unlisted posts are
 * open to every signed-in colleague; followers-only posts to the author's followers and the
 * people mentioned; direct posts to the people mentioned. Nothing of an author who blocks the
 * viewer, as Mastodon answers a blocked person 404 for the blocker's posts.
 */
export function visibleTo(viewerId: string) {
  return (eb: ExpressionBuilder<Database & { s: Database["statuses"] }, "s">) =>
    eb.and([authorDoesNotBlock(viewerId)(eb), eb.or([
      eb("s.visibility", "in", ["public", "unlisted"] satisfies Visibility[]),
      eb("s.account_id", "=", viewerId),
      eb.and([
        eb("s.visibility", "=", "private"),
        eb.exists(
          eb
            .selectFrom("follows as vf")
            .select("vf.id")
            .where("vf.account_id", "=", viewerId)
            .whereRef("vf.target_account_id", "=", "s.account_id"),
        ),
      ]),
      eb.exists(
        eb
          .selectFrom("mentions as vm")
          .select("vm.status_id")
          .where("vm.account_id", "=", viewerId)
          .whereRef("vm.status_id", "=", "s.id"),
      ),
    ])]);
}
