// Posts scheduled for later (`scheduled_at` on POST /api/v1/statuses). The post's input is kept
// as it was given; a delayed intent in the durable federation queue, written in the same
// transaction, publishes it at its time through the normal create path (so it federates like
// any post), whichever process of the campus is running then, and after any restart.
import { sql } from "kysely";
import { visibleTo } from "../../../db/repositories/statuses.ts";
import type { Db } from "../../../db/repositories/types.ts";
import type { Account, MediaAttachment } from "../../../db/schema.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { ApiError, notFound, unprocessable } from "../../errors.ts";
import {
  type ApiScheduledStatus,
  type ScheduledParams,
  scheduledStatusToApi,
} from "../../serializers/scheduled-status.ts";
import { scheduleIntent } from "../federation/intents.ts";
import { checkPostMedia } from "../media/attach.ts";
import { type Cursors, type PageParams, pageCursors, pageWindow } from "../pagination.ts";
import { validatePoll } from "../polls/new-poll.ts";
import { createStatus, type NewStatusInput, validateStatusText } from "../statuses/create.ts";

/** Mastodon's limits: 300 waiting posts in all, 25 on any one (UTC) day. */
export const TOTAL_LIMIT = 300;
export const DAILY_LIMIT = 25;
const DAY_MS = 24 * 3600 * 1000;
const IDEMPOTENCY_WINDOW_MS = 60 * 60 * 1000;

interface ScheduledRow {
  id: string;
  account_id: string;
  scheduled_at: Date;
  params: ScheduledParams;
  created_at: Date;
}

const rowOf = (row: { id: string; account_id: string; scheduled_at: Date; params: Record<string, unknown>; created_at: Date }) =>
  row as ScheduledRow;

/**
 * The time asked for. Invalid: 422. In the past: null, and the post goes out at once, as
 * Mastodon does. Sooner than the minimum lead (five minutes): 422.
 */
export function scheduledTime(context: AppContext, value: string): Date | null {
  // ISO 8601 dates and date-times; a bare date is midnight UTC.
  const at = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/i.test(value.trim()) ? new Date(value.trim()) : null;
  if (!at || Number.isNaN(at.getTime())) throw unprocessable("Scheduled at is invalid");
  if (at.getTime() <= Date.now()) return null;
  checkLead(context, at);
  return at;
}

function checkLead(context: AppContext, at: Date): void {
  if (at.getTime() < Date.now() + context.config.scheduleMinLeadSeconds * 1000) {
    throw unprocessable("Scheduled at The scheduled date must be in the future");
  }
}

/** The limits, counted while the author's row is locked so that two requests cannot both pass. */
async function checkLimits(trx: Db, accountId: string, at: Date, exceptId: string | null): Promise<void> {
  await sql`SELECT 1 FROM accounts WHERE id = ${accountId}::bigint FOR UPDATE`.execute(trx);
  const dayStart = new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
  const counts = await trx
    .selectFrom("scheduled_statuses")
    .select((eb) => [
      eb.fn.countAll<number>().as("total"),
      eb.fn
        .count<number>("id")
        .filterWhere((inner) =>
          inner.and([inner("scheduled_at", ">=", dayStart), inner("scheduled_at", "<", new Date(dayStart.getTime() + DAY_MS))]),
        )
        .as("that_day"),
    ])
    .where("account_id", "=", accountId)
    .$if(exceptId !== null, (query) => query.where("id", "<>", exceptId!))
    .executeTakeFirstOrThrow();
  if (Number(counts.total) >= TOTAL_LIMIT) {
    throw unprocessable(`You have exceeded the limit of ${TOTAL_LIMIT} scheduled posts`);
  }
  if (Number(counts.that_day) >= DAILY_LIMIT) {
    throw unprocessable(`You have exceeded the limit of ${DAILY_LIMIT} scheduled posts for today`);
  }
}

async function mediaOf(db: Db, rows: readonly ScheduledRow[]): Promise<Map<string, MediaAttachment[]>> {
  const ids = rows.map((row) => row.id);
  const media =
    ids.length === 0
      ? []
      : await db
          .selectFrom("media_attachments")
          .selectAll()
          .where("scheduled_status_id", "=", (eb) => eb.fn.any(bigintArray(ids)))
          .execute();
  const byScheduled = new Map<string, MediaAttachment[]>();
  for (const row of rows) {
    const order = row.params.mediaIds ?? [];
    byScheduled.set(
      row.id,
      media
        .filter((attachment) => attachment.scheduled_status_id === row.id)
        .sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id)),
    );
  }
  return byScheduled;
}

async function present(context: AppContext, rows: readonly ScheduledRow[]): Promise<ApiScheduledStatus[]> {
  const media = await mediaOf(context.db, rows);
  return rows.map((row) => scheduledStatusToApi(row, media.get(row.id) ?? [], context.urls));
}

async function findOwn(db: Db, accountId: string, id: string): Promise<ScheduledRow> {
  const row = await db
    .selectFrom("scheduled_statuses")
    .selectAll()
    .where("id", "=", id)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  if (!row) throw notFound();
  return rowOf(row);
}

/**
 * Schedules a post for `scheduledAt` (the raw parameter). Returns null when that time has
 * passed: the caller then posts at once. The post is checked now as it would be when posted;
 * what can change in between (a deleted parent, a withdrawn upload) is settled when it goes out.
 */
export async function scheduleStatus(
  context: AppContext,
  author: Account,
  input: NewStatusInput,
  scheduledAt: string,
): Promise<ApiScheduledStatus | null> {
  const at = scheduledTime(context, scheduledAt);
  if (!at) return null;
  if (input.idempotencyKey) {
    // The same request sent again (a retry) gets the post it scheduled, as for posts.
    const earlier = await context.db
      .selectFrom("scheduled_statuses")
      .selectAll()
      .where("account_id", "=", author.id)
      .where(sql<string>`params->>'idempotencyKey'`, "=", input.idempotencyKey)
      .where("created_at", ">", new Date(Date.now() - IDEMPOTENCY_WINDOW_MS))
      .executeTakeFirst();
    if (earlier) return (await present(context, [rowOf(earlier)]))[0]!;
  }
  const mediaIds = [...new Set((input.mediaIds ?? []).filter((id) => id !== ""))];
  validateStatusText(context, { ...input, hasMedia: mediaIds.length > 0 });
  if (input.poll && mediaIds.length > 0) throw unprocessable("Cannot attach files to a post with a poll");
  if (input.poll) validatePoll(context, input.poll, at);
  if (input.inReplyToId) {
    const parent = await context.db
      .selectFrom("statuses as s")
      .select("s.id")
      .where("s.id", "=", input.inReplyToId)
      .where(visibleTo(author.id))
      .executeTakeFirst();
    if (!parent) throw new ApiError(404, "The post you are trying to reply to does not appear to exist.");
  }
  const params: ScheduledParams = { ...input, mediaIds };
  const row = await context.db.transaction().execute(async (trx) => {
    await checkLimits(trx, author.id, at, null);
    const inserted = await trx
      .insertInto("scheduled_statuses")
      .values({ account_id: author.id, scheduled_at: at, params: JSON.stringify(params) })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (mediaIds.length > 0) {
      // The uploads wait with the post, so that nothing else takes them (nor sweeps them away).
      await checkPostMedia(context, trx, author.id, mediaIds);
      const held = await trx
        .updateTable("media_attachments")
        .set({ scheduled_status_id: inserted.id })
        .where("id", "=", (eb) => eb.fn.any(bigintArray(mediaIds)))
        .where("account_id", "=", author.id)
        .where("status_id", "is", null)
        .where("scheduled_status_id", "is", null)
        .returning("id")
        .execute();
      if (held.length !== mediaIds.length) {
        throw unprocessable("Media already attached to another scheduled post");
      }
    }
    await scheduleIntent(trx, { type: "status.scheduled", scheduledStatusId: inserted.id, accountId: author.id }, at);
    return rowOf(inserted);
  });
  return (await present(context, [row]))[0]!;
}

export async function listScheduledStatuses(
  context: AppContext,
  accountId: string,
  page: PageParams,
  limit: number,
): Promise<{ statuses: ApiScheduledStatus[]; cursors: Cursors }> {
  const base = context.db.selectFrom("scheduled_statuses").selectAll().where("account_id", "=", accountId);
  const { query, finish } = pageWindow(base, "id", page, limit);
  const rows = finish(await query.execute()).map(rowOf);
  return { statuses: await present(context, rows), cursors: pageCursors(rows, "id") };
}

export async function showScheduledStatus(context: AppContext, accountId: string, id: string): Promise<ApiScheduledStatus> {
  return (await present(context, [await findOwn(context.db, accountId, id)]))[0]!;
}

/**
 * Moves a scheduled post to another time; its new intent publishes it then. Without a time
 * nothing changes, as with Mastodon.
 */
export async function rescheduleStatus(
  context: AppContext,
  accountId: string,
  id: string,
  scheduledAt: string | undefined,
): Promise<ApiScheduledStatus> {
  const current = await findOwn(context.db, accountId, id);
  if (!scheduledAt) return (await present(context, [current]))[0]!;
  const at = scheduledTime(context, scheduledAt);
  // Moving a post into the past is refused: it would leave nothing to reschedule.
  if (!at) throw unprocessable("Scheduled at The scheduled date must be in the future");
  const row = await context.db.transaction().execute(async (trx) => {
    await checkLimits(trx, accountId, at, id);
    const updated = await trx
      .updateTable("scheduled_statuses")
      .set({ scheduled_at: at })
      .where("id", "=", id)
      .where("account_id", "=", accountId)
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw notFound();
    await scheduleIntent(trx, { type: "status.scheduled", scheduledStatusId: id, accountId }, at);
    return rowOf(updated);
  });
  return (await present(context, [row]))[0]!;
}

/** Cancels a scheduled post; its uploads go back to being the author's unattached ones. */
export async function cancelScheduledStatus(context: AppContext, accountId: string, id: string): Promise<void> {
  const result = await context.db
    .deleteFrom("scheduled_statuses")
    .where("id", "=", id)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFound();
}

/**
 * Publishes a scheduled post whose time has come (the queue's worker calls this). Cancelled or
 * already published: nothing to do. Moved to a later time: its later intent comes then. Posting
 * is idempotent by the scheduled post's id, so a run repeated after a crash posts once.
 */
export async function publishScheduledStatus(context: AppContext, id: string): Promise<void> {
  const found = await context.db
    .selectFrom("scheduled_statuses")
    .selectAll()
    // By the database's clock, which is the one that made the intent due.
    .select(sql<boolean>`scheduled_at <= now()`.as("due"))
    .where("id", "=", id)
    .executeTakeFirst();
  if (!found) return;
  const row = rowOf(found);
  if (!found.due) {
    // Moved to a later time since this intent was written: look again then.
    await scheduleIntent(context.db, { type: "status.scheduled", scheduledStatusId: id, accountId: row.account_id }, row.scheduled_at);
    return;
  }
  const author = await context.db
    .selectFrom("accounts as a")
    .innerJoin("users as u", "u.account_id", "a.id")
    .selectAll("a")
    .where("a.id", "=", row.account_id)
    .where("a.suspended_at", "is", null)
    .executeTakeFirst();
  if (author) {
    const input: NewStatusInput = {
      ...(row.params as NewStatusInput),
      applicationId: row.params.applicationId ?? null,
      idempotencyKey: `scheduled:${row.id}`,
    };
    if (input.inReplyToId) {
      // A reply whose parent is gone goes out as a post of its own, as in Mastodon.
      const parent = await context.db
        .selectFrom("statuses as s")
        .select("s.id")
        .where("s.id", "=", input.inReplyToId)
        .where(visibleTo(author.id))
        .executeTakeFirst();
      if (!parent) input.inReplyToId = undefined;
    }
    try {
      await createStatus(context, author, input);
    } catch (error) {
      // What the author can no longer post (an upload gone, a limit lowered) is dropped, as
      // Mastodon drops it; anything else (the database away) is retried by the queue.
      if (!(error instanceof ApiError)) throw error;
      context.log.warn({ scheduledStatusId: id, err: error }, "a scheduled post could not be published");
    }
  }
  await context.db.deleteFrom("scheduled_statuses").where("id", "=", id).execute();
}
