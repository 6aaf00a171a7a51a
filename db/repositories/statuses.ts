import { type ExpressionBuilder, type SelectQueryBuilder, sql } from "kysely";
import type { Database, Status, Visibility } from "../schema.ts";
import { bigintArray } from "../sql-helpers.ts";
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

/**
 * statuses AS s with mentions and tags aggregated per row. Callers add where/order/limit.
 * IDs inside the JSON are cast to text first: JSON numbers would lose precision.
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
        SELECT coalesce(json_agg(json_build_object(
          'id', ma.id::text, 'username', ma.username, 'domain', ma.domain, 'url', ma.url
        )), '[]'::json)
        FROM mentions m JOIN accounts ma ON ma.id = m.account_id
        WHERE m.status_id = s.id
      )`.as("mention_refs"),
      sql<TagRef[]>`(
        SELECT coalesce(json_agg(json_build_object('name', t.name, 'display_name', t.display_name)), '[]'::json)
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
 * Whether the viewer may see a status, as a SQL condition on `s`: public and unlisted posts are
 * open to every signed-in colleague; followers-only posts to the author's followers and the
 * people mentioned; direct posts to the people mentioned.
 */
export function visibleTo(viewerId: string) {
  return (eb: ExpressionBuilder<Database & { s: Database["statuses"] }, "s">) =>
    eb.or([
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
    ]);
}
