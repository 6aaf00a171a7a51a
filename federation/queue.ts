// Fedify's message queue (deliveries, inbox processing) and our own outgoing intents, in one
// table of our own database: durable, shared by every process on that database, and written in
// the same transaction as the change a message announces.
//
// A message goes pending → processing (claimed with FOR UPDATE SKIP LOCKED and leased for a
// while, the lease extended by a heartbeat while the handler runs) → deleted on success, or back
// to pending with an exponential backoff on failure, and 'dead' after the last attempt, where an
// admin can see it and send it back. A lease that runs out (the process was killed) makes the
// message available again, so a crash loses nothing; a message may then run twice, never zero
// times. Messages with the same ordering key run one at a time in id order.
//
// Claims, heartbeats and outcomes are single statements: no transaction stays open while a
// handler runs (PGlite has one connection, shared with the whole app). Listeners wake on
// PostgreSQL's NOTIFY on `federation_queue`, on enqueues through this process, and otherwise
// poll (PGlite, where a LISTEN would share the app's connection).
import { randomUUID } from "node:crypto";
import type {
  MessageQueue,
  MessageQueueDepth,
  MessageQueueEnqueueOptions,
  MessageQueueListenOptions,
} from "@fedify/fedify";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import type { DatabaseHandle } from "../db/connection.ts";
import type { Db } from "../db/repositories/types.ts";
import type { Database, QueueStatus } from "../db/schema.ts";
import { durationMs } from "./kv.ts";

export const QUEUE_CHANNEL = "federation_queue";

const MAX_ERROR_LENGTH = 4000;

/** The subset of the app's logger the queue writes to (pino-style: object first). */
export interface QueueLog {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface DatabaseMessageQueueOptions {
  /** Handlers running at once per listen() call. Default: 4 on PostgreSQL, 2 on PGlite. */
  concurrency?: number;
  /** How long a claim holds a message before another worker may take it. Default: 30 s. */
  leaseMs?: number;
  /** How often the lease of running handlers is extended. Default: 10 s. */
  heartbeatMs?: number;
  /**
   * Longest sleep between looks at the table. Default: 250 ms on PGlite; 5 s on PostgreSQL,
   * where NOTIFY wakes listeners at once (1 s while the LISTEN connection is down).
   */
  pollIntervalMs?: number;
  /** Delay before the second attempt; it doubles with each failure. Default: 30 s. */
  retryBaseMs?: number;
  /** Longest delay between attempts. Default: 6 hours. */
  retryMaxMs?: number;
  /** Random spread of a retry delay, as a fraction of it (0.1: ±10 %). Default: 0.1. */
  retryJitter?: number;
  /** Attempts before a message is dead. Default: 10 (about four hours with the defaults). */
  maxAttempts?: number;
  /**
   * A handler still running after this long counts as a failed attempt (and its slot is
   * freed); what it does afterwards is ignored. Default: 5 minutes.
   */
  handlerTimeoutMs?: number;
  /**
   * After listen()'s signal aborts, how long it waits for running handlers before it gives
   * their messages back to the queue. Default: 10 s.
   */
  drainTimeoutMs?: number;
  log?: QueueLog;
}

type QueueDatabase = Pick<DatabaseHandle, "db" | "kind" | "pool">;

interface ClaimedRow {
  id: string;
  message: unknown;
  attempts: number;
  ordering_key: string | null;
  leased_by: string;
}

// ---------------------------------------------------------------------------------------------
// Writing messages

export interface InsertQueueMessageOptions {
  delayMs?: number;
  orderingKey?: string | null;
}

/**
 * Inserts messages into the queue on `db`, which may be the caller's transaction: then they
 * exist (and run) only if it commits. Listeners on PostgreSQL learn of them by NOTIFY, which
 * PostgreSQL delivers at commit.
 */
export async function insertQueueMessages(
  db: Db,
  messages: readonly unknown[],
  options: InsertQueueMessageOptions = {},
): Promise<void> {
  if (messages.length === 0) return;
  const delayMs = Math.max(0, options.delayMs ?? 0);
  const availableAt =
    delayMs > 0
      ? sql<Date>`now() + (${delayMs}::double precision * interval '1 millisecond')`
      : undefined;
  // One statement: the rows and their announcement go together.
  await db
    .with("inserted", (qb) =>
      qb.insertInto("federation_queue").values(
        messages.map((message) => ({
          message: JSON.stringify(message ?? null),
          ordering_key: options.orderingKey ?? null,
          ...(availableAt ? { available_at: availableAt } : {}),
        })),
      ),
    )
    .selectNoFrom(sql`pg_notify(${QUEUE_CHANNEL}, '')`.as("notified"))
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Wake-ups

/** A wake-up that is not lost when it comes while nobody is waiting. */
class Waker {
  #pending = false;
  #resolve: (() => void) | null = null;

  wake(): void {
    this.#pending = true;
    this.#resolve?.();
  }

  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#pending || signal?.aborted) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.#resolve = null;
        this.#pending = false;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener("abort", done, { once: true });
      this.#resolve = done;
    });
  }
}

/** Listeners of this process per database, woken by enqueues through any queue object on it. */
const localWakers = new WeakMap<object, Set<Waker>>();

function wakersOf(db: object): Set<Waker> {
  let set = localWakers.get(db);
  if (!set) {
    set = new Set();
    localWakers.set(db, set);
  }
  return set;
}

/**
 * One LISTEN connection per queue object, outside the pool (a pool client would be held
 * forever), opened while someone listens and reopened when it drops.
 */
class Notifications {
  readonly #pool: pg.Pool;
  readonly #log: QueueLog | undefined;
  readonly #subscribers = new Set<Waker>();
  #client: pg.Client | null = null;
  #connected = false;
  #retryTimer: NodeJS.Timeout | null = null;
  #retryMs = 500;

  constructor(pool: pg.Pool, log: QueueLog | undefined) {
    this.#pool = pool;
    this.#log = log;
  }

  get connected(): boolean {
    return this.#connected;
  }

  subscribe(waker: Waker): void {
    this.#subscribers.add(waker);
    if (this.#subscribers.size === 1) void this.#connect();
  }

  unsubscribe(waker: Waker): void {
    this.#subscribers.delete(waker);
    if (this.#subscribers.size === 0) this.#disconnect();
  }

  #wakeAll(): void {
    for (const waker of this.#subscribers) waker.wake();
  }

  async #connect(): Promise<void> {
    if (this.#client || this.#subscribers.size === 0) return;
    const client = new pg.Client(this.#pool.options);
    this.#client = client;
    const dropped = (error?: Error) => {
      if (this.#client !== client) return;
      this.#client = null;
      this.#connected = false;
      client.removeAllListeners("notification");
      client.end().catch(() => {});
      if (this.#subscribers.size === 0) return;
      this.#log?.warn({ err: error }, "queue LISTEN connection lost; reconnecting");
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = null;
        void this.#connect();
      }, this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, 30_000);
    };
    client.on("error", dropped);
    client.on("end", () => dropped());
    client.on("notification", (notification) => {
      if (notification.channel === QUEUE_CHANNEL) this.#wakeAll();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${QUEUE_CHANNEL}`);
      if (this.#client !== client) return;
      this.#connected = true;
      this.#retryMs = 500;
      // Whatever was announced while we were away is in the table: look now.
      this.#wakeAll();
    } catch (error) {
      dropped(error as Error);
    }
  }

  #disconnect(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const client = this.#client;
    this.#client = null;
    this.#connected = false;
    client?.removeAllListeners("notification");
    client?.end().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// The queue

function errorText(error: unknown): string {
  const text =
    error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

function fromNow(ms: number) {
  return sql<Date>`now() + (${Math.round(ms)}::double precision * interval '1 millisecond')`;
}

export class DatabaseMessageQueue implements MessageQueue {
  /** Fedify throws when a task fails, and this queue retries (with its backoff, then 'dead'). */
  readonly nativeRetrial = true;

  readonly #db: Kysely<Database>;
  readonly #kind: QueueDatabase["kind"];
  readonly #notifications: Notifications | null;
  readonly #log: QueueLog | undefined;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  readonly pollIntervalMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly retryJitter: number;
  readonly maxAttempts: number;
  readonly handlerTimeoutMs: number;
  readonly drainTimeoutMs: number;

  constructor(database: QueueDatabase, options: DatabaseMessageQueueOptions = {}) {
    const postgres = database.kind === "postgres";
    this.#db = database.db;
    this.#kind = database.kind;
    this.#log = options.log;
    this.#notifications =
      postgres && database.pool ? new Notifications(database.pool, options.log) : null;
    this.concurrency = Math.max(1, options.concurrency ?? (postgres ? 4 : 2));
    this.leaseMs = options.leaseMs ?? 30_000;
    this.heartbeatMs = options.heartbeatMs ?? Math.min(10_000, Math.floor(this.leaseMs / 3));
    this.pollIntervalMs = options.pollIntervalMs ?? (this.#notifications ? 5_000 : 250);
    this.retryBaseMs = options.retryBaseMs ?? 30_000;
    this.retryMaxMs = options.retryMaxMs ?? 6 * 3600_000;
    this.retryJitter = options.retryJitter ?? 0.1;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 10);
    this.handlerTimeoutMs = options.handlerTimeoutMs ?? 5 * 60_000;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
    if (!(this.heartbeatMs > 0 && this.heartbeatMs < this.leaseMs)) {
      // Otherwise leases would run out under running handlers and their messages run twice.
      throw new RangeError("the queue's heartbeatMs must be positive and shorter than leaseMs");
    }
  }

  /** The delay after the `attempts`-th failed attempt. */
  retryDelayMs(attempts: number): number {
    const base = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.max(0, base * (1 + this.retryJitter * (Math.random() * 2 - 1)));
  }

  async enqueue(message: unknown, options?: MessageQueueEnqueueOptions): Promise<void> {
    await this.enqueueMany([message], options);
  }

  async enqueueMany(
    messages: readonly unknown[],
    options?: MessageQueueEnqueueOptions,
  ): Promise<void> {
    await insertQueueMessages(this.#db, messages, {
      delayMs: options?.delay ? durationMs(options.delay) : 0,
      orderingKey: options?.orderingKey,
    });
    this.#wakeLocal();
  }

  async getDepth(): Promise<MessageQueueDepth> {
    const counts = await queueCounts(this.#db);
    return { queued: counts.ready + counts.delayed, ready: counts.ready, delayed: counts.delayed };
  }

  /**
   * Runs `handler` on messages until the signal aborts; then waits (up to drainTimeoutMs) for
   * running handlers and resolves. Never rejects: database errors are logged and retried.
   */
  async listen(
    handler: (message: unknown) => Promise<void> | void,
    options: MessageQueueListenOptions = {},
  ): Promise<void> {
    const { signal } = options;
    if (signal?.aborted) return;
    const waker = new Waker();
    const wakers = wakersOf(this.#db);
    wakers.add(waker);
    this.#notifications?.subscribe(waker);
    const worker = new Worker(this, this.#db, handler, waker, this.#log);
    try {
      await worker.run(signal);
    } finally {
      wakers.delete(waker);
      this.#notifications?.unsubscribe(waker);
    }
  }

  /** The sleep between looks when nothing wakes us. */
  currentPollIntervalMs(): number {
    if (this.#notifications && !this.#notifications.connected) {
      return Math.min(this.pollIntervalMs, 1_000);
    }
    return this.pollIntervalMs;
  }

  #wakeLocal(): void {
    for (const waker of wakersOf(this.#db)) waker.wake();
  }

  /** Tells every listener (other processes included) that a message may have become ready. */
  async announce(): Promise<void> {
    this.#wakeLocal();
    if (this.#kind === "postgres") {
      await sql`SELECT pg_notify(${QUEUE_CHANNEL}, '')`.execute(this.#db);
    }
  }
}

interface Running {
  row: ClaimedRow;
  done: Promise<void>;
  timeout?: NodeJS.Timeout;
}

/** One listen() call: a loop that claims while it has free slots and runs handlers. */
class Worker {
  readonly #queue: DatabaseMessageQueue;
  readonly #db: Kysely<Database>;
  readonly #handler: (message: unknown) => Promise<void> | void;
  readonly #waker: Waker;
  readonly #log: QueueLog | undefined;
  readonly #running = new Map<string, Running>();
  readonly #workerId = `${process.pid}:${randomUUID()}`;
  #claims = 0;
  #beating = false;
  /** Set when stopping gave unfinished messages back: their outcomes are no longer ours. */
  #gaveBack = false;

  constructor(
    queue: DatabaseMessageQueue,
    db: Kysely<Database>,
    handler: (message: unknown) => Promise<void> | void,
    waker: Waker,
    log: QueueLog | undefined,
  ) {
    this.#queue = queue;
    this.#db = db;
    this.#handler = handler;
    this.#waker = waker;
    this.#log = log;
  }

  async run(signal: AbortSignal | undefined): Promise<void> {
    const queue = this.#queue;
    const heartbeat = setInterval(() => void this.#heartbeat(), queue.heartbeatMs);
    // Leases are checked when the earliest one ends, and at least once per lease length.
    let nextRecovery = 0;
    try {
      while (!signal?.aborted) {
        let sleepMs = queue.currentPollIntervalMs();
        try {
          if (Date.now() >= nextRecovery) {
            await this.#recoverExpiredLeases();
            nextRecovery = Date.now() + queue.leaseMs;
          }
          const free = queue.concurrency - this.#running.size;
          if (free > 0) {
            const claimed = await this.#claim(free);
            for (const row of claimed) this.#start(row);
            // Fewer than asked for: nothing else is ready. Sleep until the next delayed message
            // or lease end, unless something wakes us first (full slots wait for a handler).
            if (claimed.length < free) {
              const due = await this.#nextDue();
              nextRecovery = Math.min(nextRecovery, Date.now() + due.leaseEndsInMs);
              sleepMs = Math.min(sleepMs, due.readyInMs, Math.max(0, nextRecovery - Date.now()));
            }
          }
        } catch (error) {
          this.#log?.error({ err: error }, "the federation queue could not read its table");
          sleepMs = Math.max(sleepMs, 1_000);
        }
        await this.#waker.wait(sleepMs, signal);
      }
    } finally {
      await this.#drain();
      clearInterval(heartbeat);
    }
  }

  /** Waits for running handlers (up to drainTimeoutMs), then gives back what still runs. */
  async #drain(): Promise<void> {
    if (this.#running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#queue.drainTimeoutMs);
    });
    await Promise.race([
      Promise.all([...this.#running.values()].map((entry) => entry.done)),
      timeout,
    ]);
    clearTimeout(timer);
    const unfinished = [...this.#running.values()].map((entry) => entry.row);
    if (unfinished.length === 0) return;
    this.#gaveBack = true;
    for (const entry of this.#running.values()) clearTimeout(entry.timeout);
    try {
      // The attempt did not finish for want of time, not by failing: it does not count.
      await this.#db
        .updateTable("federation_queue")
        .set((eb) => ({
          status: "pending",
          leased_until: null,
          leased_by: null,
          available_at: sql<Date>`now()`,
          attempts: sql<number>`greatest(${eb.ref("attempts")} - 1, 0)`,
        }))
        .where(
          "id",
          "in",
          unfinished.map((row) => row.id),
        )
        .where(
          "leased_by",
          "in",
          unfinished.map((row) => row.leased_by),
        )
        .where("status", "=", "processing")
        .execute();
      await this.#queue.announce();
    } catch (error) {
      // Their leases run out on their own.
      this.#log?.warn({ err: error }, "could not give back unfinished queue messages");
    }
  }

  /** Messages whose worker stopped (killed, or frozen past its lease) become available again. */
  async #recoverExpiredLeases(): Promise<void> {
    const maxAttempts = this.#queue.maxAttempts;
    const recovered = await this.#db
      .updateTable("federation_queue")
      .set({
        status: sql<QueueStatus>`CASE WHEN attempts >= ${maxAttempts} THEN 'dead' ELSE 'pending' END`,
        last_error: "the worker handling it stopped before it finished (its lease ran out)",
        leased_until: null,
        leased_by: null,
        available_at: sql<Date>`now()`,
      })
      .where("status", "=", "processing")
      .where("leased_until", "<", sql<Date>`now()`)
      .returning(["id", "status", "attempts"])
      .execute();
    if (recovered.length === 0) return;
    this.#log?.warn(
      { messages: recovered },
      "queue messages of a stopped worker are available again",
    );
    await this.#queue.announce();
  }

  async #claim(limit: number): Promise<ClaimedRow[]> {
    const token = `${this.#workerId}:${++this.#claims}`;
    // Ready messages in order of availability. A message with an ordering key waits while an
    // earlier one with that key is still pending or processing (a dead one no longer blocks).
    const { rows } = await sql<ClaimedRow>`
      WITH claimable AS (
        SELECT q.id FROM federation_queue q
        WHERE q.status = 'pending' AND q.available_at <= now()
          AND (q.ordering_key IS NULL OR NOT EXISTS (
            SELECT 1 FROM federation_queue earlier
            WHERE earlier.ordering_key = q.ordering_key
              AND earlier.status <> 'dead'
              AND earlier.id < q.id
          ))
        ORDER BY q.available_at, q.id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE federation_queue f
      SET status = 'processing',
          leased_until = ${fromNow(this.#queue.leaseMs)},
          leased_by = ${token},
          attempts = f.attempts + 1
      FROM claimable
      WHERE f.id = claimable.id
      RETURNING f.id, f.message, f.attempts, f.ordering_key, f.leased_by
    `.execute(this.#db);
    return rows;
  }

  /** Milliseconds until the next delayed message becomes ready and the earliest lease ends. */
  async #nextDue(): Promise<{ readyInMs: number; leaseEndsInMs: number }> {
    const { rows } = await sql<{
      ready_in: number | string | null;
      lease_ends_in: number | string | null;
    }>`
      SELECT
        extract(epoch FROM (SELECT min(available_at) FROM federation_queue
          WHERE status = 'pending' AND available_at > now()) - now()) * 1000 AS ready_in,
        extract(epoch FROM (SELECT min(leased_until) FROM federation_queue
          WHERE status = 'processing') - now()) * 1000 AS lease_ends_in
    `.execute(this.#db);
    // Database time, so that a clock apart from the app's does not matter. A few milliseconds
    // of slack, so as not to look just before the moment.
    const inMs = (value: number | string | null | undefined) =>
      value === null || value === undefined
        ? Number.POSITIVE_INFINITY
        : Math.max(5, Number(value) + 5);
    return { readyInMs: inMs(rows[0]?.ready_in), leaseEndsInMs: inMs(rows[0]?.lease_ends_in) };
  }

  #start(row: ClaimedRow): void {
    const entry: Running = { row, done: Promise.resolve() };
    this.#running.set(row.id, entry);
    entry.done = this.#process(entry).finally(() => {
      this.#running.delete(row.id);
      this.#waker.wake();
    });
  }

  async #process(entry: Running): Promise<void> {
    const { row } = entry;
    let failure: unknown = null;
    let failed = false;
    const timeoutMs = this.#queue.handlerTimeoutMs;
    const timedOut = new Promise<never>((_, reject) => {
      entry.timeout = setTimeout(
        () => reject(new Error(`the handler did not finish within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([Promise.resolve().then(() => this.#handler(row.message)), timedOut]);
    } catch (error) {
      failed = true;
      failure = error;
    } finally {
      clearTimeout(entry.timeout);
    }
    if (this.#gaveBack) return;
    try {
      if (failed) await this.#fail(row, failure);
      else await this.#complete(row);
    } catch (error) {
      // The lease runs out and the message comes back: it may run again, it is not lost.
      this.#log?.error(
        { err: error, id: row.id },
        "could not record the outcome of a queue message",
      );
    }
  }

  async #complete(row: ClaimedRow): Promise<void> {
    const deleted = await this.#db
      .deleteFrom("federation_queue")
      .where("id", "=", row.id)
      .where("leased_by", "=", row.leased_by)
      .returning("ordering_key")
      .executeTakeFirst();
    if (!deleted) {
      this.#log?.warn({ id: row.id }, "a queue message finished after its lease was taken over");
      return;
    }
    // The next message with this key may now run, here or in another process.
    if (deleted.ordering_key !== null) await this.#queue.announce();
  }

  async #fail(row: ClaimedRow, error: unknown): Promise<void> {
    const queue = this.#queue;
    const dead = row.attempts >= queue.maxAttempts;
    const updated = await this.#db
      .updateTable("federation_queue")
      .set({
        status: dead ? "dead" : "pending",
        available_at: dead ? sql<Date>`now()` : fromNow(queue.retryDelayMs(row.attempts)),
        last_error: errorText(error),
        leased_until: null,
        leased_by: null,
      })
      .where("id", "=", row.id)
      .where("leased_by", "=", row.leased_by)
      .returning("ordering_key")
      .executeTakeFirst();
    if (!updated) {
      this.#log?.warn({ id: row.id }, "a queue message failed after its lease was taken over");
      return;
    }
    if (dead) {
      this.#log?.error(
        { err: error, id: row.id, attempts: row.attempts },
        "a queue message failed its last attempt and is dead (npm run admin -- queue dead)",
      );
    }
    // A dead message no longer holds back later ones with its key.
    if (dead && updated.ordering_key !== null) await queue.announce();
  }

  /** Extends the leases of running handlers. */
  async #heartbeat(): Promise<void> {
    if (this.#beating || this.#running.size === 0) return;
    this.#beating = true;
    const rows = [...this.#running.values()].map((entry) => entry.row);
    try {
      const extended = await sql<{ id: string }>`
        UPDATE federation_queue SET leased_until = ${fromNow(this.#queue.leaseMs)}
        WHERE status = 'processing'
          AND id = ANY(${rows.map((row) => row.id)}::bigint[])
          AND leased_by = ANY(${rows.map((row) => row.leased_by)}::text[])
        RETURNING id
      `.execute(this.#db);
      if (extended.rows.length < rows.length) {
        const kept = new Set(extended.rows.map((row) => row.id));
        const lost = rows.filter((row) => !kept.has(row.id) && this.#running.has(row.id));
        if (lost.length > 0) {
          this.#log?.warn(
            { ids: lost.map((row) => row.id) },
            "queue messages still running lost their lease (they may run twice)",
          );
        }
      }
    } catch (error) {
      this.#log?.warn({ err: error }, "could not extend the leases of running queue messages");
    } finally {
      this.#beating = false;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// For admins

export interface QueueCounts {
  /** Waiting: ready plus delayed (retries waiting out their backoff included). */
  pending: number;
  ready: number;
  delayed: number;
  processing: number;
  dead: number;
  /** When the longest-waiting ready message became ready; null when none is. */
  oldestReadyAt: Date | null;
}

export async function queueCounts(db: Db): Promise<QueueCounts> {
  const { rows } = await sql<{
    ready: number;
    delayed: number;
    processing: number;
    dead: number;
    oldest_ready_at: Date | string | null;
  }>`
    SELECT
      count(*) FILTER (WHERE status = 'pending' AND available_at <= now())::int AS ready,
      count(*) FILTER (WHERE status = 'pending' AND available_at > now())::int AS delayed,
      count(*) FILTER (WHERE status = 'processing')::int AS processing,
      count(*) FILTER (WHERE status = 'dead')::int AS dead,
      min(available_at) FILTER (WHERE status = 'pending' AND available_at <= now()) AS oldest_ready_at
    FROM federation_queue
  `.execute(db);
  const row = rows[0]!;
  return {
    pending: row.ready + row.delayed,
    ready: row.ready,
    delayed: row.delayed,
    processing: row.processing,
    dead: row.dead,
    oldestReadyAt: row.oldest_ready_at === null ? null : new Date(row.oldest_ready_at),
  };
}

/** What a message is about, without its payload (Fedify's messages carry private keys). */
export interface QueueMessageSummary {
  /** "outbox", "inbox", "fanout" (Fedify), "hallway:intent", or null for other values. */
  type: string | null;
  activityType: string | null;
  activityId: string | null;
  /** The recipient inbox of an outbox message. */
  inbox: string | null;
  /** The intent's own type for "hallway:intent". */
  intentType: string | null;
  /** How many inboxes a fanout message addresses. */
  inboxCount: number | null;
  /** One line for people. */
  text: string;
}

export interface DeadMessage {
  id: string;
  createdAt: Date;
  attempts: number;
  lastError: string | null;
  orderingKey: string | null;
  summary: QueueMessageSummary;
}

function summaryText(summary: Omit<QueueMessageSummary, "text">, scalar: string | null): string {
  const activity = [summary.activityType, summary.activityId].filter(Boolean).join(" ");
  switch (summary.type) {
    case "hallway:intent":
      return `intent ${summary.intentType ?? "?"}`;
    case "outbox":
      return `deliver ${activity || "activity"} to ${summary.inbox ?? "?"}`;
    case "fanout":
      return `fan out ${activity || "activity"} to ${summary.inboxCount ?? "?"} inbox(es)`;
    case "inbox":
      return `process incoming ${activity || "activity"}`;
    case null:
      return scalar ?? "message";
    default:
      return `${summary.type}${activity ? ` ${activity}` : ""}`;
  }
}

export async function listDeadMessages(
  db: Db,
  options: { limit?: number } = {},
): Promise<DeadMessage[]> {
  // Only the describing fields leave the database.
  const { rows } = await sql<{
    id: string;
    created_at: Date | string;
    attempts: number;
    last_error: string | null;
    ordering_key: string | null;
    type: string | null;
    activity_type: string | null;
    activity_id: string | null;
    inbox: string | null;
    intent_type: string | null;
    inbox_count: number | null;
    scalar: string | null;
  }>`
    SELECT id, created_at, attempts, last_error, ordering_key,
      message ->> 'type' AS type,
      coalesce(message ->> 'activityType', message -> 'activity' ->> 'type') AS activity_type,
      coalesce(message ->> 'activityId', message -> 'activity' ->> 'id') AS activity_id,
      message ->> 'inbox' AS inbox,
      message -> 'intent' ->> 'type' AS intent_type,
      CASE WHEN jsonb_typeof(message -> 'inboxes') = 'object'
        THEN (SELECT count(*)::int FROM jsonb_object_keys(message -> 'inboxes')) END AS inbox_count,
      CASE WHEN jsonb_typeof(message) <> 'object' THEN left(message::text, 100) END AS scalar
    FROM federation_queue
    WHERE status = 'dead'
    ORDER BY id
    LIMIT ${options.limit ?? 100}
  `.execute(db);
  return rows.map((row) => {
    const fields = {
      type: row.type,
      activityType: row.activity_type,
      activityId: row.activity_id,
      inbox: row.inbox,
      intentType: row.intent_type,
      inboxCount: row.inbox_count,
    };
    return {
      id: row.id,
      createdAt: new Date(row.created_at),
      attempts: row.attempts,
      lastError: row.last_error,
      orderingKey: row.ordering_key,
      summary: { ...fields, text: summaryText(fields, row.scalar) },
    };
  });
}

/**
 * Sends dead messages back: pending, available now, attempts from zero (the last error stays
 * until the next outcome). `ids` "all" retries every dead message. Returns the ids retried.
 */
export async function retryDeadMessages(db: Db, ids: readonly string[] | "all"): Promise<string[]> {
  if (ids !== "all" && ids.length === 0) return [];
  let query = db
    .updateTable("federation_queue")
    .set({
      status: "pending",
      attempts: 0,
      available_at: sql<Date>`now()`,
      leased_until: null,
      leased_by: null,
    })
    .where("status", "=", "dead");
  if (ids !== "all") query = query.where("id", "in", [...ids]);
  const retried = await query.returning("id").execute();
  if (retried.length > 0) await sql`SELECT pg_notify(${QUEUE_CHANNEL}, '')`.execute(db);
  return retried.map((row) => row.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}
