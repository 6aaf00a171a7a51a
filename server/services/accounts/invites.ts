import { randomBytes } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { Database, Invite } from "../../../db/schema.ts";

export async function createInvite(
  db: Kysely<Database>,
  options: { maxUses?: number | null; expiresInSeconds?: number | null; createdBy?: string | null },
): Promise<Invite> {
  return db
    .insertInto("invites")
    .values({
      code: randomBytes(6).toString("base64url"),
      max_uses: options.maxUses ?? null,
      expires_at: options.expiresInSeconds ? new Date(Date.now() + options.expiresInSeconds * 1000) : null,
      created_by_account_id: options.createdBy ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** An invite that still admits someone: not expired and not used up. */
export async function findUsableInvite(
  db: Kysely<Database> | Transaction<Database>,
  code: string,
): Promise<Invite | undefined> {
  const invite = await db.selectFrom("invites").selectAll().where("code", "=", code).executeTakeFirst();
  if (!invite) return undefined;
  if (invite.expires_at && invite.expires_at.getTime() <= Date.now()) return undefined;
  if (invite.max_uses !== null && invite.uses >= invite.max_uses) return undefined;
  return invite;
}

export async function listInvites(db: Kysely<Database>): Promise<Invite[]> {
  return db.selectFrom("invites").selectAll().orderBy("id", "desc").execute();
}
