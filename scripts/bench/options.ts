// Command-line flags of `npm run bench`, each with an environment fallback (HALLWAY_BENCH_*).
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

export type BenchDatabase = "postgres" | "pglite";

export interface DatasetSize {
  accounts: number;
  statuses: number;
  /** How many accounts the viewer follows; as many follow the viewer back. */
  following: number;
  tags: number;
}

export interface BenchOptions {
  databases: BenchDatabase[];
  duration: number;
  warmup: number;
  connections: number;
  scenarios: string[];
  postgresUrl: string;
  workDir: string;
  reseed: boolean;
  markdown: boolean;
  sizes: Record<BenchDatabase, DatasetSize>;
}

export const SCENARIOS = ["hello", "instance", "home", "post"] as const;

export const HELP = `npm run bench -- [options]

Seeds a database in bulk, starts a real server (node server/main.ts) on a loopback port and drives
it with autocannon; a bare Fastify hello-world server runs in the same run as the ceiling.

  --db postgres|pglite|both   databases to measure (default both)
  --duration SECONDS          measured seconds per scenario (default 10)
  --warmup SECONDS            unmeasured load before each scenario (default 3)
  --connections N             concurrent connections (default 20)
  --scenarios LIST            comma-separated: ${SCENARIOS.join(",")} (default all)
  --accounts N                local accounts (default 5000)
  --statuses N                statuses on PostgreSQL (default 1000000)
  --pglite-statuses N         statuses on PGlite (default 100000)
  --following N               accounts the viewer follows, and that follow it back (default 300)
  --postgres-url URL          administrative connection (default postgres://postgres@127.0.0.1:5432/postgres)
  --work-dir DIR              PGlite folders, server logs (default $TMPDIR/hallway-bench)
  --reseed                    seed again even when a seeded copy of the same size exists
  --markdown                  print the results as a Markdown table as well
  --help

Environment: HALLWAY_BENCH_DB, HALLWAY_BENCH_DURATION, HALLWAY_BENCH_CONNECTIONS,
HALLWAY_BENCH_STATUSES, HALLWAY_BENCH_PGLITE_STATUSES, HALLWAY_BENCH_POSTGRES_URL.`;

function positiveInteger(
  name: string,
  value: string | undefined,
  fallback: number,
  min = 1,
): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) {
    throw new Error(`${name} must be an integer of at least ${min}, not ${JSON.stringify(value)}`);
  }
  return parsed;
}

export function parseOptions(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      db: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string" },
      scenarios: { type: "string" },
      accounts: { type: "string" },
      statuses: { type: "string" },
      "pglite-statuses": { type: "string" },
      following: { type: "string" },
      "postgres-url": { type: "string" },
      "work-dir": { type: "string" },
      reseed: { type: "boolean" },
      markdown: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return null;

  const db = values.db ?? env.HALLWAY_BENCH_DB ?? "both";
  if (!["postgres", "pglite", "both"].includes(db))
    throw new Error("--db must be postgres, pglite or both");
  const scenarios = (values.scenarios ?? SCENARIOS.join(",")).split(",").map((name) => name.trim());
  for (const name of scenarios) {
    if (!(SCENARIOS as readonly string[]).includes(name)) {
      throw new Error(`unknown scenario ${name}; choose from ${SCENARIOS.join(", ")}`);
    }
  }
  const accounts = positiveInteger("--accounts", values.accounts, 5000, 10);
  const following = positiveInteger("--following", values.following, 300);
  if (following > accounts - 2) throw new Error("--following must be smaller than --accounts - 1");
  const size = (statuses: number): DatasetSize => ({ accounts, statuses, following, tags: 200 });
  return {
    databases: db === "both" ? ["postgres", "pglite"] : [db as BenchDatabase],
    duration: positiveInteger("--duration", values.duration ?? env.HALLWAY_BENCH_DURATION, 10),
    warmup: positiveInteger("--warmup", values.warmup, 3, 0),
    connections: positiveInteger(
      "--connections",
      values.connections ?? env.HALLWAY_BENCH_CONNECTIONS,
      20,
    ),
    scenarios,
    postgresUrl:
      values["postgres-url"] ??
      env.HALLWAY_BENCH_POSTGRES_URL ??
      "postgres://postgres@127.0.0.1:5432/postgres",
    workDir: values["work-dir"] ?? join(tmpdir(), "hallway-bench"),
    reseed: values.reseed ?? false,
    markdown: values.markdown ?? false,
    sizes: {
      postgres: size(
        positiveInteger(
          "--statuses",
          values.statuses ?? env.HALLWAY_BENCH_STATUSES,
          1_000_000,
          1000,
        ),
      ),
      pglite: size(
        positiveInteger(
          "--pglite-statuses",
          values["pglite-statuses"] ?? env.HALLWAY_BENCH_PGLITE_STATUSES,
          100_000,
          1000,
        ),
      ),
    },
  };
}
