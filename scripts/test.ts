// `npm test`: prepares migrated template databases, runs the whole tap suite once on PGlite and
// once on PostgreSQL, and ends with one line "N passed, N failed" over both runs.
//   HALLWAY_TEST_DATABASES=pglite (or postgres) runs one of them only;
//   HALLWAY_TEST_POSTGRES_URL points at the server (default postgres://postgres@127.0.0.1:5432/postgres);
//   any further arguments go to tap (a test file, --grep …).
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  dropAbandonedDatabases,
  dropTemplate,
  POSTGRES_ADMIN_URL,
  prepareTemplate,
  TEST_RUN_ID,
  type TestDatabaseKind,
} from "../test/helpers/databases.ts";

const root = resolve(import.meta.dirname, "..");
const kinds = (process.env.HALLWAY_TEST_DATABASES ?? "pglite,postgres")
  .split(",")
  .map((kind) => kind.trim())
  .filter((kind): kind is TestDatabaseKind => kind === "pglite" || kind === "postgres");

function runTap(kind: TestDatabaseKind, env: Record<string, string>): Promise<{ pass: number; fail: number; code: number }> {
  return new Promise((resolvePromise) => {
    const tapBin = join(root, "node_modules", ".bin", "tap");
    // The live summary of "terse" suits a terminal; logs (CI) get the plain TAP stream.
    const reporter = process.stdout.isTTY ? "terse" : "tap";
    const child = spawn(tapBin, [`--reporter=${reporter}`, ...process.argv.slice(2)], {
      cwd: root,
      env: { ...process.env, ...env, HALLWAY_TEST_DATABASE: kind, HALLWAY_TEST_RUN_ID: TEST_RUN_ID },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let summary = { pass: 0, fail: 0 };
    let tail = "";
    child.stdout.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      process.stdout.write(text);
      tail = (tail + text).slice(-4000);
      // tap's closing line: "# { total: 12, pass: 12, fail: 0 }" (other keys may appear).
      for (const match of tail.matchAll(/#\s*\{[^}]*?total:\s*(\d+)[^}]*\}/g)) {
        const block = match[0];
        summary = {
          pass: Number(/pass:\s*(\d+)/.exec(block)?.[1] ?? 0),
          fail: Number(/fail:\s*(\d+)/.exec(block)?.[1] ?? 0),
        };
      }
    });
    child.on("close", (code) => resolvePromise({ ...summary, code: code ?? 1 }));
  });
}

async function main(): Promise<number> {
  let passed = 0;
  let failed = 0;
  let exitCode = 0;
  const work = join(root, ".tap", "templates");
  mkdirSync(work, { recursive: true });
  for (const kind of kinds) {
    console.log(`\n=== test suite on ${kind === "pglite" ? "PGlite (embedded)" : `PostgreSQL (${POSTGRES_ADMIN_URL})`} ===`);
    const dumpPath = join(work, `pglite-template-${TEST_RUN_ID}.tar`);
    try {
      if (kind === "postgres") await dropAbandonedDatabases();
      await prepareTemplate(kind, dumpPath);
    } catch (error) {
      console.error(`could not prepare the ${kind} test database: ${(error as Error).message}`);
      failed += 1;
      exitCode = 1;
      continue;
    }
    const result = await runTap(
      kind,
      kind === "pglite" ? { HALLWAY_TEST_PGLITE_TEMPLATE: dumpPath } : { HALLWAY_TEST_POSTGRES_TEMPLATE: "1" },
    );
    await dropTemplate(kind, dumpPath).catch(() => {});
    console.log(`${kind}: ${result.pass} passed, ${result.fail} failed`);
    passed += result.pass;
    failed += result.fail;
    if (result.code !== 0) exitCode = result.code;
  }
  if (exitCode !== 0 && failed === 0) failed = 1;
  console.log(`${passed} passed, ${failed} failed`);
  return exitCode;
}

process.exitCode = await main();
