// Chooses the database: PostgreSQL when a URL is configured, otherwise PGlite in the data folder.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { QueuedPGliteDialect } from "./pglite-dialect.ts";
import type { Database } from "./schema.ts";

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

export class DataDirInUseError extends Error {}

export function openPostgres(url: string, options: { max?: number } = {}): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
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
