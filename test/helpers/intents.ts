// Reading what services announced to federation: the intents in federation_queue, in the order
// they were recorded.
import { sql } from "kysely";
import type { OutboxIntent } from "../../server/services/federation/intents.ts";
import type { TestInstance } from "./instance.ts";

/** The recorded intents (optionally of one type), oldest first. */
export async function readIntents<T extends OutboxIntent["type"]>(
  instance: TestInstance,
  type?: T,
): Promise<Extract<OutboxIntent, { type: T }>[]> {
  const result = await sql<{ message: { intent: OutboxIntent } }>`
    SELECT message FROM federation_queue
    WHERE message->>'type' = 'hallway:intent'
    ORDER BY id
  `.execute(instance.context.db);
  return result.rows
    .map((row) => row.message.intent)
    .filter((intent): intent is Extract<OutboxIntent, { type: T }> => !type || intent.type === type);
}

/** Runs `action` and returns the intents it recorded. */
export async function intentsDuring<T>(
  instance: TestInstance,
  action: () => Promise<T>,
): Promise<{ result: T; intents: OutboxIntent[] }> {
  const before = (await readIntents(instance)).length;
  const result = await action();
  return { result, intents: (await readIntents(instance)).slice(before) };
}
