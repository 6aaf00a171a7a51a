// Starts a campus instance: configuration, database and migrations, HTTP, the admin socket.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DataDirInUseError, type DatabaseHandle, openDatabase } from "../db/connection.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { installGlobalFetchGuard } from "../federation/guarded-fetch.ts";
import { startAdminSocket } from "./admin-socket.ts";
import { adminSocketPath } from "./admin-socket-path.ts";
import { buildApp } from "./app.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error:\n${error.message}`);
      process.exit(78);
    }
    throw error;
  }
  mkdirSync(join(config.dataDir, "media"), { recursive: true });

  let database: DatabaseHandle;
  try {
    database = await openDatabase(config);
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      console.error(`${error.message}. Stop that process, or use the admin CLI, which talks to it.`);
      process.exit(75);
    }
    throw error;
  }
  await migrateToLatest(database.db, (message) => console.log(`migration ${message}`));

  const app = await buildApp({ config, database });
  const runtime = app.federation;
  // Every request this process makes goes through the allowlist, whoever makes it.
  if (runtime) installGlobalFetchGuard(runtime.allowlist, { ownOrigin: config.origin, refusals: runtime.refusals });
  const adminSocket = await startAdminSocket(
    { ...app.context, allowlist: runtime?.allowlist, refusals: runtime?.refusals },
    adminSocketPath(config.dataDir),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await adminSocket.close();
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));

  await app.listen({ port: config.port, host: config.bind });
  runtime?.startWorkers();
  app.log.info(
    { origin: config.origin, database: database.kind, registrations: config.registrations },
    `${config.name} is running at ${config.origin}`,
  );
}

await main();
