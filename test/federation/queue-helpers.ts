// Shared by the queue tests: fast timings, waiting, listeners that stop with the test.
import { Temporal } from "@js-temporal/polyfill";
import { type DatabaseHandle, openPostgres } from "../../db/connection.ts";
import type { DatabaseMessageQueue, DatabaseMessageQueueOptions } from "../../federation/queue.ts";
import type { TestDatabase } from "../helpers/databases.ts";

export const FAST: DatabaseMessageQueueOptions = {
  pollIntervalMs: 50,
  leaseMs: 2_000,
  heartbeatMs: 200,
  retryBaseMs: 100,
  retryMaxMs: 1_000,
  retryJitter: 0,
  maxAttempts: 3,
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A delay as Fedify passes it (a polyfill Duration). */
export function delay(milliseconds: number): globalThis.Temporal.Duration {
  return Temporal.Duration.from({ milliseconds }) as unknown as globalThis.Temporal.Duration;
}

export async function until(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 8_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

export interface Closable {
  teardown(fn: () => unknown): void;
}

/** Starts a listener that stops (and is awaited) when the test ends. */
export function listen<M>(
  t: Closable,
  queue: DatabaseMessageQueue,
  handler: (message: M) => Promise<void> | void,
): { stop(): Promise<void>; done: Promise<void> } {
  const controller = new AbortController();
  const done = queue.listen(handler as (message: unknown) => Promise<void>, {
    signal: controller.signal,
  });
  const stop = async () => {
    controller.abort();
    await done;
  };
  t.teardown(stop);
  return { stop, done };
}

/** A second connection pool on PostgreSQL (as another process has); the same handle on PGlite. */
export function secondHandle(t: Closable, database: TestDatabase): DatabaseHandle {
  if (!database.url) return database.handle;
  const handle = openPostgres(database.url, { max: 3 });
  t.teardown(() => handle.close());
  return handle;
}
