// WebSocket support and the live streams of this process, stopped cleanly with the server.
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import fastifyWebsocket from "@fastify/websocket";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { DatabaseHandle } from "../../db/connection.ts";
import { renderAnnouncement } from "../services/announcements/announcements.ts";
import { renderConversation } from "../services/conversations/conversations.ts";
import { type Streaming, startStreaming } from "../services/streaming/streaming.ts";

declare module "fastify" {
  interface FastifyInstance {
    streaming: Streaming;
  }
}

/** Clients send only small subscribe and unsubscribe messages. */
const MAX_MESSAGE_BYTES = 64 * 1024;
/** How long clients get to answer the close of their WebSocket at shutdown. */
const CLOSE_GRACE_MS = 2000;

/**
 * Connections that never carried a request: apps (and fetch pools) open them ahead of need, and
 * Node's server.close() waits for them forever, since closeIdleConnections() leaves them alone.
 * At shutdown nothing is in flight on them; they are dropped with the streams.
 */
function trackUnusedConnections(app: FastifyInstance): () => void {
  const unused = new Set<Socket>();
  app.server.on("connection", (socket: Socket) => {
    unused.add(socket);
    socket.once("close", () => unused.delete(socket));
  });
  app.server.on("request", (request: IncomingMessage) => unused.delete(request.socket));
  app.server.on("upgrade", (request: IncomingMessage) => unused.delete(request.socket));
  return () => {
    for (const socket of unused) socket.destroy();
    unused.clear();
  };
}

export const streamingPlugin = fp(
  async (app: FastifyInstance, options: { database: DatabaseHandle }) => {
    const streaming = await startStreaming(app.context, options.database, {
      conversation: renderConversation,
      announcement: renderAnnouncement,
    });
    const dropUnusedConnections = trackUnusedConnections(app);
    app.decorate("streaming", streaming);
    await app.register(fastifyWebsocket, {
      options: {
        maxPayload: MAX_MESSAGE_BYTES,
        // masto.js and Mastodon's web app send the access token as the subprotocol and expect it
        // back as the one selected, or the browser fails the handshake.
        handleProtocols: (protocols) => protocols.values().next().value ?? false,
      },
      // Before the HTTP server closes (it waits for open responses, and a stream never ends by
      // itself): every stream is told the server is going away (1001), then the rest is closed.
      preClose: async function (this: FastifyInstance) {
        const sockets = this.websocketServer;
        streaming.endStreams();
        for (const client of sockets.clients) client.close(1001, "The server is shutting down");
        dropUnusedConnections();
        // A client that does not finish the closing handshake in time is cut off.
        const closed = new Promise<void>((resolve) => sockets.close(() => resolve()));
        const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
        await Promise.race([closed, grace]);
        for (const client of sockets.clients) client.terminate();
      },
    });
    app.addHook("onClose", async () => streaming.close());
  },
);
