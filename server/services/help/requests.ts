// Help requests: which posts are requests, and when they are solved. The state follows from the
// posts themselves, by one rule applied alike to local posts and to posts received from
// siblings, so that every campus holding a thread agrees without any activity of its own:
// - a post carrying the campus help tag (HALLWAY_HELP_TAG, default #help) is an open request;
// - a reply by the asker carrying #solved, anywhere in the request's thread, solves it; when that
//   reply answers someone else's post, that post is the answer that helped.
import { sql } from "kysely";
import type { Db } from "../../../db/repositories/types.ts";
import type { Status } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { scheduleIntent } from "../federation/intents.ts";
import { normalizeTag } from "../statuses/text.ts";

export const SOLVED_TAG = "solved";

/** The campus help tag, normalized as stored tags are. */
export function helpTag(context: AppContext): string {
  return normalizeTag(context.config.help.tag);
}

/**
 * The text of a post made with the `help_request` parameter: it carries the help tag, so that
 * every client and every sibling sees a request.
 */
export function withHelpTag(context: AppContext, text: string): string {
  const tag = helpTag(context);
  const has = new RegExp(
    `(^|[^\\p{L}\\p{N}_])#${tag.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\p{L}\\p{N}_])`,
    "iu",
  );
  return has.test(text) ? text : `${text}${text === "" ? "" : " "}#${context.config.help.tag}`;
}

async function tagsOf(db: Db, statusId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom("statuses_tags as st")
    .innerJoin("tags as t", "t.id", "st.tag_id")
    .select("t.name")
    .where("st.status_id", "=", statusId)
    .execute();
  return new Set(rows.map((row) => row.name));
}

/**
 * Applies the rule to a post just written (call after its tags are stored, in its transaction).
 * A new local request is handed to routing through the durable queue.
 */
export async function noteHelpActivity(
  trx: Db,
  context: AppContext,
  status: Status,
): Promise<void> {
  if (status.reblog_of_id) return;
  const tags = await tagsOf(trx, status.id);
  if (tags.has(SOLVED_TAG)) {
    if (status.in_reply_to_id) await solveFromReply(trx, status);
    return;
  }
  if (!tags.has(helpTag(context))) return;
  const inserted = await trx
    .insertInto("help_requests")
    .values({ status_id: status.id, account_id: status.account_id, created_at: status.created_at })
    .onConflict((conflict) => conflict.column("status_id").doNothing())
    .returning("status_id")
    .executeTakeFirst();
  // A campus routes only its own people's requests; siblings route theirs.
  if (inserted && status.local) {
    // Due now, but without the asker's ordering key: ranking never holds back the post's own delivery.
    await scheduleIntent(
      trx,
      { type: "help.route", statusId: status.id, accountId: status.account_id },
      new Date(),
    );
  }
}

/** The asker's #solved reply: finds the open request up its thread and closes it. */
async function solveFromReply(trx: Db, reply: Status): Promise<void> {
  const found = await sql<{ status_id: string }>`
    WITH RECURSIVE up (id, parent, depth) AS (
      SELECT s.id, s.in_reply_to_id, 0 FROM statuses s WHERE s.id = ${reply.in_reply_to_id}::bigint
      UNION ALL
      SELECT p.id, p.in_reply_to_id, up.depth + 1 FROM statuses p JOIN up ON p.id = up.parent WHERE up.depth < 100
    )
    SELECT h.status_id FROM up JOIN help_requests h ON h.status_id = up.id
    WHERE h.account_id = ${reply.account_id}::bigint AND h.solved_at IS NULL
    ORDER BY up.depth LIMIT 1
  `.execute(trx);
  const requestId = found.rows[0]?.status_id;
  if (!requestId) return;
  const parent = await trx
    .selectFrom("statuses")
    .select(["id", "account_id"])
    .where("id", "=", reply.in_reply_to_id!)
    .executeTakeFirst();
  const answer =
    parent && parent.account_id !== reply.account_id && parent.id !== String(requestId)
      ? parent.id
      : null;
  await trx
    .updateTable("help_requests")
    .set({ solved_at: reply.created_at, solved_by_status_id: reply.id, answer_status_id: answer })
    .where("status_id", "=", String(requestId))
    .where("solved_at", "is", null)
    .execute();
}
