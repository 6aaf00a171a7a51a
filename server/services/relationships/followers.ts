// Personal notes on accounts, familiar followers, and removing a follower.
import type { Account } from "../../../db/schema.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { notFound, unprocessable } from "../../errors.ts";
import { accountToApi, type ApiAccount } from "../../serializers/account.ts";
import type { ApiRelationship } from "../../serializers/relationship.ts";
import { removeFollow } from "../accounts/follows.ts";
import { recordIntent } from "../federation/intents.ts";
import { otherAccount, relationshipWith } from "./blocks.ts";

/** As long as Mastodon lets a note be. */
const MAX_NOTE = 2000;

/** Sets the viewer's private note on an account (the Relationship's `note`); an empty one removes it. */
export async function setAccountNote(
  context: AppContext,
  viewer: Account,
  targetId: string,
  comment: string,
): Promise<ApiRelationship> {
  const target = await context.db.selectFrom("accounts").select("id").where("id", "=", targetId).executeTakeFirst();
  if (!target) throw notFound();
  if (Array.from(comment).length > MAX_NOTE) {
    throw unprocessable(`Comment is too long (maximum is ${MAX_NOTE} characters)`);
  }
  if (comment.trim() === "") {
    await context.db
      .deleteFrom("account_notes")
      .where("account_id", "=", viewer.id)
      .where("target_account_id", "=", target.id)
      .execute();
  } else {
    await context.db
      .insertInto("account_notes")
      .values({ account_id: viewer.id, target_account_id: target.id, comment, updated_at: new Date() })
      .onConflict((conflict) =>
        conflict.columns(["account_id", "target_account_id"]).doUpdateSet({ comment, updated_at: new Date() }),
      )
      .execute();
  }
  return relationshipWith(context, viewer.id, target.id);
}

/**
 * For each account, the people the viewer follows who follow it too, newest follow first;
 * suspended accounts and accounts the viewer blocks or mutes are left out.
 */
export async function familiarFollowers(
  context: AppContext,
  viewerId: string,
  accountIds: readonly string[],
): Promise<{ id: string; accounts: ApiAccount[] }[]> {
  const ids = [...new Set(accountIds)];
  if (ids.length === 0) return [];
  const rows = await context.db
    .selectFrom("follows as theirs")
    .innerJoin("follows as mine", (join) =>
      join.onRef("mine.target_account_id", "=", "theirs.account_id").on("mine.account_id", "=", viewerId),
    )
    .innerJoin("accounts as a", "a.id", "theirs.account_id")
    .selectAll("a")
    .select("theirs.target_account_id as familiar_of")
    .where("theirs.target_account_id", "=", (eb) => eb.fn.any(bigintArray(ids)))
    .where("a.suspended_at", "is", null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("blocks as b")
            .select("b.id")
            .where("b.account_id", "=", viewerId)
            .whereRef("b.target_account_id", "=", "a.id"),
        ),
      ),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("mutes as m")
            .select("m.id")
            .where("m.account_id", "=", viewerId)
            .whereRef("m.target_account_id", "=", "a.id")
            .where((mute) => mute.or([mute("m.expires_at", "is", null), mute("m.expires_at", ">", new Date())])),
        ),
      ),
    )
    .orderBy("theirs.id", "desc")
    .execute();
  const byTarget = new Map<string, ApiAccount[]>(ids.map((id) => [id, []]));
  for (const { familiar_of: target, ...account } of rows) byTarget.get(target)?.push(accountToApi(account, context.urls));
  return ids.map((id) => ({ id, accounts: byTarget.get(id) ?? [] }));
}

/**
 * Stops an account from following the viewer. A follower on a sibling campus learns it as a
 * Reject of its Follow, Mastodon's way of removing a remote follower.
 */
export async function removeFromFollowers(context: AppContext, viewer: Account, targetId: string): Promise<ApiRelationship> {
  const follower = await otherAccount(context, viewer, targetId);
  await context.db.transaction().execute(async (trx) => {
    const removed = await removeFollow(trx, follower.id, viewer.id);
    if (removed && follower.domain !== null) {
      await recordIntent(trx, {
        type: "follower.removed",
        followUri: removed.uri,
        accountId: viewer.id,
        followerId: follower.id,
      });
    }
  });
  return relationshipWith(context, viewer.id, follower.id);
}
