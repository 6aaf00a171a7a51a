// The org directory across campuses. Each campus serves the discoverable people it hosts as a
// collection of embedded actors, `/users/instance.actor/directory` (a Hallway extension, served
// only to signed, allowlisted siblings), and reads its siblings' collections periodically and
// whenever a sibling joins the allowlist, storing the people as remote accounts.
import { Collection, isActor, Person, traverseCollection } from "@fedify/vocab";
import type { DocumentLoader } from "@fedify/vocab-runtime";
import type { Allowlist } from "./allowlist.ts";
import { accountToApi } from "../server/serializers/account.ts";
import { findAccountByUri, upsertRemoteAccount } from "../server/services/remote/accounts.ts";
import { hideUnlistedSiblingAccounts } from "../server/services/directory/sync.ts";
import { signedBySibling } from "./dispatchers/actors.ts";
import type { FederationDeps, HallwayFederation } from "./deps.ts";
import { accountToPerson, actorToAccountInput, INSTANCE_ACTOR } from "./mapping/actor.ts";
import type { FederationResolver } from "./resolver.ts";
import { assertOutboundAllowed, RefusedError } from "./wall.ts";

const PAGE_SIZE = 100;
/** More people than any campus has; a bound on what one sibling can make us store. */
const MAX_PEOPLE = 20_000;

export function directoryPath(origin: string): string {
  return new URL(`/users/${INSTANCE_ACTOR}/directory`, origin).href;
}

export function registerDirectory(federation: HallwayFederation, deps: FederationDeps): void {
  const { app } = deps;
  federation
    .setCollectionDispatcher("directory", Person, "/users/{identifier}/directory", async (ctx, values, cursor) => {
      if (values.identifier !== INSTANCE_ACTOR) return null;
      // The people a colleague would find in this campus's own directory: discoverable, active
      // accounts of people (no services, no suspended accounts).
      let query = app.db
        .selectFrom("accounts")
        .selectAll()
        .where("domain", "is", null)
        .where("discoverable", "=", true)
        .where("suspended_at", "is", null)
        .where("bot", "=", false)
        .orderBy("id", "asc")
        .limit(PAGE_SIZE + 1);
      if (cursor) query = query.where("id", ">", cursor);
      const rows = await query.execute();
      const page = rows.slice(0, PAGE_SIZE);
      const items = await Promise.all(
        page.map((account) => {
          const api = accountToApi(account, app.urls);
          return accountToPerson(ctx, account, {
            avatar: account.avatar_path ? api.avatar : null,
            header: account.header_path ? api.header : null,
          });
        }),
      );
      return { items, nextCursor: rows.length > PAGE_SIZE ? page.at(-1)!.id : null };
    })
    .setFirstCursor(async () => "")
    .authorize(async (ctx) => signedBySibling(ctx, deps.wall));
}

/** Reads siblings' directories: every few minutes, and at once when a sibling is added. */
export class DirectorySync {
  readonly #deps: FederationDeps;
  readonly #federation: () => HallwayFederation;
  readonly #resolver: FederationResolver;
  readonly #allowlist: Allowlist;
  readonly #loader: DocumentLoader;
  readonly #running = new Map<string, Promise<number>>();
  #timer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;
  #known = new Set<string>();

  /**
   * `loader` fetches without the document cache: a listing read from the cache would hide
   * the people who joined since.
   */
  constructor(
    deps: FederationDeps,
    federation: () => HallwayFederation,
    resolver: FederationResolver,
    allowlist: Allowlist,
    loader: DocumentLoader,
  ) {
    this.#deps = deps;
    this.#loader = loader;
    this.#federation = federation;
    this.#resolver = resolver;
    this.#allowlist = allowlist;
  }

  start(): void {
    if (this.#timer) return;
    const seconds = this.#deps.app.config.directorySyncSeconds;
    this.#known = new Set(this.#allowlist.siblings().map((entry) => entry.origin));
    this.#timer = setInterval(() => void this.syncAll(), seconds * 1000);
    this.#timer.unref();
    // Siblings started together with us may not answer yet; the next round catches up.
    setTimeout(() => void this.syncAll(), Math.min(seconds, 2) * 1000).unref();
    this.#unsubscribe = this.#allowlist.onChange((entries) => {
      const siblings = entries.filter((entry) => entry.origin !== this.#deps.app.config.origin).map((entry) => entry.origin);
      const added = siblings.filter((origin) => !this.#known.has(origin));
      this.#known = new Set(siblings);
      for (const origin of added) void this.sync(origin).catch(() => {});
    });
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  async syncAll(): Promise<void> {
    await Promise.all(this.#allowlist.siblings().map((entry) => this.sync(entry.origin).catch(() => 0)));
  }

  /** Reads one sibling's directory; the number of people it lists. */
  sync(origin: string): Promise<number> {
    const running = this.#running.get(origin);
    if (running) return running;
    const work = this.#read(origin)
      .catch((error) => {
        if (!(error instanceof RefusedError)) this.#deps.app.log.warn({ origin, err: error }, "could not read a sibling's directory");
        throw error;
      })
      .finally(() => this.#running.delete(origin));
    this.#running.set(origin, work);
    return work;
  }

  async #read(origin: string): Promise<number> {
    const { app } = this.#deps;
    const url = directoryPath(origin);
    assertOutboundAllowed(this.#deps.wall, url, "directory sync");
    const ctx = this.#federation().createContext(new URL(app.config.origin), undefined);
    const options = { documentLoader: this.#loader, contextLoader: ctx.contextLoader };
    const collection = await ctx.lookupObject(url, options);
    if (!(collection instanceof Collection)) throw new Error(`${url} is not a collection`);
    const listed: string[] = [];
    // Page by page; a page that cannot be read fails the round rather than hiding people.
    for await (const item of traverseCollection(collection, options)) {
      if (listed.length >= MAX_PEOPLE) break;
      // Each campus speaks for its own people only.
      if (!isActor(item) || !item.id || item.id.origin !== origin) continue;
      const known = await findAccountByUri(app.db, item.id.href);
      if (!known) {
        // New to us: stored the usual way (which also reads their pinned posts).
        if (await this.#resolver.storeActor(item)) listed.push(item.id.href);
        continue;
      }
      const input = await actorToAccountInput(item, options);
      if (!input) continue;
      await upsertRemoteAccount(app.db, input);
      listed.push(item.id.href);
    }
    await hideUnlistedSiblingAccounts(app.db, new URL(origin).host, listed);
    return listed.length;
  }
}
