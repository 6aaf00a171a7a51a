// Deleting a local account, as Mastodon does: its posts, follows, favourites and sessions go; the
// account row stays behind as an empty, suspended husk that keeps the username taken and keeps the
// keys, so that the account can still sign the Delete that tells sibling campuses to forget it.
import type { Kysely } from "kysely";
import type { Database } from "../../../db/schema.ts";
import { endAllSessions } from "./end-sessions.ts";
import { recordIntent } from "../federation/intents.ts";

export async function deleteLocalAccount(db: Kysely<Database>, accountId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const account = await trx
      .selectFrom("accounts")
      .select(["id", "uri"])
      .where("id", "=", accountId)
      .where("domain", "is", null)
      .forUpdate()
      .executeTakeFirstOrThrow();

    // Everyone on a sibling who follows it or whom it follows must hear of the deletion.
    const remotes = await trx
      .selectFrom("accounts as a")
      .select(["a.inbox_url", "a.shared_inbox_url"])
      .where("a.domain", "is not", null)
      .where((eb) =>
        eb.or([
          eb("a.id", "in", eb.selectFrom("follows").select("account_id").where("target_account_id", "=", account.id)),
          eb("a.id", "in", eb.selectFrom("follows").select("target_account_id").where("account_id", "=", account.id)),
        ]),
      )
      .execute();
    const inboxes = [...new Set(remotes.map((row) => row.shared_inbox_url ?? row.inbox_url).filter((url) => url !== null))];

    await trx
      .updateTable("accounts")
      .set((eb) => ({ followers_count: eb("followers_count", "-", 1) }))
      .where("id", "in", (eb) => eb.selectFrom("follows").select("target_account_id").where("account_id", "=", account.id))
      .where("followers_count", ">", 0)
      .execute();
    await trx
      .updateTable("accounts")
      .set((eb) => ({ following_count: eb("following_count", "-", 1) }))
      .where("id", "in", (eb) => eb.selectFrom("follows").select("account_id").where("target_account_id", "=", account.id))
      .where("following_count", ">", 0)
      .execute();
    await trx
      .deleteFrom("follows")
      .where((eb) => eb.or([eb("account_id", "=", account.id), eb("target_account_id", "=", account.id)]))
      .execute();
    await trx
      .deleteFrom("follow_requests")
      .where((eb) => eb.or([eb("account_id", "=", account.id), eb("target_account_id", "=", account.id)]))
      .execute();
    await trx.deleteFrom("favourites").where("account_id", "=", account.id).execute();
    // Mentions, tags, feed entries, notifications and boosts of these posts go with them.
    await trx.deleteFrom("statuses").where("account_id", "=", account.id).execute();
    await trx.deleteFrom("notifications").where("from_account_id", "=", account.id).execute();
    await endAllSessions(trx, account.id);
    // Without its user row nobody can sign in as it again; the account row keeps the name taken.
    await trx.deleteFrom("users").where("account_id", "=", account.id).execute();
    await trx
      .updateTable("accounts")
      .set({
        display_name: "",
        note: "",
        fields: JSON.stringify([]),
        fields_source: JSON.stringify([]),
        avatar_path: null,
        header_path: null,
        statuses_count: 0,
        followers_count: 0,
        following_count: 0,
        last_status_at: null,
        suspended_at: new Date(),
        updated_at: new Date(),
      })
      .where("id", "=", account.id)
      .execute();
    await recordIntent(trx, { type: "account.deleted", accountId: account.id, uri: account.uri, inboxes });
  });
}
