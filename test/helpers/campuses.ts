// The multi-instance harness: several campuses (and outsiders) as real server processes on
// 127.0.0.1 ports, each with its own database, federating over real HTTP with real signatures.
// Campuses allowlist each other; outsiders are allowlisted by nobody.
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRestAPIClient, type mastodon } from "masto";
import { adminSocketPath } from "../../server/admin-socket-path.ts";
import { createTestDatabase, type TestDatabase } from "./databases.ts";
import { Gate } from "./gate.ts";
import { freePort } from "./instance.ts";
import { type ServerProcess, startServerProcess } from "./processes.ts";

export const PASSWORD = "campus password 1";

export interface CampusUser {
  username: string;
  acct: string;
  token: string;
  client: mastodon.rest.Client;
  account: mastodon.v1.CredentialAccount;
}

export interface Campus {
  name: string;
  origin: string;
  /** host:port, as in handles: ana@127.0.0.1:3001 */
  domain: string;
  env: Record<string, string>;
  server: ServerProcess;
  /** The front door on the public port: every request that reached this instance. */
  gate: Gate;
  admin(command: string, args?: string[], options?: Record<string, string | boolean>): Promise<string>;
  createUser(username: string, options?: { locked?: boolean; displayName?: string }): Promise<CampusUser>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
}

interface Closable {
  teardown(fn: () => Promise<void> | void): void;
}

/** Sends one command to a running campus through its admin socket. */
function adminThroughSocket(dataDir: string, request: object): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(adminSocketPath(dataDir));
    let data = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on("data", (chunk) => {
      data += chunk;
    });
    socket.on("end", () => {
      const reply = JSON.parse(data) as { ok: boolean; output?: string; error?: string };
      if (reply.ok) resolve(reply.output ?? "");
      else reject(new Error(reply.error));
    });
    socket.on("error", reject);
  });
}

async function passwordToken(origin: string, login: string): Promise<string> {
  const app = await (
    await fetch(`${origin}/api/v1/apps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "harness", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read write follow push" }),
    })
  ).json();
  const response = await fetch(`${origin}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "password",
      username: login,
      password: PASSWORD,
      client_id: app.client_id,
      client_secret: app.client_secret,
      scope: "read write follow push",
    }),
  });
  if (!response.ok) throw new Error(`password grant failed: ${response.status} ${await response.text()}`);
  return (await response.json()).access_token;
}

export interface CampusesOptions {
  campuses: string[];
  outsiders?: string[];
  env?: Record<string, string>;
}

/**
 * Starts the campuses and outsiders in parallel. Campuses allowlist each other; an outsider
 * allowlists every campus (it wants in), but no campus allowlists it.
 */
export async function startCampuses(t: Closable, options: CampusesOptions): Promise<Record<string, Campus>> {
  const names = [...options.campuses, ...(options.outsiders ?? [])];
  const ports = await Promise.all(names.map(() => freePort()));
  const internalPorts = await Promise.all(names.map(() => freePort()));
  const origins = new Map(names.map((name, index) => [name, `http://127.0.0.1:${ports[index]}`]));
  const campusOrigins = options.campuses.map((name) => origins.get(name)!);
  const campuses: Record<string, Campus> = {};

  await Promise.all(
    names.map(async (name, index) => {
      const origin = origins.get(name)!;
      const isOutsider = !options.campuses.includes(name);
      const dataDir = await mkdtemp(join(tmpdir(), `hallway-${name}-`));
      let database: TestDatabase | null = null;
      if (process.env.HALLWAY_TEST_DATABASE === "postgres") {
        database = await createTestDatabase();
        await database.handle.close();
      }
      const env: Record<string, string> = {
        HALLWAY_DATA_DIR: dataDir,
        HALLWAY_ORIGIN: origin,
        HALLWAY_NAME: name,
        HALLWAY_LOG_LEVEL: process.env.HALLWAY_TEST_LOG_LEVEL ?? "warn",
        HALLWAY_RATE_LIMIT: "0",
        HALLWAY_QUEUE_LEASE_SECONDS: "5",
        HALLWAY_QUEUE_RETRY_SECONDS: "1",
        HALLWAY_ALLOWLIST: (isOutsider ? campusOrigins : campusOrigins.filter((other) => other !== origin)).join(","),
        ...(database?.url ? { DATABASE_URL: database.url } : {}),
        ...options.env,
      };
      const port = internalPorts[index]!;
      const gate = await Gate.open(ports[index]!, port);
      let server = await startServerProcess(env, port);
      const campus: Campus = {
        name,
        origin,
        domain: new URL(origin).host,
        env,
        gate,
        get server() {
          return server;
        },
        admin: (command, args = [], adminOptions = {}) =>
          adminThroughSocket(dataDir, { command, args, options: adminOptions }),
        async createUser(username, userOptions = {}) {
          await campus.admin("user create", [username], {
            email: `${username}@${name.toLowerCase().replace(/[^a-z0-9]/g, "")}.example`,
            password: PASSWORD,
            ...(userOptions.displayName ? { "display-name": userOptions.displayName } : {}),
          });
          const token = await passwordToken(origin, username);
          const client = createRestAPIClient({ url: origin, accessToken: token });
          if (userOptions.locked) await client.v1.accounts.updateCredentials({ locked: true });
          const account = await client.v1.accounts.verifyCredentials();
          return { username, acct: `${username}@${campus.domain}`, token, client, account };
        },
        async stop(signal = "SIGTERM") {
          await server.stop(signal);
        },
        async start() {
          server = await startServerProcess(env, port);
        },
      } as Campus;
      campuses[name] = campus;
      t.teardown(async () => {
        await server.stop("SIGKILL");
        await gate.close();
        await database?.drop();
        await rm(dataDir, { recursive: true, force: true });
      });
    }),
  );
  return campuses;
}

/** Polls until `check` returns a value (not undefined/null/false) or the time is up. */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${options.what ?? "a condition"}${lastError ? `: ${String(lastError)}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}

/** `who`, on their own campus, resolves `target` (a person on another campus): the local copy. */
export async function resolveAccount(who: CampusUser, target: CampusUser): Promise<mastodon.v1.Account> {
  const found = await who.client.v2.search.list({ q: `@${target.acct}`, resolve: true, type: "accounts" });
  const account = found.accounts.find((candidate) => candidate.acct === target.acct);
  if (!account) throw new Error(`${who.username} cannot find ${target.acct}`);
  return account;
}

/** The copy of a post (by its ActivityPub URI) on `who`'s campus, resolved through search. */
export async function resolveStatus(who: CampusUser, uri: string): Promise<mastodon.v1.Status> {
  const found = await who.client.v2.search.list({ q: uri, resolve: true, type: "statuses" });
  const status = found.statuses.find((candidate) => candidate.uri === uri);
  if (!status) throw new Error(`${who.username} cannot resolve ${uri}`);
  return status;
}

/** The post (or a boost of it) in the newest 40 of `who`'s home timeline. */
export async function homeHas(who: CampusUser, uri: string): Promise<mastodon.v1.Status | undefined> {
  const statuses = await who.client.v1.timelines.home.list({ limit: 40 });
  return statuses.find((status) => status.uri === uri || status.reblog?.uri === uri);
}
