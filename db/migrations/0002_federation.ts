import type { Kysely } from "kysely";
import { runScript } from "../sql-script.ts";

// Federation between sibling campuses: actor details of remote accounts, key pairs, favourites,
// local-only posts and edits, the allowlist, and the durable store and queue under Fedify.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE accounts
      ADD COLUMN actor_type text NOT NULL DEFAULT 'Person',
      ADD COLUMN inbox_url text,
      ADD COLUMN shared_inbox_url text,
      ADD COLUMN outbox_url text,
      ADD COLUMN followers_url text,
      ADD COLUMN following_url text,
      ADD COLUMN featured_url text,
      ADD COLUMN fetched_at timestamptz;
    CREATE INDEX accounts_domain ON accounts (domain) WHERE domain IS NOT NULL;

    ALTER TABLE users ADD COLUMN default_local_only boolean NOT NULL DEFAULT false;

    -- Key pairs of local actors (RSA for HTTP Signatures, Ed25519 for Object Integrity Proofs),
    -- as JWKs. account_id NULL is the instance actor.
    CREATE TABLE actor_keys (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      account_id bigint REFERENCES accounts (id) ON DELETE CASCADE,
      algorithm text NOT NULL CHECK (algorithm IN ('RSASSA-PKCS1-v1_5', 'Ed25519')),
      public_key jsonb NOT NULL,
      private_key jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX actor_keys_owner ON actor_keys (coalesce(account_id, 0), algorithm);

    ALTER TABLE statuses
      ADD COLUMN local_only boolean NOT NULL DEFAULT false,
      ADD COLUMN fetched_at timestamptz;

    -- Earlier versions of edited posts, oldest first, for /history and Update(Note).
    CREATE TABLE status_edits (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      status_id bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      text text NOT NULL DEFAULT '',
      content text NOT NULL DEFAULT '',
      spoiler_text text NOT NULL DEFAULT '',
      sensitive boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX status_edits_status ON status_edits (status_id, id);

    CREATE TABLE favourites (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      status_id bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      uri text UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (account_id, status_id)
    );
    CREATE INDEX favourites_status ON favourites (status_id);
    CREATE INDEX favourites_account ON favourites (account_id, id DESC);

    -- Objects deleted here, so that a sibling asking for one learns it is gone (410).
    CREATE TABLE tombstones (
      uri text PRIMARY KEY,
      deleted_at timestamptz NOT NULL DEFAULT now()
    );

    -- Sibling origins added at run time (HALLWAY_ALLOWLIST adds more at start).
    CREATE TABLE allowed_origins (
      origin text PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    -- What the wall refused, counted per host, direction and reason.
    CREATE TABLE federation_refusals (
      host text NOT NULL,
      direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
      reason text NOT NULL,
      count bigint NOT NULL DEFAULT 0,
      first_at timestamptz NOT NULL DEFAULT now(),
      last_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (host, direction, reason)
    );

    -- Fedify's key-value store (caches, idempotence records). A key is the JSON text of its
    -- array of strings; byte order ("C") makes the keys under a prefix one index range.
    CREATE TABLE fedify_kv (
      key text COLLATE "C" PRIMARY KEY,
      value jsonb NOT NULL,
      expires_at timestamptz
    );
    CREATE INDEX fedify_kv_expires ON fedify_kv (expires_at) WHERE expires_at IS NOT NULL;

    -- The durable queue under Fedify (deliveries, inbox processing) and our own outgoing
    -- intents, written in the same transaction as the change they announce. A message is
    -- leased while it is worked on; a lease that runs out (a killed process) makes it available
    -- again. Failures back off exponentially and end in the 'dead' state an admin can retry.
    CREATE TABLE federation_queue (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      message jsonb NOT NULL,
      ordering_key text,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'dead')),
      available_at timestamptz NOT NULL DEFAULT now(),
      leased_until timestamptz,
      -- Names the claim that holds the lease, so that a worker whose lease ran out (and whose
      -- message another worker took) cannot extend, finish or fail the other worker's claim.
      leased_by text,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX federation_queue_ready ON federation_queue (available_at, id) WHERE status = 'pending';
    CREATE INDEX federation_queue_leased ON federation_queue (leased_until) WHERE status = 'processing';
    CREATE INDEX federation_queue_ordering ON federation_queue (ordering_key, id)
      WHERE ordering_key IS NOT NULL AND status <> 'dead';
  `,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE federation_queue, fedify_kv, federation_refusals, allowed_origins, tombstones,
      favourites, status_edits, actor_keys;
    ALTER TABLE statuses DROP COLUMN local_only, DROP COLUMN fetched_at;
    ALTER TABLE users DROP COLUMN default_local_only;
    DROP INDEX accounts_domain;
    ALTER TABLE accounts DROP COLUMN actor_type, DROP COLUMN inbox_url, DROP COLUMN shared_inbox_url,
      DROP COLUMN outbox_url, DROP COLUMN followers_url, DROP COLUMN following_url,
      DROP COLUMN featured_url, DROP COLUMN fetched_at;
  `,
  );
}
