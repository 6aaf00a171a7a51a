// Carries stream signals to every process of the campus. On PostgreSQL each process LISTENs on
// one channel and NOTIFYs it for what happened here; on PGlite there is one process, and the
// signal goes straight to it.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { DatabaseHandle } from "../../../db/connection.ts";
import { listenChannel, type NotifyChannel } from "../../../db/notify-channel.ts";
import type { Logger } from "../../context.ts";
import { parseSignal, type StreamSignal } from "./signals.ts";

export const STREAMING_CHANNEL = "hallway_streaming";

export interface StreamingBus {
  /** Hands the signal to this process at once and to the others through the database. */
  publish(signal: StreamSignal): void;
  close(): Promise<void>;
}

export async function openStreamingBus(
  database: DatabaseHandle,
  receive: (signal: StreamSignal) => void,
  log: Logger,
): Promise<StreamingBus> {
  const { pool } = database;
  if (!pool) {
    return { publish: receive, close: async () => {} };
  }
  // Our own NOTIFYs come back to us too; the origin tells them apart.
  const origin = randomUUID();
  const channel: NotifyChannel = await listenChannel(
    pool,
    STREAMING_CHANNEL,
    (payload) => {
      let message: { origin?: unknown; signal?: unknown };
      try {
        message = JSON.parse(payload);
      } catch {
        return;
      }
      if (message.origin === origin) return;
      const signal = parseSignal(message.signal);
      if (signal) receive(signal);
      else log.warn({ payload: payload.slice(0, 200) }, "ignoring a malformed streaming signal");
    },
    { log },
  );
  let closed = false;
  return {
    publish(signal) {
      receive(signal);
      if (closed) return;
      const payload = JSON.stringify({ origin, signal });
      sql`SELECT pg_notify(${STREAMING_CHANNEL}, ${payload})`
        .execute(database.db)
        .catch((error: unknown) => {
          log.warn({ err: error }, "could not announce a streaming signal to other processes");
        });
    },
    async close() {
      closed = true;
      await channel.close();
    },
  };
}
