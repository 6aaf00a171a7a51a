// Chooses the database: PostgreSQL when a URL is configured, otherwise PGlite in the data folder.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { type Compilable, CompiledQuery, Kysely, PostgresDialect, type Transaction } from "kysely";
import pg from "pg";
import { QueuedPGliteDialect } from "./pglite-dialect.ts";
import type { Database } from "./schema.ts";
import { PREPARED } from "./sql-helpers.ts";

export type DatabaseKind = "postgres" | "pglite";

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** Set for PostgreSQL: LISTEN/NOTIFY and other work outside Kysely take clients from it. */
  pool?: pg.Pool;
  /** Set for PGlite. */
  pglite?: PGlite;
  close(): Promise<void>;
}

const INT8_OID = 20;
// Both drivers hand 64-bit integers over as strings, never as JS numbers that lose precision.
pg.types.setTypeParser(INT8_OID, (value) => value);

export class DataDirInUseError extends Error {
  override name = "DataDirInUseError";
}

// PREPARED texts (see sql-helpers.ts) run as named statements: pg parses a name once per client.
const statementNames = new Map<string, string>();

function statementName(text: string, fresh = false): string {
  let name = statementNames.get(text);
  if (!name || fresh) {
    const generation = name ? Number(name.split("_")[2] ?? 0) + 1 : 0;
    name = `p_${createHash("sha256").update(text).digest("hex").slice(0, 24)}_${generation}`;
    statementNames.set(text, name);
  }
  return name;
}

/** PostgreSQL refuses a prepared `*` statement once a migration has changed the table's columns. */
function isStalePlan(error: unknown): boolean {
  return (
    (error as { code?: string }).code === "0A000" &&
    /cached plan must not change result type/.test(String(error))
  );
}

/** Kysely hands each client (text, values); marked texts become named statements. */
function prepareMarkedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  client.query = ((text: unknown, values?: unknown, ...rest: unknown[]) => {
    const marked = typeof text === "string" && text.startsWith(PREPARED);
    if (!marked || !Array.isArray(values) || rest.length > 0) {
      return query(text, values, ...rest);
    }
    return query({ name: statementName(text), text, values }).catch((error: unknown) => {
      if (!isStalePlan(error)) throw error;
      // Prepared again under a new name (the old one stays with the connections that made it).
      return query({ name: statementName(text, true), text, values });
    });
  }) as typeof client.query;
}

/** Runs a query as a PREPARED statement; for queries whose text does not vary from call to call. */
export async function executePrepared<O>(
  db: Kysely<Database> | Transaction<Database>,
  query: Compilable<O>,
): Promise<O[]> {
  const compiled = query.compile();
  const result = await db.executeQuery<O>(
    CompiledQuery.raw(PREPARED + compiled.sql, [...compiled.parameters]),
  );
  return result.rows;
}

export function openPostgres(url: string, options: { max?: number } = {}): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  pool.on("connect", prepareMarkedStatements);
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: "postgres", pool, close: () => db.destroy() };
}

/** Opens PGlite on an existing instance (tests clone one) or on a folder. */
export function openPGliteInstance(pglite: PGlite, onClose?: () => void): DatabaseHandle {
  const db = new Kysely<Database>({ dialect: new QueuedPGliteDialect(pglite) });
  return {
    db,
    kind: "pglite",
    pglite,
    close: async () => {
      await db.destroy();
      onClose?.();
    },
  };
}

export function createPGlite(dataDir?: string): PGlite {
  return new PGlite({
    ...(dataDir ? { dataDir } : {}),
    extensions: { pg_trgm },
    parsers: { [INT8_OID]: (value: string) => value },
  });
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite's files may be opened by one process only; a lock file with our pid says which one.
 * A lock left by a process that no longer runs is taken over.
 */
function lockDataDir(folder: string): () => void {
  const lockPath = join(folder, "hallway.pid");
  if (existsSync(lockPath)) {
    const pid = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
    if (pid && pid !== process.pid && processIsAlive(pid)) {
      throw new DataDirInUseError(
        `the embedded database in ${folder} is in use by process ${pid}`,
      );
    }
  }
  writeFileSync(lockPath, String(process.pid));
  return () => rmSync(lockPath, { force: true });
}

export async function openPGliteFolder(dataDir: string): Promise<DatabaseHandle> {
  const folder = join(dataDir, "pglite");
  mkdirSync(folder, { recursive: true });
  const unlock = lockDataDir(dataDir);
  try {
    const pglite = createPGlite(folder);
    await pglite.waitReady;
    return openPGliteInstance(pglite, unlock);
  } catch (error) {
    unlock();
    throw error;
  }
}

export async function openDatabase(config: {
  databaseUrl: string | null;
  dataDir: string;
}): Promise<DatabaseHandle> {
  return config.databaseUrl
    ? openPostgres(config.databaseUrl)
    : openPGliteFolder(config.dataDir);
}
