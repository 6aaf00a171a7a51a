// Accounts of sibling campuses, as federation learns about them.
import type { Kysely } from "kysely";
import type { Db } from "../../../db/repositories/types.ts";
import type { Account, Database, ProfileField } from "../../../db/schema.ts";

export interface RemoteAccountInput {
  uri: string;
  username: string;
  domain: string;
  url: string;
  displayName: string;
  note: string;
  fields: ProfileField[];
  avatarUrl: string | null;
  headerUrl: string | null;
  locked: boolean;
  bot: boolean;
  discoverable: boolean;
  indexable: boolean;
  actorType: string;
  inboxUrl: string;
  sharedInboxUrl: string | null;
  outboxUrl: string | null;
  followersUrl: string | null;
  followingUrl: string | null;
  featuredUrl: string | null;
  createdAt: Date | null;
}

export async function findAccountByUri(db: Db, uri: string): Promise<Account | undefined> {
  return db.selectFrom("accounts").selectAll().where("uri", "=", uri).executeTakeFirst();
}

/**
 * Stores (or refreshes) a remote account. An account re-created on its campus under the same
 * handle keeps our row and takes the new URI, so follows and posts stay attached to the person.
 */
export async function upsertRemoteAccount(db: Db, input: RemoteAccountInput): Promise<Account> {
  const values = {
    uri: input.uri,
    username: input.username,
    domain: input.domain,
    url: input.url,
    display_name: input.displayName,
    note: input.note,
    fields: JSON.stringify(input.fields),
    avatar_remote_url: input.avatarUrl,
    header_remote_url: input.headerUrl,
    locked: input.locked,
    bot: input.bot,
    discoverable: input.discoverable,
    indexable: input.indexable,
    actor_type: input.actorType,
    inbox_url: input.inboxUrl,
    shared_inbox_url: input.sharedInboxUrl,
    outbox_url: input.outboxUrl,
    followers_url: input.followersUrl,
    following_url: input.followingUrl,
    featured_url: input.featuredUrl,
    fetched_at: new Date(),
    updated_at: new Date(),
  };
  const existing =
    (await findAccountByUri(db, input.uri)) ??
    (await db
      .selectFrom("accounts")
      .selectAll()
      .where((eb) => eb(eb.fn("lower", ["username"]), "=", input.username.toLowerCase()))
      .where("domain", "=", input.domain)
      .executeTakeFirst());
  if (existing) {
    if (existing.domain === null) throw new Error(`refusing to overwrite local account ${existing.username}`);
    return db.updateTable("accounts").set(values).where("id", "=", existing.id).returningAll().executeTakeFirstOrThrow();
  }
  return db
    .insertInto("accounts")
    .values({ ...values, created_at: input.createdAt ?? new Date() })
    .onConflict((conflict) => conflict.column("uri").doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * A remote account deleted on its campus goes, with everything it posted here; the follow counts
 * of the local accounts it followed or was followed by are corrected in the same transaction.
 */
export async function deleteRemoteAccount(db: Kysely<Database>, uri: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const account = await trx
      .selectFrom("accounts")
      .select("id")
      .where("uri", "=", uri)
      .where("domain", "is not", null)
      .executeTakeFirst();
    if (!account) return false;
    await trx
      .updateTable("accounts")
      .set((eb) => ({ followers_count: eb("followers_count", "-", 1) }))
      .where("id", "in", (eb) =>
        eb.selectFrom("follows").select("target_account_id").where("account_id", "=", account.id),
      )
      .where("followers_count", ">", 0)
      .execute();
    await trx
      .updateTable("accounts")
      .set((eb) => ({ following_count: eb("following_count", "-", 1) }))
      .where("id", "in", (eb) =>
        eb.selectFrom("follows").select("account_id").where("target_account_id", "=", account.id),
      )
      .where("following_count", ">", 0)
      .execute();
    await trx.deleteFrom("accounts").where("id", "=", account.id).execute();
    return true;
  });
}
