// The queue's admin commands: stats, the dead letters and retrying them, as the CLI prints them.
// The handlers run in process (fast); real CLI processes show the wiring (--help everywhere; the
// commands themselves on PostgreSQL, as PGlite's database is held by one process).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { insertQueueMessages } from "../../federation/queue.ts";
import { loadConfig } from "../../server/config.ts";
import { runAdminCommand } from "../../server/services/admin/commands.ts";
import { Urls } from "../../server/urls.ts";
import { createTestDatabase } from "../helpers/databases.ts";
import { type RunResult, runScript } from "../helpers/processes.ts";

const database = await createTestDatabase();
t.teardown(() => database.drop());
const { db } = database.handle;
const dataDir = await mkdtemp(join(tmpdir(), "hallway-queue-admin-"));
t.teardown(() => rm(dataDir, { recursive: true, force: true }));
const env = { HALLWAY_DATA_DIR: dataDir, HALLWAY_ORIGIN: "https://campus-a.example" };

/** `npm run admin -- ARGS` as a process. */
function cli(...args: string[]): Promise<RunResult> {
  return runScript("scripts/admin.ts", args, {
    ...env,
    ...(database.url ? { DATABASE_URL: database.url } : {}),
  });
}

/** The same command run by its handler in this process, with the CLI's output and exit code. */
async function admin(...args: string[]): Promise<RunResult> {
  const words = args.filter((word) => !word.startsWith("-"));
  const options: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) continue;
    if (arg === "--limit") options.limit = args[++i]!;
    else options[arg.slice(2)] = true;
  }
  const command = words.slice(0, 2).join(" ");
  const positional = words.slice(2).filter((word) => word !== options.limit);
  const config = loadConfig(env);
  try {
    const output = await runAdminCommand(
      { db, urls: new Urls(config.origin), config },
      { command, args: positional, options },
    );
    return { code: 0, stdout: `${output}\n`, stderr: "" };
  } catch (error) {
    if ((error as Error).name !== "AdminCommandError") throw error;
    return { code: 1, stdout: "", stderr: `error: ${(error as Error).message}\n` };
  }
}

t.test("every queue command explains itself with --help", async (t) => {
  const commands = ["queue stats", "queue dead", "queue retry"];
  const [group, ...helps] = await Promise.all([
    cli("queue", "--help"),
    ...commands.map((command) => cli(...command.split(" "), "--help")),
  ]);
  commands.forEach((command, index) => {
    t.match(group!.stdout, command);
    t.equal(helps[index]!.code, 0, command);
    t.match(helps[index]!.stdout, `Usage: npm run admin -- ${command}`);
  });
  t.match(helps[2]!.stdout, /--all/);
});

t.test("stats, dead and retry", async (t) => {
  const empty = await admin("queue", "dead");
  t.equal(empty.code, 0, empty.stderr);
  t.match(empty.stdout, "no dead messages");

  await insertQueueMessages(db, [
    {
      type: "outbox",
      activityType: "Create",
      activityId: "https://campus-a.example/statuses/1/activity",
      inbox: "https://campus-b.example/inbox",
      keys: [
        { keyId: "https://campus-a.example/users/ana#main-key", privateKey: { d: "SECRET-PART" } },
      ],
    },
    { type: "hallway:intent", intent: { type: "status.created", statusId: "5", accountId: "1" } },
    {
      type: "fanout",
      activityType: "Update",
      activityId: "https://campus-a.example/users/ana#update",
      inboxes: { "https://campus-b.example/inbox": {}, "https://campus-c.example/inbox": {} },
    },
    { type: "inbox", activity: { type: "Follow", id: "https://campus-b.example/follows/9" } },
    "a plain string",
  ]);
  await insertQueueMessages(db, [{ n: "waits" }], { delayMs: 60_000 });
  const ids = (await db.selectFrom("federation_queue").select("id").orderBy("id").execute()).map(
    (row) => row.id,
  );
  const deadIds = ids.slice(0, 5);
  await db
    .updateTable("federation_queue")
    .set({
      status: "dead",
      attempts: 10,
      last_error: "Error: campus-b answered 502\n    at deliver (delivery.ts:1:1)",
    })
    .where("id", "in", deadIds)
    .execute();

  const stats = await admin("queue", "stats");
  t.equal(stats.code, 0, stats.stderr);
  t.match(stats.stdout, /pending\s+1 \(ready 0, delayed or backing off 1\)/);
  t.match(stats.stdout, /processing\s+0/);
  t.match(stats.stdout, /dead\s+5/);
  const statsJson = JSON.parse((await admin("queue", "stats", "--json")).stdout);
  t.match(statsJson, {
    pending: 1,
    ready: 0,
    delayed: 1,
    processing: 0,
    dead: 5,
    oldestReadyAt: null,
  });

  const dead = await admin("queue", "dead");
  t.equal(dead.code, 0, dead.stderr);
  t.match(dead.stdout, /ID\s+CREATED\s+ATTEMPTS\s+MESSAGE/);
  t.match(
    dead.stdout,
    "deliver Create https://campus-a.example/statuses/1/activity to https://campus-b.example/inbox",
  );
  t.match(dead.stdout, "intent status.created");
  t.match(dead.stdout, "fan out Update https://campus-a.example/users/ana#update to 2 inbox(es)");
  t.match(dead.stdout, "process incoming Follow https://campus-b.example/follows/9");
  t.match(dead.stdout, '"a plain string"');
  t.match(dead.stdout, "error: Error: campus-b answered 502");
  t.notMatch(dead.stdout, /at deliver/, "only the error's first line");
  t.notMatch(dead.stdout, /SECRET-PART/, "never the message's keys");
  const deadJson = JSON.parse((await admin("queue", "dead", "--json")).stdout);
  t.equal(deadJson.length, 5);
  t.match(deadJson[0], {
    id: deadIds[0],
    attempts: 10,
    type: "outbox",
    activity_type: "Create",
    inbox: "https://campus-b.example/inbox",
  });
  t.notMatch(JSON.stringify(deadJson), /SECRET-PART/);
  const limited = await admin("queue", "dead", "--limit", "2");
  t.match(limited.stdout, /the first 2; --limit N shows more/);

  const nothing = await admin("queue", "retry");
  t.equal(nothing.code, 1);
  t.match(nothing.stderr, /an ID \(see queue dead\) or --all is required/);
  const bad = await admin("queue", "retry", "abc");
  t.equal(bad.code, 1);
  t.match(bad.stderr, /not a message ID: abc/);
  const notDead = await admin("queue", "retry", ids[5]!);
  t.equal(notDead.code, 1);
  t.match(notDead.stderr, new RegExp(`no dead message with ID ${ids[5]}`));

  const one = await admin("queue", "retry", deadIds[0]!, ids[5]!);
  t.equal(one.code, 0, one.stderr);
  t.match(one.stdout, `sent 1 message back to the queue: ${deadIds[0]}`);
  t.match(one.stdout, `not dead (or no longer there): ${ids[5]}`);
  const retried = await db
    .selectFrom("federation_queue")
    .select(["status", "attempts"])
    .where("id", "=", deadIds[0]!)
    .executeTakeFirstOrThrow();
  t.same(retried, { status: "pending", attempts: 0 });

  const all = await admin("queue", "retry", "--all");
  t.equal(all.code, 0, all.stderr);
  t.match(all.stdout, `sent 4 messages back to the queue: ${deadIds.slice(1).join(", ")}`);
  t.match((await admin("queue", "retry", "--all")).stdout, "no dead messages to retry");
  t.match(
    (await admin("queue", "stats")).stdout,
    /pending\s+6 \(ready 5, delayed or backing off 1\)/,
  );
});

t.test(
  "the CLI runs them on the database",
  { skip: database.url ? false : "PGlite's database is held by one process" },
  async (t) => {
    await db.deleteFrom("federation_queue").execute();
    await insertQueueMessages(db, [
      { type: "hallway:intent", intent: { type: "account.updated", accountId: "1" } },
    ]);
    const [row] = await db
      .updateTable("federation_queue")
      .set({ status: "dead", last_error: "boom" })
      .returning("id")
      .execute();
    const [stats, dead, missing] = await Promise.all([
      cli("queue", "stats"),
      cli("queue", "dead"),
      cli("queue", "retry"),
    ]);
    t.equal(stats.code, 0, stats.stderr);
    t.match(stats.stdout, /dead\s+1/);
    t.match(dead.stdout, new RegExp(`${row!.id}\\s.*intent account\\.updated`));
    t.equal(missing.code, 1);
    t.match(missing.stderr, /error: an ID \(see queue dead\) or --all is required/);
    const retry = await cli("queue", "retry", row!.id);
    t.equal(retry.code, 0, retry.stderr);
    t.match(retry.stdout, `sent 1 message back to the queue: ${row!.id}`);
  },
);
