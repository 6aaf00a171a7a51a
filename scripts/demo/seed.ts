// Seeds the demo organization in two phases. Before the campuses start, each campus's database
// is filled through the services directly (people, profiles, follows on the campus, and the
// history of posts, backdated): thousands of posts in seconds, with no HTTP. Once they run, the
// part that must cross campuses goes through the API as people's apps would: follows between
// campuses, then the most recent posts, which federate to the followers on other campuses.
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { sql } from "kysely";
import { createRestAPIClient, type mastodon } from "masto";
import { openDatabase } from "../../db/connection.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import type { Account } from "../../db/schema.ts";
import { buildApp } from "../../server/app.ts";
import type { Config } from "../../server/config.ts";
import { createLocalUser } from "../../server/services/accounts/create-user.ts";
import { follow } from "../../server/services/accounts/follows.ts";
import { updateProfile } from "../../server/services/accounts/profile.ts";
import { createStatus } from "../../server/services/statuses/create.ts";
import type { DemoCorpus } from "./corpus.ts";

export const DEMO_PASSWORD = "hallway demo";

export interface SeedProgress {
  tick(count?: number): void;
}

/** The share of posts written live at the end, so that they federate (the rest is history). */
export function livePostCount(corpus: DemoCorpus): number {
  return Math.min(corpus.posts.length, Math.max(3, Math.round(corpus.posts.length * 0.15)));
}

export function emailOf(person: { username: string; campus: string }): string {
  return `${person.username}@${person.campus}.demo.example`;
}

/** What the offline phase leaves for the live one: each post's local id on its author's campus. */
export type StatusIds = Map<number, string>;

/**
 * Empty, migrated databases for the campuses: creating a PGlite database takes seconds, so the
 * first is created and migrated and the others start as copies of its files.
 */
export async function createCampusDatabases(configs: readonly Config[]): Promise<void> {
  const [first, ...others] = configs;
  if (!first) return;
  const database = await openDatabase(first);
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
  if (first.databaseUrl) return;
  await Promise.all(
    others.map((config) => cp(join(first.dataDir, "pglite"), join(config.dataDir, "pglite"), { recursive: true })),
  );
}

/** Fills one campus's database, which no running instance holds open. */
export async function seedCampusHistory(
  corpus: DemoCorpus,
  campus: string,
  config: Config,
  progress: SeedProgress,
  now = Date.now(),
): Promise<StatusIds> {
  const database = await openDatabase(config);
  const statusIds: StatusIds = new Map();
  try {
    await migrateToLatest(database.db);
    const app = await buildApp({ config, database, federation: false, logger: false });
    const context = app.context;
    const { db } = context;
    try {
      const accounts = new Map<number, Account>();
      for (const [index, person] of corpus.people.entries()) {
        if (person.campus !== campus) continue;
        const { account } = await createLocalUser(db, context.urls, {
          username: person.username,
          email: emailOf(person),
          password: DEMO_PASSWORD,
          displayName: person.displayName,
        });
        await updateProfile(context, account, {
          note: person.bio,
          fields: [
            { name: "Team", value: person.team },
            { name: "Skills", value: person.skills.join(", ") },
          ],
        });
        accounts.set(index, account);
        progress.tick();
      }
      for (const { follower, target } of corpus.follows) {
        const from = accounts.get(follower);
        const to = accounts.get(target);
        if (!from || !to) continue;
        await follow(context, from, to.id, {});
        progress.tick();
      }
      const history = corpus.posts.length - livePostCount(corpus);
      for (let index = 0; index < history; index++) {
        const post = corpus.posts[index]!;
        const author = accounts.get(post.author);
        if (!author) continue;
        const inReplyToId = post.inReplyTo === undefined ? undefined : statusIds.get(post.inReplyTo);
        const id = await createStatus(context, author, {
          status: post.text,
          visibility: "public",
          inReplyToId,
          applicationId: null,
        });
        // Backdated: the post, and the notifications it caused (replies, mentions).
        const createdAt = new Date(now - post.ageMs);
        await db.updateTable("statuses").set({ created_at: createdAt }).where("id", "=", id).execute();
        await db.updateTable("notifications").set({ created_at: createdAt }).where("status_id", "=", id).execute();
        statusIds.set(index, id);
        progress.tick();
      }
      // "Last posted" follows the backdated history (the directory orders by it).
      await sql`
        UPDATE accounts a SET last_status_at = s.latest
        FROM (SELECT account_id, max(created_at) AS latest FROM statuses GROUP BY account_id) s
        WHERE s.account_id = a.id`.execute(db);
      await sql`
        UPDATE help_requests h SET created_at = s.created_at
        FROM statuses s WHERE s.id = h.status_id`.execute(db);
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
  }
  return statusIds;
}

interface LiveCampus {
  name: string;
  origin: string;
}

async function passwordToken(origin: string, login: string): Promise<string> {
  const app = await (
    await fetch(`${origin}/api/v1/apps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "Hallway demo", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read write follow" }),
    })
  ).json();
  const response = await fetch(`${origin}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "password",
      username: login,
      password: DEMO_PASSWORD,
      client_id: app.client_id,
      client_secret: app.client_secret,
      scope: "read write follow",
    }),
  });
  if (!response.ok) throw new Error(`signing in ${login} on ${origin} failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** How many steps `seedAcrossCampuses` reports. */
export function liveSteps(corpus: DemoCorpus): number {
  const crossFollows = corpus.follows.filter(
    ({ follower, target }) => corpus.people[follower]!.campus !== corpus.people[target]!.campus,
  ).length;
  return crossFollows + livePostCount(corpus);
}

/** The running campuses follow each other's people and write the latest posts. */
export async function seedAcrossCampuses(
  corpus: DemoCorpus,
  campuses: LiveCampus[],
  statusIds: Map<string, StatusIds>,
  progress: SeedProgress,
): Promise<void> {
  const byName = new Map(campuses.map((campus) => [campus.name, campus]));
  const clients = new Map<number, mastodon.rest.Client>();
  await Promise.all(
    corpus.people.map(async (person, index) => {
      const campus = byName.get(person.campus)!;
      const accessToken = await passwordToken(campus.origin, person.username);
      clients.set(index, createRestAPIClient({ url: campus.origin, accessToken }));
    }),
  );

  // Each follower resolves the colleague on the other campus (WebFinger, actor) and follows.
  const crossFollows = corpus.follows.filter(
    ({ follower, target }) => corpus.people[follower]!.campus !== corpus.people[target]!.campus,
  );
  const resolved = new Map<string, string>();
  for (const { follower, target } of crossFollows) {
    const from = corpus.people[follower]!;
    const to = corpus.people[target]!;
    const acct = `${to.username}@${new URL(byName.get(to.campus)!.origin).host}`;
    const key = `${from.campus} ${acct}`;
    let id = resolved.get(key);
    if (!id) {
      const found = await clients.get(follower)!.v2.search.list({ q: `@${acct}`, resolve: true, type: "accounts" });
      id = found.accounts.find((account) => account.acct === acct)?.id;
      if (!id) throw new Error(`${from.username} on ${from.campus} cannot find ${acct}`);
      resolved.set(key, id);
    }
    await clients.get(follower)!.v1.accounts.$select(id).follow();
    progress.tick();
  }

  // The latest posts, written now: they reach followers on every campus.
  const first = corpus.posts.length - livePostCount(corpus);
  for (let index = first; index < corpus.posts.length; index++) {
    const post = corpus.posts[index]!;
    const campusIds = statusIds.get(corpus.people[post.author]!.campus)!;
    const inReplyToId = post.inReplyTo === undefined ? undefined : campusIds.get(post.inReplyTo);
    const status = await clients.get(post.author)!.v1.statuses.create({
      status: post.text,
      visibility: "public",
      ...(inReplyToId ? { inReplyToId } : {}),
    });
    campusIds.set(index, status.id);
    progress.tick();
  }
}
