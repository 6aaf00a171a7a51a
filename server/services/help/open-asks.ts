// "Open asks": a list every user has, kept by the server, whose timeline is the organization's
// open help requests the user may see, newest first. It is a real row in `lists` (kind
// 'open_asks') so that every client finds it among the user's lists; its timeline is read from
// help_requests rather than from list_feed, and nobody may rename, delete or fill it.
import { sql } from "kysely";
import { authorNotHiddenFrom } from "../../../db/repositories/relationships.ts";
import { visibleTo } from "../../../db/repositories/statuses.ts";
import type { Db } from "../../../db/repositories/types.ts";
import type { AppContext } from "../../context.ts";
import { unprocessable } from "../../errors.ts";
import type { PageParams } from "../pagination.ts";
import { type TimelinePage, toPage } from "../timelines/timelines.ts";

export const OPEN_ASKS_TITLE = "Open asks";

/** Makes the account's Open asks list if it has none yet. */
export async function ensureOpenAsksList(db: Db, accountId: string): Promise<void> {
  await sql`
    INSERT INTO lists (account_id, title, replies_policy, exclusive, kind)
    VALUES (${accountId}::bigint, ${OPEN_ASKS_TITLE}, 'none', false, 'open_asks')
    ON CONFLICT (account_id, kind) WHERE kind IS NOT NULL DO NOTHING
  `.execute(db);
}

/** Refuses changes to a list the server keeps. */
export function assertUserList(list: { kind: string | null }): void {
  if (list.kind !== null)
    throw unprocessable(`${OPEN_ASKS_TITLE} is kept by the server and cannot be changed`);
}

/** The open requests the viewer may see, newest first (the Open asks timeline). */
export async function openAsksTimeline(
  context: AppContext,
  viewerId: string,
  page: PageParams,
  limit: number,
): Promise<TimelinePage> {
  const ids = context.db
    .selectFrom("help_requests as h")
    .innerJoin("statuses as s", "s.id", "h.status_id")
    .select("h.status_id as id")
    .where("h.solved_at", "is", null)
    .where(visibleTo(viewerId))
    .where(authorNotHiddenFrom(viewerId));
  return toPage(context, viewerId, ids, "h.status_id", page, limit, true, "home");
}
