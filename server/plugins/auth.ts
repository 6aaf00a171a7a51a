import fastifyJwt from "@fastify/jwt";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { Account, Role } from "../../db/schema.ts";
import type { AppContext } from "../context.ts";
import { ApiError, forbidden, unauthorized } from "../errors.ts";
import { isId } from "../schemas/keywords.ts";
import { findActiveToken } from "../services/oauth/tokens.ts";
import { grants } from "../services/oauth/scopes.ts";

/**
 * Who a route admits: `public` needs no token (one is still read when sent), `app` any valid
 * token including an app's own client_credentials token, `user` a token of a signed-in user.
 */
export type AuthLevel = "public" | "app" | "user";

export interface Viewer {
  tokenId: string;
  applicationId: string | null;
  scopes: ReadonlySet<string>;
  account: Account | null;
  role: Role | null;
}

export interface UserViewer extends Viewer {
  account: Account;
  role: Role;
}

declare module "fastify" {
  interface FastifyContextConfig {
    auth?: AuthLevel;
    /** The token needs at least one of these scopes. */
    scopes?: readonly string[];
  }
  interface FastifyRequest {
    viewer: Viewer | null;
  }
}

/** The signed-in user of a route declared `auth: "user"`. */
export function userOf(request: FastifyRequest): UserViewer {
  const viewer = request.viewer;
  if (!viewer?.account || !viewer.role) throw unauthorized("This method requires an authenticated user");
  return viewer as UserViewer;
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match ? match[1]! : null;
  }
  const query = request.query as Record<string, unknown> | undefined;
  if (typeof query?.access_token === "string") return query.access_token;
  // A browser cannot set headers on a WebSocket: Mastodon's clients send the token as the
  // subprotocol instead (the streaming plugin echoes it back).
  const protocols = request.headers["sec-websocket-protocol"];
  if (protocols && request.headers.upgrade?.toLowerCase() === "websocket") {
    return protocols.split(",")[0]!.trim() || null;
  }
  return null;
}

export const authPlugin = fp(async (app: FastifyInstance, options: { context: AppContext }) => {
  const { context } = options;
  await app.register(fastifyJwt, { secret: context.config.secret });
  context.tokens = {
    sign: (payload) => app.jwt.sign(payload),
    verify: (token) => {
      try {
        return app.jwt.verify(token) as { jti?: string };
      } catch {
        return null;
      }
    },
  };

  app.decorateRequest("viewer", null);

  app.addHook("onRequest", async (request) => {
    const config = request.routeOptions.config;
    const level = config.auth;
    if (!level) return;
    const token = bearerToken(request);
    if (!token) {
      if (level === "public") return;
      throw unauthorized();
    }
    let jti: string | undefined;
    try {
      jti = (app.jwt.verify(token) as { jti?: string }).jti;
    } catch {
      jti = undefined;
    }
    // A jti that cannot be a bigint names no token (and PostgreSQL would refuse to compare it).
    const found = isId(jti) ? await findActiveToken(context.db, jti) : null;
    // Public endpoints ignore a stale token, as Mastodon's do: an app signed out elsewhere must
    // still be able to read the instance information.
    if (level === "public" && (!found || found.account?.suspended_at)) return;
    if (!found) throw unauthorized();
    if (found.account?.suspended_at) throw forbidden("Your login is currently disabled");
    request.viewer = {
      tokenId: found.id,
      applicationId: found.application_id,
      scopes: new Set(found.scopes.split(" ")),
      account: found.account,
      role: found.role,
    };
    if (level === "user" && !found.account) {
      throw new ApiError(422, "This method requires an authenticated user");
    }
    const needed = config.scopes;
    if (needed?.length && !needed.some((scope) => grants(request.viewer!.scopes, scope))) {
      throw forbidden("This action is outside the authorized scopes");
    }
  });
});
