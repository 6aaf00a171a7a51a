// The bus that carries stream signals between the processes of a campus: on PostgreSQL by
// LISTEN/NOTIFY (each process hears the others once, and itself once), surviving a lost LISTEN
// connection; on PGlite straight to the one process.
import { sql } from "kysely";
import t from "tap";
import { openStreamingBus, STREAMING_CHANNEL } from "../../../server/services/streaming/bus.ts";
import type { DatabaseHandle } from "../../../db/connection.ts";
import type { StreamSignal } from "../../../server/services/streaming/signals.ts";
import { createTestDatabase, TEST_DATABASE } from "../../helpers/databases.ts";

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

function collector() {
  const received: StreamSignal[] = [];
  return {
    received,
    receive: (signal: StreamSignal) => received.push(signal),
    async waitFor(count: number): Promise<void> {
      const deadline = Date.now() + 10_000;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`got ${received.length} of ${count} signals`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

const signal = (statusId: string): StreamSignal => ({
  kind: "status.created",
  statusId,
  accountId: "1",
});

t.test(
  "PGlite: a signal goes straight to this process",
  { skip: TEST_DATABASE !== "pglite" },
  async (t) => {
    const here = collector();
    // PGlite's handle has no pool: nothing to LISTEN on, nobody else to tell.
    const handle = { kind: "pglite" } as DatabaseHandle;
    const bus = await openStreamingBus(handle, here.receive, quiet);
    t.teardown(() => bus.close());
    bus.publish(signal("10"));
    t.same(here.received, [signal("10")]);
  },
);

t.test(
  "PostgreSQL: every process hears a signal once, even after its LISTEN connection was lost",
  { skip: TEST_DATABASE !== "postgres" && "LISTEN/NOTIFY between processes needs PostgreSQL" },
  async (t) => {
    const database = await createTestDatabase();
    t.teardown(() => database.drop());
    // Two buses on one database stand for two processes.
    const first = collector();
    const second = collector();
    const one = await openStreamingBus(database.handle, first.receive, quiet);
    const two = await openStreamingBus(database.handle, second.receive, quiet);
    t.teardown(async () => {
      await one.close();
      await two.close();
    });

    one.publish(signal("20"));
    await second.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    t.same(first.received, [signal("20")], "the publisher hears it once (not again from NOTIFY)");
    t.same(second.received, [signal("20")], "the other process hears it once");

    // Noise on the channel (a hand-made NOTIFY) is ignored.
    await sql`SELECT pg_notify(${STREAMING_CHANNEL}, ${'{"signal":{"kind":"status.created","statusId":"x"}}'})`.execute(
      database.handle.db,
    );
    await sql`SELECT pg_notify(${STREAMING_CHANNEL}, 'not json')`.execute(database.handle.db);

    // Both LISTEN connections are cut; they come back on their own.
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND query LIKE 'LISTEN %'`.execute(database.handle.db);
    const deadline = Date.now() + 15_000;
    let heard = false;
    for (let attempt = 0; !heard && Date.now() < deadline; attempt++) {
      two.publish(signal(String(100 + attempt)));
      await new Promise((resolve) => setTimeout(resolve, 300));
      heard = first.received.some(
        (received) => received.kind === "status.created" && received.statusId !== "20",
      );
    }
    t.ok(heard, "signals flow again once the connection is back");
    t.ok(
      first.received.every(
        (received) => received.kind === "status.created" && /^\d+$/.test(received.statusId),
      ),
      "nothing malformed got through",
    );
  },
);
