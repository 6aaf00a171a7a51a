// Fills a migrated database with a campus-sized dataset in bulk SQL (generate_series and
// INSERT … SELECT), never through the API: accounts and users, a viewer who follows a few
// hundred colleagues, statuses with replies, boosts, mentions and tags, and home_feed rows as the
// fan-out on write (services/statuses/create.ts) would have written them.
//
// Everything about the n-th row is a pure function of n (hash buckets), so chunks can be
// inserted independently and a reply or boost can name its target's id before inserting it.
import { type Kysely, sql } from "kysely";
import type { Database } from "../../db/schema.ts";
import { textArray } from "../../db/sql-helpers.ts";
import { hashPassword } from "../../server/services/accounts/passwords.ts";
import type { DatasetSize } from "./options.ts";
import { Progress, step } from "./progress.ts";

export const BENCH_ORIGIN = "https://bench.hallway.example";
export const BENCH_PASSWORD = "bench-password";
/** Account numbers: 1 is the admin (the instance's contact), 2 the viewer whose home is read. */
export const VIEWER_USERNAME = "viewer";
/** Bumped whenever the generated data changes, so that older seeded copies are not reused. */
export const SEED_VERSION = 1;

const CHUNK = 50_000;
const DAY_MS = 86_400_000;

// Short texts of everyday work posts; no HTML-special characters, so they need no escaping.
const PHRASES = [
  "Finished the migration of the build farm to the new runners, queue times are down by half this week",
  "Does anyone have notes from the storage review? I would like to compare them with ours before Friday",
  "Lunch talk at noon in the east wing: what we learned from a year of running our own instance",
  "The new badge readers are in; if yours does not open the lab door, the front desk can re-issue the card",
  "Reading group picks for next month are up on the wiki, vote by Thursday please",
  "We are looking for someone who knows the old billing exports well, happy to trade coffee for an hour",
  "Reminder: the staging database is reset tonight at ten, save anything you need before then",
  "Shipped the first version of the campus map, feedback welcome, especially from the north buildings",
];

function int(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
  return String(value);
}

async function run(db: Kysely<Database>, text: string): Promise<void> {
  await sql.raw(text).execute(db);
}

/**
 * Helper functions in a scratch schema, dropped at the end. IDs follow timestamp_id()'s layout
 * (milliseconds << 16 | low bits): the low bits are the row number instead of the sequence, which
 * keeps them unique (no two rows share a millisecond and a number) and computable in advance.
 */
function helperFunctions(
  size: DatasetSize,
  times: { accounts: number; statuses: number; span: number },
) {
  const phrases = PHRASES.map((phrase) => `'${phrase}'`).join(", ");
  const fn = (signature: string, returns: string, body: string) =>
    `CREATE FUNCTION bench_seed.${signature} RETURNS ${returns} LANGUAGE sql IMMUTABLE AS $$ ${body} $$`;
  return [
    "DROP SCHEMA IF EXISTS bench_seed CASCADE",
    "CREATE SCHEMA bench_seed",
    fn(
      "h(g bigint, salt bigint, m bigint)",
      "bigint",
      "SELECT (hashint8extended(g, salt) & 2147483647) % m",
    ),
    fn(
      "account_id(i bigint)",
      "bigint",
      `SELECT ((${int(times.accounts)} + i * 1000) << 16) | (i % 65536)`,
    ),
    fn(
      "username(i bigint)",
      "text",
      `SELECT CASE i WHEN 1 THEN 'admin' WHEN 2 THEN '${VIEWER_USERNAME}' ELSE 'user' || i::text END`,
    ),
    fn("tag_id(k bigint)", "bigint", `SELECT ((${int(times.accounts)} - 10000000 + k) << 16) | k`),
    fn(
      "status_ms(g bigint)",
      "bigint",
      `SELECT ${int(times.statuses)} + (g * ${int(times.span)}) / ${int(size.statuses)}`,
    ),
    fn("status_id(g bigint)", "bigint", "SELECT (bench_seed.status_ms(g) << 16) | (g % 65536)"),
    fn("author(g bigint)", "bigint", `SELECT 1 + bench_seed.h(g, 1, ${int(size.accounts)})`),
    // Every 50th status is a public original, so that replies and boosts can target them.
    fn(
      "kind(g bigint)",
      "text",
      `SELECT CASE WHEN g % 50 = 0 OR g <= 1000 THEN 'post'
                   WHEN bench_seed.h(g, 2, 100) < 5 THEN 'boost'
                   WHEN bench_seed.h(g, 2, 100) < 15 THEN 'reply'
                   ELSE 'post' END`,
    ),
    fn("target(g bigint)", "bigint", "SELECT (g / 50 - bench_seed.h(g, 4, 20)) * 50"),
    fn(
      "visibility(g bigint)",
      "text",
      `SELECT CASE WHEN g % 50 = 0 OR bench_seed.kind(g) = 'boost' THEN 'public'
                   WHEN bench_seed.h(g, 3, 100) < 70 THEN 'public'
                   WHEN bench_seed.h(g, 3, 100) < 85 THEN 'unlisted'
                   WHEN bench_seed.h(g, 3, 100) < 95 THEN 'private'
                   ELSE 'direct' END`,
    ),
    // 1% of posts mention the viewer, 9% someone else; direct posts always mention someone.
    fn(
      "mentioned(g bigint)",
      "bigint",
      `SELECT CASE WHEN bench_seed.kind(g) = 'boost' THEN NULL
                   WHEN bench_seed.h(g, 5, 1000) < 10 THEN 2
                   WHEN bench_seed.h(g, 5, 1000) < 100 OR bench_seed.visibility(g) = 'direct'
                     THEN 1 + bench_seed.h(g, 6, ${int(size.accounts)})
                   END`,
    ),
    // 15% of posts carry a hashtag, 3% a second one.
    fn(
      "tag1(g bigint)",
      "bigint",
      `SELECT CASE WHEN bench_seed.kind(g) <> 'boost' AND bench_seed.h(g, 7, 100) < 15
                   THEN 1 + bench_seed.h(g, 8, ${int(size.tags)}) END`,
    ),
    fn(
      "tag2(g bigint)",
      "bigint",
      `SELECT CASE WHEN bench_seed.kind(g) <> 'boost' AND bench_seed.h(g, 7, 100) < 3
                   THEN 1 + bench_seed.h(g, 9, ${int(size.tags)}) END`,
    ),
    fn(
      "phrase(g bigint)",
      "text",
      `SELECT (ARRAY[${phrases}])[1 + bench_seed.h(g, 10, ${PHRASES.length})]`,
    ),
  ];
}

/**
 * The n-th status's properties, computed once per row: OFFSET 0 keeps the planner from pulling
 * the subquery up and repeating the expressions wherever a column is used.
 */
const STATUS_ROWS = `
  SELECT p.*, bench_seed.username(p.author) AS author_name, bench_seed.username(p.mentioned) AS mentioned_name
  FROM (
    SELECT g, bench_seed.status_id(g) AS id, bench_seed.author(g) AS author, bench_seed.kind(g) AS kind,
           bench_seed.visibility(g) AS visibility, bench_seed.mentioned(g) AS mentioned,
           bench_seed.tag1(g) AS tag1, bench_seed.tag2(g) AS tag2, bench_seed.target(g) AS target,
           bench_seed.phrase(g) AS phrase, to_timestamp(bench_seed.status_ms(g) / 1000.0) AS at
    FROM generate_series($LO::bigint, $HI::bigint) AS g
    OFFSET 0
  ) p
  OFFSET 0`;

/** The text and HTML of the n-th status, shaped as textToHtml() would render them. */
function insertStatusesSql(origin: string, applicationId: string): string {
  return `
    INSERT INTO statuses (id, uri, url, account_id, local, text, content, visibility, language,
      in_reply_to_id, in_reply_to_account_id, reblog_of_id, application_id, created_at, updated_at)
    SELECT r.id,
      '${origin}/users/' || r.author_name || '/statuses/' || r.id
        || CASE WHEN r.kind = 'boost' THEN '/activity' ELSE '' END,
      CASE WHEN r.kind = 'boost' THEN '${origin}/users/' || r.author_name || '/statuses/' || r.id || '/activity'
           ELSE '${origin}/@' || r.author_name || '/' || r.id END,
      bench_seed.account_id(r.author), true,
      CASE WHEN r.kind = 'boost' THEN '' ELSE
        coalesce('@' || r.mentioned_name || ' ', '') || r.phrase
        || coalesce(' #topic' || r.tag1, '') || coalesce(' #topic' || r.tag2, '') END,
      CASE WHEN r.kind = 'boost' THEN '' ELSE
        '<p>' || coalesce('<span class="h-card" translate="no"><a href="${origin}/@' || r.mentioned_name
          || '" class="u-url mention">@<span>' || r.mentioned_name || '</span></a></span> ', '')
        || r.phrase
        || coalesce(' <a href="${origin}/tags/topic' || r.tag1 || '" class="mention hashtag" rel="tag">#<span>topic' || r.tag1 || '</span></a>', '')
        || coalesce(' <a href="${origin}/tags/topic' || r.tag2 || '" class="mention hashtag" rel="tag">#<span>topic' || r.tag2 || '</span></a>', '')
        || '</p>' END,
      r.visibility,
      CASE WHEN r.kind = 'boost' THEN NULL ELSE 'en' END,
      CASE WHEN r.kind = 'reply' THEN bench_seed.status_id(r.target) END,
      CASE WHEN r.kind = 'reply' THEN bench_seed.account_id(bench_seed.author(r.target)) END,
      CASE WHEN r.kind = 'boost' THEN bench_seed.status_id(r.target) END,
      CASE WHEN r.kind <> 'boost' AND r.g % 2 = 0 THEN ${applicationId}::bigint END,
      r.at, r.at
    FROM (${STATUS_ROWS}) r`;
}

const INSERT_MENTIONS = `
  INSERT INTO mentions (status_id, account_id)
  SELECT r.id, bench_seed.account_id(r.mentioned) FROM (${STATUS_ROWS}) r WHERE r.mentioned IS NOT NULL`;

const INSERT_TAGS = `
  INSERT INTO statuses_tags (tag_id, status_id)
  SELECT bench_seed.tag_id(t.tag), t.id
  FROM (SELECT r.id, unnest(ARRAY[r.tag1, r.tag2]) AS tag FROM (${STATUS_ROWS}) r WHERE r.tag1 IS NOT NULL) t
  WHERE t.tag IS NOT NULL
  ON CONFLICT DO NOTHING`;

// The same rule as fanOut(): the author's own feed always; local followers' feeds for every
// visibility but direct, which reaches only the followers it mentions.
const INSERT_HOME_FEED = `
  INSERT INTO home_feed (account_id, status_id, author_id)
  SELECT s.account_id, s.id, s.account_id
  FROM statuses s WHERE s.id BETWEEN bench_seed.status_id($LO) AND bench_seed.status_id($HI)
  UNION ALL
  SELECT f.account_id, s.id, s.account_id
  FROM statuses s
  JOIN follows f ON f.target_account_id = s.account_id
  JOIN accounts a ON a.id = f.account_id AND a.domain IS NULL
  WHERE s.id BETWEEN bench_seed.status_id($LO) AND bench_seed.status_id($HI)
    AND (s.visibility <> 'direct'
         OR EXISTS (SELECT 1 FROM mentions m WHERE m.status_id = s.id AND m.account_id = f.account_id))`;

/**
 * Secondary indexes of the bulk-loaded tables that back no constraint are dropped before the
 * load and rebuilt after it from their own definitions (one sort instead of a million inserts).
 */
async function dropSecondaryIndexes(db: Kysely<Database>): Promise<string[]> {
  const indexes = await sql<{ name: string; definition: string }>`
    SELECT i.indexname AS name, i.indexdef AS definition
    FROM pg_indexes i
    WHERE i.schemaname = current_schema()
      AND i.tablename = ANY(${textArray(["statuses", "mentions", "statuses_tags", "home_feed"])})
      AND NOT EXISTS (
        SELECT 1 FROM pg_constraint c
        WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass
      )`.execute(db);
  for (const index of indexes.rows) await run(db, `DROP INDEX ${index.name}`);
  return indexes.rows.map((index) => index.definition);
}

export interface SeedSummary {
  accounts: number;
  statuses: number;
  viewerHomeFeed: number;
  homeFeed: number;
  mentions: number;
  statusTags: number;
  seconds: number;
}

export async function seedDatabase(db: Kysely<Database>, size: DatasetSize): Promise<SeedSummary> {
  const started = performance.now();
  const now = Date.now();
  // Statuses span the last year up to an hour ago; accounts were created in the month before.
  const span = 365 * DAY_MS;
  const times = { statuses: now - span - 3_600_000, accounts: now - span - 31 * DAY_MS, span };
  if (span < size.statuses)
    throw new Error("too many statuses for one per millisecond over a year");
  const origin = BENCH_ORIGIN;
  const passwordHash = await hashPassword(BENCH_PASSWORD);

  for (const statement of helperFunctions(size, times)) await run(db, statement);
  // The rows are consistent by construction: skip the per-row foreign key triggers (superusers
  // only; elsewhere the load is slower and the same).
  const withoutTriggers = await sql`SET session_replication_role = replica`.execute(db).then(
    () => true,
    () => false,
  );

  await step(`accounts and users (${size.accounts.toLocaleString("en-US")})`, async () => {
    await run(
      db,
      `INSERT INTO accounts (id, username, domain, uri, url, display_name, note, note_source, created_at, updated_at)
       SELECT bench_seed.account_id(i), bench_seed.username(i), NULL,
         '${origin}/users/' || bench_seed.username(i), '${origin}/@' || bench_seed.username(i),
         'Colleague ' || i, '<p>Works in team ' || (i % 40) || ' on the ' || (i % 7) || 'th floor.</p>',
         'Works in team ' || (i % 40) || ' on the ' || (i % 7) || 'th floor.',
         to_timestamp((${int(times.accounts)} + i * 1000) / 1000.0), to_timestamp((${int(times.accounts)} + i * 1000) / 1000.0)
       FROM generate_series(1, ${int(size.accounts)}) AS i`,
    );
    await run(
      db,
      `INSERT INTO users (account_id, email, password_hash, role, created_at)
       SELECT bench_seed.account_id(i), bench_seed.username(i) || '@bench.hallway.example', '${passwordHash}',
         CASE WHEN i = 1 THEN 'admin' ELSE 'user' END, to_timestamp((${int(times.accounts)} + i * 1000) / 1000.0)
       FROM generate_series(1, ${int(size.accounts)}) AS i`,
    );
  });

  await step(`follows (viewer ↔ ${size.following}) and ${size.tags} tags`, async () => {
    await run(
      db,
      `INSERT INTO follows (account_id, target_account_id)
       SELECT bench_seed.account_id(2), bench_seed.account_id(i) FROM generate_series(3, ${int(size.following + 2)}) AS i
       UNION ALL
       SELECT bench_seed.account_id(i), bench_seed.account_id(2) FROM generate_series(3, ${int(size.following + 2)}) AS i`,
    );
    await run(
      db,
      `INSERT INTO tags (id, name, display_name, created_at)
       SELECT bench_seed.tag_id(k), 'topic' || k, 'topic' || k, to_timestamp(${int(times.accounts)} / 1000.0)
       FROM generate_series(1, ${int(size.tags)}) AS k`,
    );
  });

  const application = await sql<{ id: string }>`
    INSERT INTO oauth_applications (name, website, redirect_uris, scopes, client_id, client_secret)
    VALUES ('Seeded client', 'https://apps.example', '["urn:ietf:wg:oauth:2.0:oob"]', 'read write',
            'bench-seed-client', 'bench-seed-secret')
    RETURNING id`.execute(db);
  const applicationId = application.rows[0]!.id;

  const rebuild = await dropSecondaryIndexes(db);
  const progress = new Progress("statuses, mentions, tags, home feeds", size.statuses);
  if (!/^\d+$/.test(applicationId)) throw new Error(`unexpected application id ${applicationId}`);
  const insertStatuses = insertStatusesSql(origin, applicationId);
  for (let lo = 1; lo <= size.statuses; lo += CHUNK) {
    const hi = Math.min(size.statuses, lo + CHUNK - 1);
    const bind = (text: string) => text.replaceAll("$LO", int(lo)).replaceAll("$HI", int(hi));
    await run(db, bind(insertStatuses));
    await run(db, bind(INSERT_MENTIONS));
    await run(db, bind(INSERT_TAGS));
    await run(db, bind(INSERT_HOME_FEED));
    progress.update(hi);
  }
  progress.finish();
  await step(`rebuilding ${rebuild.length} indexes`, async () => {
    for (const definition of rebuild) await run(db, definition);
  });

  await step("counters", async () => {
    await run(
      db,
      `UPDATE accounts a SET statuses_count = c.n, last_status_at = c.last
       FROM (SELECT account_id, count(*) FILTER (WHERE visibility <> 'direct') AS n, max(created_at) AS last
             FROM statuses GROUP BY account_id) c
       WHERE a.id = c.account_id`,
    );
    await run(
      db,
      `UPDATE accounts a SET following_count = (SELECT count(*) FROM follows f WHERE f.account_id = a.id),
         followers_count = (SELECT count(*) FROM follows f WHERE f.target_account_id = a.id)
       WHERE a.id IN (SELECT account_id FROM follows UNION SELECT target_account_id FROM follows)`,
    );
    await run(
      db,
      `UPDATE statuses s SET replies_count = c.n
       FROM (SELECT in_reply_to_id AS id, count(*) AS n FROM statuses WHERE in_reply_to_id IS NOT NULL GROUP BY 1) c
       WHERE s.id = c.id`,
    );
    await run(
      db,
      `UPDATE statuses s SET reblogs_count = c.n
       FROM (SELECT reblog_of_id AS id, count(*) AS n FROM statuses WHERE reblog_of_id IS NOT NULL GROUP BY 1) c
       WHERE s.id = c.id`,
    );
    await run(
      db,
      `UPDATE tags t SET last_status_at = c.last
       FROM (SELECT st.tag_id, max(s.created_at) AS last FROM statuses_tags st JOIN statuses s ON s.id = st.status_id
             GROUP BY 1) c
       WHERE t.id = c.tag_id`,
    );
    await run(db, "DROP SCHEMA bench_seed CASCADE");
    if (withoutTriggers) await run(db, "RESET session_replication_role");
  });
  await step("vacuum and analyze", () => run(db, "VACUUM ANALYZE"));

  const counts = await sql<Record<string, string>>`
    SELECT (SELECT count(*) FROM accounts) AS accounts,
           (SELECT count(*) FROM statuses) AS statuses,
           (SELECT count(*) FROM home_feed) AS home_feed,
           (SELECT count(*) FROM home_feed f JOIN accounts a ON a.id = f.account_id
             WHERE a.username = ${VIEWER_USERNAME} AND a.domain IS NULL) AS viewer_home_feed,
           (SELECT count(*) FROM mentions) AS mentions,
           (SELECT count(*) FROM statuses_tags) AS status_tags`.execute(db);
  const row = counts.rows[0]!;
  return {
    accounts: Number(row.accounts),
    statuses: Number(row.statuses),
    homeFeed: Number(row.home_feed),
    viewerHomeFeed: Number(row.viewer_home_feed),
    mentions: Number(row.mentions),
    statusTags: Number(row.status_tags),
    seconds: (performance.now() - started) / 1000,
  };
}
