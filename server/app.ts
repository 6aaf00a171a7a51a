// buildApp() assembles the instance without listening, so tests drive it with inject().
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteOptions } from "fastify";
import qs from "qs";
import type { DatabaseHandle } from "../db/connection.ts";
import {
  createFederationRuntime,
  type FederationRuntime,
  type FederationRuntimeOptions,
} from "../federation/runtime.ts";
import type { Config } from "./config.ts";
import type { AppContext } from "./context.ts";
import { DomainEvents } from "./events.ts";
import { authPlugin } from "./plugins/auth.ts";
import { bodyPlugin } from "./plugins/body.ts";
import { corsPlugin } from "./plugins/cors.ts";
import { errorsPlugin, frameworkErrors } from "./plugins/errors.ts";
import { federationPlugin } from "./plugins/federation.ts";
import { pollExpiryPlugin } from "./plugins/poll-expiry.ts";
import { rateLimitPlugin } from "./plugins/rate-limit.ts";
import { streamingPlugin } from "./plugins/streaming.ts";
import { registerRoutes } from "./routes/index.ts";
import { addMastodonKeywords } from "./schemas/keywords.ts";
import { registerEntitySchemas } from "./schemas/entities.ts";
import { LocalDiskStore } from "./services/media/store.ts";
import { Urls } from "./urls.ts";

declare module "fastify" {
  interface FastifyInstance {
    context: AppContext;
    /** Every route as registered, for tests that sweep the whole API. */
    routeTable: RouteOptions[];
    federation: FederationRuntime | null;
  }
}

/**
 * Rails-style query strings (`types[]=a&types[]=b`). A blank parameter (`?max_id=`) counts as
 * absent, as it does for Mastodon.
 */
function parseQueryString(text: string): Record<string, unknown> {
  const parsed = qs.parse(text, { arrayLimit: 100, depth: 5, parameterLimit: 1000 });
  for (const [key, value] of Object.entries(parsed)) {
    if (value === "") delete parsed[key];
  }
  return parsed;
}

export interface BuildOptions {
  config: Config;
  database: DatabaseHandle;
  logger?: FastifyServerOptions["logger"];
  /** Federation with the allowlisted siblings; off for tests that need a bare API. */
  federation?: FederationRuntimeOptions | false;
}

export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config, database } = options;
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      redact: ["req.headers.authorization", "req.headers.cookie", "req.body.password"],
    },
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    // A malformed or overlong URL gets the same `{"error": "..."}` body as every other error.
    frameworkErrors,
    routerOptions: {
      ignoreTrailingSlash: true,
      maxParamLength: 500,
      querystringParser: parseQueryString,
    },
    ajv: {
      customOptions: { coerceTypes: "array", removeAdditional: true, useDefaults: true },
      plugins: [addMastodonKeywords as never],
    },
  });

  mkdirSync(join(config.dataDir, "media"), { recursive: true });
  const context: AppContext = {
    config,
    db: database.db,
    dbKind: database.kind,
    urls: new Urls(config.origin),
    events: new DomainEvents(),
    media: new LocalDiskStore(join(config.dataDir, "media")),
    tokens: {
      sign: () => {
        throw new Error("token signing is set up by the auth plugin");
      },
      verify: () => null,
    },
    log: app.log,
    resolver: null,
    siblingSearch: null,
    siblingHosts: () => [],
  };
  app.decorate("context", context);
  const routeTable: RouteOptions[] = [];
  app.decorate("routeTable", routeTable);
  app.addHook("onRoute", (route) => {
    routeTable.push(route);
  });

  registerEntitySchemas(app);
  await app.register(errorsPlugin);
  await app.register(bodyPlugin, { config });
  await app.register(corsPlugin);
  // Before auth: a WebSocket handshake refused there must still have its socket closed.
  await app.register(streamingPlugin, { database });
  await app.register(authPlugin, { context });
  await app.register(rateLimitPlugin, { config });
  await app.register(pollExpiryPlugin, { context });

  const federation =
    options.federation === false ? null : await createFederationRuntime(context, database, options.federation ?? {});
  app.decorate("federation", federation);
  if (federation) {
    context.siblingHosts = () => federation.allowlist.siblings().map((entry) => entry.host);
    await app.register(federationPlugin, { runtime: federation });
    app.addHook("onClose", () => federation.close());
  }

  await app.register(fastifyStatic, {
    root: join(import.meta.dirname, "static"),
    prefix: "/",
    wildcard: false,
    index: false,
    serve: true,
    allowedPath: (path) => /^\/(avatars|headers)\/original\/missing\.png$/.test(path),
  });
  await app.register(fastifyStatic, {
    root: (context.media as LocalDiskStore).root,
    prefix: "/system/",
    decorateReply: false,
    index: false,
    immutable: true,
    maxAge: "365d",
    // Files are served as the media type they were stored as, never sniffed into something else.
    setHeaders: (response) => response.header("x-content-type-options", "nosniff"),
  });

  await app.register(registerRoutes);
  return app;
}
