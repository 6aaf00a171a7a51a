// Child processes under test: the real server (node server/main.ts) and the hello-world ceiling.
// Each runs on the Node that runs this script, listens on a free loopback port and logs to a file.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..", "..");

export interface RunningServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

async function waitUntilAnswering(
  url: string,
  child: ChildProcess,
  logPath: string,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `${url} exited with code ${child.exitCode}; log:\n${readFileSync(logPath, "utf8").slice(-3000)}`,
      );
    }
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000}s; log in ${logPath}`);
}

async function start(
  script: string,
  env: Record<string, string>,
  readyPath: string,
  logPath: string,
): Promise<RunningServer> {
  const port = await freePort();
  const log = openSync(logPath, "w");
  const child = spawn(process.execPath, [join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HALLWAY_BIND: "127.0.0.1" },
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const force = setTimeout(() => child.kill("SIGKILL"), 15_000);
      child.once("exit", () => {
        clearTimeout(force);
        done();
      });
      child.kill("SIGTERM");
    });
  try {
    await waitUntilAnswering(`${url}${readyPath}`, child, logPath, 120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid: child.pid!, stop };
}

/** The instance, configured for measuring: no rate limits, warnings only. */
export function startHallway(env: Record<string, string>, logPath: string): Promise<RunningServer> {
  return start(
    "server/main.ts",
    { ...env, HALLWAY_RATE_LIMIT: "0", HALLWAY_LOG_LEVEL: "warn" },
    "/api/v2/instance",
    logPath,
  );
}

export function startHelloWorld(logPath: string): Promise<RunningServer> {
  return start("scripts/bench/hello.ts", {}, "/", logPath);
}
