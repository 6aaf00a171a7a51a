// The allowlist: the sibling campuses this instance federates with, and nothing else. Closed
// federation is a security boundary, so every decision here is by exact origin (scheme, host
// and port), never by suffix, pattern or address range.
//
// Entries come from HALLWAY_ALLOWLIST (read at start) and from the allowed_origins table
// (changed at run time by the admin CLI); the effective allowlist is their union. A change made
// through one Allowlist applies to it at once and is announced with NOTIFY, so that every other
// process on the same database reloads within moments (polling backs that up).
// Only types are imported at load time: server/config.ts uses normalizeOrigin, and the admin CLI
// loads the configuration before it knows whether it needs a database at all.
import type { PGlite } from "@electric-sql/pglite";
import type { Kysely, Transaction } from "kysely";
import type pg from "pg";
import type { Database } from "../db/schema.ts";

/** The NOTIFY channel on which changes to allowed_origins are announced. */
export const ALLOWLIST_CHANNEL = "allowlist_changed";

export type AllowlistSource = "environment" | "database";

export interface AllowlistEntry {
  /** Normalized origin: `https://campus-b.example.org`, `http://127.0.0.1:3002`. */
  origin: string;
  /** Host with the port when it is not the scheme's default, as in handles: `127.0.0.1:3002`. */
  host: string;
  /** HALLWAY_ALLOWLIST, or added at run time (the allowed_origins table). */
  source: AllowlistSource;
  /** When it was added to the table; null for HALLWAY_ALLOWLIST entries. */
  addedAt: Date | null;
}

/** A string that cannot be an allowlist entry; the message says why, for an administrator. */
export class InvalidOriginError extends Error {
  override name = "InvalidOriginError";
}

/** A change the allowlist refuses (removing an environment entry, adding this instance). */
export class AllowlistError extends Error {
  override name = "AllowlistError";
}

/** Where log lines go; pino's and Fastify's loggers fit. */
export interface AllowlistLogger {
  warn(object: object, message?: string): void;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const LABEL = "[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?";
const HOSTNAME = new RegExp(`^(?:${LABEL})(?:\\.${LABEL})*$`);
const IPV6 = /^\[[0-9a-f:.]+\]$/;
const EXAMPLE = "e.g. https://campus-b.example.org or http://127.0.0.1:3002";

/**
 * The canonical form of an allowlist entry: scheme, lowercase host, and the port only when it is
 * not the scheme's default. A bare host (`campus-c.example`, `campus-c.example:8443`) means https.
 * Paths, queries, fragments, credentials and wildcards are refused rather than ignored: an
 * administrator who typed one meant something the allowlist cannot express.
 */
export function normalizeOrigin(input: string): string {
  const text = input.trim();
  if (text === "") throw new InvalidOriginError("an origin cannot be empty");
  const quoted = JSON.stringify(text);
  if (/\s/.test(text)) throw new InvalidOriginError(`${quoted} contains spaces`);
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== "http" && scheme !== "https") {
    throw new InvalidOriginError(`${quoted}: only http:// and https:// origins can be allowed`);
  }
  // One trailing slash is how browsers show an origin; anything after it is a path.
  const authority = (scheme ? text.slice(scheme.length + 3) : text).replace(/\/$/, "");
  const problems: [RegExp, string][] = [
    [/\?/, "has a query"],
    [/#/, "has a fragment"],
    [/@/, "has a user name or password"],
    [/[/\\]/, "has a path"],
  ];
  for (const [pattern, problem] of problems) {
    if (pattern.test(authority)) {
      throw new InvalidOriginError(
        `${quoted} ${problem}; give only the scheme and host (${EXAMPLE})`,
      );
    }
  }
  if (authority.includes("*")) {
    throw new InvalidOriginError(
      `${quoted}: wildcards are not supported; list each sibling's origin`,
    );
  }
  if (authority === "") throw new InvalidOriginError(`${quoted} has no host (${EXAMPLE})`);
  let url: URL;
  try {
    url = new URL(`${scheme ?? "https"}://${authority}`);
  } catch {
    throw new InvalidOriginError(`${quoted} is not a valid origin (${EXAMPLE})`);
  }
  if (url.port === "0") throw new InvalidOriginError(`${quoted}: port 0 cannot be reached`);
  if (url.hostname.endsWith(".")) {
    throw new InvalidOriginError(`${quoted}: remove the trailing dot from the host name`);
  }
  if (!HOSTNAME.test(url.hostname) && !IPV6.test(url.hostname)) {
    throw new InvalidOriginError(`${quoted} is not a valid host name (${EXAMPLE})`);
  }
  return url.origin;
}

/** NOTIFY, delivered when the transaction commits. */
async function notify(trx: Transaction<Database>, origin: string): Promise<void> {
  await trx
    .selectNoFrom((eb) =>
      eb.fn("pg_notify", [eb.val(ALLOWLIST_CHANNEL), eb.val(origin)]).as("notified"),
    )
    .execute();
}

/** The origin of an http(s) URL, or null for anything else (unparsable, data:, file: …). */
export function originOfUrl(url: URL | string): string | null {
  let parsed: URL;
  try {
    parsed = typeof url === "string" ? new URL(url) : url;
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  return parsed.origin;
}

interface HostKey {
  hostname: string;
  /** null: no port given; it means the default port of the entry's scheme. */
  port: number | null;
}

const HOST = /^(\[[0-9a-fA-F:.]+\]|[^\s:/?#@[\]\\]+)(?::(\d{1,5}))?$/;

/** `Campus-B.example.org`, `127.0.0.1:3002`, `[::1]:3002` → comparable parts; null if not a host. */
function parseHost(host: string): HostKey | null {
  const match = HOST.exec(host.trim());
  if (!match) return null;
  let hostname: string;
  try {
    hostname = new URL(`http://${match[1]}`).hostname;
  } catch {
    return null;
  }
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  return { hostname, port };
}

interface Indexed {
  entry: AllowlistEntry;
  scheme: "http" | "https";
  hostname: string;
  port: number;
}

function indexed(entry: AllowlistEntry): Indexed {
  const url = new URL(entry.origin);
  const scheme = url.protocol === "http:" ? "http" : "https";
  return {
    entry,
    scheme,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : scheme === "http" ? 80 : 443,
  };
}

function matchesHost(candidate: Indexed, key: HostKey): boolean {
  if (candidate.hostname !== key.hostname) return false;
  const defaultPort = candidate.scheme === "http" ? 80 : 443;
  return (key.port ?? defaultPort) === candidate.port;
}

export interface AllowlistOptions {
  db: Kysely<Database>;
  /** This instance's origin (config.origin): always allowed, for self-references; never a sibling. */
  ownOrigin: string;
  /** HALLWAY_ALLOWLIST (config.allowlist); normalized again here, so raw strings are fine. */
  environment: readonly string[];
  log?: AllowlistLogger;
}

export interface WatchOptions {
  /**
   * Where NOTIFY arrives: on PostgreSQL the pool (a dedicated connection is opened with its
   * settings), on PGlite the instance. A DatabaseHandle fits.
   */
  database: { pool?: pg.Pool; pglite?: PGlite };
  /**
   * Reload from the table this often as well, in case a notification was missed (a dropped
   * connection). Default: 5000 ms on PostgreSQL, none on PGlite (one process, so every change
   * goes through an Allowlist that sees it or through NOTIFY on the same instance). 0: never.
   */
  pollIntervalMs?: number;
}

export interface OpenAllowlistOptions extends WatchOptions {
  /** A DatabaseHandle: the queries go to `db`, notifications come through `pool` or `pglite`. */
  database: { db: Kysely<Database>; pool?: pg.Pool; pglite?: PGlite };
  config: { origin: string; allowlist: readonly string[] };
  log?: AllowlistLogger;
}

type ChangeListener = (entries: readonly AllowlistEntry[]) => void;

/**
 * The effective allowlist of one process. Decisions (`allowsUrl`, `allowsHost`, `originForHost`)
 * are synchronous lookups in memory; methods are bound, so they can be passed around detached.
 */
export class Allowlist {
  readonly ownOrigin: string;
  readonly #db: Kysely<Database>;
  readonly #environment: ReadonlyMap<string, AllowlistEntry>;
  readonly #log: AllowlistLogger | undefined;
  readonly #own: Indexed;
  #fromDatabase = new Map<string, AllowlistEntry>();
  #entries: AllowlistEntry[] = [];
  #index: Indexed[] = [];
  #origins = new Set<string>();
  /** Bumped by every change made here; a reload that overlaps one reads again (see #load). */
  #generation = 0;
  #chain: Promise<void> = Promise.resolve();
  #queued: Promise<void> | null = null;
  readonly #listeners = new Set<ChangeListener>();
  readonly #stops: (() => Promise<void>)[] = [];
  #closed = false;

  private constructor(options: AllowlistOptions) {
    this.#db = options.db;
    this.#log = options.log;
    this.ownOrigin = normalizeOrigin(options.ownOrigin);
    this.#own = indexed({
      origin: this.ownOrigin,
      host: new URL(this.ownOrigin).host,
      source: "environment",
      addedAt: null,
    });
    const environment = new Map<string, AllowlistEntry>();
    for (const raw of options.environment) {
      const origin = normalizeOrigin(raw);
      environment.set(origin, {
        origin,
        host: new URL(origin).host,
        source: "environment",
        addedAt: null,
      });
    }
    this.#environment = environment;
  }

  /** Reads the table once; no live reload (the admin CLI working on the database directly). */
  static async load(options: AllowlistOptions): Promise<Allowlist> {
    const allowlist = new Allowlist(options);
    await allowlist.reload();
    return allowlist;
  }

  /** Reads the table and follows its changes: what a server process uses. */
  static async open(options: OpenAllowlistOptions): Promise<Allowlist> {
    const allowlist = await Allowlist.load({
      db: options.database.db,
      ownOrigin: options.config.origin,
      environment: options.config.allowlist,
      log: options.log,
    });
    try {
      await allowlist.watch(options);
    } catch (error) {
      await allowlist.close();
      throw error;
    }
    return allowlist;
  }

  // Decisions.

  /** Scheme, host and port of `url` are those of an entry or of this instance. */
  allowsUrl = (url: URL | string): boolean => {
    const origin = originOfUrl(url);
    return origin !== null && (origin === this.ownOrigin || this.#origins.has(origin));
  };

  /**
   * For places that know only a host (a handle's domain, a keyId's host): it names an entry or
   * this instance. Without a port it means the entry's default port (`campus-b.example.org`
   * matches `https://campus-b.example.org`; `127.0.0.1` does not match `http://127.0.0.1:3002`).
   */
  allowsHost = (host: string): boolean => this.originForHost(host) !== null;

  /**
   * The origin to use for a host, so that WebFinger and handle lookups take the entry's scheme:
   * `127.0.0.1:3002` → `http://127.0.0.1:3002`. Null when the host is not allowed. Should a host
   * be listed with both schemes, https wins.
   */
  originForHost = (host: string): string | null => {
    const key = parseHost(host);
    if (!key) return null;
    if (matchesHost(this.#own, key)) return this.ownOrigin;
    let found: Indexed | undefined;
    for (const candidate of this.#index) {
      if (!matchesHost(candidate, key)) continue;
      if (!found || candidate.scheme === "https") found = candidate;
    }
    return found?.entry.origin ?? null;
  };

  /** Every entry, environment ones first, each in the order of its source. */
  entries = (): AllowlistEntry[] => [...this.#entries];

  /** The sibling campuses (entries other than this instance), e.g. for /api/v1/instance/peers. */
  siblings = (): AllowlistEntry[] =>
    this.#entries.filter((entry) => entry.origin !== this.ownOrigin);

  /** Called after each change of the effective allowlist, whichever process made it. */
  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // Changes.

  /**
   * Adds an origin to the table; applies here at once and reaches other processes by NOTIFY.
   * Returns the entry, and whether it was new (false: already allowed, nothing changed).
   */
  async add(input: string): Promise<{ entry: AllowlistEntry; added: boolean }> {
    const origin = normalizeOrigin(input);
    if (origin === this.ownOrigin) {
      throw new AllowlistError(
        `${origin} is this instance's own origin; it is always allowed and never a sibling`,
      );
    }
    const fromEnvironment = this.#environment.get(origin);
    if (fromEnvironment) return { entry: fromEnvironment, added: false };
    // The table decides, not memory: another process may have removed it a moment ago.
    const { row, added } = await this.#db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto("allowed_origins")
        .values({ origin })
        .onConflict((conflict) => conflict.column("origin").doNothing())
        .returning(["origin", "created_at"])
        .executeTakeFirst();
      if (!inserted) {
        const existing = await trx
          .selectFrom("allowed_origins")
          .select(["origin", "created_at"])
          .where("origin", "=", origin)
          .executeTakeFirstOrThrow();
        return { row: existing, added: false };
      }
      await notify(trx, origin);
      return { row: inserted, added: true };
    });
    const entry: AllowlistEntry = {
      origin,
      host: new URL(origin).host,
      source: "database",
      addedAt: row.created_at,
    };
    this.#generation += 1;
    const next = new Map(this.#fromDatabase);
    next.set(origin, entry);
    this.#apply(next);
    return { entry, added };
  }

  /**
   * Removes an origin added at run time. One from HALLWAY_ALLOWLIST cannot be removed here (it
   * would come back at the next start): the error says to change the environment.
   */
  async remove(input: string): Promise<AllowlistEntry> {
    const origin = normalizeOrigin(input);
    const fromEnvironment = this.#environment.get(origin);
    const deleted = await this.#db.transaction().execute(async (trx) => {
      const result = await trx
        .deleteFrom("allowed_origins")
        .where("origin", "=", origin)
        .executeTakeFirst();
      if (result.numDeletedRows > 0n) await notify(trx, origin);
      return result.numDeletedRows > 0n;
    });
    const entry = this.#fromDatabase.get(origin);
    if (deleted || entry) {
      this.#generation += 1;
      const next = new Map(this.#fromDatabase);
      next.delete(origin);
      this.#apply(next);
    }
    if (fromEnvironment) {
      throw new AllowlistError(
        `${origin} comes from HALLWAY_ALLOWLIST; remove it from that environment variable (or the HALLWAY_CONFIG file) and restart the instance`,
      );
    }
    if (!deleted && !entry) {
      throw new AllowlistError(`${origin} is not on the allowlist`);
    }
    return entry ?? { origin, host: new URL(origin).host, source: "database", addedAt: null };
  }

  // Keeping up with other processes.

  /**
   * Reads the table again. Calls that arrive while a reload runs share the one queued after it,
   * so a burst of notifications costs at most two reads.
   */
  reload(): Promise<void> {
    if (this.#queued) return this.#queued;
    const run = this.#chain.then(() => {
      this.#queued = null;
      return this.#load();
    });
    this.#queued = run;
    this.#chain = run.catch(() => {});
    return run;
  }

  /** Follows changes made by other processes: LISTEN, and polling when asked to. */
  async watch(options: WatchOptions): Promise<void> {
    const { pool, pglite } = options.database;
    const onNotification = () => {
      this.reload().catch((error: unknown) =>
        this.#log?.warn({ err: error }, "allowlist reload failed"),
      );
    };
    if (pool) await this.#listenPostgres(pool, onNotification);
    else if (pglite) {
      const unlisten = await pglite.listen(ALLOWLIST_CHANNEL, onNotification);
      this.#stops.push(async () => {
        await unlisten().catch(() => {});
      });
    }
    const interval = options.pollIntervalMs ?? (pool ? 5000 : 0);
    if (interval > 0) {
      const timer = setInterval(onNotification, interval);
      timer.unref();
      this.#stops.push(async () => clearInterval(timer));
    }
  }

  /** Stops listening and polling. The database itself belongs to the caller. */
  async close(): Promise<void> {
    this.#closed = true;
    const stops = this.#stops.splice(0);
    await Promise.all(stops.map((stop) => stop()));
    await this.#chain;
  }

  async #load(): Promise<void> {
    if (this.#closed) return;
    const generation = this.#generation;
    const rows = await this.#db
      .selectFrom("allowed_origins")
      .select(["origin", "created_at"])
      .orderBy("created_at")
      .orderBy("origin")
      .execute();
    // A change made here while the rows were read is already in memory, and these rows may
    // predate it: read again rather than undo it (a change from elsewhere may be in them too).
    if (generation !== this.#generation) {
      this.reload().catch((error: unknown) => this.#log?.warn({ err: error }, "allowlist reload failed"));
      return;
    }
    const next = new Map<string, AllowlistEntry>();
    for (const row of rows) {
      let origin: string;
      try {
        origin = normalizeOrigin(row.origin);
      } catch (error) {
        this.#log?.warn(
          { origin: row.origin, err: error },
          "ignoring an invalid row in allowed_origins",
        );
        continue;
      }
      next.set(origin, {
        origin,
        host: new URL(origin).host,
        source: "database",
        addedAt: row.created_at,
      });
    }
    this.#apply(next);
  }

  #apply(fromDatabase: Map<string, AllowlistEntry>): void {
    const before = this.#origins;
    this.#fromDatabase = fromDatabase;
    const entries = [...this.#environment.values()];
    for (const entry of fromDatabase.values()) {
      if (!this.#environment.has(entry.origin)) entries.push(entry);
    }
    this.#entries = entries;
    this.#index = entries.map(indexed);
    this.#origins = new Set(entries.map((entry) => entry.origin));
    const changed =
      before.size !== this.#origins.size ||
      [...before].some((origin) => !this.#origins.has(origin));
    if (!changed) return;
    for (const listener of this.#listeners) {
      try {
        listener(this.entries());
      } catch (error) {
        this.#log?.warn({ err: error }, "an allowlist change listener failed");
      }
    }
  }

  /** A connection of its own, outside the pool, that reconnects (and reloads) when it drops. */
  async #listenPostgres(pool: pg.Pool, onNotification: () => void): Promise<void> {
    const { default: postgres } = await import("pg");
    let client: pg.Client | null = null;
    let retry: NodeJS.Timeout | null = null;
    let delay = 500;
    const connect = async (initial: boolean): Promise<void> => {
      const next = new postgres.Client(pool.options);
      // A failure to connect at start is the caller's to see; later losses are retried.
      let retryOnLoss = !initial;
      const lost = (error?: Error) => {
        next.removeAllListeners();
        next.on("error", () => {});
        next.end().catch(() => {});
        if (client === next) client = null;
        if (this.#closed || !retryOnLoss) return;
        if (error) this.#log?.warn({ err: error }, "allowlist notifications lost; reconnecting");
        retry = setTimeout(() => {
          retry = null;
          connect(false)
            .then(() => {
              delay = 500;
              onNotification(); // what changed while we were away
            })
            .catch(() => {});
        }, delay);
        retry.unref();
        delay = Math.min(delay * 2, 30_000);
      };
      try {
        await next.connect();
        await next.query(`LISTEN ${ALLOWLIST_CHANNEL}`);
      } catch (error) {
        lost(error as Error);
        throw error;
      }
      retryOnLoss = true;
      next.on("notification", (message) => {
        if (message.channel === ALLOWLIST_CHANNEL) onNotification();
      });
      next.on("error", (error) => lost(error));
      next.on("end", () => lost());
      client = next;
    };
    await connect(true);
    this.#stops.push(async () => {
      if (retry) clearTimeout(retry);
      const current = client;
      client = null;
      if (current) {
        current.removeAllListeners();
        current.on("error", () => {});
        await current.end().catch(() => {});
      }
    });
  }
}
