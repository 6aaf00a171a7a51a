import { sql, type Transaction } from "kysely";
import type { Database, Status } from "../../../db/schema.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import { addToConversations } from "../conversations/conversations.ts";
import { fanOutToListFeeds, keptFromHome } from "../lists/feed.ts";

/**
 * Home feeds receive a post when it is written (or arrives from a sibling): the local author's
 * own, every local follower's for public, unlisted and followers-only posts, and for direct posts
 * the mentioned followers'. As in Mastodon, a reply to someone else reaches only followers who
 * also follow (or are) the person replied to, so that half-conversations do not crowd the home
 * timeline. Boosts reach only followers who show the booster's boosts. Followers who block or
 * mute the author (or the boosted author), or keep the author in an exclusive list, do not get
 * it. List feeds and direct conversations are written here too. Public posts also reach those
 * who follow one of their hashtags.
 */
export async function fanOutToHomeFeeds(
  trx: Transaction<Database>,
  status: Pick<Status, "id" | "account_id" | "visibility" | "in_reply_to_account_id" | "reblog_of_id">,
  options: { mentionedIds: string[]; authorIsLocal: boolean },
): Promise<void> {
  const onlyMentioned = status.visibility === "direct";
  const repliedTo =
    status.in_reply_to_account_id && status.in_reply_to_account_id !== status.account_id
      ? status.in_reply_to_account_id
      : null;
  const isBoost = status.reblog_of_id !== null;
  await sql`
    INSERT INTO home_feed (account_id, status_id, author_id)
    SELECT ${status.account_id}::bigint, ${status.id}::bigint, ${status.account_id}::bigint
    WHERE ${options.authorIsLocal}
    UNION
    SELECT f.account_id, ${status.id}::bigint, ${status.account_id}::bigint
    FROM follows f JOIN accounts a ON a.id = f.account_id AND a.domain IS NULL
    WHERE f.target_account_id = ${status.account_id}
      AND (NOT ${onlyMentioned} OR f.account_id = ANY(${bigintArray(options.mentionedIds)}))
      AND (NOT ${isBoost} OR f.show_reblogs)
      AND (${repliedTo}::bigint IS NULL OR f.account_id = ${repliedTo}::bigint OR EXISTS (
        SELECT 1 FROM follows rf
        WHERE rf.account_id = f.account_id AND rf.target_account_id = ${repliedTo}::bigint
      ))
      AND NOT ${keptFromHome(sql`f.account_id`, status)}
    UNION
    -- People who follow one of its hashtags, for public posts (not boosts), as Mastodon does.
    SELECT tf.account_id, ${status.id}::bigint, ${status.account_id}::bigint
    FROM statuses_tags st JOIN tag_follows tf ON tf.tag_id = st.tag_id
    WHERE st.status_id = ${status.id}::bigint
      AND ${status.visibility === "public" && !isBoost}
      AND NOT ${keptFromHome(sql`tf.account_id`, status)}
    ON CONFLICT DO NOTHING
  `.execute(trx);
  await fanOutToListFeeds(trx, status.id);
  if (status.visibility === "direct") await addToConversations(trx, status.id);
}
