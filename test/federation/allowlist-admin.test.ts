// The allowlist from the admin CLI, as an administrator uses it: real CLI processes, through a
// running server's admin socket and on the database directly.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { openDatabase } from "../../db/connection.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import { Allowlist } from "../../federation/allowlist.ts";
import { RefusalLog } from "../../federation/refusals.ts";
import { startAdminSocket } from "../../server/admin-socket.ts";
import { adminSocketPath } from "../../server/admin-socket-path.ts";
import { loadConfig } from "../../server/config.ts";
import type { AppContext } from "../../server/context.ts";
import { createTestDatabase } from "../helpers/databases.ts";
import { freePort, startTestInstance } from "../helpers/instance.ts";
import { runScript, startServerProcess } from "../helpers/processes.ts";

const SECRET = "test-secret-test-secret-test-secret-0123456789";
const silent = { warn() {}, error() {} };

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

t.test("each command explains itself with --help", async (t) => {
  const commands = ["allow add", "allow remove", "allow list", "federation refusals"];
  const [overall, missing, ...helps] = await Promise.all([
    runScript("scripts/admin.ts", ["--help"], {}),
    runScript("scripts/admin.ts", ["allow", "add"], {}),
    ...commands.map((command) =>
      runScript("scripts/admin.ts", [...command.split(" "), "--help"], {}),
    ),
  ]);
  commands.forEach((command, index) => {
    t.match(overall!.stdout, command);
    t.equal(helps[index]!.code, 0);
    t.match(helps[index]!.stdout, `Usage: npm run admin -- ${command}`);
  });
  t.equal(missing!.code, 64, "an ORIGIN is required");
});

t.test(
  "through the admin socket a change applies to the server's live allowlist at once",
  async (t) => {
    const sibling = "http://127.0.0.1:3002";
    const instance = await startTestInstance(t, {
      env: { HALLWAY_ALLOWLIST: `${sibling},campus-b.example.org` },
    });
    const allowlist = await Allowlist.open({
      database: instance.database.handle,
      config: instance.config,
    });
    t.teardown(() => allowlist.close());
    const refusals = new RefusalLog({ db: instance.context.db, log: silent, flushIntervalMs: 0 });
    t.teardown(() => refusals.close());
    // The server's context, carrying its live allowlist and refusal log as the server will.
    const context = { ...instance.context, allowlist, refusals } as AppContext;
    const socket = await startAdminSocket(context, adminSocketPath(instance.config.dataDir));
    t.teardown(() => socket.close());
    const admin = (...args: string[]) =>
      runScript("scripts/admin.ts", args, {
        HALLWAY_DATA_DIR: instance.config.dataDir,
        HALLWAY_ORIGIN: instance.config.origin,
        HALLWAY_SECRET: SECRET,
        HALLWAY_ALLOWLIST: `${sibling},campus-b.example.org`,
        ...(instance.database.url ? { DATABASE_URL: instance.database.url } : {}),
      });

    const listed = await admin("allow", "list");
    t.equal(listed.code, 0, listed.stderr);
    t.match(listed.stdout, /^ORIGIN\s+SOURCE\n/);
    t.match(listed.stdout, /http:\/\/127\.0\.0\.1:3002\s+HALLWAY_ALLOWLIST/);
    t.match(listed.stdout, /https:\/\/campus-b\.example\.org\s+HALLWAY_ALLOWLIST/);

    t.notOk(allowlist.allowsUrl("http://127.0.0.1:3003/users/raj"));
    const added = await admin("allow", "add", "http://127.0.0.1:3003");
    t.equal(added.code, 0, added.stderr);
    t.equal(added.stdout.trim(), "http://127.0.0.1:3003 is now allowed");
    t.ok(
      allowlist.allowsUrl("http://127.0.0.1:3003/users/raj"),
      "allowed the moment the CLI returns",
    );
    t.equal(allowlist.originForHost("127.0.0.1:3003"), "http://127.0.0.1:3003");

    const bare = await admin("allow", "add", "Campus-C.example");
    t.equal(
      bare.stdout.trim(),
      "https://campus-c.example is now allowed",
      "a bare host means https",
    );
    const again = await admin("allow", "add", "https://campus-c.example/");
    t.equal(again.code, 0);
    t.match(again.stdout, /already allowed \(added earlier\)/);

    const json = JSON.parse((await admin("allow", "list", "--json")).stdout) as {
      origin: string;
      source: string;
    }[];
    t.same(
      json.map((entry) => [entry.origin, entry.source]),
      [
        ["http://127.0.0.1:3002", "HALLWAY_ALLOWLIST"],
        ["https://campus-b.example.org", "HALLWAY_ALLOWLIST"],
        ["http://127.0.0.1:3003", "added"],
        ["https://campus-c.example", "added"],
      ],
    );

    const fromEnvironment = await admin("allow", "remove", sibling);
    t.equal(fromEnvironment.code, 1);
    t.match(
      fromEnvironment.stderr,
      /http:\/\/127\.0\.0\.1:3002 comes from HALLWAY_ALLOWLIST; remove it from that environment variable/,
    );
    t.ok(allowlist.allowsUrl(`${sibling}/inbox`), "still allowed");

    for (const [origin, message] of [
      ["https://campus-d.example/inbox", /has a path; give only the scheme and host/],
      ["ftp://campus-d.example", /only http:\/\/ and https:\/\/ origins can be allowed/],
      ["https://*.example", /wildcards are not supported/],
    ] as const) {
      const refused = await admin("allow", "add", origin);
      t.equal(refused.code, 1, origin);
      t.match(refused.stderr, message);
    }
    const notThere = await admin("allow", "remove", "https://campus-d.example");
    t.equal(notThere.code, 1);
    t.match(notThere.stderr, /https:\/\/campus-d\.example is not on the allowlist/);

    const removed = await admin("allow", "remove", "127.0.0.1:3003");
    t.equal(removed.code, 1, "a bare host means https, which was never added");
    t.equal((await admin("allow", "remove", "http://127.0.0.1:3003")).code, 0);
    t.notOk(
      allowlist.allowsUrl("http://127.0.0.1:3003/users/raj"),
      "refused the moment the CLI returns",
    );

    // Refusals still in the live log's memory are written before the table is read.
    t.equal((await admin("federation", "refusals")).stdout.trim(), "nothing refused yet");
    for (let i = 0; i < 3; i++)
      refusals.record({
        host: "outsider.example",
        direction: "inbound",
        reason: "not allowlisted",
      });
    refusals.record({
      host: "127.0.0.1:3009",
      direction: "outbound",
      reason: "redirect out of the allowlist",
    });
    const counted = await admin("federation", "refusals");
    t.equal(counted.code, 0, counted.stderr);
    const lines = counted.stdout.trim().split("\n");
    t.match(lines[0], /^HOST\s+DIRECTION\s+REASON\s+COUNT\s+LAST SEEN$/);
    t.ok(
      lines.some((line) =>
        /^outsider\.example\s+inbound\s+not allowlisted\s+3\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(
          line,
        ),
      ),
      counted.stdout,
    );
    t.ok(
      lines.some((line) =>
        /^127\.0\.0\.1:3009\s+outbound\s+redirect out of the allowlist\s+1\s/.test(line),
      ),
      counted.stdout,
    );
    const countedJson = JSON.parse((await admin("federation", "refusals", "--json")).stdout) as {
      host: string;
      count: number;
    }[];
    t.same(countedJson.map((row) => [row.host, row.count]).sort(), [
      ["127.0.0.1:3009", 1],
      ["outsider.example", 3],
    ]);
  },
);

t.test("the CLI with the server process stopped and running", async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), "hallway-allow-"));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const database =
    process.env.HALLWAY_TEST_DATABASE === "postgres" ? await createTestDatabase() : null;
  if (database) {
    await database.handle.close();
    t.teardown(() => database.drop());
  }
  const port = await freePort();
  const env: Record<string, string> = {
    HALLWAY_DATA_DIR: dataDir,
    HALLWAY_ORIGIN: `http://127.0.0.1:${port}`,
    HALLWAY_SECRET: SECRET,
    HALLWAY_ALLOWLIST: "campus-b.example.org",
    ...(database?.url ? { DATABASE_URL: database.url } : {}),
  };
  const admin = (...args: string[]) => runScript("scripts/admin.ts", args, env);

  await t.test("stopped: the CLI works on the database itself", async (t) => {
    const config = loadConfig(env);
    const handle = await openDatabase(config);
    await migrateToLatest(handle.db);
    const refusals = new RefusalLog({ db: handle.db, log: silent, flushIntervalMs: 0 });
    refusals.record({ host: "outsider.example", direction: "outbound", reason: "not allowlisted" });
    await refusals.close();
    await handle.close();

    const counted = await admin("federation", "refusals");
    t.equal(counted.code, 0, counted.stderr);
    t.match(counted.stdout, /outsider\.example\s+outbound\s+not allowlisted\s+1\s/);
    const added = await admin("allow", "add", "https://campus-c.example");
    t.equal(added.code, 0, added.stderr);
    t.match((await admin("allow", "list")).stdout, /https:\/\/campus-c\.example\s+added \d{4}-/);
  });

  await t.test("running: commands go through the server", async (t) => {
    const server = await startServerProcess(env, port);
    t.teardown(() => server.stop());
    // On PostgreSQL, another process on the same database hears the change by NOTIFY.
    const watcher = database?.url
      ? await (async () => {
          const { openPostgres } = await import("../../db/connection.ts");
          const handle = openPostgres(database.url!, { max: 2 });
          const allowlist = await Allowlist.open({
            database: handle,
            config: loadConfig(env),
            pollIntervalMs: 0,
          });
          t.teardown(async () => {
            await allowlist.close();
            await handle.close();
          });
          return allowlist;
        })()
      : null;

    const listed = await admin("allow", "list");
    t.equal(listed.code, 0, listed.stderr);
    t.match(listed.stdout, /https:\/\/campus-b\.example\.org\s+HALLWAY_ALLOWLIST/);
    t.match(listed.stdout, /https:\/\/campus-c\.example\s+added/);

    const added = await admin("allow", "add", "http://127.0.0.1:3002");
    t.equal(added.code, 0, added.stderr);
    t.match(server.output(), /admin command ran/, "the server ran it");
    if (watcher)
      await until(() => watcher.allowsHost("127.0.0.1:3002"), "another process sees the addition");
    t.match((await admin("allow", "list")).stdout, /http:\/\/127\.0\.0\.1:3002\s+added/);

    const refused = await admin("allow", "remove", "campus-b.example.org");
    t.equal(refused.code, 1);
    t.match(refused.stderr, /comes from HALLWAY_ALLOWLIST/);
    t.equal((await admin("allow", "remove", "https://campus-c.example")).code, 0);
    if (watcher)
      await until(
        () => !watcher.allowsHost("campus-c.example"),
        "another process sees the removal",
      );
    t.notMatch((await admin("allow", "list")).stdout, /campus-c/);
    const invalid = await admin("allow", "add", "https://campus-d.example?x=1");
    t.equal(invalid.code, 1);
    t.match(invalid.stderr, /has a query/);
  });
});
