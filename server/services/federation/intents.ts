// What services tell federation: "this changed, tell the siblings who should know". An intent is
// written into the durable federation queue in the same transaction as the change itself, so a
// change is never committed without its announcement (nor announced without being committed).
// The federation worker turns intents into activities and deliveries; services never see
// ActivityPub.
import { sql } from "kysely";
import type { Db } from "../../../db/repositories/types.ts";

export type OutboxIntent =
  /** A local post (or boost) was created; deliver Create(Note) (or Announce). */
  | { type: "status.created"; statusId: string; accountId: string }
  /** A local post was edited; deliver Update(Note). */
  | { type: "status.updated"; statusId: string; accountId: string }
  /**
   * A local post (or boost) was deleted; deliver Delete(Note) (or Undo(Announce)). The row is gone
   * by the time the intent is handled, so it carries what the activity needs.
   */
  | {
      type: "status.deleted";
      uri: string;
      accountId: string;
      /** For a boost: the boosted post's URI and author; the activity is then Undo(Announce). */
      reblogOf: { uri: string; accountId: string } | null;
      /** Remote accounts that were sent the post: mentioned people and the replied-to author. */
      audienceIds: string[];
      localOnly: boolean;
      visibility: string;
    }
  | { type: "favourite.created"; favouriteId: string; accountId: string }
  | {
      type: "favourite.deleted";
      uri: string;
      accountId: string;
      statusUri: string;
      statusAccountId: string;
    }
  /** A local account asked to follow a remote one (the follow_requests row). */
  | { type: "follow.requested"; requestId: string; accountId: string }
  /** A local account stopped following (or withdrew its request to) a remote one. */
  | { type: "follow.undone"; uri: string | null; accountId: string; targetAccountId: string }
  /** A local account accepted or rejected a remote account's follow request. */
  | {
      type: "follow.decided";
      accepted: boolean;
      followUri: string | null;
      accountId: string;
      targetAccountId: string;
    }
  /** A local account removed a remote follower (Reject of the earlier Follow). */
  | { type: "follower.removed"; followUri: string | null; accountId: string; followerId: string }
  /** A local account blocked a remote one (the blocks row); deliver Block. */
  | { type: "block.created"; blockId: string; accountId: string }
  /** A local account ended its block of a remote one; deliver Undo(Block). */
  | { type: "block.undone"; uri: string | null; accountId: string; targetAccountId: string }
  /** A local account voted in a sibling's poll; deliver one Create(Note) per choice to its author. */
  | { type: "poll.voted"; accountId: string; pollId: string; voteIds: string[] }
  /**
   * A local poll's results changed (a vote, or its end); deliver Update(Question) to the siblings
   * that hold it. `accountId` is the poll's author.
   */
  | { type: "poll.updated"; accountId: string; statusId: string }
  /** A local account pinned one of its posts; deliver Add to its featured collection. */
  | { type: "pin.created"; accountId: string; statusId: string }
  /** A local account unpinned a post; deliver Remove from its featured collection. */
  | { type: "pin.deleted"; accountId: string; statusUri: string; localOnly: boolean; visibility: string }
  | { type: "account.updated"; accountId: string }
  | { type: "account.deleted"; accountId: string; uri: string; inboxes: string[] }
  /**
   * A scheduled post's time has come (recorded with scheduleIntent): publish it through the
   * normal create path, which records its own status.created.
   */
  | { type: "status.scheduled"; scheduledStatusId: string; accountId: string }
  /**
   * A local help request is due for routing to experts (at posting, then again when it
   * resurfaces unanswered). Not an activity: the mentions it posts federate on their own.
   */
  | { type: "help.route"; statusId: string; accountId: string };

export interface IntentMessage {
  type: "hallway:intent";
  intent: OutboxIntent;
}

export function isIntentMessage(message: unknown): message is IntentMessage {
  return (message as IntentMessage | null)?.type === "hallway:intent";
}

/**
 * Records an intent inside the caller's transaction. Every intent names the local account that
 * acts, and one account's intents are handled in order (a Delete never overtakes its Create),
 * through the queue's ordering key.
 */
export async function recordIntent(db: Db, intent: OutboxIntent): Promise<void> {
  const message: IntentMessage = { type: "hallway:intent", intent };
  await db
    .insertInto("federation_queue")
    .values({ message: JSON.stringify(message), ordering_key: `intent:${intent.accountId}` })
    .execute();
  // Wakes listeners on PostgreSQL at commit; PGlite's listeners poll.
  await sql`SELECT pg_notify('federation_queue', '')`.execute(db);
}

/**
 * Records an intent, inside the caller's transaction, to be handled at `at` and not before.
 * It has no ordering key: a message waiting for next week must not hold back the account's
 * other intents until then (what it leads to is recorded in order when it runs).
 */
export async function scheduleIntent(db: Db, intent: OutboxIntent, at: Date): Promise<void> {
  const message: IntentMessage = { type: "hallway:intent", intent };
  await db
    .insertInto("federation_queue")
    .values({ message: JSON.stringify(message), ordering_key: null, available_at: at })
    .execute();
  await sql`SELECT pg_notify('federation_queue', '')`.execute(db);
}
