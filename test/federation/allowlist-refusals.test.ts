// Refusals at the wall: each one logged, counted in memory, and written in batches, so that an
// outsider knocking a thousand times costs one database statement.
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from "kysely";
import { sql } from "kysely";
import t from "tap";
import { Allowlist } from "../../federation/allowlist.ts";
import { createWall, listRefusals, OTHER_HOSTS, RefusalLog } from "../../federation/refusals.ts";
import { createTestDatabase } from "../helpers/databases.ts";

/** Counts the statements sent through a Kysely instance. */
class StatementCounter implements KyselyPlugin {
  statements = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.statements += 1;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** A pino-shaped logger that keeps its lines. */
function memoryLog() {
  const lines: { level: string; object: Record<string, unknown>; message?: string }[] = [];
  return {
    lines,
    warn: (object: object, message?: string) =>
      lines.push({ level: "warn", object: object as Record<string, unknown>, message }),
    error: (object: object, message?: string) =>
      lines.push({ level: "error", object: object as Record<string, unknown>, message }),
  };
}

t.test("a thousand refusals are logged one by one and written in one statement", async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const counter = new StatementCounter();
  const log = memoryLog();
  const refusals = new RefusalLog({
    db: database.handle.db.withPlugin(counter),
    log,
    flushIntervalMs: 0,
  });
  t.teardown(() => refusals.close());

  for (let i = 0; i < 1000; i++) {
    refusals.record({ host: "outsider.example", direction: "inbound", reason: "not allowlisted" });
  }
  refusals.record({ host: "Outsider.Example", direction: "outbound", reason: "not allowlisted" });
  refusals.record({
    host: "127.0.0.1:3003",
    direction: "outbound",
    reason: "redirect out of the allowlist",
  });
  t.equal(counter.statements, 0, "counting touches no database");
  t.equal(log.lines.length, 1002, "every refusal is logged");
  t.same(log.lines[0], {
    level: "warn",
    object: { host: "outsider.example", direction: "inbound", reason: "not allowlisted" },
    message: "federation refused",
  });
  t.same(await listRefusals(database.handle.db), [], "nothing written before a flush");
  t.same(
    refusals.pending().map(({ host, direction, count }) => [host, direction, count]),
    [
      ["outsider.example", "inbound", 1000],
      ["outsider.example", "outbound", 1],
      ["127.0.0.1:3003", "outbound", 1],
    ],
  );

  await refusals.flush();
  t.equal(counter.statements, 1, "one statement for the whole batch");
  t.same(refusals.pending(), []);
  await refusals.flush();
  t.equal(counter.statements, 1, "an empty flush writes nothing");

  const counts = await listRefusals(database.handle.db);
  t.same(
    counts
      .map(({ host, direction, reason, count }) => ({ host, direction, reason, count }))
      .sort((a, b) => a.host.localeCompare(b.host) || a.direction.localeCompare(b.direction)),
    [
      {
        host: "127.0.0.1:3003",
        direction: "outbound",
        reason: "redirect out of the allowlist",
        count: 1,
      },
      { host: "outsider.example", direction: "inbound", reason: "not allowlisted", count: 1000 },
      { host: "outsider.example", direction: "outbound", reason: "not allowlisted", count: 1 },
    ],
  );
});

t.test("later batches add to the counts and move last seen, not first seen", async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const refusals = new RefusalLog({ db: database.handle.db, log: memoryLog(), flushIntervalMs: 0 });
  const knock = () =>
    refusals.record({ host: "outsider.example", direction: "inbound", reason: "unsigned" });
  knock();
  await refusals.flush();
  const [first] = await listRefusals(database.handle.db);
  await new Promise((resolve) => setTimeout(resolve, 20));
  knock();
  knock();
  await refusals.close();
  const [after] = await listRefusals(database.handle.db);
  t.equal(after!.count, 3);
  t.equal(after!.firstAt.getTime(), first!.firstAt.getTime());
  t.ok(after!.lastAt.getTime() > first!.lastAt.getTime());
  t.ok(after!.lastAt.getTime() <= Date.now());
});

t.test("counts reach the database on their own every few seconds, and on close", async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const refusals = new RefusalLog({
    db: database.handle.db,
    log: memoryLog(),
    flushIntervalMs: 100,
  });
  refusals.record({ host: "outsider.example", direction: "outbound", reason: "not allowlisted" });
  const deadline = Date.now() + 5000;
  while ((await listRefusals(database.handle.db)).length === 0) {
    if (Date.now() > deadline) throw new Error("the timer never flushed");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.pass("the timer flushed");
  refusals.record({ host: "outsider.example", direction: "outbound", reason: "not allowlisted" });
  await refusals.close();
  t.equal((await listRefusals(database.handle.db))[0]!.count, 2, "close writes what is left");
});

t.test("hosts chosen by outsiders cannot grow the batch without bound", async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const refusals = new RefusalLog({
    db: database.handle.db,
    log: memoryLog(),
    flushIntervalMs: 0,
    maxPendingKeys: 10,
  });
  for (let i = 0; i < 500; i++) {
    refusals.record({
      host: `random-${i}.outsider.example`,
      direction: "inbound",
      reason: "not allowlisted",
    });
  }
  refusals.record({
    host: `x\u0000y${"z".repeat(1000)}`,
    direction: "inbound",
    reason: "not allowlisted",
  });
  t.equal(refusals.pending().length, 11, "ten hosts and one bucket for the rest");
  await refusals.close();
  const counts = await listRefusals(database.handle.db);
  t.equal(counts.length, 11);
  const other = counts.find((count) => count.host === OTHER_HOSTS);
  t.equal(other?.count, 491);
  t.equal(
    counts.reduce((sum, count) => sum + count.count, 0),
    501,
    "every refusal is counted somewhere",
  );
});

t.test("a failed write keeps the counts for the next one", async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const { db } = database.handle;
  const log = memoryLog();
  const refusals = new RefusalLog({ db, log, flushIntervalMs: 0 });
  const knock = () =>
    refusals.record({ host: "outsider.example", direction: "inbound", reason: "not allowlisted" });
  // The table out of the way makes the write fail, as a database that is down would.
  await sql`ALTER TABLE federation_refusals RENAME TO federation_refusals_away`.execute(db);
  knock();
  await t.rejects(refusals.flush());
  t.equal(refusals.pending()[0]?.count, 1, "still counted");
  knock();
  t.equal(refusals.pending()[0]?.count, 2, "merged with what came after");
  t.ok(
    log.lines.some(
      (line) =>
        line.level === "error" && line.message === "could not write federation refusal counts",
    ),
  );
  await sql`ALTER TABLE federation_refusals_away RENAME TO federation_refusals`.execute(db);
  await refusals.close();
  t.match(
    await listRefusals(db),
    [{ host: "outsider.example", count: 2 }],
    "written once the database is back",
  );
});

t.test("createWall joins the allowlist's decisions and the refusal log", async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const allowlist = await Allowlist.load({
    db: database.handle.db,
    ownOrigin: "https://campus-a.example.org",
    environment: ["http://127.0.0.1:3002"],
  });
  const refusals = new RefusalLog({ db: database.handle.db, log: memoryLog(), flushIntervalMs: 0 });
  const wall = createWall(allowlist, refusals);
  t.ok(wall.allowsUrl("http://127.0.0.1:3002/users/raj"));
  t.ok(wall.allowsHost("127.0.0.1:3002"));
  t.equal(wall.originForHost("127.0.0.1:3002"), "http://127.0.0.1:3002");
  wall.refuse("outsider.example", "inbound", "not allowlisted");
  await refusals.close();
  t.match(await listRefusals(database.handle.db), [
    { host: "outsider.example", direction: "inbound", count: 1 },
  ]);
});
