import type { Kysely } from "kysely";
import { runScript } from "../sql-script.ts";

// The org directory and follow suggestions: people a user has dismissed from their suggestions,
// and an index for the directory's "recently active" order.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE suggestion_dismissals (
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account_id, target_account_id)
    );

    CREATE INDEX accounts_directory_active ON accounts (last_status_at DESC NULLS LAST, id DESC)
      WHERE discoverable AND suspended_at IS NULL;
    `,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP INDEX accounts_directory_active;
    DROP TABLE suggestion_dismissals;
    `,
  );
}
