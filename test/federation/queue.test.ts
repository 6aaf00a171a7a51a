// The federation queue's behaviour on a real database: delays, ordering keys, backoff into the
// dead letters and back, and enqueues inside transactions.
import t from "tap";
import {
  DatabaseMessageQueue,
  insertQueueMessages,
  listDeadMessages,
  queueCounts,
  retryDeadMessages,
} from "../../federation/queue.ts";
import { recordIntent } from "../../server/services/federation/intents.ts";
import { createTestDatabase } from "../helpers/databases.ts";
import { delay, FAST, listen, sleep, until } from "./queue-helpers.ts";

const database = await createTestDatabase();
t.teardown(() => database.drop());
const { db } = database.handle;

const rows = () => db.selectFrom("federation_queue").selectAll().orderBy("id").execute();

t.beforeEach(async () => {
  await db.deleteFrom("federation_queue").execute();
});

t.test("a delayed message waits for its delay; getDepth counts it as delayed", async (t) => {
  const queue = new DatabaseMessageQueue(database.handle, FAST);
  const start = Date.now();
  await queue.enqueue({ n: "late" }, { delay: delay(800) });
  await queue.enqueue({ n: "now" });
  t.same(await queue.getDepth(), { queued: 2, ready: 1, delayed: 1 });

  const seen: { n: string; at: number }[] = [];
  listen(t, queue, (message: { n: string }) => {
    seen.push({ n: message.n, at: Date.now() - start });
  });
  await until("both arrive", () => seen.length === 2);
  t.same(
    seen.map((entry) => entry.n),
    ["now", "late"],
  );
  t.ok(seen[1]!.at >= 800, `the delayed one came after its delay (${seen[1]!.at} ms)`);
  t.ok(seen[1]!.at < 2_500, "and not much later: listeners sleep until it is due");
  t.same(await queue.getDepth(), { queued: 0, ready: 0, delayed: 0 });
});

t.test(
  "messages with one ordering key run one at a time, in order, even across a retry",
  async (t) => {
    // The first A fails once; the other As must wait for its retry while B and the unkeyed run.
    const queue = new DatabaseMessageQueue(database.handle, {
      ...FAST,
      concurrency: 4,
      retryBaseMs: 500,
    });
    const order: string[] = [];
    const running = new Set<string>();
    let overlap = false;
    let failedOnce = false;
    listen(t, queue, async (message: { key: string | null; n: number }) => {
      const { key, n } = message;
      if (key !== null) {
        if (running.has(key)) overlap = true;
        running.add(key);
      }
      try {
        await sleep(20);
        if (key === "A" && n === 1 && !failedOnce) {
          failedOnce = true;
          order.push("A1 failed");
          throw new Error("first attempt fails");
        }
        order.push(`${key ?? "-"}${n}`);
      } finally {
        if (key !== null) running.delete(key);
      }
    });
    const send = (key: string | null, n: number) =>
      queue.enqueue({ key, n }, key === null ? {} : { orderingKey: key });
    await send("A", 1);
    await send("B", 1);
    await send("A", 2);
    await send(null, 1);
    await send("B", 2);
    await send("A", 3);
    await send(null, 2);
    await until("all ran", () => order.length === 8);
    const of = (key: string) => order.filter((entry) => entry.startsWith(key));
    t.same(of("A"), ["A1 failed", "A1", "A2", "A3"], "A in order, A2 waited for A1's retry");
    t.same(of("B"), ["B1", "B2"]);
    t.same(new Set(of("-")), new Set(["-1", "-2"]));
    t.notOk(overlap, "never two messages of one key at once");
    t.ok(order.indexOf("B2") < order.indexOf("A1"), "another key did not wait for A's backoff");
  },
);

t.test(
  "failures back off exponentially, then the message is dead; an admin retry runs it",
  async (t) => {
    const queue = new DatabaseMessageQueue(database.handle, { ...FAST, retryBaseMs: 150 });
    let healed = false;
    const attempts: number[] = [];
    const delivered: string[] = [];
    listen(t, queue, (message: { activityId: string }) => {
      attempts.push(Date.now());
      if (!healed) throw new Error("campus-b answered 502 Bad Gateway");
      delivered.push(message.activityId);
    });
    const outbox = {
      type: "outbox",
      id: "7e3c…",
      activityType: "Create",
      activityId: "https://campus-a.example/statuses/1/activity",
      inbox: "https://campus-b.example/inbox",
      keys: [
        {
          keyId: "https://campus-a.example/users/ana#main-key",
          privateKey: { kty: "RSA", d: "SECRET-PART" },
        },
      ],
      activity: { type: "Create" },
    };
    await queue.enqueue(outbox);
    await until("it is dead", async () => (await queueCounts(db)).dead === 1);
    t.equal(attempts.length, 3, "maxAttempts attempts");
    const gaps = [attempts[1]! - attempts[0]!, attempts[2]! - attempts[1]!];
    t.ok(gaps[0]! >= 150, `first retry after the base delay (${gaps[0]} ms)`);
    t.ok(gaps[1]! >= 300, `second retry after twice that (${gaps[1]} ms)`);

    const [row] = await rows();
    t.equal(row!.status, "dead");
    t.equal(row!.attempts, 3);
    t.match(row!.last_error, /campus-b answered 502 Bad Gateway/);
    t.equal(row!.leased_by, null);

    const dead = await listDeadMessages(db);
    t.equal(dead.length, 1);
    t.equal(dead[0]!.id, row!.id);
    t.equal(dead[0]!.attempts, 3);
    t.equal(
      dead[0]!.summary.text,
      "deliver Create https://campus-a.example/statuses/1/activity to https://campus-b.example/inbox",
    );
    t.notMatch(JSON.stringify(dead), /SECRET-PART/, "the listing never carries the message's keys");
    t.same(await queueCounts(db), {
      pending: 0,
      ready: 0,
      delayed: 0,
      processing: 0,
      dead: 1,
      oldestReadyAt: null,
    });

    await sleep(300);
    t.equal(attempts.length, 3, "a dead message is left alone");
    healed = true;
    t.same(
      await retryDeadMessages(db, ["1"]),
      [],
      "retrying a message that is not dead does nothing",
    );
    t.same(await retryDeadMessages(db, [row!.id]), [row!.id]);
    await until("it is delivered", () => delivered.length === 1);
    await until("it is deleted", async () => (await rows()).length === 0);
    t.equal(attempts.length, 4);
  },
);

t.test("retry --all sends every dead message back, attempts from zero", async (t) => {
  await insertQueueMessages(db, [{ n: 1 }, { n: 2 }, { n: 3 }]);
  const all = await rows();
  await db
    .updateTable("federation_queue")
    .set({ status: "dead", attempts: 10, last_error: "gave up" })
    .where("id", "in", [all[0]!.id, all[1]!.id])
    .execute();
  t.same(await retryDeadMessages(db, "all"), [all[0]!.id, all[1]!.id]);
  const after = await rows();
  t.same(
    after.map((row) => [row.status, row.attempts]),
    [
      ["pending", 0],
      ["pending", 0],
      ["pending", 0],
    ],
  );
  t.equal(after[0]!.last_error, "gave up", "the last error stays until the next outcome");
  t.same(await retryDeadMessages(db, "all"), [], "nothing left to retry");
});

t.test("an enqueue inside a rolled-back transaction never runs", async (t) => {
  const queue = new DatabaseMessageQueue(database.handle, FAST);
  const seen: unknown[] = [];
  listen(t, queue, (message) => {
    seen.push(message);
  });
  await t.rejects(
    db.transaction().execute(async (trx) => {
      await recordIntent(trx, { type: "account.updated", accountId: "1" });
      await insertQueueMessages(trx, [{ n: "rolled back" }]);
      throw new Error("the change failed");
    }),
  );
  await db.transaction().execute(async (trx) => {
    await recordIntent(trx, { type: "account.updated", accountId: "2" });
    await insertQueueMessages(trx, [{ n: "committed" }]);
  });
  await until("the committed ones ran", () => seen.length === 2);
  await sleep(300);
  t.same(seen, [
    { type: "hallway:intent", intent: { type: "account.updated", accountId: "2" } },
    { n: "committed" },
  ]);
});
