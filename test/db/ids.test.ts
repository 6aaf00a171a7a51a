import { sql } from "kysely";
import t from "tap";
import { createTestDatabase } from "../helpers/databases.ts";

const database = await createTestDatabase();
t.teardown(() => database.drop());
const { db } = database.handle;

t.test("ids are strings that sort by creation time", async (t) => {
  const { rows } = await sql<{ early: string; late: string; now1: string; now2: string }>`
    SELECT timestamp_id('2020-01-01T00:00:00Z') AS early,
           timestamp_id('2030-01-01T00:00:00Z') AS late,
           timestamp_id() AS now1,
           timestamp_id() AS now2
  `.execute(db);
  const ids = rows[0]!;
  for (const id of Object.values(ids)) t.type(id, "string");
  t.ok(BigInt(ids.early) < BigInt(ids.late));
  t.not(ids.now1, ids.now2, "two ids made in the same millisecond differ");
  // The high bits are the milliseconds since the epoch, as in Mastodon's ids.
  t.equal(Number(BigInt(ids.early) >> 16n), Date.parse("2020-01-01T00:00:00Z"));
});

t.test("rows get such ids by default", async (t) => {
  const before = BigInt(Date.now()) << 16n;
  const tag = await db.insertInto("tags").values({ name: "ids", display_name: "ids" }).returning("id").executeTakeFirstOrThrow();
  t.type(tag.id, "string");
  t.ok(BigInt(tag.id) >= before);
});
