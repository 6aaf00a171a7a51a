// What the wall refused: every refusal is logged, and counted per host, direction and reason in
// federation_refusals. Counting happens in memory and reaches the database in one statement
// every few seconds (and on close), so an outsider hammering the wall costs us a map update per
// request, not a database write.
import type { Kysely } from "kysely";
import { sql } from "kysely";
import type { Database } from "../db/schema.ts";
import type { Allowlist } from "./allowlist.ts";

export type RefusalDirection = "inbound" | "outbound";

export interface Refusal {
  /** The other side's host (with port), as far as we know it. */
  host: string;
  direction: RefusalDirection;
  /** Short and from a small set, e.g. "not allowlisted", "redirect out of the allowlist". */
  reason: string;
}

export interface RefusalCount extends Refusal {
  count: number;
  firstAt: Date;
  lastAt: Date;
}

/** What the guards need: a place to report a refusal. Never throws, never waits. */
export interface RefusalRecorder {
  record(refusal: Refusal): void;
}

/** Where log lines go; pino's and Fastify's loggers fit. */
export interface RefusalLogger {
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export interface RefusalLogOptions {
  db: Kysely<Database>;
  log: RefusalLogger;
  /** How often counts are written. Default 5000 ms; 0: only on flush() and close(). */
  flushIntervalMs?: number;
  /**
   * Distinct (host, direction, reason) counted between two flushes. Hosts are chosen by whoever
   * knocks, so beyond this many the rest are counted under OTHER_HOSTS. Default 1000.
   */
  maxPendingKeys?: number;
}

/** The host under which refusals are counted once a flush window holds too many hosts. */
export const OTHER_HOSTS = "(other hosts)";
const MAX_HOST_LENGTH = 255;
const MAX_REASON_LENGTH = 200;

function clean(text: string, limit: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what goes.
  return text.replace(/[\u0000-\u001f\u007f]/g, "").slice(0, limit);
}

export class RefusalLog implements RefusalRecorder {
  readonly #db: Kysely<Database>;
  readonly #log: RefusalLogger;
  readonly #maxPendingKeys: number;
  #pending = new Map<string, RefusalCount>();
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: RefusalLogOptions) {
    this.#db = options.db;
    this.#log = options.log;
    this.#maxPendingKeys = options.maxPendingKeys ?? 1000;
    const interval = options.flushIntervalMs ?? 5000;
    if (interval > 0) {
      // A failed write is logged in #write and retried at the next tick.
      this.#timer = setInterval(() => this.flush().catch(() => {}), interval);
      this.#timer.unref();
    }
  }

  record = (refusal: Refusal): void => {
    const host = clean(refusal.host.toLowerCase(), MAX_HOST_LENGTH) || "(unknown)";
    const reason = clean(refusal.reason, MAX_REASON_LENGTH) || "refused";
    const { direction } = refusal;
    this.#log.warn({ host, direction, reason }, "federation refused");
    const now = new Date();
    let key = `${direction}\n${reason}\n${host}`;
    let counted = this.#pending.get(key);
    if (!counted && this.#pending.size >= this.#maxPendingKeys) {
      key = `${direction}\n${reason}\n${OTHER_HOSTS}`;
      counted = this.#pending.get(key);
      if (!counted) {
        counted = { host: OTHER_HOSTS, direction, reason, count: 0, firstAt: now, lastAt: now };
        this.#pending.set(key, counted);
      }
    } else if (!counted) {
      counted = { host, direction, reason, count: 0, firstAt: now, lastAt: now };
      this.#pending.set(key, counted);
    }
    counted.count += 1;
    counted.lastAt = now;
  };

  /** Refusals counted since the last flush. */
  pending(): RefusalCount[] {
    return [...this.#pending.values()].map((count) => ({ ...count }));
  }

  /** Writes what was counted so far in one statement; concurrent calls run one after another. */
  flush(): Promise<void> {
    const run = this.#flushing.then(() => this.#write());
    this.#flushing = run.catch(() => {});
    return run;
  }

  /** Stops the timer and writes what is left (a failure is logged, not thrown: we are stopping). */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      if (this.#timer) clearInterval(this.#timer);
      await this.flush().catch(() => {});
    }
    await this.#flushing;
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    try {
      await this.#db
        .insertInto("federation_refusals")
        .values(
          [...batch.values()].map((count) => ({
            host: count.host,
            direction: count.direction,
            reason: count.reason,
            count: count.count,
            first_at: count.firstAt,
            last_at: count.lastAt,
          })),
        )
        .onConflict((conflict) =>
          conflict.columns(["host", "direction", "reason"]).doUpdateSet({
            count: sql`federation_refusals.count + excluded.count`,
            first_at: sql`least(federation_refusals.first_at, excluded.first_at)`,
            last_at: sql`greatest(federation_refusals.last_at, excluded.last_at)`,
          }),
        )
        .execute();
    } catch (error) {
      // Kept for the next attempt, merged with what arrived meanwhile.
      for (const [key, count] of batch) {
        const newer = this.#pending.get(key);
        if (newer) {
          newer.count += count.count;
          newer.firstAt = count.firstAt;
        } else this.#pending.set(key, count);
      }
      this.#log.error({ err: error }, "could not write federation refusal counts");
      throw error;
    }
  }
}

/** The counts in the database, most recent first. */
export async function listRefusals(db: Kysely<Database>): Promise<RefusalCount[]> {
  const rows = await db
    .selectFrom("federation_refusals")
    .selectAll()
    .orderBy("last_at", "desc")
    .orderBy("host")
    .orderBy("direction")
    .orderBy("reason")
    .execute();
  return rows.map((row) => ({
    host: row.host,
    direction: row.direction,
    reason: row.reason,
    count: Number(row.count),
    firstAt: row.first_at,
    lastAt: row.last_at,
  }));
}

/**
 * The allowlist's decisions and the refusal log in one object, the shape the federation code
 * asks for (`Wall` in federation/wall.ts).
 */
export function createWall(allowlist: Allowlist, refusals: RefusalRecorder) {
  return {
    allowsUrl: allowlist.allowsUrl,
    allowsHost: allowlist.allowsHost,
    originForHost: allowlist.originForHost,
    refuse(host: string, direction: RefusalDirection, reason: string): void {
      refusals.record({ host, direction, reason });
    },
  };
}
