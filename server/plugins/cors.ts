import fastifyCors from "@fastify/cors";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

// Browser apps (Elk, Phanpy) call the API from their own origin. Only the API and the endpoints
// they need before signing in answer cross-origin; the sign-in page never does.
const CROSS_ORIGIN_PATHS = /^\/(api\/|oauth\/token|oauth\/revoke|\.well-known\/|nodeinfo\/)/;

export const corsPlugin = fp(async (app: FastifyInstance) => {
  await app.register(fastifyCors, {
    hook: "onRequest",
    delegator: (request, callback) => {
      const url = request.url ?? "/";
      callback(null, {
        origin: CROSS_ORIGIN_PATHS.test(url) ? "*" : false,
        methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
        allowedHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "Accept"],
        exposedHeaders: ["Link", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"],
        maxAge: 86400,
      });
    },
  });
});
