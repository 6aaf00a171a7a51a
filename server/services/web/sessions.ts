// Browser sessions for the sign-in page. The cookie holds a random token; only its hash is
// stored, so a database leak does not leak sessions.
import { createHash, randomBytes } from "node:crypto";
import type { Account } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";

const SESSION_LIFETIME_MS = 14 * 24 * 60 * 60 * 1000;
const hash = (token: string) => createHash("sha256").update(token).digest("base64url");

export async function startWebSession(context: AppContext, accountId: string): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  // Expired sessions are never read again; sweeping them at sign-in keeps the table small.
  await context.db.deleteFrom("web_sessions").where("expires_at", "<=", new Date()).execute();
  await context.db
    .insertInto("web_sessions")
    .values({
      token_hash: hash(token),
      account_id: accountId,
      expires_at: new Date(Date.now() + SESSION_LIFETIME_MS),
    })
    .execute();
  return token;
}

export async function findWebSessionAccount(context: AppContext, token: string | undefined): Promise<Account | null> {
  if (!token) return null;
  const row = await context.db
    .selectFrom("web_sessions as w")
    .innerJoin("accounts as a", "a.id", "w.account_id")
    .selectAll("a")
    .where("w.token_hash", "=", hash(token))
    .where("w.expires_at", ">", new Date())
    .executeTakeFirst();
  return row && !row.suspended_at ? row : null;
}

export async function endWebSession(context: AppContext, token: string | undefined): Promise<void> {
  if (!token) return;
  await context.db.deleteFrom("web_sessions").where("token_hash", "=", hash(token)).execute();
}
