// The org directory (Mastodon's /api/v1/directory): the discoverable people of this campus and
// of every allowlisted sibling, whose accounts arrive through directory sync and federation.
import { type ExpressionBuilder, type SelectQueryBuilder, sql } from "kysely";
import type { Account, Database } from "../../../db/schema.ts";
import { textArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { accountToApi, type ApiAccount } from "../../serializers/account.ts";

/** Profile field names that hold someone's expertise ("Skills", as people write it). */
export const SKILL_FIELD_NAMES = ["skills", "skill", "expertise"];

export interface DirectoryParams {
  offset?: number;
  limit: number;
  /** `active`: recently posted first (Mastodon's default); `new`: newest accounts first. */
  order?: "active" | "new";
  /** Only this campus's own people. */
  local?: boolean;
  /** Extension: a profile field named Skills contains this (case-insensitive). */
  skill?: string;
  /** Extension: only the people of this campus (its domain, as in handles). */
  campus?: string;
}

type AccountScope = ExpressionBuilder<Database & { a: Database["accounts"] }, "a">;

/** LIKE pattern matching `text` anywhere, with LIKE's wildcards taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * The people a viewer may find in the directory: discoverable, not suspended, people rather than
 * services, of this campus or of a sibling still on the allowlist, neither blocking the viewer nor
 * blocked or muted by them.
 */
export function directoryScope(context: AppContext, viewerId: string) {
  const siblings = context.siblingHosts().map((host) => host.toLowerCase());
  return (eb: AccountScope) =>
    eb.and([
      eb("a.discoverable", "=", true),
      eb("a.suspended_at", "is", null),
      eb("a.actor_type", "not in", ["Application", "Service"]),
      eb("a.bot", "=", false),
      eb.or([eb("a.domain", "is", null), eb("a.domain", "=", eb.fn.any(textArray(siblings)))]),
      eb.not(
        eb.exists(
          eb
            .selectFrom("blocks as b")
            .select("b.id")
            .where((inner) =>
              inner.or([
                inner.and([inner("b.account_id", "=", viewerId), inner.eb("b.target_account_id", "=", inner.ref("a.id"))]),
                inner.and([inner.eb("b.account_id", "=", inner.ref("a.id")), inner("b.target_account_id", "=", viewerId)]),
              ]),
            ),
        ),
      ),
      eb.not(
        eb.exists(
          eb
            .selectFrom("mutes as m")
            .select("m.id")
            .where("m.account_id", "=", viewerId)
            .whereRef("m.target_account_id", "=", "a.id")
            .where((mute) => mute.or([mute("m.expires_at", "is", null), mute("m.expires_at", ">", sql<Date>`now()`)])),
        ),
      ),
    ]);
}

/** People whose Skills field mentions `skill`. */
export function hasSkill(skill: string) {
  return (eb: AccountScope) =>
    eb.exists(
      eb
        .selectFrom(sql<{ name: string; value: string }>`jsonb_to_recordset(a.fields)`.as(sql`f(name text, value text)`))
        .select(sql`1`.as("one"))
        .where(sql`lower(f.name)`, "=", eb.fn.any(textArray(SKILL_FIELD_NAMES)))
        .where(sql`f.value`, "ilike", containsPattern(skill)),
    );
}

function applyFilters(
  context: AppContext,
  query: SelectQueryBuilder<Database & { a: Database["accounts"] }, "a", Account>,
  params: DirectoryParams,
) {
  let filtered = query;
  if (params.local) filtered = filtered.where("a.domain", "is", null);
  if (params.skill?.trim()) filtered = filtered.where(hasSkill(params.skill.trim()));
  if (params.campus?.trim()) {
    const campus = params.campus.trim().toLowerCase().replace(/^@/, "");
    filtered =
      campus === context.config.domain.toLowerCase()
        ? filtered.where("a.domain", "is", null)
        : filtered.where(sql`lower(a.domain)`, "=", campus);
  }
  return filtered;
}

export async function listDirectory(context: AppContext, viewerId: string, params: DirectoryParams): Promise<ApiAccount[]> {
  let query = context.db.selectFrom("accounts as a").selectAll("a").where(directoryScope(context, viewerId));
  query = applyFilters(context, query, params);
  query =
    params.order === "new"
      ? query.orderBy("a.created_at", "desc").orderBy("a.id", "desc")
      : query.orderBy(sql`a.last_status_at DESC NULLS LAST`).orderBy("a.id", "desc");
  const rows = await query
    .offset(params.offset ?? 0)
    .limit(params.limit)
    .execute();
  return rows.map((account) => accountToApi(account, context.urls));
}
