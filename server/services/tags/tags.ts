// Hashtags people look at, follow and feature on their profiles. Following a tag brings the
// public posts that carry it into the follower's home timeline (see statuses/fan-out.ts).
import { sql } from "kysely";
import type { Db } from "../../../db/repositories/types.ts";
import type { Tag } from "../../../db/schema.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { notFound, unprocessable } from "../../errors.ts";
import {
  type ApiFeaturedTag,
  type ApiTag,
  type ApiTagHistoryDay,
  featuredTagToApi,
  type TagLike,
  tagToApi,
} from "../../serializers/tag.ts";
import { type Cursors, type PageParams, pageCursors, pageWindow } from "../pagination.ts";
import { normalizeTag } from "../statuses/text.ts";

// As in posts (statuses/text.ts): letters, digits and underscores, with at least one letter or
// underscore, so that #2024 alone is not a tag.
const TAG_NAME = /^[\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*$/u;
const MAX_TAG_LENGTH = 100;

/** Mastodon's limit of hashtags on one profile. */
export const FEATURED_TAGS_LIMIT = 10;
const HISTORY_DAYS = 7;
const DAY_MS = 24 * 3600 * 1000;

/** The name as someone typed it (a leading # dropped), or null when it cannot be a hashtag. */
export function tagNameOf(input: string): string | null {
  const name = input.trim().replace(/^#/, "");
  return name.length <= MAX_TAG_LENGTH && TAG_NAME.test(name) ? name : null;
}

async function findTag(db: Db, name: string): Promise<Tag | undefined> {
  return db.selectFrom("tags").selectAll().where("name", "=", normalizeTag(name)).executeTakeFirst();
}

/** The stored tag of that name, created (with this spelling) when nobody has used it yet. */
async function findOrCreateTag(db: Db, displayName: string): Promise<Tag> {
  const name = normalizeTag(displayName);
  await db
    .insertInto("tags")
    .values({ name, display_name: displayName })
    .onConflict((conflict) => conflict.column("name").doNothing())
    .execute();
  return db.selectFrom("tags").selectAll().where("name", "=", name).executeTakeFirstOrThrow();
}

function requireName(input: string): string {
  const name = tagNameOf(input);
  if (!name) throw notFound();
  return name;
}

/**
 * The last seven days of each tag's use, newest first: public and unlisted posts (local and
 * from siblings) and the people who wrote them, per UTC day.
 */
export async function tagHistories(db: Db, tagIds: readonly string[]): Promise<Map<string, ApiTagHistoryDay[]>> {
  const today = Math.floor(Date.now() / DAY_MS);
  const firstDay = today - (HISTORY_DAYS - 1);
  // Ids start with their creation time in milliseconds: the window is a range of status ids.
  const firstId = (BigInt(firstDay * DAY_MS) << 16n).toString();
  const rows =
    tagIds.length === 0
      ? []
      : (
          await sql<{ tag_id: string; day: number; uses: number; accounts: number }>`
            SELECT st.tag_id::text AS tag_id,
              floor(extract(epoch FROM s.created_at) / 86400)::int AS day,
              count(*)::int AS uses,
              count(DISTINCT s.account_id)::int AS accounts
            FROM statuses_tags st JOIN statuses s ON s.id = st.status_id
            WHERE st.tag_id = ANY(${bigintArray(tagIds)}) AND st.status_id >= ${firstId}::bigint
              AND s.visibility IN ('public', 'unlisted')
            GROUP BY 1, 2
          `.execute(db)
        ).rows;
  const counts = new Map(rows.map((row) => [`${row.tag_id}:${row.day}`, row]));
  const histories = new Map<string, ApiTagHistoryDay[]>();
  for (const tagId of tagIds) {
    const days: ApiTagHistoryDay[] = [];
    for (let day = today; day >= firstDay; day--) {
      const found = counts.get(`${tagId}:${day}`);
      days.push({
        day: String((day * DAY_MS) / 1000),
        uses: String(found?.uses ?? 0),
        accounts: String(found?.accounts ?? 0),
      });
    }
    histories.set(tagId, days);
  }
  return histories;
}

/** Tags → entities with their history and whether the viewer follows and features each. */
export async function presentTags(context: AppContext, viewerId: string, tags: readonly TagLike[]): Promise<ApiTag[]> {
  const ids = tags.map((tag) => tag.id);
  const [histories, followed, featured] = await Promise.all([
    tagHistories(context.db, ids),
    ids.length === 0
      ? []
      : context.db
          .selectFrom("tag_follows")
          .select("tag_id")
          .where("account_id", "=", viewerId)
          .where("tag_id", "=", (eb) => eb.fn.any(bigintArray(ids)))
          .execute(),
    ids.length === 0
      ? []
      : context.db
          .selectFrom("featured_tags")
          .select("tag_id")
          .where("account_id", "=", viewerId)
          .where("tag_id", "=", (eb) => eb.fn.any(bigintArray(ids)))
          .execute(),
  ]);
  const following = new Set(followed.map((row) => row.tag_id));
  const featuring = new Set(featured.map((row) => row.tag_id));
  return tags.map((tag) =>
    tagToApi(tag, context.urls, {
      history: histories.get(tag.id) ?? [],
      following: following.has(tag.id),
      featuring: featuring.has(tag.id),
    }),
  );
}

async function presentTag(context: AppContext, viewerId: string, tag: TagLike): Promise<ApiTag> {
  return (await presentTags(context, viewerId, [tag]))[0]!;
}

/**
 * A hashtag by name. One nobody has used yet is shown too, as Mastodon does; it is stored then,
 * so that it has an id like any other (Mastodon answers an empty one).
 */
export async function showTag(context: AppContext, viewerId: string, input: string): Promise<ApiTag> {
  return presentTag(context, viewerId, await findOrCreateTag(context.db, requireName(input)));
}

export async function followTag(context: AppContext, viewerId: string, input: string): Promise<ApiTag> {
  const name = requireName(input);
  const tag = await context.db.transaction().execute(async (trx) => {
    const tag = await findOrCreateTag(trx, name);
    await trx
      .insertInto("tag_follows")
      .values({ account_id: viewerId, tag_id: tag.id })
      .onConflict((conflict) => conflict.columns(["account_id", "tag_id"]).doNothing())
      .execute();
    return tag;
  });
  return presentTag(context, viewerId, tag);
}

export async function unfollowTag(context: AppContext, viewerId: string, input: string): Promise<ApiTag> {
  const tag = await findOrCreateTag(context.db, requireName(input));
  await context.db.deleteFrom("tag_follows").where("account_id", "=", viewerId).where("tag_id", "=", tag.id).execute();
  return presentTag(context, viewerId, tag);
}

/** The viewer's followed tags, paged by when each was followed (newest first). */
export async function listFollowedTags(
  context: AppContext,
  viewerId: string,
  page: PageParams,
  limit: number,
): Promise<{ tags: ApiTag[]; cursors: Cursors }> {
  const base = context.db
    .selectFrom("tag_follows as tf")
    .innerJoin("tags as t", "t.id", "tf.tag_id")
    .select(["tf.id as follow_id", "t.id", "t.name", "t.display_name"])
    .where("tf.account_id", "=", viewerId);
  const { query, finish } = pageWindow(base, "tf.id", page, limit);
  const rows = finish(await query.execute());
  return { tags: await presentTags(context, viewerId, rows), cursors: pageCursors(rows, "follow_id") };
}

// ---------------------------------------------------------------------------------------------
// Featured tags

interface FeaturedRow {
  id: string;
  account_id: string;
  name: string;
  display_name: string;
  count: number;
  last_status_at: Date | null;
}

/** Featured tags with how many public and unlisted posts of their owner carry each. */
async function featuredRows(db: Db, accountId: string, featuredId?: string): Promise<FeaturedRow[]> {
  let query = db
    .selectFrom("featured_tags as ft")
    .innerJoin("tags as t", "t.id", "ft.tag_id")
    .select([
      "ft.id",
      "ft.account_id",
      "t.name",
      "t.display_name",
      sql<number>`(SELECT count(*)::int FROM statuses_tags st JOIN statuses s ON s.id = st.status_id
        WHERE st.tag_id = ft.tag_id AND s.account_id = ft.account_id
          AND s.visibility IN ('public', 'unlisted'))`.as("count"),
      sql<Date | null>`(SELECT max(s.created_at) FROM statuses_tags st JOIN statuses s ON s.id = st.status_id
        WHERE st.tag_id = ft.tag_id AND s.account_id = ft.account_id
          AND s.visibility IN ('public', 'unlisted'))`.as("last_status_at"),
    ])
    .where("ft.account_id", "=", accountId)
    .orderBy("ft.id");
  if (featuredId) query = query.where("ft.id", "=", featuredId);
  return query.execute();
}

async function presentFeatured(context: AppContext, accountId: string, rows: FeaturedRow[]): Promise<ApiFeaturedTag[]> {
  const account = await context.db
    .selectFrom("accounts")
    .select("url")
    .where("id", "=", accountId)
    .executeTakeFirstOrThrow();
  return rows.map((row) =>
    featuredTagToApi({ id: row.id, tag: row }, account, {
      count: row.count,
      lastStatusAt: row.last_status_at ? new Date(row.last_status_at) : null,
    }),
  );
}

export async function listFeaturedTags(context: AppContext, accountId: string): Promise<ApiFeaturedTag[]> {
  return presentFeatured(context, accountId, await featuredRows(context.db, accountId));
}

/** Another account's featured tags, as its profile shows them. */
export async function accountFeaturedTags(context: AppContext, accountId: string): Promise<ApiFeaturedTag[]> {
  const account = await context.db
    .selectFrom("accounts")
    .select("id")
    .where("id", "=", accountId)
    .where("suspended_at", "is", null)
    .executeTakeFirst();
  if (!account) throw notFound();
  return listFeaturedTags(context, accountId);
}

async function addFeatured(context: AppContext, viewerId: string, name: string): Promise<{ id: string; tag: Tag } | null> {
  return context.db.transaction().execute(async (trx) => {
    const tag = await findOrCreateTag(trx, name);
    // Serializes concurrent additions by one person, so the limit holds.
    await sql`SELECT 1 FROM accounts WHERE id = ${viewerId}::bigint FOR UPDATE`.execute(trx);
    const { count } = await trx
      .selectFrom("featured_tags")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("account_id", "=", viewerId)
      .executeTakeFirstOrThrow();
    const inserted = await trx
      .insertInto("featured_tags")
      .values({ account_id: viewerId, tag_id: tag.id })
      .onConflict((conflict) => conflict.columns(["account_id", "tag_id"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    if (inserted && Number(count) >= FEATURED_TAGS_LIMIT) {
      throw unprocessable(`You can only feature up to ${FEATURED_TAGS_LIMIT} hashtags`);
    }
    return inserted ? { id: inserted.id, tag } : null;
  });
}

/** POST /api/v1/featured_tags: a second feature of the same tag is refused, as Mastodon does. */
export async function createFeaturedTag(context: AppContext, viewerId: string, input: string): Promise<ApiFeaturedTag> {
  const name = tagNameOf(input);
  if (!name) throw unprocessable("Tag is invalid");
  const added = await addFeatured(context, viewerId, name);
  if (!added) throw unprocessable("Tag has already been taken");
  const [featured] = await presentFeatured(context, viewerId, await featuredRows(context.db, viewerId, added.id));
  return featured!;
}

export async function deleteFeaturedTag(context: AppContext, viewerId: string, id: string): Promise<void> {
  const result = await context.db
    .deleteFrom("featured_tags")
    .where("id", "=", id)
    .where("account_id", "=", viewerId)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFound();
}

/** POST /api/v1/tags/:name/feature: idempotent, answers the Tag. */
export async function featureTag(context: AppContext, viewerId: string, input: string): Promise<ApiTag> {
  const name = requireName(input);
  await addFeatured(context, viewerId, name);
  return presentTag(context, viewerId, (await findTag(context.db, name))!);
}

export async function unfeatureTag(context: AppContext, viewerId: string, input: string): Promise<ApiTag> {
  const tag = await findOrCreateTag(context.db, requireName(input));
  await context.db.deleteFrom("featured_tags").where("account_id", "=", viewerId).where("tag_id", "=", tag.id).execute();
  return presentTag(context, viewerId, tag);
}

/** Up to ten tags the viewer used lately and does not feature yet. */
export async function featuredTagSuggestions(context: AppContext, viewerId: string): Promise<ApiTag[]> {
  const rows = await context.db
    .selectFrom("statuses as s")
    .innerJoin("statuses_tags as st", "st.status_id", "s.id")
    .innerJoin("tags as t", "t.id", "st.tag_id")
    .select(["t.id", "t.name", "t.display_name"])
    .select((eb) => eb.fn.max("s.id").as("latest"))
    .where("s.account_id", "=", viewerId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("featured_tags as ft")
            .select("ft.id")
            .whereRef("ft.tag_id", "=", "t.id")
            .where("ft.account_id", "=", viewerId),
        ),
      ),
    )
    .groupBy(["t.id", "t.name", "t.display_name"])
    .orderBy("latest", "desc")
    .limit(10)
    .execute();
  return presentTags(context, viewerId, rows);
}
