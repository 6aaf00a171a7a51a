import fastifyRateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { Config } from "../config.ts";

/**
 * Mastodon's limits: per token for authenticated calls (1,500 per five minutes by default), per
 * address otherwise. Loopback is exempt by default, as Mastodon exempts it.
 */
export const rateLimitPlugin = fp(async (app: FastifyInstance, options: { config: Config }) => {
  const { perFiveMinutes, exempt } = options.config.rateLimit;
  if (perFiveMinutes === 0) return;
  await app.register(fastifyRateLimit, {
    global: true,
    // After authentication, so that a token is counted as itself and made-up tokens as their address.
    hook: "preHandler",
    max: (request: FastifyRequest) =>
      request.viewer ? perFiveMinutes : Math.max(1, Math.floor(perFiveMinutes / 5)),
    timeWindow: 5 * 60 * 1000,
    allowList: exempt,
    keyGenerator: (request) =>
      request.viewer ? `token:${request.viewer.tokenId}` : `ip:${request.ip}`,
    errorResponseBuilder: (_request, context) => {
      const error = new Error("Too many requests") as Error & { statusCode: number };
      error.statusCode = context.statusCode;
      return error;
    },
  });
});
