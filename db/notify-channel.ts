// One PostgreSQL LISTEN channel on a connection of its own (a pool client would be held forever),
// reopened with a growing delay when it drops. NOTIFY itself goes through the pool like any query.
import pg from "pg";

export interface ChannelLog {
  warn(object: object, message: string): void;
}

export interface NotifyChannel {
  /** Whether the LISTEN connection is up right now. */
  readonly connected: boolean;
  close(): Promise<void>;
}

/**
 * LISTENs on `channel` and hands every payload to `onPayload`. Resolves once the first LISTEN is
 * in place (or failed: it keeps retrying in the background). What is announced while the
 * connection is down is not seen.
 */
export async function listenChannel(
  pool: pg.Pool,
  channel: string,
  onPayload: (payload: string) => void,
  options: { log?: ChannelLog } = {},
): Promise<NotifyChannel> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  let client: pg.Client | null = null;
  let connected = false;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  let delayMs = 500;

  const connect = async (): Promise<void> => {
    const next = new pg.Client(pool.options);
    client = next;
    const lost = (error?: Error) => {
      if (client !== next) return;
      client = null;
      connected = false;
      next.removeAllListeners();
      next.on("error", () => {});
      next.end().catch(() => {});
      if (closed) return;
      options.log?.warn({ err: error, channel }, "LISTEN connection lost; reconnecting");
      retry = setTimeout(() => {
        retry = null;
        void connect();
      }, delayMs);
      retry.unref();
      delayMs = Math.min(delayMs * 2, 30_000);
    };
    next.on("error", lost);
    next.on("end", () => lost());
    next.on("notification", (message) => {
      if (message.channel === channel) onPayload(message.payload ?? "");
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
      if (client !== next) return;
      connected = true;
      delayMs = 500;
    } catch (error) {
      lost(error as Error);
    }
  };

  await connect();
  return {
    get connected() {
      return connected;
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      retry = null;
      const current = client;
      client = null;
      connected = false;
      if (current) {
        current.removeAllListeners();
        current.on("error", () => {});
        await current.end().catch(() => {});
      }
    },
  };
}
