// A worker process for queue-crash.test.ts: it listens on the queue, announces the message it
// claimed, and never finishes it, until the test kills it with SIGKILL.
import { openPostgres } from "../../db/connection.ts";
import { DatabaseMessageQueue } from "../../federation/queue.ts";

const [url, leaseMs, heartbeatMs] = process.argv.slice(2);
const handle = openPostgres(url!, { max: 2 });
const queue = new DatabaseMessageQueue(handle, {
  leaseMs: Number(leaseMs),
  heartbeatMs: Number(heartbeatMs),
  pollIntervalMs: 50,
});
void queue.listen(async (message) => {
  process.stdout.write(`claimed ${JSON.stringify(message)}\n`);
  await new Promise(() => {});
});
process.stdout.write("listening\n");
