// Test databases: every test file gets its own, copied from a migrated template that the test
// runner (scripts/test.ts) prepares once. HALLWAY_TEST_DATABASE picks PGlite or PostgreSQL.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import pg from "pg";
import { createPGlite, type DatabaseHandle, openPGliteInstance, openPostgres } from "../../db/connection.ts";
import { migrateToLatest } from "../../db/migrate.ts";

export type TestDatabaseKind = "pglite" | "postgres";

export const TEST_DATABASE: TestDatabaseKind =
  process.env.HALLWAY_TEST_DATABASE === "postgres" ? "postgres" : "pglite";

export const POSTGRES_ADMIN_URL =
  process.env.HALLWAY_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
// Each run of the suite names its databases after the runner's pid, so that two runs on one
// server (two developers, or a run next to a benchmark) never touch each other's databases.
export const TEST_RUN_ID = process.env.HALLWAY_TEST_RUN_ID ?? String(process.pid);
export const TEMPLATE_DATABASE = `hallway_test_${TEST_RUN_ID}_template`;

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  handle: DatabaseHandle;
  /** postgres:// URL for a second process on the same database (PostgreSQL only). */
  url: string | null;
  drop(): Promise<void>;
}

async function pgliteFromTemplate(): Promise<PGlite> {
  const template = process.env.HALLWAY_TEST_PGLITE_TEMPLATE;
  if (!template) {
    // Run outside the test runner: build a fresh one (slower, same result).
    const pglite = createPGlite();
    await migrateToLatest(openPGliteInstance(pglite).db);
    return pglite;
  }
  const dump = new Blob([await readFile(template)]);
  const pglite = new PGlite({ loadDataDir: dump, extensions: { pg_trgm }, parsers: { 20: (value: string) => value } });
  await pglite.waitReady;
  return pglite;
}

/** A fresh, migrated database of the configured kind. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_DATABASE === "pglite") {
    const handle = openPGliteInstance(await pgliteFromTemplate());
    return { handle, url: null, drop: () => handle.close() };
  }
  const name = `hallway_test_${TEST_RUN_ID}_${randomBytes(6).toString("hex")}`;
  const fromTemplate = process.env.HALLWAY_TEST_POSTGRES_TEMPLATE === "1";
  await adminQuery(`CREATE DATABASE ${name}${fromTemplate ? ` TEMPLATE ${TEMPLATE_DATABASE}` : ""}`);
  const url = withDatabase(POSTGRES_ADMIN_URL, name);
  const handle = openPostgres(url, { max: 5 });
  if (!fromTemplate) await migrateToLatest(handle.db);
  return {
    handle,
    url,
    drop: async () => {
      await handle.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Drops the databases of runs whose runner process is gone (a run that crashed or was killed). */
export async function dropAbandonedDatabases(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'hallway\\_test\\_%'",
    );
    for (const { datname } of rows) {
      const pid = Number(/^hallway_test_(\d+)_/.exec(datname)?.[1]);
      if (pid && processIsAlive(pid)) continue;
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function dropTemplate(kind: TestDatabaseKind, pgliteDumpPath: string): Promise<void> {
  if (kind === "pglite") {
    const { rm } = await import("node:fs/promises");
    await rm(pgliteDumpPath, { force: true });
    return;
  }
  await adminQuery(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
}

/** Prepares the template the test databases are copied from; called once per run. */
export async function prepareTemplate(kind: TestDatabaseKind, pgliteDumpPath: string): Promise<void> {
  if (kind === "pglite") {
    const pglite = createPGlite();
    const handle = openPGliteInstance(pglite);
    await migrateToLatest(handle.db);
    const dump = await pglite.dumpDataDir("none");
    const { writeFile } = await import("node:fs/promises");
    await writeFile(pgliteDumpPath, Buffer.from(await dump.arrayBuffer()));
    await handle.close();
    return;
  }
  await adminQuery(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  const handle = openPostgres(withDatabase(POSTGRES_ADMIN_URL, TEMPLATE_DATABASE), { max: 1 });
  await migrateToLatest(handle.db);
  await handle.close();
}
