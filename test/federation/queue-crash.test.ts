// Nothing is lost when a worker dies: a claim whose lease nobody extends comes back and is
// delivered once, a message that keeps killing its workers ends in the dead letters, and (on
// PostgreSQL) a worker process killed with SIGKILL hands its message to another process.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { sql } from "kysely";
import t from "tap";
import { DatabaseMessageQueue, insertQueueMessages } from "../../federation/queue.ts";
import { createTestDatabase } from "../helpers/databases.ts";
import { FAST, listen, secondHandle, sleep, until } from "./queue-helpers.ts";

const database = await createTestDatabase();
t.teardown(() => database.drop());
const { db } = database.handle;

const rows = () => db.selectFrom("federation_queue").selectAll().orderBy("id").execute();

t.beforeEach(async () => {
  await db.deleteFrom("federation_queue").execute();
});

t.test(
  "a claim abandoned by a dead worker is delivered, once, when its lease runs out",
  async (t) => {
    await insertQueueMessages(db, [{ n: "orphan" }]);
    const start = Date.now();
    // What a worker killed in the middle of a message leaves behind: a lease nobody extends.
    await db
      .updateTable("federation_queue")
      .set({
        status: "processing",
        leased_until: sql<Date>`now() + interval '600 milliseconds'`,
        leased_by: "12345:killed-worker:1",
        attempts: 1,
      })
      .execute();
    const queue = new DatabaseMessageQueue(database.handle, FAST);
    const seen: number[] = [];
    listen(t, queue, () => {
      seen.push(Date.now() - start);
    });
    await until("it is delivered", () => seen.length === 1);
    t.ok(seen[0]! >= 600, `not before the lease ran out (${seen[0]} ms)`);
    await sleep(400);
    t.equal(seen.length, 1, "exactly once");
    t.same(await rows(), []);
  },
);

t.test("a message whose workers keep dying ends in the dead letters", async (t) => {
  await insertQueueMessages(db, [{ n: "poison" }]);
  await db
    .updateTable("federation_queue")
    .set({
      status: "processing",
      leased_until: sql<Date>`now() - interval '1 second'`,
      leased_by: "12345:killed-worker:3",
      attempts: FAST.maxAttempts!,
    })
    .execute();
  const queue = new DatabaseMessageQueue(database.handle, FAST);
  const seen: unknown[] = [];
  listen(t, queue, (message) => {
    seen.push(message);
  });
  await until("it is dead", async () => (await rows())[0]?.status === "dead");
  const [row] = await rows();
  t.match(row!.last_error, /lease ran out/);
  t.equal(row!.leased_by, null);
  t.same(seen, [], "its last attempt was used up by the dead worker");
});

t.test(
  "a worker process killed with SIGKILL loses nothing: another process delivers its message once",
  { skip: database.url ? false : "PGlite is opened by one process only" },
  async (t) => {
    await insertQueueMessages(db, [{ n: "survivor" }]);
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, "queue-crash-child.ts"), database.url!, "800", "200"],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = new Promise((resolve) => child.on("exit", resolve));
    t.teardown(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    await until("the child claimed the message", () => output.includes("claimed"), 20_000);
    t.match(output, /claimed \{"n":"survivor"\}/);

    // A listener in this process, on its own pool, sees nothing while the child's heartbeat
    // keeps the lease, longer than the lease itself.
    const queue = new DatabaseMessageQueue(secondHandle(t, database), { ...FAST, leaseMs: 800 });
    const seen: unknown[] = [];
    listen(t, queue, (message) => {
      seen.push(message);
    });
    await sleep(1_500);
    t.same(seen, [], "not taken from a live worker");
    const [held] = await rows();
    t.equal(held!.status, "processing");
    t.match(held!.leased_by, new RegExp(`^${child.pid}:`), "held by the child");

    child.kill("SIGKILL");
    await exited;
    await until("it is delivered here", () => seen.length === 1, 8_000);
    t.same(seen, [{ n: "survivor" }]);
    await sleep(500);
    t.equal(seen.length, 1, "exactly once");
    t.same(await rows(), []);
  },
);
