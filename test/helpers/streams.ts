// Clients of the streaming API for tests: a raw WebSocket (Node's, from undici), a server-sent
// event reader on plain fetch, and masto's streaming client, each collecting what arrives so that
// a test can wait for the event it expects.
import { request as httpRequest } from "node:http";
import { createStreamingAPIClient, type mastodon } from "masto";

export interface ReceivedEvent {
  stream: string[] | null;
  event: string;
  /** The payload as sent: a JSON string of the entity, an id, or undefined. */
  payload: string | undefined;
}

/** Events as they arrive, and waiting for one that matches. */
export class EventLog {
  readonly events: ReceivedEvent[] = [];
  readonly errors: { error: string; status: number }[] = [];
  #waiters: {
    match: (event: ReceivedEvent) => boolean;
    resolve: (event: ReceivedEvent) => void;
  }[] = [];

  push(event: ReceivedEvent): void {
    this.events.push(event);
    for (const waiter of [...this.#waiters]) {
      if (!waiter.match(event)) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  }

  /** The first event (already received or still to come) that matches. */
  next(
    match: (event: ReceivedEvent) => boolean,
    timeoutMs = 20_000,
    what = "an event",
  ): Promise<ReceivedEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter.resolve !== done);
        reject(
          new Error(
            `timed out waiting for ${what}; got ${JSON.stringify(this.events.map((e) => [e.event, e.stream]))}`,
          ),
        );
      }, timeoutMs);
      const done = (event: ReceivedEvent) => {
        clearTimeout(timer);
        resolve(event);
      };
      this.#waiters.push({ match, resolve: done });
    });
  }

  /** An event of this type whose payload (parsed as JSON) satisfies `test`. */
  nextEntity<T = Record<string, unknown>>(
    event: string,
    test: (entity: T) => boolean,
    timeoutMs?: number,
  ): Promise<T> {
    return this.next(
      (received) =>
        received.event === event &&
        received.payload !== undefined &&
        test(JSON.parse(received.payload)),
      timeoutMs,
      `a ${event} event`,
    ).then((received) => JSON.parse(received.payload!) as T);
  }

  /** Resolves after `ms` with the events of this type that arrived meanwhile (for "nothing came"). */
  async quiet(ms: number, event?: string): Promise<ReceivedEvent[]> {
    const from = this.events.length;
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.events.slice(from).filter((received) => !event || received.event === event);
  }
}

export interface SocketClient {
  socket: WebSocket;
  log: EventLog;
  /** The subprotocol the server selected. */
  protocol: string;
  send(message: object): void;
  /** Resolves with the close code once the server or the client closed the socket. */
  closed: Promise<number>;
  close(): void;
}

/** A raw WebSocket; `headers` (undici's extension) carry an Authorization header. */
export async function openSocket(
  url: string,
  options: { protocols?: string[]; headers?: Record<string, string> } = {},
): Promise<SocketClient> {
  const socket = new WebSocket(url, {
    protocols: options.protocols ?? [],
    ...(options.headers ? { headers: options.headers } : {}),
  } as never);
  const log = new EventLog();
  const closed = new Promise<number>((resolve) =>
    socket.addEventListener("close", (event) => resolve(event.code)),
  );
  socket.addEventListener("message", (message) => {
    const data = JSON.parse(String(message.data));
    if ("error" in data) log.errors.push(data);
    else log.push({ stream: data.stream ?? null, event: data.event, payload: data.payload });
  });
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error(`could not open ${url}`)), {
      once: true,
    });
  });
  return {
    socket,
    log,
    protocol: socket.protocol,
    send: (message) => socket.send(JSON.stringify(message)),
    closed,
    close: () => socket.close(),
  };
}

/** The status of a WebSocket handshake refused before the upgrade (401, 403…). */
export function handshakeStatus(
  url: string,
  headers: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url.replace(/^ws/, "http"), {
      agent: false,
      timeout: 10_000,
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": Buffer.from("0123456789abcdef").toString("base64"),
        ...headers,
      },
    });
    request.on("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("upgrade", (_response, socket) => {
      socket.destroy();
      resolve(101);
    });
    request.on("timeout", () => request.destroy(new Error(`no answer to the handshake at ${url}`)));
    request.on("error", reject);
    request.end();
  });
}

export interface EventStreamClient {
  status: number;
  headers: Headers;
  log: EventLog;
  /** Comment lines (`:thump`) seen so far. */
  comments: string[];
  /** Resolves once the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

/** A server-sent event stream read with fetch, as an app without EventSource would. */
export async function openEventStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<EventStreamClient> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  const log = new EventLog();
  const comments: string[] = [];
  let ended: Promise<void> = Promise.resolve();
  if (response.ok && response.body) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    ended = (async () => {
      let buffer = "";
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          for (;;) {
            // A comment is one line; an event ends with a blank line.
            if (buffer.startsWith(":")) {
              const end = buffer.indexOf("\n");
              if (end < 0) break;
              comments.push(buffer.slice(1, end));
              buffer = buffer.slice(end + 1);
              continue;
            }
            const end = buffer.indexOf("\n\n");
            if (end < 0) break;
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields = new Map(
              block
                .split("\n")
                .map((line) => [
                  line.slice(0, line.indexOf(":")),
                  line.slice(line.indexOf(":") + 1).trimStart(),
                ]),
            );
            const data = fields.get("data");
            log.push({
              stream: null,
              event: fields.get("event") ?? "message",
              payload: data === "undefined" ? undefined : data,
            });
          }
        }
      } catch {
        // aborted by the test
      }
    })();
  }
  return {
    status: response.status,
    headers: response.headers,
    log,
    comments,
    ended,
    close: () => abort.abort(),
  };
}

/** masto's streaming client: events of one subscription, collected as they come. */
export function mastoSubscription(subscription: mastodon.streaming.Subscription): {
  log: EventLog;
  done: Promise<unknown>;
} {
  const log = new EventLog();
  const done = (async () => {
    for await (const event of subscription) {
      log.push({
        stream: event.stream,
        event: event.event,
        payload: typeof event.payload === "string" ? event.payload : JSON.stringify(event.payload),
      });
    }
  })().catch((error: unknown) => error);
  return { log, done };
}

export function mastoStreaming(
  streamingApiUrl: string,
  accessToken: string,
): mastodon.streaming.Client {
  return createStreamingAPIClient({ streamingApiUrl, accessToken, retry: false });
}
