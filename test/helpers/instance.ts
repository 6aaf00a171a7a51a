// A campus instance for tests: its own database and data folder, driven by inject() or, when
// `listen` is set, over real HTTP on a 127.0.0.1 port.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../server/app.ts";
import { type Config, loadConfig } from "../../server/config.ts";
import type { AppContext } from "../../server/context.ts";
import { createTestDatabase, type TestDatabase } from "./databases.ts";

export interface TestInstance {
  app: FastifyInstance;
  context: AppContext;
  config: Config;
  database: TestDatabase;
  /** http://127.0.0.1:PORT when listening, else the configured origin. */
  url: string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface TestInstanceOptions {
  listen?: boolean;
  env?: Record<string, string>;
}

interface Closable {
  teardown(fn: () => Promise<void> | void): void;
}

export async function startTestInstance(t: Closable, options: TestInstanceOptions = {}): Promise<TestInstance> {
  const dataDir = await mkdtemp(join(tmpdir(), "hallway-test-"));
  const port = options.listen ? await freePort() : 3000;
  const origin = options.listen ? `http://127.0.0.1:${port}` : "https://campus-a.example";
  const config = loadConfig({
    PORT: String(port),
    HALLWAY_ORIGIN: origin,
    HALLWAY_DATA_DIR: dataDir,
    HALLWAY_NAME: "Test Campus",
    HALLWAY_LOG_LEVEL: process.env.HALLWAY_TEST_LOG_LEVEL ?? "silent",
    HALLWAY_SECRET: "test-secret-test-secret-test-secret-0123456789",
    HALLWAY_RATE_LIMIT: "0",
    ...options.env,
  });
  const database = await createTestDatabase();
  const app = await buildApp({ config, database: database.handle });
  if (options.listen) await app.listen({ port, host: "127.0.0.1" });
  else await app.ready();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  };
  t.teardown(close);
  return { app, context: app.context, config, database, url: options.listen ? origin : origin, close };
}
