// Fedify's key-value store (document caches, idempotence records, key caches) in our own
// database, on PGlite and PostgreSQL alike.
//
// A key (an array of strings) is stored as its JSON text without the closing bracket's
// ambiguity: ["a","b"] is `["a","b"]`. The column has the "C" collation, so keys sort byte by
// byte and the keys under a prefix form one range of the primary key index: JSON.stringify(prefix)
// minus its closing `]` always ends in the `"` of the last element, and every key under the
// prefix continues with `]` or `,`. A string element cannot end early, as a quote inside it is
// escaped (`\"`).
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from "@fedify/fedify";
import { type Kysely, sql } from "kysely";
import type { Database } from "../db/schema.ts";

const LIST_BATCH = 500;

export function encodeKvKey(key: KvKey): string {
  return JSON.stringify(key);
}

/** The [low, high) range of encoded keys that start with `prefix` (as arrays). */
function prefixRange(prefix: KvKey): [string, string] {
  const open = encodeKvKey(prefix).slice(0, -1); // `["a","b"`, ends in a quote
  // Every key under the prefix sorts at or after `open` and before `open` with its last
  // character (the quote, 0x22) replaced by the next one ('#', 0x23).
  return [open, `${open.slice(0, -1)}#`];
}

/** Milliseconds of a Fedify TTL (a Temporal.Duration, from the polyfill or the platform). */
export function durationMs(duration: Temporal.Duration): number {
  // Days count as 24 hours, as Fedify's own stores do; months and years have no fixed length.
  return duration.total({ unit: "millisecond" });
}

function serialize(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

/** Expiry computed by the database clock, which every process shares. */
function expiry(options: KvStoreSetOptions | undefined) {
  if (options?.ttl == null) return null;
  return sql<Date>`now() + (${durationMs(options.ttl)}::double precision * interval '1 millisecond')`;
}

const live = sql<boolean>`(expires_at IS NULL OR expires_at > now())`;

export class DatabaseKvStore implements KvStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    const row = await this.#db
      .selectFrom("fedify_kv")
      .select("value")
      .where("key", "=", encodeKvKey(key))
      .where(live)
      .executeTakeFirst();
    return row === undefined ? undefined : (row.value as T);
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    // An undefined value reads back as absent (as in Fedify's MemoryKvStore).
    if (value === undefined) return this.delete(key);
    await this.#db
      .insertInto("fedify_kv")
      .values({ key: encodeKvKey(key), value: serialize(value), expires_at: expiry(options) })
      .onConflict((conflict) =>
        conflict.column("key").doUpdateSet((eb) => ({
          value: eb.ref("excluded.value"),
          expires_at: eb.ref("excluded.expires_at"),
        })),
      )
      .execute();
  }

  async delete(key: KvKey): Promise<void> {
    await this.#db.deleteFrom("fedify_kv").where("key", "=", encodeKvKey(key)).execute();
  }

  /**
   * Sets `newValue` if the current value equals `expectedValue` (jsonb equality: object key
   * order does not matter). `undefined` stands for "absent" on both sides. Each case is one
   * statement whose row lock or unique index makes concurrent callers take turns: of several
   * racing with the same expectation, exactly one succeeds.
   */
  async cas(
    key: KvKey,
    expectedValue: unknown,
    newValue: unknown,
    options?: KvStoreSetOptions,
  ): Promise<boolean> {
    const encoded = encodeKvKey(key);
    if (expectedValue === undefined) {
      if (newValue === undefined) return (await this.get(key)) === undefined;
      // Absent or expired: insert, or take over the expired row. A live row wins.
      const inserted = await this.#db
        .insertInto("fedify_kv")
        .values({ key: encoded, value: serialize(newValue), expires_at: expiry(options) })
        .onConflict((conflict) =>
          conflict
            .column("key")
            .doUpdateSet((eb) => ({
              value: eb.ref("excluded.value"),
              expires_at: eb.ref("excluded.expires_at"),
            }))
            .where(
              sql<boolean>`fedify_kv.expires_at IS NOT NULL AND fedify_kv.expires_at <= now()`,
            ),
        )
        .returning("key")
        .executeTakeFirst();
      return inserted !== undefined;
    }
    const matches = sql<boolean>`value = ${serialize(expectedValue)}::jsonb`;
    if (newValue === undefined) {
      const deleted = await this.#db
        .deleteFrom("fedify_kv")
        .where("key", "=", encoded)
        .where(matches)
        .where(live)
        .executeTakeFirst();
      return deleted.numDeletedRows > 0n;
    }
    const updated = await this.#db
      .updateTable("fedify_kv")
      .set({ value: serialize(newValue), expires_at: expiry(options) })
      .where("key", "=", encoded)
      .where(matches)
      .where(live)
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  }

  /** Entries under `prefix` (all without one), in key order, fetched in batches. */
  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    const [low, high] = prefix ? prefixRange(prefix) : [null, null];
    let after: string | null = null;
    for (;;) {
      let query = this.#db
        .selectFrom("fedify_kv")
        .select(["key", "value"])
        .where(live)
        .orderBy("key")
        .limit(LIST_BATCH);
      if (low !== null && high !== null) {
        query = query.where("key", ">=", low).where("key", "<", high);
      }
      if (after !== null) query = query.where("key", ">", after);
      const rows = await query.execute();
      for (const row of rows) yield { key: JSON.parse(row.key) as KvKey, value: row.value };
      if (rows.length < LIST_BATCH) return;
      after = rows[rows.length - 1]!.key;
    }
  }

  /** Deletes expired entries; returns how many. Reads already treat them as absent. */
  async deleteExpired(): Promise<number> {
    const result = await this.#db
      .deleteFrom("fedify_kv")
      .where("expires_at", "<=", sql<Date>`now()`)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Deletes expired entries every `intervalMs` (default: ten minutes) until the signal aborts.
   * The timer does not keep the process alive. Errors (a database briefly away) wait for the
   * next round.
   */
  startCleanup(options: { intervalMs?: number; signal?: AbortSignal } = {}): void {
    const timer = setInterval(
      () => {
        this.deleteExpired().catch(() => {});
      },
      options.intervalMs ?? 10 * 60_000,
    );
    timer.unref();
    options.signal?.addEventListener("abort", () => clearInterval(timer), { once: true });
  }
}
