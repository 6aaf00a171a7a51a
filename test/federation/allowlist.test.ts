// The allowlist: what an entry is, what it admits, where entries come from, and how a change
// reaches every Allowlist on the same database.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { openPostgres } from "../../db/connection.ts";
import {
  Allowlist,
  AllowlistError,
  type AllowlistEntry,
  InvalidOriginError,
  normalizeOrigin,
} from "../../federation/allowlist.ts";
import { loadConfig } from "../../server/config.ts";
import { createTestDatabase, TEST_DATABASE } from "../helpers/databases.ts";
import { runScript } from "../helpers/processes.ts";

const OWN = "https://campus-a.example.org";

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const origins = (entries: readonly AllowlistEntry[]) => entries.map((entry) => entry.origin);

t.test("entries are normalized to scheme, lowercase host and a non-default port", async (t) => {
  const cases: [string, string][] = [
    ["https://campus-b.example.org", "https://campus-b.example.org"],
    ["HTTPS://Campus-B.Example.ORG/", "https://campus-b.example.org"],
    ["https://campus-b.example.org:443", "https://campus-b.example.org"],
    ["http://campus-b.example.org:80", "http://campus-b.example.org"],
    ["http://127.0.0.1:3002", "http://127.0.0.1:3002"],
    ["  http://127.0.0.1:3002  ", "http://127.0.0.1:3002"],
    ["campus-c.example", "https://campus-c.example"],
    ["campus-c.example:8443", "https://campus-c.example:8443"],
    ["Campus-C.Example:443", "https://campus-c.example"],
    ["127.0.0.1:3002", "https://127.0.0.1:3002"],
    ["http://[::1]:3002", "http://[::1]:3002"],
    ["http://localhost:3002", "http://localhost:3002"],
    ["https://bücher.example", "https://xn--bcher-kva.example"],
  ];
  for (const [input, expected] of cases) t.equal(normalizeOrigin(input), expected, input);
});

t.test("anything that is not an origin is refused with a message that says why", async (t) => {
  const cases: [string, RegExp][] = [
    ["", /cannot be empty/],
    ["https://campus-b.example.org/inbox", /has a path; give only the scheme and host/],
    ["campus-b.example.org/users", /has a path/],
    ["https://campus-b.example.org?x=1", /has a query/],
    ["https://campus-b.example.org/?", /has a query/],
    ["https://campus-b.example.org#top", /has a fragment/],
    ["https://admin:secret@campus-b.example.org", /user name or password/],
    ["ftp://campus-b.example.org", /only http:\/\/ and https:\/\/ origins/],
    ["javascript://campus-b.example.org", /only http:\/\/ and https:\/\//],
    ["https://*.example.org", /wildcards are not supported/],
    ["*.example.org", /wildcards are not supported/],
    ["https://", /has no host/],
    ["https://campus b.example.org", /contains spaces/],
    ["https://campus-b.example.org:99999", /not a valid origin/],
    ["https://campus-b.example.org:0", /port 0/],
    ["https://campus-b.example.org.", /trailing dot/],
    ["https://campus_b!.example.org", /not a valid host name/],
    ["https://campus-b.example.org\\inbox", /has a path/],
  ];
  for (const [input, message] of cases) {
    t.throws(() => normalizeOrigin(input), message, JSON.stringify(input));
    t.throws(() => normalizeOrigin(input), InvalidOriginError);
  }
});

t.test("HALLWAY_ALLOWLIST is read, normalized and checked at start", async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), "hallway-allowlist-config-"));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const base = { HALLWAY_DATA_DIR: dataDir, HALLWAY_SECRET: "x".repeat(40) };
  t.same(loadConfig(base).allowlist, [], "empty by default: federates with no one");
  t.same(loadConfig({ ...base, HALLWAY_ALLOWLIST: "" }).allowlist, []);
  t.same(
    loadConfig({
      ...base,
      HALLWAY_ALLOWLIST:
        " Campus-B.example.org , http://127.0.0.1:3002,,https://campus-b.example.org:443 ",
    }).allowlist,
    ["https://campus-b.example.org", "http://127.0.0.1:3002"],
  );
  t.throws(
    () =>
      loadConfig({
        ...base,
        HALLWAY_ALLOWLIST: "campus-b.example.org,https://campus-c.example/inbox",
      }),
    {
      name: "ConfigError",
      message: /^HALLWAY_ALLOWLIST: "https:\/\/campus-c.example\/inbox" has a path/,
    },
  );
  const started = await runScript("server/main.ts", [], {
    ...base,
    HALLWAY_ALLOWLIST: "https://*.example.org",
  });
  t.equal(started.code, 78, "npm start stops before anything else");
  t.match(
    started.stderr,
    /HALLWAY_ALLOWLIST: "https:\/\/\*\.example\.org": wildcards are not supported/,
  );
});

t.test("a URL is allowed when scheme, host and port all match an entry", async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const allowlist = await Allowlist.load({
    db: database.handle.db,
    ownOrigin: OWN,
    environment: ["http://127.0.0.1:3002", "campus-b.example.org", "http://[::1]:4000"],
  });
  const allowed = [
    "http://127.0.0.1:3002/users/raj",
    "http://127.0.0.1:3002",
    new URL("http://127.0.0.1:3002/inbox?x=1#y"),
    "https://campus-b.example.org/users/ana",
    "https://CAMPUS-B.example.org:443/users/ana",
    "http://[::1]:4000/actor",
    `${OWN}/users/me`,
  ];
  for (const url of allowed) t.ok(allowlist.allowsUrl(url), `allows ${url}`);
  const refused = [
    "http://127.0.0.1:3003/users/raj",
    "https://127.0.0.1:3002/users/raj",
    "http://127.0.0.1/users/raj",
    "http://localhost:3002/users/raj",
    "http://campus-b.example.org/users/ana",
    "https://campus-b.example.org:8443/users/ana",
    "https://campus-b.example.org.evil.example/",
    "https://evil-campus-b.example.org/",
    "https://sub.campus-b.example.org/",
    "https://campus-b.example.org./",
    "ftp://campus-b.example.org/",
    "data:text/plain,campus-b.example.org",
    "not a url",
    "/relative/path",
  ];
  for (const url of refused) t.notOk(allowlist.allowsUrl(url), `refuses ${url}`);
});

t.test("a bare host is matched with its port, and maps to the entry's scheme", async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const allowlist = await Allowlist.load({
    db: database.handle.db,
    ownOrigin: OWN,
    environment: ["http://127.0.0.1:3002", "campus-b.example.org", "http://campus-d.example:80"],
  });
  t.equal(
    allowlist.originForHost("127.0.0.1:3002"),
    "http://127.0.0.1:3002",
    "raj@127.0.0.1:3002 is looked up over http",
  );
  t.equal(allowlist.originForHost("campus-b.example.org"), "https://campus-b.example.org");
  t.equal(allowlist.originForHost("Campus-B.Example.org:443"), "https://campus-b.example.org");
  t.equal(allowlist.originForHost("campus-d.example"), "http://campus-d.example");
  t.equal(allowlist.originForHost("campus-a.example.org"), OWN, "this instance");
  for (const host of [
    "127.0.0.1",
    "127.0.0.1:3003",
    "campus-b.example.org:80",
    "campus-b.example.org:8443",
    "campus-d.example:443",
    "outsider.example",
    "campus-b.example.org/path",
    "user@campus-b.example.org",
    "",
  ]) {
    t.equal(allowlist.originForHost(host), null, `no origin for ${JSON.stringify(host)}`);
    t.notOk(allowlist.allowsHost(host), `refuses ${JSON.stringify(host)}`);
  }
  t.ok(allowlist.allowsHost("127.0.0.1:3002"));
  t.ok(allowlist.allowsHost("campus-a.example.org"));
  const { allowsHost } = allowlist;
  t.ok(allowsHost("campus-b.example.org"), "methods work detached");
});

t.test(
  "the environment and the table make one allowlist; this instance is no sibling",
  async (t) => {
    const database = await createTestDatabase();
    t.teardown(() => database.drop());
    const { db } = database.handle;
    await db.insertInto("allowed_origins").values({ origin: "https://campus-c.example" }).execute();
    const allowlist = await Allowlist.load({
      db,
      ownOrigin: OWN,
      environment: ["campus-b.example.org", OWN],
    });
    t.same(origins(allowlist.entries()), [
      "https://campus-b.example.org",
      OWN,
      "https://campus-c.example",
    ]);
    t.same(
      allowlist.entries().map((entry) => entry.source),
      ["environment", "environment", "database"],
    );
    t.same(origins(allowlist.siblings()), [
      "https://campus-b.example.org",
      "https://campus-c.example",
    ]);
    t.same(
      allowlist.siblings().map((entry) => entry.host),
      ["campus-b.example.org", "campus-c.example"],
    );
    t.ok(allowlist.allowsUrl("https://campus-c.example/users/x"), "a table entry allows");

    const added = await allowlist.add("Campus-E.example:8443");
    t.same(
      { origin: added.entry.origin, source: added.entry.source, added: added.added },
      { origin: "https://campus-e.example:8443", source: "database", added: true },
    );
    t.ok(allowlist.allowsUrl("https://campus-e.example:8443/inbox"), "applies at once");
    const stored = await db
      .selectFrom("allowed_origins")
      .select("origin")
      .orderBy("origin")
      .execute();
    t.same(
      stored.map((row) => row.origin),
      ["https://campus-c.example", "https://campus-e.example:8443"],
    );
    t.equal(
      (await allowlist.add("https://campus-e.example:8443")).added,
      false,
      "adding twice changes nothing",
    );
    t.equal(
      (await allowlist.add("campus-b.example.org")).added,
      false,
      "an environment entry is already there",
    );
    t.equal(
      (await db.selectFrom("allowed_origins").select("origin").execute()).length,
      2,
      "an environment entry is not copied into the table",
    );
    await t.rejects(allowlist.add(OWN), AllowlistError);
    await t.rejects(allowlist.add("https://x.example/path"), InvalidOriginError);

    await t.rejects(allowlist.remove("https://campus-b.example.org"), {
      name: "AllowlistError",
      message: /comes from HALLWAY_ALLOWLIST; remove it from that environment variable/,
    });
    t.ok(allowlist.allowsUrl("https://campus-b.example.org/"), "an environment entry stays");
    await t.rejects(allowlist.remove("https://never-added.example"), /is not on the allowlist/);
    await allowlist.remove("campus-e.example:8443");
    t.notOk(allowlist.allowsUrl("https://campus-e.example:8443/inbox"), "removal applies at once");
    t.same(origins(allowlist.siblings()), [
      "https://campus-b.example.org",
      "https://campus-c.example",
    ]);
  },
);

t.test("a change made through one Allowlist reaches another on the same database", async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  // On PostgreSQL the second Allowlist has its own pool, as another process would.
  const other = database.url ? openPostgres(database.url, { max: 2 }) : database.handle;
  if (other !== database.handle) t.teardown(() => other.close());
  const config = { origin: OWN, allowlist: ["campus-b.example.org"] };
  const first = await Allowlist.open({ database: database.handle, config, pollIntervalMs: 0 });
  const second = await Allowlist.open({ database: other, config, pollIntervalMs: 0 });
  t.teardown(async () => {
    await first.close();
    await second.close();
  });
  const changes: string[][] = [];
  second.onChange((entries) => changes.push(origins(entries)));

  await first.add("https://campus-c.example");
  t.ok(first.allowsUrl("https://campus-c.example/x"), "at once where it was made");
  await until(
    () => second.allowsUrl("https://campus-c.example/x"),
    "the other Allowlist sees the addition",
  );
  t.same(changes.at(-1), ["https://campus-b.example.org", "https://campus-c.example"]);

  await second.remove("https://campus-c.example");
  t.notOk(second.allowsUrl("https://campus-c.example/x"));
  await until(() => !first.allowsUrl("https://campus-c.example/x"), "the first sees the removal");

  // Admin tools that write the table and NOTIFY without an Allowlist are heard too.
  await database.handle.db.transaction().execute(async (trx) => {
    await trx
      .insertInto("allowed_origins")
      .values({ origin: "https://campus-d.example" })
      .execute();
    await trx
      .selectNoFrom((eb) => eb.fn("pg_notify", [eb.val("allowlist_changed"), eb.val("x")]).as("n"))
      .execute();
  });
  await until(
    () =>
      first.allowsUrl("https://campus-d.example/") && second.allowsUrl("https://campus-d.example/"),
    "both see a row added elsewhere",
  );
  t.same(origins(second.siblings()), ["https://campus-b.example.org", "https://campus-d.example"]);
});

t.test("polling picks up a change that came without a notification", async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const allowlist = await Allowlist.open({
    database: database.handle,
    config: { origin: OWN, allowlist: [] },
    pollIntervalMs: 100,
  });
  t.teardown(() => allowlist.close());
  t.same(allowlist.entries(), [], "an empty allowlist federates with no one");
  await database.handle.db
    .insertInto("allowed_origins")
    .values({ origin: "https://campus-c.example" })
    .execute();
  await until(() => allowlist.allowsHost("campus-c.example"), "the poll finds the row");
  await database.handle.db.deleteFrom("allowed_origins").execute();
  await until(() => !allowlist.allowsHost("campus-c.example"), "the poll finds it gone");
});

t.test("after close an Allowlist stops following the table", async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const config = { origin: OWN, allowlist: [] };
  const watcher = await Allowlist.open({ database: database.handle, config, pollIntervalMs: 50 });
  await watcher.close();
  const writer = await Allowlist.load({ db: database.handle.db, ownOrigin: OWN, environment: [] });
  await writer.add("https://campus-c.example");
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.notOk(watcher.allowsHost("campus-c.example"));
  t.ok(writer.allowsHost("campus-c.example"));
  t.comment(`database: ${TEST_DATABASE}`);
});
