// Assembles federation for one running instance: the allowlist and refusal log (the wall), the
// durable store and queue, Fedify with our dispatchers and inbox, the resolver services use,
// and the checks the HTTP bridge runs before Fedify sees a request.
import { createFederation, verifyRequest } from "@fedify/fedify";
import type { DatabaseHandle } from "../db/connection.ts";
import type { AppContext } from "../server/context.ts";
import { findActiveToken } from "../server/services/oauth/tokens.ts";
import type { IntentMessage } from "../server/services/federation/intents.ts";
import { SOFTWARE_VERSION } from "../server/version.ts";
import { Allowlist } from "./allowlist.ts";
import { handleIntent } from "./delivery.ts";
import type { FederationDeps, HallwayFederation } from "./deps.ts";
import { registerActors } from "./dispatchers/actors.ts";
import { registerCollections } from "./dispatchers/collections.ts";
import { registerObjects } from "./dispatchers/objects.ts";
import { instanceIdentity } from "./identity.ts";
import { DirectorySync, registerDirectory } from "./directory.ts";
import { registerInbox } from "./inbox/listeners.ts";
import { IntentAwareQueue } from "./intent-queue.ts";
import { DatabaseKvStore } from "./kv.ts";
import { cachedLoader, contextLoader, signedLoader } from "./loaders.ts";
import { INSTANCE_ACTOR } from "./mapping/actor.ts";
import { DatabaseMessageQueue, type DatabaseMessageQueueOptions } from "./queue.ts";
import { createWall, RefusalLog } from "./refusals.ts";
import { checkActivity, checkSigner, type GuardVerdict } from "./request-guard.ts";
import { FederationResolver } from "./resolver.ts";
import { SiblingSearch } from "./sibling-search.ts";

export interface FederationRuntime {
  federation: HallwayFederation;
  allowlist: Allowlist;
  refusals: RefusalLog;
  queue: DatabaseMessageQueue;
  resolver: FederationResolver;
  /** Cross-campus search: asks the siblings, and answers them. */
  siblingSearch: SiblingSearch;
  /** The wall's verdict on a request for a federation endpoint, before Fedify handles it. */
  guard(request: Request, body: Buffer | null, requester: string): Promise<GuardVerdict | { ok: false; status: 400; reason: string; host: string }>;
  /** Starts working the queue (deliveries, inbox, intents) in this process. */
  startWorkers(): void;
  close(): Promise<void>;
}

export interface FederationRuntimeOptions {
  queue?: DatabaseMessageQueueOptions;
  /** Follow allowlist changes made by other processes (a server does; tests may not). */
  watchAllowlist?: boolean;
}

export async function createFederationRuntime(
  app: AppContext,
  database: DatabaseHandle,
  options: FederationRuntimeOptions = {},
): Promise<FederationRuntime> {
  const log = {
    info: (object: object, message: string) => app.log.info(object, message),
    warn: (object: object, message: string) => app.log.warn(object, message),
    error: (object: object, message: string) => app.log.error(object, message),
  };
  const allowlistOptions = { config: { origin: app.config.origin, allowlist: app.config.allowlist }, log };
  const allowlist =
    options.watchAllowlist === false
      ? await Allowlist.load({ db: app.db, ownOrigin: app.config.origin, environment: app.config.allowlist, log })
      : await Allowlist.open({ ...allowlistOptions, database });
  const refusals = new RefusalLog({ db: app.db, log });
  const wall = createWall(allowlist, refusals);
  const kv = new DatabaseKvStore(app.db);
  const userAgent = `Hallway/${SOFTWARE_VERSION} (+${app.config.origin}/)`;

  let federation: HallwayFederation | null = null;
  const getFederation = () => {
    if (!federation) throw new Error("federation used before it was built");
    return federation;
  };
  const identity = instanceIdentity(getFederation, app.config.origin);
  const { queue: queueConfig } = app.config;
  const innerQueue = new DatabaseMessageQueue(database, {
    log,
    leaseMs: queueConfig.leaseSeconds * 1000,
    retryBaseMs: queueConfig.retrySeconds * 1000,
    maxAttempts: queueConfig.maxAttempts,
    ...(queueConfig.concurrency ? { concurrency: queueConfig.concurrency } : {}),
    ...options.queue,
  });
  const deps: FederationDeps = {
    app,
    wall,
    kv,
    queue: new IntentAwareQueue(innerQueue, async (message: IntentMessage) => {
      const ctx = getFederation().createContext(new URL(app.config.origin), undefined);
      await handleIntent(deps, ctx, message.intent);
    }),
  };

  federation = createFederation<void>({
    kv,
    queue: deps.queue,
    manuallyStartQueue: true,
    origin: app.config.origin,
    // The user agent goes with our own loaders; Fedify refuses it next to them.
    documentLoaderFactory: () => cachedLoader(signedLoader(wall, identity, userAgent), kv),
    contextLoaderFactory: () => contextLoader,
    authenticatedDocumentLoaderFactory: (signer) => signedLoader(wall, async () => signer, userAgent),
    // The queue retries and dead-letters; holding messages per host would only delay them.
    circuitBreaker: false,
  });
  const resolver = new FederationResolver(deps, getFederation, identity, userAgent);
  registerActors(federation, deps);
  registerObjects(federation, deps);
  registerCollections(federation, deps);
  registerInbox(federation, deps, resolver);
  registerDirectory(federation, deps);
  const directory = new DirectorySync(deps, getFederation, resolver, allowlist, signedLoader(wall, identity, userAgent));
  app.resolver = resolver;
  const siblingSearch = new SiblingSearch(deps, allowlist, getFederation, identity, resolver, userAgent);
  app.siblingSearch = siblingSearch;

  const stopWorkers = new AbortController();
  let workers: Promise<void> | null = null;

  async function webFingerAllowed(request: Request, requester: string): Promise<GuardVerdict> {
    // A signed-in colleague may look people up; so may a signed sibling. Nobody else.
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    const jti = bearer ? app.tokens.verify(bearer)?.jti : undefined;
    if (jti && /^\d{1,19}$/.test(jti) && (await findActiveToken(app.db, jti))) return { ok: true };
    const signer = checkSigner(wall, request.headers, requester);
    if (!signer.ok) return signer;
    const ctx = getFederation().createContext(new URL(app.config.origin), undefined);
    const key = await verifyRequest(request.clone(), {
      documentLoader: ctx.documentLoader,
      contextLoader: ctx.contextLoader,
    }).catch(() => null);
    if (!key) return { ok: false, status: 401, reason: "invalid signature on WebFinger", host: requester };
    return { ok: true };
  }

  return {
    federation,
    allowlist,
    refusals,
    queue: innerQueue,
    resolver,
    siblingSearch,
    async guard(request, body, requester) {
      const url = new URL(request.url);
      let verdict: GuardVerdict | { ok: false; status: 400; reason: string; host: string };
      if (url.pathname === "/.well-known/webfinger") {
        verdict = await webFingerAllowed(request, requester);
      } else if (request.method === "POST") {
        let document: unknown;
        try {
          document = JSON.parse(body?.toString("utf8") ?? "");
        } catch {
          document = undefined;
        }
        verdict =
          document === undefined
            ? { ok: false, status: 400, reason: "malformed activity", host: requester }
            : checkActivity(wall, request.headers, document, requester);
      } else if (url.pathname === `/users/${INSTANCE_ACTOR}`) {
        verdict = { ok: true };
      } else {
        verdict = checkSigner(wall, request.headers, requester);
      }
      if (!verdict.ok) wall.refuse(verdict.host, "inbound", verdict.reason);
      return verdict;
    },
    startWorkers() {
      directory.start();
      workers ??= getFederation().startQueue(undefined, { signal: stopWorkers.signal });
    },
    async close() {
      stopWorkers.abort();
      directory.stop();
      await workers?.catch(() => {});
      await refusals.close();
      await allowlist.close();
    },
  };
}
