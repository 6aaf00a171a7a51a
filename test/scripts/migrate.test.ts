import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { createPGlite, openPGliteInstance } from "../../db/connection.ts";
import { createTestDatabase } from "../helpers/databases.ts";
import { runScript } from "../helpers/processes.ts";

t.test("npm run migrate applies pending migrations once, on PGlite or PostgreSQL", async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), "hallway-migrate-"));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  let env: Record<string, string> = { HALLWAY_DATA_DIR: dataDir };
  if (process.env.HALLWAY_TEST_DATABASE === "postgres") {
    // An empty database: the template copy is already migrated, so start from a blank one.
    const database = await createTestDatabase();
    t.teardown(() => database.drop());
    await database.handle.db.schema.dropSchema("public").cascade().execute();
    await database.handle.db.schema.createSchema("public").execute();
    env = { ...env, DATABASE_URL: database.url! };
  }
  const first = await runScript("scripts/migrate.ts", [], env);
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /applied: 0001_foundation/);
  const second = await runScript("scripts/migrate.ts", [], env);
  t.equal(second.code, 0, second.stderr);
  t.match(second.stdout, /the database is up to date/);
  if (!env.DATABASE_URL) {
    const handle = openPGliteInstance(createPGlite(join(dataDir, "pglite")));
    const tables = await handle.db.introspection.getTables();
    t.ok(tables.some((table) => table.name === "statuses"), "the tables exist in the data folder");
    await handle.close();
  }
});
