// The federation queue's listeners: several of them (in separate pools on PostgreSQL), leases
// kept by heartbeats, handler timeouts, shutdown, and wake-ups by NOTIFY.
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

t.test("two listeners never handle the same message twice", async (t) => {
  const options = { ...FAST, concurrency: database.url ? 4 : 2 };
  const queues = [
    new DatabaseMessageQueue(database.handle, options),
    new DatabaseMessageQueue(secondHandle(t, database), options),
  ];
  const handled = new Map<number, number>();
  const byListener = [0, 0];
  for (const [index, queue] of queues.entries()) {
    listen(t, queue, async (message: { n: number }) => {
      handled.set(message.n, (handled.get(message.n) ?? 0) + 1);
      byListener[index]! += 1;
      await sleep(Math.random() * 5);
    });
  }
  const count = 150;
  for (let start = 0; start < count; start += 25) {
    await queues[(start / 25) % 2]!.enqueueMany(
      Array.from({ length: 25 }, (_, i) => ({ n: start + i })),
    );
  }
  await until("all handled", () => handled.size === count);
  await sleep(200);
  t.equal(handled.size, count);
  t.same(
    [...handled.values()].filter((times) => times !== 1),
    [],
    "each exactly once",
  );
  t.ok(
    byListener[0]! > 0 && byListener[1]! > 0,
    `both listeners worked (${byListener.join(" / ")})`,
  );
  t.same(await rows(), []);
});

t.test("a handler that outlives its lease keeps its message (heartbeat)", async (t) => {
  const options = { ...FAST, leaseMs: 400, heartbeatMs: 100 };
  const queues = [
    new DatabaseMessageQueue(database.handle, options),
    new DatabaseMessageQueue(secondHandle(t, database), options),
  ];
  let runs = 0;
  let finished = false;
  for (const queue of queues) {
    listen(t, queue, async () => {
      runs += 1;
      await sleep(1_200);
      finished = true;
    });
  }
  await queues[0]!.enqueue({ slow: true });
  await until("the slow handler finished", () => finished);
  await sleep(200);
  t.equal(runs, 1, "the other listener never took it over");
  t.same(await rows(), []);
});

t.test("a handler that never finishes times out as a failed attempt", async (t) => {
  const queue = new DatabaseMessageQueue(database.handle, {
    ...FAST,
    concurrency: 1,
    maxAttempts: 1,
    handlerTimeoutMs: 200,
  });
  const seen: string[] = [];
  listen(t, queue, async (message: { n: string }) => {
    seen.push(message.n);
    if (message.n === "hangs") await new Promise(() => {});
  });
  await queue.enqueue({ n: "hangs" });
  await queue.enqueue({ n: "next" });
  await until("the next one ran in the freed slot", () => seen.includes("next"));
  const [row] = await rows();
  t.equal(row!.status, "dead");
  t.match(row!.last_error, /did not finish within 200 ms/);
});

t.test("stopping a listener waits for running handlers", async (t) => {
  const queue = new DatabaseMessageQueue(database.handle, FAST);
  let finished = false;
  let started = false;
  const listener = listen(t, queue, async () => {
    started = true;
    await sleep(300);
    finished = true;
  });
  await queue.enqueue({ n: 1 });
  await until("it started", () => started);
  await listener.stop();
  t.ok(finished, "listen() resolved after the handler finished");
  t.same(await rows(), [], "and the message was recorded as done");
});

t.test("a listener that cannot wait any longer gives its message back", async (t) => {
  const queue = new DatabaseMessageQueue(database.handle, { ...FAST, drainTimeoutMs: 150 });
  let started = false;
  const listener = listen(t, queue, async () => {
    started = true;
    await new Promise(() => {});
  });
  await queue.enqueue({ n: 1 });
  await until("it started", () => started);
  await listener.stop();
  const [row] = await rows();
  t.equal(row!.status, "pending");
  t.equal(row!.attempts, 0, "the unfinished attempt does not count");
  t.equal(row!.leased_by, null);
});

t.test(
  "PostgreSQL listeners wake on NOTIFY, also after their LISTEN connection drops",
  {
    skip: database.url ? false : "PGlite listeners poll",
  },
  async (t) => {
    // Polling every 30 s: only a notification can explain a quick delivery.
    const queue = new DatabaseMessageQueue(database.handle, { ...FAST, pollIntervalMs: 30_000 });
    const other = secondHandle(t, database);
    const seen: number[] = [];
    listen(t, queue, (message: { n: number }) => {
      seen.push(message.n);
    });
    const listening = async () => {
      const { rows } = await other.pool!.query(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN federation_queue'",
      );
      return rows as { pid: number }[];
    };
    await until("the listener listens", async () => (await listening()).length === 1);
    await sleep(100);
    let sent = Date.now();
    await insertQueueMessages(other.db, [{ n: 1 }]);
    await until("the first arrives", () => seen.length === 1, 3_000);
    t.ok(Date.now() - sent < 3_000, `woken by NOTIFY (${Date.now() - sent} ms)`);

    const [{ pid }] = (await listening()) as [{ pid: number }];
    await other.pool!.query("SELECT pg_terminate_backend($1)", [pid]);
    await until("it listens again", async () => (await listening()).some((row) => row.pid !== pid));
    sent = Date.now();
    await insertQueueMessages(other.db, [{ n: 2 }]);
    await until("the second arrives", () => seen.length === 2, 3_000);
    t.pass(`woken again after reconnecting (${Date.now() - sent} ms)`);
  },
);
