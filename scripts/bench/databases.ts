// The benchmark's databases: a seeded copy kept between runs (a template database on
// PostgreSQL, a folder for PGlite) and a fresh copy of it for every run, so that the posts made
// by one run never change the next one's data.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { type DatabaseHandle, openPGliteFolder, openPostgres } from "../../db/connection.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import { buildApp } from "../../server/app.ts";
import { loadConfig } from "../../server/config.ts";
import { createApplication, OOB_REDIRECT } from "../../server/services/oauth/applications.ts";
import { issueToken } from "../../server/services/oauth/tokens.ts";
import type { DatasetSize } from "./options.ts";
import { step } from "./progress.ts";
import { SEED_VERSION, type SeedSummary, seedDatabase, VIEWER_USERNAME } from "./seed.ts";

const SEEDED_DATABASE = "hallway_bench_seed";
export const RUN_DATABASE = "hallway_bench";

export interface PreparedDatabase {
  /** Environment for `node server/main.ts`: DATABASE_URL or HALLWAY_DATA_DIR. */
  env: Record<string, string>;
  summary: SeedSummary;
  reused: boolean;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const MIGRATIONS_DIR = join(import.meta.dirname, "..", "..", "db", "migrations");

/**
 * What a seeded copy was made from; a copy is reused only when all of it matches, so a new
 * migration or a change to the generated data seeds afresh.
 */
function fingerprint(size: DatasetSize): string {
  const migrations = readdirSync(MIGRATIONS_DIR)
    .filter((file) => file.endsWith(".ts"))
    .sort();
  return JSON.stringify({ version: SEED_VERSION, ...size, migrations });
}

async function readMarker(
  handle: DatabaseHandle,
): Promise<{ fingerprint: string; summary: SeedSummary } | null> {
  try {
    const result = await sql<{ fingerprint: string; summary: SeedSummary }>`
      SELECT fingerprint, summary FROM bench_meta`.execute(handle.db);
    return result.rows[0] ?? null;
  } catch {
    // No marker table: not a seeded copy, or an interrupted one.
    return null;
  }
}

async function seedWithMarker(handle: DatabaseHandle, size: DatasetSize): Promise<SeedSummary> {
  await step("migrations", () => migrateToLatest(handle.db));
  const summary = await seedDatabase(handle.db, size);
  await sql`CREATE TABLE bench_meta (fingerprint text NOT NULL, summary jsonb NOT NULL)`.execute(
    handle.db,
  );
  await sql`INSERT INTO bench_meta VALUES (${fingerprint(size)}, ${JSON.stringify(summary)})`.execute(
    handle.db,
  );
  return summary;
}

async function seededCopyMatches(
  handle: DatabaseHandle,
  size: DatasetSize,
): Promise<SeedSummary | null> {
  const marker = await readMarker(handle);
  return marker?.fingerprint === fingerprint(size) ? marker.summary : null;
}

export async function preparePostgres(
  adminUrl: string,
  size: DatasetSize,
  reseed: boolean,
): Promise<PreparedDatabase> {
  let summary: SeedSummary | null = null;
  if (!reseed) {
    const probe = openPostgres(withDatabase(adminUrl, SEEDED_DATABASE), { max: 1 });
    try {
      summary = await seededCopyMatches(probe, size);
    } catch {
      summary = null;
    } finally {
      await probe.close();
    }
  }
  const reused = summary !== null;
  if (!summary) {
    console.error(`seeding PostgreSQL database ${SEEDED_DATABASE}`);
    await admin(adminUrl, `DROP DATABASE IF EXISTS ${SEEDED_DATABASE} WITH (FORCE)`);
    await admin(adminUrl, `CREATE DATABASE ${SEEDED_DATABASE}`);
    const handle = openPostgres(withDatabase(adminUrl, SEEDED_DATABASE), { max: 1 });
    try {
      await sql`SET synchronous_commit = off`.execute(handle.db);
      summary = await seedWithMarker(handle, size);
    } finally {
      await handle.close();
    }
  }
  await step(`copying it to ${RUN_DATABASE}`, async () => {
    await admin(adminUrl, `DROP DATABASE IF EXISTS ${RUN_DATABASE} WITH (FORCE)`);
    await admin(
      adminUrl,
      `CREATE DATABASE ${RUN_DATABASE} TEMPLATE ${SEEDED_DATABASE} STRATEGY FILE_COPY`,
    );
  });
  return { env: { DATABASE_URL: withDatabase(adminUrl, RUN_DATABASE) }, summary, reused };
}

export async function preparePGlite(
  workDir: string,
  size: DatasetSize,
  reseed: boolean,
): Promise<PreparedDatabase> {
  const seededDir = join(workDir, "pglite-seed");
  const runDir = join(workDir, "pglite-run");
  let summary: SeedSummary | null = null;
  if (!reseed && existsSync(join(seededDir, "pglite"))) {
    const probe = await openPGliteFolder(seededDir);
    try {
      summary = await seededCopyMatches(probe, size);
    } finally {
      await probe.close();
    }
  }
  const reused = summary !== null;
  if (!summary) {
    console.error(`seeding PGlite in ${seededDir}`);
    rmSync(seededDir, { recursive: true, force: true });
    mkdirSync(seededDir, { recursive: true });
    const handle = await openPGliteFolder(seededDir);
    try {
      summary = await seedWithMarker(handle, size);
    } finally {
      await handle.close();
    }
  }
  await step(`copying it to ${runDir}`, async () => {
    rmSync(runDir, { recursive: true, force: true });
    mkdirSync(runDir, { recursive: true });
    cpSync(join(seededDir, "pglite"), join(runDir, "pglite"), { recursive: true });
  });
  return { env: { HALLWAY_DATA_DIR: runDir }, summary, reused };
}

/**
 * An app and the viewer's token, made by the real OAuth services and signed by the app's own JWT
 * setup (buildApp's auth plugin) with the secret the server will be started with.
 */
export async function issueViewerToken(serverEnv: Record<string, string>): Promise<string> {
  const config = loadConfig(serverEnv);
  const database = config.databaseUrl
    ? openPostgres(config.databaseUrl, { max: 1 })
    : await openPGliteFolder(config.dataDir);
  const app = await buildApp({ config, database, logger: false });
  try {
    await app.ready();
    const viewer = await database.db
      .selectFrom("accounts")
      .select("id")
      .where("username", "=", VIEWER_USERNAME)
      .where("domain", "is", null)
      .executeTakeFirstOrThrow();
    const application = await createApplication(database.db, {
      clientName: "Hallway bench",
      redirectUris: OOB_REDIRECT,
      scopes: "read write",
    });
    const token = await issueToken(app.context, database.db, {
      applicationId: application.id,
      accountId: viewer.id,
      scopes: ["read", "write"],
    });
    return token.access_token;
  } finally {
    await app.close();
    await database.close();
  }
}
