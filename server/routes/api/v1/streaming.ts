// Mastodon's streaming API: one multiplexed WebSocket at /api/v1/streaming, and a server-sent
// event stream per stream name under it. Both carry the same events from the same hub.
import { PassThrough } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { WebSocket } from "ws";
import { ApiError, notFound } from "../../../errors.ts";
import { userOf } from "../../../plugins/auth.ts";
import { bool, errorResponse, idString } from "../../../schemas/common.ts";
import { ref } from "../../../schemas/entities.ts";
import type {
  StreamListener,
  StreamMessage,
  StreamPayload,
  StreamViewer,
} from "../../../services/streaming/hub.ts";
import {
  STREAM_NAMES,
  StreamError,
  type StreamRequest,
} from "../../../services/streaming/streams.ts";

/** WebSocket ping, and with it the check that the other side still answers. */
const PING_MS = 30_000;
/** An event stream's heartbeat comment, as Mastodon sends it. */
const THUMP_MS = 15_000;
/** Events waiting for a client that stopped reading, before it is cut off. */
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;

/** The schemas payloads serialize through, as REST responses do (undeclared fields never leak). */
const ENTITY_SCHEMAS = {
  Status: ref("Status"),
  Notification: ref("Notification"),
  Conversation: ref("Conversation"),
  Announcement: ref("Announcement"),
} as const;

type PayloadSerializer = (payload: StreamPayload) => string | undefined;

const eventStream = { type: "string", description: "text/event-stream" } as const;
const streamResponse = { 200: eventStream, "4xx": errorResponse } as const;
const tagParam = { type: "string", maxLength: 100 } as const;

const read = (scope: string) => ({ auth: "user", scopes: [scope] }) as const;

function viewerOf(request: FastifyRequest): StreamViewer {
  const viewer = userOf(request);
  return { accountId: viewer.account.id, tokenId: viewer.tokenId, scopes: viewer.scopes };
}

export default async function streamingRoutes(app: FastifyInstance) {
  const hub = app.streaming.hub;

  /** Entities go through their registered JSON Schema; one a feature has not registered, as it is. */
  function payloadSerializer(reply: FastifyReply): PayloadSerializer {
    const compiled = new Map<string, (value: unknown) => string>();
    return (payload) => {
      if (payload === null) return undefined;
      if ("text" in payload) return payload.text;
      let serialize = compiled.get(payload.entity);
      if (!serialize) {
        serialize = app.getSchema(payload.entity)
          ? reply.compileSerializationSchema(ENTITY_SCHEMAS[payload.entity])
          : JSON.stringify;
        compiled.set(payload.entity, serialize);
      }
      return serialize(payload.value);
    };
  }

  async function subscribe(listener: StreamListener, request: StreamRequest) {
    try {
      return await hub.subscribe(listener, request);
    } catch (error) {
      if (error instanceof StreamError) throw new ApiError(error.status, error.message);
      throw error;
    }
  }

  /** Serves one stream as server-sent events until the client goes away or the server stops. */
  async function serveEvents(
    request: FastifyRequest,
    reply: FastifyReply,
    streamRequest: StreamRequest,
  ) {
    const body = new PassThrough();
    const serialize = payloadSerializer(reply);
    const listener: StreamListener = {
      viewer: viewerOf(request),
      send(message: StreamMessage) {
        if (body.writableEnded) return;
        if (body.writableLength > MAX_BACKLOG_BYTES) {
          request.log.warn("an event-stream client stopped reading; ending its stream");
          body.end();
          return;
        }
        // `data: undefined` for an event without payload (filters_changed), as Mastodon writes it.
        body.write(
          `event: ${message.event}\ndata: ${serialize(message.payload) ?? "undefined"}\n\n`,
        );
      },
      close(reason) {
        body.end();
        // At shutdown the connection goes too, or it would idle on after the server closed.
        if (reason === "shutdown") reply.raw.once("finish", () => request.raw.socket.end());
      },
    };
    let heartbeat: NodeJS.Timeout | undefined;
    const stop = () => {
      clearInterval(heartbeat);
      hub.remove(listener);
      body.end();
    };
    reply.raw.on("close", stop);
    hub.add(listener);
    try {
      await subscribe(listener, streamRequest);
    } catch (error) {
      stop();
      throw error;
    }
    heartbeat = setInterval(() => {
      if (!body.writableEnded) body.write(":thump\n");
    }, THUMP_MS);
    heartbeat.unref();
    body.write(":)\n");
    return reply
      .header("content-type", "text/event-stream; charset=utf-8")
      .header("cache-control", "private, no-store")
      .header("x-accel-buffering", "no")
      .send(body);
  }

  /** One multiplexed WebSocket: streams from the query and from subscribe/unsubscribe messages. */
  function serveWebSocket(
    socket: WebSocket,
    request: FastifyRequest,
    serialize: PayloadSerializer,
  ) {
    const sendJson = (value: object) => {
      if (socket.readyState !== socket.OPEN) return;
      if (socket.bufferedAmount > MAX_BACKLOG_BYTES) {
        request.log.warn("a WebSocket client stopped reading; closing it");
        socket.terminate();
        return;
      }
      socket.send(JSON.stringify(value));
    };
    const listener: StreamListener = {
      viewer: viewerOf(request),
      send(message: StreamMessage) {
        const payload = serialize(message.payload);
        sendJson(
          payload === undefined
            ? { stream: message.stream, event: message.event }
            : { ...message, payload },
        );
      },
      close(reason) {
        if (reason === "shutdown") socket.close(1001, "The server is shutting down");
        else socket.close(1008, "The access token is invalid");
      },
    };
    const subscribeTo = (streamRequest: StreamRequest) => {
      hub.subscribe(listener, streamRequest).catch((error: unknown) => {
        if (error instanceof StreamError) sendJson({ error: error.message, status: error.status });
        else request.log.error({ err: error }, "a stream subscription failed");
      });
    };

    hub.add(listener);
    let answered = true;
    const ping = setInterval(() => {
      if (!answered) {
        socket.terminate();
        return;
      }
      answered = false;
      socket.ping();
    }, PING_MS);
    ping.unref();
    socket.on("pong", () => {
      answered = true;
    });
    socket.on("close", () => {
      clearInterval(ping);
      hub.remove(listener);
    });
    socket.on("message", (data, isBinary) => {
      if (isBinary) return;
      let message: { type?: unknown } & StreamRequest;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return; // as Mastodon: a message that is not JSON is ignored
      }
      if (typeof message !== "object" || message === null) return;
      if (message.type === "subscribe") subscribeTo(message);
      else if (message.type === "unsubscribe") hub.unsubscribe(listener, message);
    });
    const query = request.query as StreamRequest;
    if (query.stream !== undefined) subscribeTo(query);
  }

  const wsSerializers = new WeakMap<FastifyRequest, PayloadSerializer>();
  app.route({
    method: "GET",
    url: "/api/v1/streaming",
    exposeHeadRoute: false,
    config: { auth: "user", scopes: ["read:statuses", "read:notifications"] },
    schema: {
      querystring: {
        type: "object",
        properties: {
          stream: { type: "string", enum: [...STREAM_NAMES] },
          tag: tagParam,
          list: idString,
        },
      },
      response: streamResponse,
    },
    preHandler: async (request, reply) => {
      wsSerializers.set(request, payloadSerializer(reply));
    },
    // Without an upgrade: the stream named in the query as server-sent events. Without one, 404,
    // which tells a client looking for the streaming server that it is this one (as Mastodon).
    handler: async (request, reply) => {
      const query = request.query as StreamRequest;
      if (query.stream === undefined) throw notFound();
      return serveEvents(request, reply, query);
    },
    wsHandler: (socket, request) => {
      const serialize = wsSerializers.get(request);
      if (!serialize) throw new Error("the WebSocket upgrade skipped its preHandler");
      serveWebSocket(socket, request, serialize);
    },
  });

  app.get(
    "/api/v1/streaming/health",
    {
      config: { auth: "public" },
      exposeHeadRoute: false,
      schema: { response: { 200: { type: "string" }, "4xx": errorResponse } },
    },
    async (_request, reply) => reply.header("content-type", "text/plain; charset=utf-8").send("OK"),
  );

  const sse = (
    url: string,
    scope: string,
    querystring: object | undefined,
    streamOf: (query: Record<string, unknown>) => StreamRequest,
  ) =>
    app.get(
      url,
      {
        config: read(scope),
        exposeHeadRoute: false,
        schema: { ...(querystring ? { querystring } : {}), response: streamResponse },
      },
      async (request, reply) =>
        serveEvents(request, reply, streamOf(request.query as Record<string, unknown>)),
    );

  const mediaQuery = { type: "object", properties: { only_media: bool } } as const;
  const tagQuery = { type: "object", required: ["tag"], properties: { tag: tagParam } } as const;
  const media = (name: string, query: Record<string, unknown>) =>
    query.only_media ? `${name}:media` : name;

  sse("/api/v1/streaming/user", "read:statuses", undefined, () => ({ stream: "user" }));
  sse("/api/v1/streaming/user/notification", "read:notifications", undefined, () => ({
    stream: "user:notification",
  }));
  sse("/api/v1/streaming/public", "read:statuses", mediaQuery, (query) => ({
    stream: media("public", query),
  }));
  sse("/api/v1/streaming/public/local", "read:statuses", mediaQuery, (query) => ({
    stream: media("public:local", query),
  }));
  sse("/api/v1/streaming/public/remote", "read:statuses", mediaQuery, (query) => ({
    stream: media("public:remote", query),
  }));
  sse("/api/v1/streaming/hashtag", "read:statuses", tagQuery, (query) => ({
    stream: "hashtag",
    tag: query.tag,
  }));
  sse("/api/v1/streaming/hashtag/local", "read:statuses", tagQuery, (query) => ({
    stream: "hashtag:local",
    tag: query.tag,
  }));
  sse(
    "/api/v1/streaming/list",
    "read:statuses",
    { type: "object", required: ["list"], properties: { list: idString } },
    (query) => ({ stream: "list", list: query.list }),
  );
  sse("/api/v1/streaming/direct", "read:statuses", undefined, () => ({ stream: "direct" }));
}
