// The end of a poll. When a poll's time is up, its author (for a local poll) and the local people
// who voted in it get a `poll` notification, and a local poll's final results go to the siblings
// that hold it, as Mastodon does. Which polls are due is state in the database (ended_at is
// still NULL), so nothing is lost to a restart: the watch below picks them up on its next look,
// and every process may run it, since a poll is claimed by exactly one transaction.
import { sql } from "kysely";
import type { Db } from "../../../db/repositories/types.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { recordIntent } from "../federation/intents.ts";
import { publishNotifications, type WrittenNotification } from "../notifications/notify.ts";

const BATCH = 100;

interface DuePoll {
  id: string;
  status_id: string;
  account_id: string;
  local: boolean;
}

async function notifyEnd(trx: Db, due: DuePoll[]): Promise<WrittenNotification[]> {
  const voters = await trx
    .selectFrom("poll_votes as v")
    .innerJoin("accounts as a", "a.id", "v.account_id")
    .select(["v.poll_id", "v.account_id"])
    .distinct()
    .where("v.poll_id", "=", (eb) => eb.fn.any(bigintArray(due.map((poll) => poll.id))))
    .where("a.domain", "is", null)
    .execute();
  const rows: { account_id: string; from_account_id: string; type: "poll"; status_id: string }[] = [];
  for (const poll of due) {
    const recipients = new Set(voters.filter((vote) => vote.poll_id === poll.id).map((vote) => vote.account_id));
    // The author hears about their own poll too: the one notification that comes from oneself.
    if (poll.local) recipients.add(poll.account_id);
    for (const accountId of recipients) {
      rows.push({ account_id: accountId, from_account_id: poll.account_id, type: "poll", status_id: poll.status_id });
    }
  }
  if (rows.length === 0) return [];
  return trx.insertInto("notifications").values(rows).returning(["id", "account_id"]).execute();
}

/**
 * Ends up to `limit` polls whose time is up and that nobody has ended yet: claims them (other
 * processes skip the claimed rows), notifies, and records the final Update for local ones, all
 * in one transaction. Returns how many it ended.
 */
export async function endDuePolls(context: AppContext, limit = BATCH): Promise<number> {
  const { ended, notified } = await context.db.transaction().execute(async (trx) => {
    const claimed = await sql<DuePoll>`
      UPDATE polls p SET ended_at = now()
      FROM accounts a
      WHERE a.id = p.account_id AND p.id IN (
        SELECT id FROM polls
        WHERE ended_at IS NULL AND expires_at <= now()
        ORDER BY expires_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      RETURNING p.id::text AS id, p.status_id::text AS status_id, p.account_id::text AS account_id,
        a.domain IS NULL AS local`.execute(trx);
    const due = claimed.rows;
    if (due.length === 0) return { ended: 0, notified: [] };
    const written = await notifyEnd(trx, due);
    for (const poll of due) {
      if (poll.local) await recordIntent(trx, { type: "poll.updated", accountId: poll.account_id, statusId: poll.status_id });
    }
    return { ended: due.length, notified: written };
  });
  publishNotifications(context, notified);
  return ended;
}

/** When the next poll is due, if any is. */
async function nextDue(db: Db): Promise<Date | null> {
  const row = await db
    .selectFrom("polls")
    .select((eb) => eb.fn.min("expires_at").as("due"))
    .where("ended_at", "is", null)
    .where("expires_at", "is not", null)
    .executeTakeFirst();
  return row?.due ? new Date(row.due) : null;
}

/**
 * Looks for due polls on start, at the moment the next known poll is due, and at least every
 * `intervalMs` (for polls made since the last look, here or in another process). A poll cannot
 * end sooner than the configured minimum duration, so an interval no longer than that keeps
 * every end within one interval of its time.
 */
export class PollExpiryWatch {
  readonly #context: AppContext;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(context: AppContext, intervalMs = defaultInterval(context)) {
    this.#context = context;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#running = this.#look().finally(() => {
        this.#running = null;
      });
    }, delayMs);
    this.#timer.unref();
  }

  async #look(): Promise<void> {
    let delay = this.#intervalMs;
    try {
      while ((await endDuePolls(this.#context)) === BATCH && !this.#stopped) {}
      const due = await nextDue(this.#context.db);
      if (due) delay = Math.min(delay, Math.max(50, due.getTime() - Date.now() + 10));
    } catch (error) {
      this.#context.log.warn({ err: error }, "could not end the polls that are due");
    }
    this.#schedule(delay);
  }
}

function defaultInterval(context: AppContext): number {
  return Math.min(30_000, Math.max(1_000, (context.config.pollMinExpirySeconds * 1000) / 2));
}
