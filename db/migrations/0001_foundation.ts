import type { Kysely } from "kysely";
import { runScript } from "../sql-script.ts";

// IDs are 64-bit numbers whose high bits are the creation time in milliseconds, as Mastodon's
// are: they sort by time, and a client can page by comparing them. The low 16 bits come from a
// sequence so that every process inserting into the same database gets unique values.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    CREATE SEQUENCE timestamp_id_seq CYCLE MAXVALUE 65535;

    CREATE FUNCTION timestamp_id(at timestamptz DEFAULT clock_timestamp()) RETURNS bigint
      LANGUAGE sql VOLATILE AS $$
        SELECT (floor(extract(epoch FROM at) * 1000)::bigint << 16) | nextval('timestamp_id_seq')
      $$;

    CREATE TABLE accounts (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      username text NOT NULL,
      domain text,
      uri text NOT NULL UNIQUE,
      url text NOT NULL,
      display_name text NOT NULL DEFAULT '',
      note text NOT NULL DEFAULT '',
      note_source text NOT NULL DEFAULT '',
      fields jsonb NOT NULL DEFAULT '[]',
      fields_source jsonb NOT NULL DEFAULT '[]',
      avatar_path text,
      avatar_remote_url text,
      header_path text,
      header_remote_url text,
      locked boolean NOT NULL DEFAULT false,
      bot boolean NOT NULL DEFAULT false,
      discoverable boolean NOT NULL DEFAULT true,
      indexable boolean NOT NULL DEFAULT true,
      statuses_count integer NOT NULL DEFAULT 0,
      followers_count integer NOT NULL DEFAULT 0,
      following_count integer NOT NULL DEFAULT 0,
      last_status_at timestamptz,
      suspended_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX accounts_handle ON accounts (lower(username), coalesce(domain, ''));

    CREATE TABLE users (
      account_id bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
      email text NOT NULL,
      password_hash text NOT NULL,
      role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'moderator', 'admin')),
      locale text NOT NULL DEFAULT 'en',
      default_visibility text NOT NULL DEFAULT 'public'
        CHECK (default_visibility IN ('public', 'unlisted', 'private', 'direct')),
      default_sensitive boolean NOT NULL DEFAULT false,
      default_language text,
      invite_id bigint,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_sign_in_at timestamptz
    );
    CREATE UNIQUE INDEX users_email ON users (lower(email));

    CREATE TABLE invites (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      code text NOT NULL UNIQUE,
      created_by_account_id bigint REFERENCES accounts (id) ON DELETE SET NULL,
      max_uses integer,
      uses integer NOT NULL DEFAULT 0,
      expires_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE oauth_applications (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      name text NOT NULL,
      website text,
      redirect_uris jsonb NOT NULL DEFAULT '[]',
      scopes text NOT NULL,
      client_id text NOT NULL UNIQUE,
      client_secret text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE oauth_authorization_codes (
      code_hash text PRIMARY KEY,
      application_id bigint NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      redirect_uri text NOT NULL,
      scopes text NOT NULL,
      code_challenge text,
      code_challenge_method text,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE oauth_access_tokens (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      application_id bigint REFERENCES oauth_applications (id) ON DELETE CASCADE,
      account_id bigint REFERENCES accounts (id) ON DELETE CASCADE,
      scopes text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      last_used_at timestamptz
    );
    CREATE INDEX oauth_access_tokens_account ON oauth_access_tokens (account_id);

    CREATE TABLE web_sessions (
      token_hash text PRIMARY KEY,
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    );

    CREATE TABLE statuses (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      uri text NOT NULL UNIQUE,
      url text NOT NULL,
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      local boolean NOT NULL,
      text text NOT NULL DEFAULT '',
      content text NOT NULL DEFAULT '',
      spoiler_text text NOT NULL DEFAULT '',
      sensitive boolean NOT NULL DEFAULT false,
      visibility text NOT NULL CHECK (visibility IN ('public', 'unlisted', 'private', 'direct')),
      language text,
      in_reply_to_id bigint REFERENCES statuses (id) ON DELETE SET NULL,
      in_reply_to_account_id bigint REFERENCES accounts (id) ON DELETE SET NULL,
      reblog_of_id bigint REFERENCES statuses (id) ON DELETE CASCADE,
      application_id bigint REFERENCES oauth_applications (id) ON DELETE SET NULL,
      replies_count integer NOT NULL DEFAULT 0,
      reblogs_count integer NOT NULL DEFAULT 0,
      favourites_count integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      edited_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX statuses_account ON statuses (account_id, id DESC);
    CREATE INDEX statuses_in_reply_to ON statuses (in_reply_to_id) WHERE in_reply_to_id IS NOT NULL;
    CREATE INDEX statuses_reblog_of ON statuses (reblog_of_id, account_id)
      WHERE reblog_of_id IS NOT NULL;
    -- The public timelines read only original public posts, newest first.
    CREATE INDEX statuses_public ON statuses (id DESC, local)
      WHERE visibility = 'public' AND reblog_of_id IS NULL;

    CREATE TABLE mentions (
      status_id bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      PRIMARY KEY (status_id, account_id)
    );
    CREATE INDEX mentions_account ON mentions (account_id, status_id DESC);

    CREATE TABLE tags (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      name text NOT NULL UNIQUE,
      display_name text NOT NULL,
      last_status_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE statuses_tags (
      tag_id bigint NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
      status_id bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      PRIMARY KEY (tag_id, status_id)
    );
    CREATE INDEX statuses_tags_status ON statuses_tags (status_id);

    CREATE TABLE follows (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      show_reblogs boolean NOT NULL DEFAULT true,
      notify boolean NOT NULL DEFAULT false,
      languages jsonb,
      uri text,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (account_id, target_account_id)
    );
    CREATE INDEX follows_target ON follows (target_account_id, id DESC);
    CREATE INDEX follows_account ON follows (account_id, id DESC);

    CREATE TABLE follow_requests (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      show_reblogs boolean NOT NULL DEFAULT true,
      notify boolean NOT NULL DEFAULT false,
      languages jsonb,
      uri text,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (account_id, target_account_id)
    );
    CREATE INDEX follow_requests_target ON follow_requests (target_account_id, id DESC);

    -- Home timelines are written when a post is made (fan-out on write), so reading one is a
    -- single index range scan however many accounts the viewer follows.
    CREATE TABLE home_feed (
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      status_id bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      author_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      PRIMARY KEY (account_id, status_id)
    );
    CREATE INDEX home_feed_status ON home_feed (status_id);
    CREATE INDEX home_feed_author ON home_feed (account_id, author_id);

    CREATE TABLE notifications (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      from_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      type text NOT NULL,
      status_id bigint REFERENCES statuses (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX notifications_account ON notifications (account_id, id DESC);
    CREATE INDEX notifications_status ON notifications (status_id) WHERE status_id IS NOT NULL;

    CREATE TABLE idempotency_keys (
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      key text NOT NULL,
      status_id bigint REFERENCES statuses (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account_id, key)
    );
  `,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE idempotency_keys, notifications, home_feed, follow_requests, follows,
      statuses_tags, tags, mentions, statuses, web_sessions, oauth_access_tokens,
      oauth_authorization_codes, oauth_applications, invites, users, accounts;
    DROP FUNCTION timestamp_id;
    DROP SEQUENCE timestamp_id_seq;
  `,
  );
}
