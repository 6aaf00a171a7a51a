import type { Kysely, Transaction } from "kysely";
import { executePrepared } from "../../../db/connection.ts";
import type { Account, Database, Role } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";

type Db = Kysely<Database> | Transaction<Database>;

export interface ActiveToken {
  id: string;
  application_id: string | null;
  scopes: string;
  created_at: Date;
  account: Account | null;
  role: Role | null;
}

/** A token row that has not been revoked, with its account; null when there is none. */
export async function findActiveToken(db: Db, id: string): Promise<ActiveToken | null> {
  // Every authenticated request asks this: planned once per connection, not on every call.
  const [row] = await executePrepared(
    db,
    db
      .selectFrom("oauth_access_tokens as t")
      .leftJoin("accounts as a", "a.id", "t.account_id")
      .leftJoin("users as u", "u.account_id", "t.account_id")
      .selectAll("a")
      .select([
        "t.id as token_id",
        "t.application_id as token_application_id",
        "t.scopes as token_scopes",
        "t.created_at as token_created_at",
        "t.account_id as token_account_id",
        "u.role as user_role",
      ])
      .where("t.id", "=", id)
      .where("t.revoked_at", "is", null),
  );
  if (!row) return null;
  const { token_id, token_application_id, token_scopes, token_created_at, token_account_id, user_role, ...account } =
    row;
  return {
    id: token_id,
    application_id: token_application_id,
    scopes: token_scopes,
    created_at: token_created_at,
    account: token_account_id ? (account as Account) : null,
    role: user_role ?? null,
  };
}

export interface IssuedToken {
  access_token: string;
  token_type: "Bearer";
  scope: string;
  created_at: number;
}

export async function issueToken(
  context: AppContext,
  db: Db,
  grant: { applicationId: string | null; accountId: string | null; scopes: string[] },
): Promise<IssuedToken> {
  const row = await db
    .insertInto("oauth_access_tokens")
    .values({
      application_id: grant.applicationId,
      account_id: grant.accountId,
      scopes: grant.scopes.join(" "),
    })
    .returning(["id", "created_at"])
    .executeTakeFirstOrThrow();
  return {
    access_token: context.tokens.sign({ jti: row.id }),
    token_type: "Bearer",
    scope: grant.scopes.join(" "),
    created_at: Math.floor(row.created_at.getTime() / 1000),
  };
}

export async function revokeToken(db: Db, id: string): Promise<void> {
  await db
    .updateTable("oauth_access_tokens")
    .set({ revoked_at: new Date() })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .execute();
}
