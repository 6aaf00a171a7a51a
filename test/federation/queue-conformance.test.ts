// Fedify's own conformance suite for message queues, run against ours: enqueue, delay,
// enqueueMany, two listeners that never share a message, and ordering keys.
import { testMessageQueue } from "@fedify/testing";
import t from "tap";
import { type DatabaseHandle, openPostgres } from "../../db/connection.ts";
import { DatabaseMessageQueue } from "../../federation/queue.ts";
import { createTestDatabase } from "../helpers/databases.ts";

const database = await createTestDatabase();
t.teardown(() => database.drop());

t.test("DatabaseMessageQueue passes @fedify/testing's testMessageQueue", async (t) => {
  // On PostgreSQL the second queue has a pool of its own, as a second process would.
  const handles: DatabaseHandle[] = [database.handle];
  if (database.url) handles.push(openPostgres(database.url, { max: 3 }));
  let made = 0;
  await testMessageQueue(
    () => new DatabaseMessageQueue(handles[made++ % handles.length]!, { pollIntervalMs: 200 }),
    async ({ controller }) => {
      controller.abort();
      await Promise.all(handles.slice(1).map((handle) => handle.close()));
    },
    { testOrderingKey: true },
  );
  const left = await database.handle.db.selectFrom("federation_queue").select("id").execute();
  t.equal(left.length, 0, "every message was handled and deleted");
});
