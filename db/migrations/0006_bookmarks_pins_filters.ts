import type { Kysely } from "kysely";
import { runScript } from "../sql-script.ts";

// Bookmarks, pinned posts (the featured collection), muted conversations and filters (v2: a
// filter with keywords and statuses; v1 filters are single keywords of these).
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    -- Paged by their own id, newest first, as Mastodon pages /api/v1/bookmarks.
    CREATE TABLE bookmarks (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      status_id bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (account_id, status_id)
    );
    CREATE INDEX bookmarks_account ON bookmarks (account_id, id DESC);
    CREATE INDEX bookmarks_status ON bookmarks (status_id);

    -- Pinned posts of local accounts, and those a sibling lists in its people's featured
    -- collections.
    CREATE TABLE status_pins (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      status_id bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (account_id, status_id)
    );
    CREATE INDEX status_pins_status ON status_pins (status_id);

    -- A muted conversation is named by the first post of its thread (the one that replies to
    -- nothing): every reply below it belongs to it.
    CREATE TABLE conversation_mutes (
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      status_id bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account_id, status_id)
    );
    CREATE INDEX conversation_mutes_status ON conversation_mutes (status_id);

    CREATE TABLE filters (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      title text NOT NULL,
      context text[] NOT NULL,
      action text NOT NULL DEFAULT 'warn' CHECK (action IN ('warn', 'hide', 'blur')),
      expires_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX filters_account ON filters (account_id, id);

    CREATE TABLE filter_keywords (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      filter_id bigint NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
      keyword text NOT NULL,
      whole_word boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX filter_keywords_filter ON filter_keywords (filter_id, id);

    CREATE TABLE filter_statuses (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      filter_id bigint NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
      status_id bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (filter_id, status_id)
    );
    CREATE INDEX filter_statuses_status ON filter_statuses (status_id);
  `,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE filter_statuses, filter_keywords, filters, conversation_mutes, status_pins, bookmarks;
  `,
  );
}
