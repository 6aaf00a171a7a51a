// Where someone stopped reading: one marker for the home timeline and one for notifications,
// shared by all of their apps (Mastodon's /api/v1/markers).
import { sql } from "kysely";
import type { MarkerTimeline } from "../../../db/schema.ts";
import type { Db } from "../../../db/repositories/types.ts";
import type { AppContext } from "../../context.ts";

export const MARKER_TIMELINES: readonly MarkerTimeline[] = ["home", "notifications"];

export interface ApiMarker {
  last_read_id: string;
  version: number;
  updated_at: string;
}

export type ApiMarkers = Partial<Record<MarkerTimeline, ApiMarker>>;

function toApi(rows: { timeline: MarkerTimeline; last_read_id: string; version: number; updated_at: Date }[]): ApiMarkers {
  const markers: ApiMarkers = {};
  for (const row of rows) {
    markers[row.timeline] = {
      last_read_id: row.last_read_id,
      version: row.version,
      updated_at: row.updated_at.toISOString(),
    };
  }
  return markers;
}

/** The markers of the timelines asked for (none asked: none returned, as Mastodon does). */
export async function getMarkers(context: AppContext, accountId: string, timelines: readonly string[]): Promise<ApiMarkers> {
  const wanted = MARKER_TIMELINES.filter((timeline) => timelines.includes(timeline));
  if (wanted.length === 0) return {};
  const rows = await context.db
    .selectFrom("markers")
    .select(["timeline", "last_read_id", "version", "updated_at"])
    .where("account_id", "=", accountId)
    .where("timeline", "in", wanted)
    .execute();
  return toApi(rows);
}

/** The last notification someone has read, for unread counts. */
export async function lastReadId(db: Db, accountId: string, timeline: MarkerTimeline): Promise<string | null> {
  const row = await db
    .selectFrom("markers")
    .select("last_read_id")
    .where("account_id", "=", accountId)
    .where("timeline", "=", timeline)
    .executeTakeFirst();
  return row?.last_read_id ?? null;
}

/**
 * Saves the positions given and returns those markers. A marker's version grows by one each
 * time its position changes; saving the same position again changes nothing. Each marker is
 * one upsert, so two apps saving at once both succeed, the later write winning.
 */
export async function saveMarkers(
  context: AppContext,
  accountId: string,
  positions: Partial<Record<MarkerTimeline, string>>,
): Promise<ApiMarkers> {
  const entries = MARKER_TIMELINES.flatMap((timeline) =>
    positions[timeline] === undefined ? [] : [[timeline, positions[timeline]!] as const],
  );
  if (entries.length === 0) return {};
  const rows = await context.db.transaction().execute(async (trx) => {
    const saved = [];
    for (const [timeline, lastReadId] of entries) {
      saved.push(
        await trx
          .insertInto("markers")
          .values({ account_id: accountId, timeline, last_read_id: lastReadId, updated_at: new Date() })
          .onConflict((conflict) =>
            conflict.columns(["account_id", "timeline"]).doUpdateSet({
              last_read_id: (eb) => eb.ref("excluded.last_read_id"),
              version: sql<number>`CASE WHEN markers.last_read_id = excluded.last_read_id THEN markers.version ELSE markers.version + 1 END`,
              updated_at: sql<Date>`CASE WHEN markers.last_read_id = excluded.last_read_id THEN markers.updated_at ELSE now() END`,
            }),
          )
          .returning(["timeline", "last_read_id", "version", "updated_at"])
          .executeTakeFirstOrThrow(),
      );
    }
    return saved;
  });
  return toApi(rows);
}
