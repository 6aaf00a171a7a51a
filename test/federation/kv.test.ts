// Fedify's key-value store on our database: values of every JSON shape, expiry, prefix listing
// on the index, and compare-and-swap under concurrency.
import { Temporal } from "@js-temporal/polyfill";
import { sql } from "kysely";
import t from "tap";
import { openPostgres } from "../../db/connection.ts";
import { DatabaseKvStore, encodeKvKey } from "../../federation/kv.ts";
import { createTestDatabase } from "../helpers/databases.ts";

const database = await createTestDatabase();
t.teardown(() => database.drop());
const { db } = database.handle;
const kv = new DatabaseKvStore(db);

/** A TTL as Fedify passes it (a polyfill Duration). */
function ttl(milliseconds: number): globalThis.Temporal.Duration {
  return Temporal.Duration.from({ milliseconds }) as unknown as globalThis.Temporal.Duration;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The keys list() yields, sorted as arrays (its own order is that of their JSON bytes). */
async function keysUnder(prefix?: readonly [string, ...string[]]): Promise<string[][]> {
  const keys: string[][] = [];
  for await (const entry of kv.list(prefix)) keys.push([...entry.key]);
  return keys.sort((a, b) => (a.join("\0") < b.join("\0") ? -1 : 1));
}

t.beforeEach(async () => {
  await db.deleteFrom("fedify_kv").execute();
});

t.test("values of every JSON shape read back as they were set", async (t) => {
  const values: [string, unknown][] = [
    [
      "object",
      {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: "https://b.example/x",
        n: [1, 2.5, true, null],
      },
    ],
    ["string", "just a string"],
    ["number", 42],
    ["zero", 0],
    ["false", false],
    ["null", null],
    ["array", ["a", { b: "c" }]],
    ["unicode", 'Zoë 🐘 "quoted" \\ backslash'],
  ];
  for (const [name, value] of values) await kv.set(["value", name], value);
  for (const [name, value] of values) t.same(await kv.get(["value", name]), value, name);
  t.equal(await kv.get(["value", "missing"]), undefined, "an absent key reads as undefined");

  await kv.set(["value", "string"], { replaced: true });
  t.same(await kv.get(["value", "string"]), { replaced: true }, "set replaces");
  await kv.delete(["value", "string"]);
  t.equal(await kv.get(["value", "string"]), undefined, "delete removes");
  await kv.delete(["value", "string"]);
  t.pass("deleting an absent key is fine");
  await kv.set(["value", "object"], undefined);
  t.equal(await kv.get(["value", "object"]), undefined, "setting undefined makes the key absent");
});

t.test("an entry with a TTL is absent once it expires, and cleanup removes it", async (t) => {
  await kv.set(["ttl", "short"], "soon gone", { ttl: ttl(300) });
  await kv.set(["ttl", "long"], "stays", { ttl: ttl(60_000) });
  await kv.set(["ttl", "forever"], "stays");
  t.equal(await kv.get(["ttl", "short"]), "soon gone");
  await sleep(450);
  t.equal(await kv.get(["ttl", "short"]), undefined, "expired reads as absent");
  t.equal(await kv.get(["ttl", "long"]), "stays");
  t.same(
    await keysUnder(["ttl"]),
    [
      ["ttl", "forever"],
      ["ttl", "long"],
    ],
    "list skips expired entries",
  );
  t.equal(await kv.deleteExpired(), 1, "cleanup deletes the expired row");
  const rows = await db.selectFrom("fedify_kv").select("key").execute();
  t.equal(rows.length, 2);

  await kv.set(["ttl", "renewed"], "a", { ttl: ttl(200) });
  await kv.set(["ttl", "renewed"], "b");
  await sleep(300);
  t.equal(await kv.get(["ttl", "renewed"]), "b", "a set without TTL clears the old expiry");

  const day = Temporal.Duration.from({ days: 1 }) as unknown as globalThis.Temporal.Duration;
  await kv.set(["ttl", "day"], "x", { ttl: day });
  const { expires_at } = await db
    .selectFrom("fedify_kv")
    .select("expires_at")
    .where("key", "=", encodeKvKey(["ttl", "day"]))
    .executeTakeFirstOrThrow();
  const hours = (expires_at!.getTime() - Date.now()) / 3600_000;
  t.ok(hours > 23.9 && hours <= 24, `a one-day TTL expires in a day (${hours.toFixed(3)} h)`);
});

t.test("list(prefix) returns exactly the keys that start with the prefix's elements", async (t) => {
  const keys: [string, ...string[]][] = [
    ["a"],
    ["a", "b"],
    ["a", "b", "c"],
    ["a", "bc"],
    ["ab"],
    ['a"', "quote"],
    ["a\\", "backslash"],
    ["a,", "comma"],
    ["b"],
    ["é", "unicode"],
    ["", "empty"],
  ];
  for (const key of keys) await kv.set(key, key.join("/"));
  t.same(await keysUnder(["a"]), [["a"], ["a", "b"], ["a", "b", "c"], ["a", "bc"]]);
  t.same(await keysUnder(["a", "b"]), [
    ["a", "b"],
    ["a", "b", "c"],
  ]);
  t.same(await keysUnder(["a", "b", "c"]), [["a", "b", "c"]]);
  t.same(await keysUnder(['a"']), [['a"', "quote"]]);
  t.same(await keysUnder(["a\\"]), [["a\\", "backslash"]]);
  t.same(await keysUnder(["é"]), [["é", "unicode"]]);
  t.same(await keysUnder([""]), [["", "empty"]]);
  t.same(await keysUnder(["c"]), []);
  t.equal((await keysUnder()).length, keys.length, "no prefix lists everything");
  const entries = [];
  for await (const entry of kv.list(["a", "b"])) entries.push(entry);
  t.same(
    entries,
    [
      { key: ["a", "b", "c"], value: "a/b/c" },
      { key: ["a", "b"], value: "a/b" },
    ],
    "entries carry their values, in the byte order of the encoded keys",
  );
});

t.test("list pages through more entries than one batch", async (t) => {
  const count = 1234;
  await sql`
    INSERT INTO fedify_kv (key, value)
    SELECT '["many","' || lpad(n::text, 5, '0') || '"]', to_jsonb(n) FROM generate_series(1, ${count}) n
  `.execute(db);
  await kv.set(["other"], 1);
  let seen = 0;
  let previous = 0;
  let ordered = true;
  for await (const entry of kv.list(["many"])) {
    seen += 1;
    if ((entry.value as number) <= previous) ordered = false;
    previous = entry.value as number;
  }
  t.equal(seen, count);
  t.ok(ordered, "in key order, without repeats");
});

t.test("a prefix query is a range scan of the primary key index", async (t) => {
  const plan = await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    const { rows } = await sql<{ "QUERY PLAN": string }>`
      EXPLAIN SELECT key, value FROM fedify_kv WHERE key >= ${'["a"'} AND key < ${'["a#'} ORDER BY key
    `.execute(trx);
    return rows.map((row) => row["QUERY PLAN"]).join("\n");
  });
  t.match(plan, /(Index|Index Only|Bitmap Index) Scan (using|on) fedify_kv_pkey/);
  t.match(plan, /Index Cond: \(\(key >= /);
});

t.test("cas follows compare-and-swap semantics", async (t) => {
  t.equal(await kv.cas(["cas", "k"], undefined, 1), true, "absent → set");
  t.equal(await kv.cas(["cas", "k"], undefined, 2), false, "no longer absent");
  t.equal(await kv.cas(["cas", "k"], 5, 2), false, "wrong expectation");
  t.equal(await kv.get(["cas", "k"]), 1);
  t.equal(await kv.cas(["cas", "k"], 1, 2), true, "right expectation");
  t.equal(await kv.get(["cas", "k"]), 2);

  await kv.set(["cas", "obj"], { a: 1, b: [1, 2] });
  t.equal(
    await kv.cas(["cas", "obj"], { b: [1, 2], a: 1 }, "next"),
    true,
    "object key order does not matter",
  );
  t.equal(await kv.cas(["cas", "obj"], "next", undefined), true, "swapping in undefined deletes");
  t.equal(await kv.get(["cas", "obj"]), undefined);
  t.equal(await kv.cas(["cas", "obj"], undefined, undefined), true, "absent stays absent");

  await kv.set(["cas", "expiring"], "old", { ttl: ttl(150) });
  t.equal(await kv.cas(["cas", "expiring"], undefined, "x"), false, "a live entry is not absent");
  await sleep(250);
  t.equal(
    await kv.cas(["cas", "expiring"], "old", "x"),
    false,
    "an expired value no longer matches",
  );
  t.equal(
    await kv.cas(["cas", "expiring"], undefined, "fresh", { ttl: ttl(60_000) }),
    true,
    "an expired entry is absent",
  );
  t.equal(await kv.get(["cas", "expiring"]), "fresh");
});

t.test("of racing cas calls with one expectation, exactly one wins", async (t) => {
  // On PostgreSQL a second pool makes the race real across connections.
  const other = database.url ? openPostgres(database.url, { max: 5 }) : null;
  t.teardown(() => other?.close());
  const stores = [kv, new DatabaseKvStore(other?.db ?? db)];
  for (let round = 0; round < 5; round++) {
    const key = ["race", String(round)] as const;
    if (round % 2 === 1) await kv.set(key, "start");
    const expected = round % 2 === 1 ? "start" : undefined;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => stores[i % 2]!.cas(key, expected, `winner ${i}`)),
    );
    t.equal(results.filter(Boolean).length, 1, `round ${round}: one winner`);
    t.equal(await kv.get(key), `winner ${results.indexOf(true)}`);
  }
});

t.test("increments through cas loops lose no update", async (t) => {
  const other = database.url ? openPostgres(database.url, { max: 5 }) : null;
  t.teardown(() => other?.close());
  const stores = [kv, new DatabaseKvStore(other?.db ?? db)];
  const key = ["counter"] as const;
  await kv.set(key, 0);
  const workers = 4;
  const increments = 6;
  let conflicts = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      const store = stores[worker % 2]!;
      for (let i = 0; i < increments; i++) {
        for (;;) {
          const current = (await store.get<number>(key))!;
          if (await store.cas(key, current, current + 1)) break;
          conflicts += 1;
        }
      }
    }),
  );
  t.equal(await kv.get(key), workers * increments);
  t.comment(`${conflicts} lost races retried`);
});
