import type { Kysely } from "kysely";
import { runScript } from "../sql-script.ts";

// Blocks, mutes and personal notes on accounts; lists with their members and feeds; direct
// conversations.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    -- Who blocks whom. Either side may be remote: a sibling's account blocking a local one
    -- arrives as a Block activity, whose id is kept in uri (as is ours for a local block).
    CREATE TABLE blocks (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      uri text UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (account_id, target_account_id)
    );
    CREATE INDEX blocks_target ON blocks (target_account_id, account_id);
    CREATE INDEX blocks_account_id ON blocks (account_id, id DESC);

    -- Mutes never leave the campus. A mute with expires_at in the past no longer counts.
    CREATE TABLE mutes (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      hide_notifications boolean NOT NULL DEFAULT true,
      expires_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (account_id, target_account_id)
    );
    CREATE INDEX mutes_account_id ON mutes (account_id, id DESC);

    -- A personal note about another account, seen only by its writer.
    CREATE TABLE account_notes (
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      comment text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account_id, target_account_id)
    );

    CREATE TABLE lists (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      title text NOT NULL,
      replies_policy text NOT NULL DEFAULT 'list' CHECK (replies_policy IN ('followed', 'list', 'none')),
      exclusive boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX lists_account ON lists (account_id, id);

    CREATE TABLE list_accounts (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      list_id bigint NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (list_id, account_id)
    );
    -- Fan-out asks which lists a posting account is in.
    CREATE INDEX list_accounts_account ON list_accounts (account_id);

    -- List timelines are written when a post arrives, as home feeds are.
    CREATE TABLE list_feed (
      list_id bigint NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
      status_id bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      author_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      PRIMARY KEY (list_id, status_id)
    );
    CREATE INDEX list_feed_status ON list_feed (status_id);
    CREATE INDEX list_feed_author ON list_feed (list_id, author_id);

    -- A local account's direct conversation: a thread of direct posts among the same people.
    -- participant_ids are the other accounts' ids, sorted, as a JSON array of strings. The
    -- latest status is read from conversation_statuses, so a deleted post (whose rows go by
    -- cascade) never leaves a conversation pointing at nothing.
    CREATE TABLE conversations (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      participant_ids jsonb NOT NULL DEFAULT '[]',
      unread boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX conversations_account ON conversations (account_id);

    CREATE TABLE conversation_statuses (
      conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
      status_id bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      PRIMARY KEY (conversation_id, status_id)
    );
    CREATE INDEX conversation_statuses_status ON conversation_statuses (status_id);
  `,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE conversation_statuses, conversations, list_feed, list_accounts, lists, account_notes,
      mutes, blocks;
  `,
  );
}
