// `npm run migrate`: applies pending migrations to the configured database and exits.
import { DataDirInUseError, openDatabase } from "../db/connection.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { ConfigError, loadConfig } from "../server/config.ts";

try {
  const config = loadConfig();
  const database = await openDatabase(config);
  try {
    const result = await migrateToLatest(database.db, (message) => console.log(message));
    if ((result.results ?? []).length === 0) console.log("the database is up to date");
  } finally {
    await database.close();
  }
} catch (error) {
  if (error instanceof ConfigError || error instanceof DataDirInUseError) {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
