// `npm run bench`: seeds PostgreSQL and/or PGlite in bulk, starts the real server on each, and
// measures the instance endpoint, the home timeline and posting with autocannon over loopback,
// next to a bare Fastify hello-world as the ceiling. `npm run bench -- --help` for the options.
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import {
  issueViewerToken,
  type PreparedDatabase,
  preparePGlite,
  preparePostgres,
} from "./databases.ts";
import {
  homeScenario,
  instanceScenario,
  type Measurement,
  measure,
  postScenario,
  helloScenario,
  type Scenario,
} from "./load.ts";
import { type BenchDatabase, type BenchOptions, HELP, parseOptions } from "./options.ts";
import { type RunningServer, startHallway, startHelloWorld } from "./processes.ts";
import { formatMarkdown, formatTable, type Row } from "./report.ts";
import { BENCH_ORIGIN } from "./seed.ts";

const LABELS: Record<BenchDatabase, string> = { postgres: "PostgreSQL", pglite: "PGlite" };

async function measureAll(
  server: RunningServer,
  scenarios: Scenario[],
  options: BenchOptions,
  label: string,
): Promise<Measurement[]> {
  const results: Measurement[] = [];
  for (const scenario of scenarios) {
    console.error(`  ${label} · ${scenario.name}: ${await scenario.check(server.url)}`);
    console.error(
      `  ${label} · ${scenario.name}: ${options.warmup}s warm-up, ${options.duration}s measured, ${options.connections} connections`,
    );
    results.push(await measure(scenario, server.url, options));
  }
  return results;
}

async function benchDatabase(
  kind: BenchDatabase,
  options: BenchOptions,
): Promise<{ rows: Row[]; prepared: PreparedDatabase }> {
  const size = options.sizes[kind];
  console.error(
    `\n${LABELS[kind]}: ${size.statuses.toLocaleString("en-US")} statuses, ${size.accounts.toLocaleString("en-US")} accounts`,
  );
  const prepared =
    kind === "postgres"
      ? await preparePostgres(options.postgresUrl, size, options.reseed)
      : await preparePGlite(options.workDir, size, options.reseed);
  const s = prepared.summary;
  console.error(
    `  ${prepared.reused ? "reused the seeded copy" : `seeded in ${s.seconds.toFixed(0)}s`}: ` +
      `${s.statuses.toLocaleString("en-US")} statuses, ${s.homeFeed.toLocaleString("en-US")} home_feed rows ` +
      `(${s.viewerHomeFeed.toLocaleString("en-US")} the viewer's), ${s.mentions.toLocaleString("en-US")} mentions, ` +
      `${s.statusTags.toLocaleString("en-US")} status tags`,
  );

  const serverEnv: Record<string, string> = {
    ...prepared.env,
    HALLWAY_ORIGIN: BENCH_ORIGIN,
    HALLWAY_SECRET: randomBytes(32).toString("base64url"),
    HALLWAY_DATA_DIR: prepared.env.HALLWAY_DATA_DIR ?? join(options.workDir, `${kind}-data`),
  };
  const token = await issueViewerToken(serverEnv);
  const scenarios: Scenario[] = [];
  if (options.scenarios.includes("instance")) scenarios.push(instanceScenario());
  if (options.scenarios.includes("home")) scenarios.push(homeScenario(token));
  // Last: the posts it makes land at the top of the viewer's home timeline.
  if (options.scenarios.includes("post")) scenarios.push(postScenario(token, size.accounts));

  const server = await startHallway(serverEnv, join(options.workDir, `server-${kind}.log`));
  try {
    const results = await measureAll(server, scenarios, options, LABELS[kind]);
    return { rows: results.map((result) => ({ database: LABELS[kind], ...result })), prepared };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<number> {
  let options: BenchOptions | null;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (!options) {
    console.log(HELP);
    return 0;
  }
  mkdirSync(options.workDir, { recursive: true });
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  // Anything else running on the machine takes from the same cores: the load average says so.
  const load = () =>
    loadavg()
      .map((value) => value.toFixed(2))
      .join(" ");
  const loadBefore = load();
  console.error(
    `hallway bench on ${availableParallelism()} cores (${cpu}), Node ${process.version}, load ${loadBefore}`,
  );

  const rows: Row[] = [];
  const datasets: string[] = [];
  if (options.scenarios.includes("hello")) {
    const hello = await startHelloWorld(join(options.workDir, "hello.log"));
    try {
      const [result] = await measureAll(hello, [helloScenario()], options, "Fastify");
      rows.push({ database: "—", ...result! });
    } finally {
      await hello.stop();
    }
  }
  for (const kind of options.databases) {
    if (options.scenarios.every((name) => name === "hello")) break;
    const { rows: measured, prepared } = await benchDatabase(kind, options);
    rows.push(...measured);
    const s = prepared.summary;
    datasets.push(
      `${LABELS[kind]}: ${s.accounts.toLocaleString("en-US")} accounts, ${s.statuses.toLocaleString("en-US")} statuses, ` +
        `${s.homeFeed.toLocaleString("en-US")} home_feed rows (viewer: ${s.viewerHomeFeed.toLocaleString("en-US")})`,
    );
  }

  console.log(
    `\n${availableParallelism()} cores (${cpu}), Node ${process.version}; load average ${loadBefore} before, ${load()} after`,
  );
  console.log(
    `${options.duration}s per scenario after ${options.warmup}s warm-up, ${options.connections} connections`,
  );
  for (const line of datasets) console.log(line);
  console.log(`\n${formatTable(rows)}`);
  if (options.markdown) console.log(`\n${formatMarkdown(rows)}`);
  return 0;
}

process.exitCode = await main();
