import { sql } from "kysely";
import t from "tap";
import { executePrepared } from "../../db/connection.ts";
import { createTestDatabase } from "../helpers/databases.ts";

const database = await createTestDatabase();
t.teardown(() => database.drop());
const { db } = database.handle;

const tagsNamed = (name: string) => db.selectFrom("tags").selectAll().where("name", "=", name);

t.test("a prepared query answers like the same query unprepared, call after call", async (t) => {
  await db
    .insertInto("tags")
    .values([
      { name: "alpha", display_name: "Alpha" },
      { name: "beta", display_name: "Beta" },
    ])
    .execute();
  for (const name of ["alpha", "beta", "alpha", "gamma", "beta", "alpha", "beta"]) {
    t.same(await executePrepared(db, tagsNamed(name)), await tagsNamed(name).execute(), name);
  }
  // Values that would break a statement if they were pasted into it (PGlite passes them as literals).
  const awkward = ["it's", "back\\slash", "quote'); DROP TABLE tags; --", "multi\nline", "ünïcødé"];
  await db
    .insertInto("tags")
    .values(awkward.map((name) => ({ name, display_name: name })))
    .execute();
  for (const name of [...awkward, "it''s"]) {
    t.same(await executePrepared(db, tagsNamed(name)), await tagsNamed(name).execute(), name);
  }
  t.equal((await executePrepared(db, tagsNamed("it's")))[0]?.display_name, "it's");
  await db.transaction().execute(async (trx) => {
    t.equal(
      (
        await executePrepared(trx, trx.selectFrom("tags").select("name").where("name", "=", "beta"))
      )[0]?.name,
      "beta",
    );
  });
});

t.test("a prepared `*` query keeps working after a migration adds a column", async (t) => {
  for (let call = 0; call < 6; call += 1) await executePrepared(db, tagsNamed("alpha"));
  await sql`ALTER TABLE tags ADD COLUMN prepared_test_note text`.execute(db);
  const [row] = await executePrepared(db, tagsNamed("alpha"));
  t.equal(row?.display_name, "Alpha");
  t.ok(row && "prepared_test_note" in row, "the new column is there");
  t.equal((await executePrepared(db, tagsNamed("alpha"))).length, 1, "and stays so");
});
