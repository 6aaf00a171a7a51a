import type { Account } from "../schema.ts";
import { bigintArray, textArray } from "../sql-helpers.ts";
import type { Db } from "./types.ts";

export async function findAccountById(db: Db, id: string): Promise<Account | undefined> {
  return db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function findAccountsByIds(db: Db, ids: readonly string[]): Promise<Account[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom("accounts")
    .selectAll()
    .where("id", "=", (eb) => eb.fn.any(bigintArray(ids)))
    .execute();
}

/** `domain` null means a local account; usernames compare case-insensitively. */
export async function findAccountByHandle(
  db: Db,
  username: string,
  domain: string | null,
): Promise<Account | undefined> {
  let query = db
    .selectFrom("accounts")
    .selectAll()
    .where((eb) => eb(eb.fn("lower", ["username"]), "=", username.toLowerCase()));
  query = domain === null ? query.where("domain", "is", null) : query.where("domain", "=", domain);
  return query.executeTakeFirst();
}

export async function localUsernamesTaken(db: Db, usernames: readonly string[]): Promise<Set<string>> {
  if (usernames.length === 0) return new Set();
  const rows = await db
    .selectFrom("accounts")
    .select("username")
    .where("domain", "is", null)
    .where((eb) =>
      eb(eb.fn("lower", ["username"]), "=", eb.fn.any(textArray(usernames.map((u) => u.toLowerCase())))),
    )
    .execute();
  return new Set(rows.map((row) => row.username.toLowerCase()));
}
