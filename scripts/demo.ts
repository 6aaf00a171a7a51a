// `npm run demo`: a whole organization on one machine. Three campuses (child processes of
// `node server/main.ts` on ports 3101-3103, PGlite data under ./data/demo/<campus>) allowlist
// each other, get people, follows and months of posts, and keep running until Ctrl-C.
// Run it again to reuse the data; `--reset` starts over. `--help` lists the options.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../server/config.ts";
import { Progress, step } from "./bench/progress.ts";
import { type CorpusOptions, DEMO_CAMPUSES, type DemoCorpus, generateCorpus } from "./demo/corpus.ts";
import {
  createCampusDatabases,
  DEMO_PASSWORD,
  liveSteps,
  livePostCount,
  type StatusIds,
  seedAcrossCampuses,
  seedCampusHistory,
} from "./demo/seed.ts";

const CAMPUSES = DEMO_CAMPUSES;
const ROOT = resolve(import.meta.dirname, "..");

const HELP = `Usage: npm run demo -- [options]

Starts three campuses (${CAMPUSES.join(", ")}) federating with each other on this machine,
seeded with people, follows and months of posts, and keeps them running until Ctrl-C.

  --people N         people per campus (default 8)
  --posts N          posts in all (default 600)
  --months N         how far back the history goes (default 6)
  --seed N           seed of the generated organization (default 42)
  --base-port N      first port; the campuses take N, N+1, N+2 (default 3101)
  --ports A,B,C      explicit ports instead of --base-port
  --data-dir DIR     where the campuses keep their data (default ./data/demo)
  --reset            delete earlier demo data first (otherwise it is reused)
  --exit-after-seed  stop the campuses once seeding is done
`;

interface RunningCampus {
  name: string;
  origin: string;
  dataDir: string;
  child: ChildProcess;
  env: Record<string, string>;
}

function options() {
  const { values } = parseArgs({
    options: {
      people: { type: "string", default: "8" },
      posts: { type: "string", default: "600" },
      months: { type: "string", default: "6" },
      seed: { type: "string", default: "42" },
      "base-port": { type: "string", default: "3101" },
      ports: { type: "string" },
      "data-dir": { type: "string", default: join(ROOT, "data", "demo") },
      reset: { type: "boolean", default: false },
      "exit-after-seed": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const number = (name: string, value: string, min: number) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) {
      console.error(`--${name} must be a whole number of at least ${min}\n\n${HELP}`);
      process.exit(64);
    }
    return parsed;
  };
  const base = number("base-port", values["base-port"], 1);
  const ports = values.ports
    ? values.ports.split(",").map((port) => number("ports", port.trim(), 1))
    : CAMPUSES.map((_, index) => base + index);
  if (ports.length !== CAMPUSES.length) {
    console.error(`--ports needs ${CAMPUSES.length} ports`);
    process.exit(64);
  }
  const corpus: CorpusOptions = {
    campuses: CAMPUSES,
    people: number("people", values.people, 2),
    posts: number("posts", values.posts, 1),
    months: number("months", values.months, 1),
    seed: number("seed", values.seed, 0),
  };
  return { corpus, ports, dataDir: resolve(values["data-dir"]), reset: values.reset, exitAfterSeed: values["exit-after-seed"] };
}

function campusEnv(name: string, origin: string, dataDir: string, port: number, siblings: string[]): Record<string, string> {
  return {
    PORT: String(port),
    HALLWAY_BIND: "127.0.0.1",
    HALLWAY_ORIGIN: origin,
    HALLWAY_DATA_DIR: dataDir,
    HALLWAY_NAME: `${name[0]!.toUpperCase()}${name.slice(1)} campus`,
    HALLWAY_ALLOWLIST: siblings.join(","),
    HALLWAY_LOG_LEVEL: process.env.HALLWAY_LOG_LEVEL ?? "warn",
    // Campuses start together: a first directory read that finds a sibling not yet up is soon retried.
    HALLWAY_DIRECTORY_SYNC_SECONDS: "15",
  };
}

async function startCampus(name: string, origin: string, dataDir: string, env: Record<string, string>): Promise<RunningCampus> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [join(ROOT, "server", "main.ts")], {
    cwd: ROOT,
    env: { ...inherited, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`campus ${name} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${origin}/api/v1/instance`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`campus ${name} did not start within a minute`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  return { name, origin, dataDir, child, env };
}

async function stopAll(campuses: RunningCampus[]): Promise<void> {
  await Promise.all(
    campuses.map(
      (campus) =>
        new Promise<void>((done) => {
          if (campus.child.exitCode !== null) return done();
          campus.child.once("exit", () => done());
          campus.child.kill("SIGTERM");
        }),
    ),
  );
}

function marker(dataDir: string): string {
  return join(dataDir, "seeded.json");
}

function signInText(corpus: DemoCorpus, campuses: RunningCampus[]): string {
  const lines = ["", "The demo organization is running:", ""];
  for (const campus of campuses) {
    const people = corpus.people.filter((person) => person.campus === campus.name);
    lines.push(`  ${campus.env.HALLWAY_NAME}  ${campus.origin}`);
    lines.push(`    people: ${people.map((person) => person.username).join(", ")}`);
  }
  lines.push(
    "",
    `Sign in from any Mastodon app (Elk, Phanpy, Tusky, toot ...) with the campus address,`,
    `a username above and the shared password "${DEMO_PASSWORD}".`,
    `Try the directory, suggestions, search and #help; Ctrl-C stops all three campuses.`,
    "",
  );
  return lines.join("\n");
}

async function main(): Promise<void> {
  const opts = options();
  const corpus = generateCorpus(opts.corpus);
  const origins = opts.ports.map((port) => `http://127.0.0.1:${port}`);
  const fingerprint = JSON.stringify({ corpus: opts.corpus, origins });
  const dataDirs = CAMPUSES.map((name) => join(opts.dataDir, name));

  // Reuse a finished seed made with the same options; anything else starts over.
  let seeded = false;
  if (!opts.reset && existsSync(marker(opts.dataDir))) {
    seeded = (await readFile(marker(opts.dataDir), "utf8")) === fingerprint;
    if (!seeded) process.stderr.write("The demo data was made with other options; starting over.\n");
  }
  if (!seeded) await rm(opts.dataDir, { recursive: true, force: true });
  await Promise.all(dataDirs.map((dir) => mkdir(dir, { recursive: true })));

  const envs = CAMPUSES.map((name, index) =>
    campusEnv(name, origins[index]!, dataDirs[index]!, opts.ports[index]!, origins.filter((_, other) => other !== index)),
  );

  const statusIds = new Map<string, StatusIds>();
  const historySteps =
    corpus.people.length +
    corpus.follows.filter(({ follower, target }) => corpus.people[follower]!.campus === corpus.people[target]!.campus).length +
    corpus.posts.length -
    livePostCount(corpus);
  if (!seeded) {
    process.stderr.write(
      `Seeding ${corpus.people.length} people and ${corpus.posts.length} posts on ${CAMPUSES.length} campuses\n`,
    );
    const configs = envs.map((env) => loadConfig(env));
    await step("databases", () => createCampusDatabases(configs));
    const history = new Progress("history", historySteps);
    let done = 0;
    const tick = { tick: () => history.update(++done) };
    await Promise.all(
      CAMPUSES.map(async (name, index) => {
        statusIds.set(name, await seedCampusHistory(corpus, name, configs[index]!, tick));
      }),
    );
    history.finish();
  }

  const campuses: RunningCampus[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await stopAll(campuses);
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
    campuses.push(
      ...(await Promise.all(CAMPUSES.map((name, index) => startCampus(name, origins[index]!, dataDirs[index]!, envs[index]!)))),
    );
    for (const campus of campuses) {
      campus.child.on("exit", (code) => {
        if (stopping) return;
        console.error(`campus ${campus.name} stopped unexpectedly (exit ${code}); stopping the demo`);
        void shutdown(1);
      });
    }
    if (!seeded) {
      const live = new Progress("federation", liveSteps(corpus));
      let done = 0;
      await seedAcrossCampuses(corpus, campuses, statusIds, { tick: () => live.update(++done) });
      live.finish();
      await writeFile(marker(opts.dataDir), fingerprint);
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await shutdown(1);
    return;
  }

  process.stdout.write(signInText(corpus, campuses));
  if (opts.exitAfterSeed) await shutdown(0);
}

await main();
