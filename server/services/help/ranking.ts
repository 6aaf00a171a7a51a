// Who knows about something: people of every campus this one knows (local and stored remote
// accounts), ranked by the evidence their posts and profiles give for a set of terms. The
// weights are documented in docs/expert-routing.md; change both together.
import { sql } from "kysely";
import type { Db } from "../../../db/repositories/types.ts";
import { bigintArray, textArray } from "../../../db/sql-helpers.ts";
import { normalizeTag } from "../statuses/text.ts";

export const WEIGHTS = {
  /** Per matching original post (at most POST_CAP of them count). */
  post: 1,
  /** Per matching reply (at most POST_CAP of them count): answering is closer to helping. */
  reply: 1.5,
  /** Per answer that solved an earlier request on the topic (at most ANSWER_CAP count). */
  answer: 5,
  /** Per distinct term the person has used as a hashtag. */
  hashtag: 2,
  /** Per distinct term found in a profile field named Skills. */
  skill: 4,
} as const;

export const POST_CAP = 10;
export const ANSWER_CAP = 5;
/** Only the newest this many matching posts are looked at. */
export const EVIDENCE_WINDOW = 5000;
const MAX_TERMS = 12;

/** Words that say nothing about a topic, including the ones people ask with. */
const STOPWORDS = new Set(
  (
    "a an and are as at be been but by can could did do does doing done for from had has have having " +
    "he her here him his how i if in into is it its me my of on or our out she so some than that the " +
    "their them then there these they this those to too up us was we were what when where which who " +
    "whom why will with would you your yours anyone anybody someone somebody everyone know knows known " +
    "knew knowing experience experienced please thanks thank help need needs looking any about just " +
    "like get got has hi hello hey question questions idea ideas tips advice ever already also one " +
    "solved expert experts"
  ).split(" "),
);

/**
 * The significant words of a text (or search query): lower-cased letters and digits, mentions,
 * links and stopwords dropped, hashtags kept as words, in order of first appearance.
 */
export function significantTerms(text: string, ignored: readonly string[] = []): string[] {
  const skip = new Set(ignored.map(normalizeTag));
  const cleaned = text
    .replace(/<[^>]*>/g, " ")
    .replace(/https?:\/\/\S+/g, " ")
    .replace(/(^|\s)@[\w.-]+(@[\w.:-]+)?/g, " ");
  const terms: string[] = [];
  for (const word of cleaned
    .normalize("NFKC")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)) {
    if (word.length < 2 || /^\p{N}+$/u.test(word) || STOPWORDS.has(word) || skip.has(word))
      continue;
    if (!terms.includes(word)) terms.push(word);
    if (terms.length === MAX_TERMS) break;
  }
  return terms;
}

/**
 * A tsquery text matching any of the terms, each as a prefix ("implement" finds "implemented"),
 * asked of the posts' search documents (status_search, kept by triggers; see 0009).
 */
export function anyTermQuery(terms: readonly string[]): string {
  return terms.map((term) => `${term}:*`).join(" | ");
}

export interface RankOptions {
  /** Accounts never ranked (the asker, people already asked). */
  exclude?: readonly string[];
  /** Leave out people who opted out of being asked (see optedOut). */
  routableOnly?: boolean;
  limit: number;
  offset?: number;
}

export interface RankedExpert {
  accountId: string;
  score: number;
  posts: number;
  replies: number;
  answers: number;
  hashtags: number;
  skills: number;
}

/**
 * SQL: the account `a` has opted out of help requests: a profile field named "Expert routing"
 * (or "Help requests") whose value is off, no, none or opt-out.
 */
export const optedOut = sql<boolean>`EXISTS (
  SELECT 1 FROM jsonb_array_elements(a.fields) f
  WHERE lower(trim(f->>'name')) IN ('expert routing', 'help requests')
    AND lower(trim(regexp_replace(f->>'value', '<[^>]*>', '', 'g'))) IN ('off', 'no', 'none', 'opt-out', 'opt out')
)`;

/**
 * Ranks people by evidence for the terms, best first; ties go to the lower account id so that
 * the order is the same every time. Only posts visible to the whole organization (public and
 * unlisted, not boosts, not help requests themselves) count; bots and suspended accounts are
 * never ranked.
 */
export async function rankExperts(
  db: Db,
  terms: readonly string[],
  options: RankOptions,
): Promise<RankedExpert[]> {
  if (terms.length === 0 || options.limit <= 0) return [];
  const query = anyTermQuery(terms);
  const tags = textArray(terms.map(normalizeTag));
  const exclude = bigintArray(options.exclude ?? []);
  const result = await sql<{
    account_id: string;
    score: number;
    posts: string;
    replies: string;
    answers: string;
    hashtags: string;
    skills: string;
  }>`
    WITH q AS (SELECT to_tsquery('simple', ${query}) AS query),
    matching AS (
      SELECT s.account_id, s.in_reply_to_id IS NOT NULL AS reply
      FROM q
      JOIN status_search ss ON ss.document @@ q.query
      JOIN statuses s ON s.id = ss.status_id
      WHERE s.visibility IN ('public', 'unlisted') AND s.reblog_of_id IS NULL
        AND NOT EXISTS (SELECT 1 FROM help_requests h WHERE h.status_id = s.id)
      -- A common word must not make the ranking read every post the organization ever wrote.
      ORDER BY ss.status_id DESC
      LIMIT ${sql.lit(EVIDENCE_WINDOW)}
    ),
    posts AS (
      SELECT account_id,
        least(count(*) FILTER (WHERE NOT reply), ${sql.lit(POST_CAP)}) AS posts,
        least(count(*) FILTER (WHERE reply), ${sql.lit(POST_CAP)}) AS replies
      FROM matching GROUP BY account_id
    ),
    answers AS (
      SELECT s.account_id, least(count(*), ${sql.lit(ANSWER_CAP)}) AS answers
      FROM help_requests h
      JOIN statuses s ON s.id = h.answer_status_id
      JOIN status_search rs ON rs.status_id = h.status_id, q
      WHERE h.solved_at IS NOT NULL AND rs.document @@ q.query
      GROUP BY s.account_id
    ),
    hashtags AS (
      SELECT s.account_id, count(DISTINCT t.name) AS hashtags
      FROM tags t
      JOIN statuses_tags st ON st.tag_id = t.id
      JOIN statuses s ON s.id = st.status_id
      WHERE t.name = ANY(${tags}) AND s.visibility IN ('public', 'unlisted') AND s.reblog_of_id IS NULL
        AND NOT EXISTS (SELECT 1 FROM help_requests h WHERE h.status_id = s.id)
      GROUP BY s.account_id
    ),
    skills AS (
      SELECT a.id AS account_id, count(DISTINCT term) AS skills
      FROM q
      JOIN account_search acs ON acs.document @@ q.query
      JOIN accounts a ON a.id = acs.account_id
      CROSS JOIN LATERAL jsonb_array_elements(a.fields) f
      CROSS JOIN unnest(${tags}) term
      WHERE lower(trim(f->>'name')) IN ('skills', 'skill')
        AND to_tsvector('simple', regexp_replace(f->>'value', '<[^>]*>', ' ', 'g')) @@ to_tsquery('simple', term || ':*')
      GROUP BY a.id
    ),
    candidates AS (
      SELECT account_id FROM posts UNION SELECT account_id FROM answers
      UNION SELECT account_id FROM hashtags UNION SELECT account_id FROM skills
    )
    SELECT a.id AS account_id,
      (coalesce(p.posts, 0) * ${sql.lit(WEIGHTS.post)} + coalesce(p.replies, 0) * ${sql.lit(WEIGHTS.reply)}
        + coalesce(an.answers, 0) * ${sql.lit(WEIGHTS.answer)} + coalesce(h.hashtags, 0) * ${sql.lit(WEIGHTS.hashtag)}
        + coalesce(sk.skills, 0) * ${sql.lit(WEIGHTS.skill)})::float8 AS score,
      coalesce(p.posts, 0) AS posts, coalesce(p.replies, 0) AS replies, coalesce(an.answers, 0) AS answers,
      coalesce(h.hashtags, 0) AS hashtags, coalesce(sk.skills, 0) AS skills
    FROM candidates c
    JOIN accounts a ON a.id = c.account_id
    LEFT JOIN posts p ON p.account_id = a.id
    LEFT JOIN answers an ON an.account_id = a.id
    LEFT JOIN hashtags h ON h.account_id = a.id
    LEFT JOIN skills sk ON sk.account_id = a.id
    WHERE a.suspended_at IS NULL AND NOT a.bot AND a.id <> ALL(${exclude})
      ${options.routableOnly ? sql`AND NOT ${optedOut}` : sql``}
    ORDER BY score DESC, a.id ASC
    LIMIT ${options.limit} OFFSET ${options.offset ?? 0}
  `.execute(db);
  return result.rows.map((row) => ({
    accountId: String(row.account_id),
    score: Number(row.score),
    posts: Number(row.posts),
    replies: Number(row.replies),
    answers: Number(row.answers),
    hashtags: Number(row.hashtags),
    skills: Number(row.skills),
  }));
}

/**
 * The posts that show an account's expertise for the terms, strongest first: answers that
 * solved requests on the topic, then matching posts, newest first.
 */
export async function expertEvidence(
  db: Db,
  terms: readonly string[],
  accountIds: readonly string[],
  perAccount: number,
): Promise<Map<string, { statusId: string; url: string; answer: boolean }[]>> {
  const found = new Map<string, { statusId: string; url: string; answer: boolean }[]>();
  if (terms.length === 0 || accountIds.length === 0) return found;
  const result = await sql<{ account_id: string; id: string; url: string; answer: boolean }>`
    WITH q AS (SELECT to_tsquery('simple', ${anyTermQuery(terms)}) AS query),
    ranked AS (
      SELECT s.account_id, s.id, s.url,
        EXISTS (SELECT 1 FROM help_requests h WHERE h.answer_status_id = s.id AND h.solved_at IS NOT NULL) AS answer,
        row_number() OVER (
          PARTITION BY s.account_id
          ORDER BY EXISTS (SELECT 1 FROM help_requests h WHERE h.answer_status_id = s.id AND h.solved_at IS NOT NULL) DESC, s.id DESC
        ) AS position
      FROM q
      JOIN status_search ss ON ss.document @@ q.query
      JOIN statuses s ON s.id = ss.status_id
      WHERE s.account_id = ANY(${bigintArray(accountIds)})
        AND s.visibility IN ('public', 'unlisted') AND s.reblog_of_id IS NULL
        AND NOT EXISTS (SELECT 1 FROM help_requests h WHERE h.status_id = s.id)
    )
    SELECT account_id, id, url, answer FROM ranked WHERE position <= ${perAccount} ORDER BY account_id, position
  `.execute(db);
  for (const row of result.rows) {
    const list = found.get(String(row.account_id)) ?? [];
    list.push({ statusId: String(row.id), url: row.url, answer: row.answer });
    found.set(String(row.account_id), list);
  }
  return found;
}
