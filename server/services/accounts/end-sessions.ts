import type { Kysely } from "kysely";
import type { Database } from "../../../db/schema.ts";

/** Signs an account out everywhere at once: its tokens are revoked and its sign-in cookies end. */
export async function endAllSessions(trx: Kysely<Database>, accountId: string): Promise<void> {
  await trx
    .updateTable("oauth_access_tokens")
    .set({ revoked_at: new Date() })
    .where("account_id", "=", accountId)
    .where("revoked_at", "is", null)
    .execute();
  await trx.deleteFrom("web_sessions").where("account_id", "=", accountId).execute();
}
