// Finding accounts and posts of sibling campuses: from the database when we have them fresh,
// otherwise by a signed fetch from the sibling. Nothing outside the allowlist is ever asked.
import { signRequest } from "@fedify/fedify";
import { Collection, isActor } from "@fedify/vocab";
import { findAccountByHandle } from "../db/repositories/accounts.ts";
import type { Account } from "../db/schema.ts";
import { findAccountByUri, upsertRemoteAccount } from "../server/services/remote/accounts.ts";
import type { RemoteResolver } from "../server/services/remote/resolver.ts";
import { findStatusByUri, receiveRemoteStatus } from "../server/services/remote/statuses.ts";
import type { FederationDeps, HallwayFederation } from "./deps.ts";
import { syncFeaturedCollection } from "./featured.ts";
import { isNote, noteToInput } from "./inbox/notes.ts";
import type { SigningIdentity } from "./loaders.ts";
import { actorToAccountInput } from "./mapping/actor.ts";
import { assertOutboundAllowed, hostOf, RefusedError } from "./wall.ts";

/** Remote profiles are refetched when older than this (updates also arrive as Update(Person)). */
const ACCOUNT_FRESHNESS_MS = 24 * 60 * 60 * 1000;

export class FederationResolver implements RemoteResolver {
  readonly #deps: FederationDeps;
  readonly #federation: () => HallwayFederation;
  readonly #identity: () => Promise<SigningIdentity>;
  readonly #userAgent: string;

  constructor(
    deps: FederationDeps,
    federation: () => HallwayFederation,
    identity: () => Promise<SigningIdentity>,
    userAgent: string,
  ) {
    this.#deps = deps;
    this.#federation = federation;
    this.#identity = identity;
    this.#userAgent = userAgent;
  }

  #context() {
    return this.#federation().createContext(new URL(this.#deps.app.config.origin), undefined);
  }

  /** Options for Fedify's getters (documentLoader and contextLoader of this campus). */
  loaderOptions() {
    const ctx = this.#context();
    return { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader };
  }

  #isLocal(url: string): boolean {
    try {
      return new URL(url).origin === this.#deps.app.config.origin;
    } catch {
      return false;
    }
  }

  #log(message: string, error: unknown, uri: string) {
    if (error instanceof RefusedError) return;
    this.#deps.app.log.warn({ uri, err: error }, message);
  }

  async accountByUri(uri: string): Promise<Account | null> {
    const existing = await findAccountByUri(this.#deps.app.db, uri);
    if (this.#isLocal(uri)) return existing && !existing.suspended_at ? existing : null;
    if (!this.#deps.wall.allowsUrl(uri)) {
      this.#deps.wall.refuse(hostOf(uri), "outbound", "account lookup");
      return null;
    }
    if (existing?.fetched_at && Date.now() - existing.fetched_at.getTime() < ACCOUNT_FRESHNESS_MS) return existing;
    try {
      const object = await this.#context().lookupObject(uri);
      if (!isActor(object) || object.id?.href !== uri) return existing ?? null;
      const input = await actorToAccountInput(object, this.loaderOptions());
      if (!input) return existing ?? null;
      const account = await upsertRemoteAccount(this.#deps.app.db, input);
      this.#syncFeatured(account);
      return account;
    } catch (error) {
      this.#log("could not fetch a remote actor", error, uri);
      return existing ?? null;
    }
  }

  /** Stores an actor we already hold as an object (e.g. from a verified Update(Person)). */
  async storeActor(actor: Parameters<typeof actorToAccountInput>[0]): Promise<Account | null> {
    const input = await actorToAccountInput(actor, this.loaderOptions());
    if (!input) return null;
    const account = await upsertRemoteAccount(this.#deps.app.db, input);
    this.#syncFeatured(account);
    return account;
  }

  readonly #syncingFeatured = new Set<string>();

  /**
   * Reads a freshly fetched account's featured collection in the background (as Mastodon does),
   * so that its pinned posts show here; Add and Remove keep them current afterwards.
   */
  #syncFeatured(account: Account): void {
    if (!account.featured_url || this.#syncingFeatured.has(account.id)) return;
    this.#syncingFeatured.add(account.id);
    syncFeaturedCollection(this.#deps, this, account)
      .catch((error) => this.#log("could not read a featured collection", error, account.featured_url ?? account.uri))
      .finally(() => this.#syncingFeatured.delete(account.id));
  }

  /**
   * The posts a sibling's featured collection lists (at most 20, in its order), stored here;
   * null when the collection cannot be read.
   */
  async featuredStatusIds(url: string): Promise<string[] | null> {
    if (!this.#deps.wall.allowsUrl(url)) {
      this.#deps.wall.refuse(hostOf(url), "outbound", "featured collection lookup");
      return null;
    }
    const collection = await this.#context().lookupObject(url);
    if (!(collection instanceof Collection)) return null;
    const ids: string[] = [];
    for await (const item of collection.getItems({ ...this.loaderOptions(), suppressError: true })) {
      if (ids.length >= 20) break;
      if (!isNote(item) || !item.id) continue;
      const known = await findStatusByUri(this.#deps.app, item.id.href);
      if (known) {
        ids.push(known.id);
        continue;
      }
      const input = await noteToInput(this, item, 0);
      if (input) ids.push((await receiveRemoteStatus(this.#deps.app, input)).statusId);
    }
    return ids;
  }

  async accountByHandle(username: string, domain: string): Promise<Account | null> {
    const { db, config } = this.#deps.app;
    if (domain.toLowerCase() === config.domain) {
      const local = await findAccountByHandle(db, username, null);
      return local && !local.suspended_at ? local : null;
    }
    const origin = this.#deps.wall.originForHost(domain);
    if (!origin) {
      this.#deps.wall.refuse(domain, "outbound", "handle lookup");
      return null;
    }
    const existing = await findAccountByHandle(db, username, domain.toLowerCase());
    if (existing?.fetched_at && Date.now() - existing.fetched_at.getTime() < ACCOUNT_FRESHNESS_MS) return existing;
    const actorUri = await this.#webFinger(origin, `acct:${username}@${domain}`).catch((error) => {
      this.#log("WebFinger lookup failed", error, `${username}@${domain}`);
      return null;
    });
    if (!actorUri) return existing ?? null;
    return (await this.accountByUri(actorUri)) ?? existing ?? null;
  }

  /**
   * WebFinger on the sibling's own scheme (Fedify would always use https), signed by the
   * instance actor: siblings answer WebFinger only to signed, allowlisted requests.
   */
  async #webFinger(origin: string, resource: string): Promise<string | null> {
    const url = new URL("/.well-known/webfinger", origin);
    url.searchParams.set("resource", resource);
    assertOutboundAllowed(this.#deps.wall, url, "WebFinger");
    const { keyId, privateKey } = await this.#identity();
    const request = await signRequest(
      new Request(url, { headers: { accept: "application/jrd+json", "user-agent": this.#userAgent } }),
      privateKey,
      keyId,
    );
    const response = await fetch(request, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return null;
    const body = (await response.json()) as { links?: { rel?: string; type?: string; href?: string }[] };
    const self = body.links?.find(
      (link) =>
        link.rel === "self" &&
        (link.type === "application/activity+json" || link.type?.startsWith("application/ld+json")) &&
        link.href,
    );
    if (!self?.href || !this.#deps.wall.allowsUrl(self.href)) return null;
    return self.href;
  }

  async statusByUri(uri: string, depth = 0): Promise<string | null> {
    const { db } = this.#deps.app;
    const existing = await findStatusByUri(this.#deps.app, uri);
    if (existing) return existing.id;
    if (this.#isLocal(uri)) {
      // Our own posts are also known by their web URL (https://campus/@user/123).
      const byUrl = await db.selectFrom("statuses").select("id").where("url", "=", uri).where("local", "=", true).executeTakeFirst();
      return byUrl?.id ?? null;
    }
    if (!this.#deps.wall.allowsUrl(uri)) {
      this.#deps.wall.refuse(hostOf(uri), "outbound", "post lookup");
      return null;
    }
    try {
      const object = await this.#context().lookupObject(uri);
      if (!isNote(object) || !object.id) return null;
      const known = await findStatusByUri(this.#deps.app, object.id.href);
      if (known) return known.id;
      const input = await noteToInput(this, object, depth);
      if (!input) return null;
      return (await receiveRemoteStatus(this.#deps.app, input)).statusId;
    } catch (error) {
      this.#log("could not fetch a remote post", error, uri);
      return null;
    }
  }

  async statusOwner(statusId: string): Promise<{ id: string; accountId: string } | null> {
    const row = await this.#deps.app.db
      .selectFrom("statuses")
      .select(["id", "account_id"])
      .where("id", "=", statusId)
      .executeTakeFirst();
    return row ? { id: row.id, accountId: row.account_id } : null;
  }
}
