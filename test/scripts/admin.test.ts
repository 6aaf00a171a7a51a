// The admin CLI as an admin uses it: a real process, with the instance stopped and running.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { createTestDatabase } from "../helpers/databases.ts";
import { freePort } from "../helpers/instance.ts";
import { runScript, startServerProcess } from "../helpers/processes.ts";

const dataDir = await mkdtemp(join(tmpdir(), "hallway-admin-"));
t.teardown(() => rm(dataDir, { recursive: true, force: true }));
// On PostgreSQL the CLI and the server share a database; on PGlite they share the data folder.
const database =
  process.env.HALLWAY_TEST_DATABASE === "postgres" ? await createTestDatabase() : null;
if (database) {
  await database.handle.close();
  t.teardown(() => database.drop());
}
const port = await freePort();
const env: Record<string, string> = {
  HALLWAY_DATA_DIR: dataDir,
  HALLWAY_ORIGIN: `http://127.0.0.1:${port}`,
  ...(database?.url ? { DATABASE_URL: database.url } : {}),
};
const admin = (...args: string[]) => runScript("scripts/admin.ts", args, env);

async function passwordToken(baseUrl: string, login: string, password: string): Promise<Response> {
  const app = await (
    await fetch(`${baseUrl}/api/v1/apps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_name: "cli test",
        redirect_uris: "urn:ietf:wg:oauth:2.0:oob",
        scopes: "read",
      }),
    })
  ).json();
  return fetch(`${baseUrl}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "password",
      username: login,
      password,
      client_id: app.client_id,
      client_secret: app.client_secret,
      scope: "read",
    }),
  });
}

t.test("every command explains itself with --help", async (t) => {
  const overall = await admin("--help");
  t.equal(overall.code, 0);
  const commands = [
    "user create",
    "user grant-admin",
    "user role",
    "user reset-password",
    "user list",
    "user suspend",
    "user unsuspend",
    "invite create",
    "invite list",
    "allow add",
    "allow remove",
    "allow list",
    "federation refusals",
  ];
  const helps = await Promise.all(
    commands.map((command) => admin(...command.split(" "), "--help")),
  );
  commands.forEach((command, index) => {
    t.match(overall.stdout, command);
    t.equal(helps[index]!.code, 0, command);
    t.match(helps[index]!.stdout, `Usage: npm run admin -- ${command}`);
  });
});

t.test("with the instance stopped the CLI opens the database itself", async (t) => {
  const created = await admin(
    ..."user create ana --email ana@example.org --password ana-password-1 --admin".split(" "),
  );
  t.equal(created.code, 0, created.stderr);
  t.match(created.stdout, /created ana .* as admin/);
  const listed = await admin("user", "list", "--json");
  t.equal(listed.code, 0, listed.stderr);
  t.match(JSON.parse(listed.stdout), [
    { username: "ana", email: "ana@example.org", role: "admin", suspended: false },
  ]);
});

t.test("with the instance running the CLI goes through it", async (t) => {
  const server = await startServerProcess(env, port);
  t.teardown(() => server.stop());

  await t.test("bad input gets a clear message and a failing exit code", async (t) => {
    const noEmail = await admin("user", "create", "carl");
    t.equal(noEmail.code, 1);
    t.match(noEmail.stderr, /--email EMAIL is required/);
    const taken = await admin(..."user create ana --email other@example.org".split(" "));
    t.equal(taken.code, 1);
    t.match(taken.stderr, /Username is already taken/);
    const badEmail = await admin(..."user create dora --email not-an-address".split(" "));
    t.match(badEmail.stderr, /Email is not a valid e-mail address/);
    const nobody = await admin("user", "grant-admin", "nobody");
    t.equal(nobody.code, 1);
    t.match(nobody.stderr, /no local user named nobody/);
    const unknown = await admin("frobnicate");
    t.equal(unknown.code, 64);
    t.match(unknown.stderr, /unknown command/);
    const badOption = await admin("invite", "create", "--max-uses", "zero");
    t.equal(badOption.code, 1);
    t.match(badOption.stderr, /--max-uses must be a positive whole number/);
    const extra = await admin("user", "list", "surplus");
    t.equal(extra.code, 64);
  });

  const created = await admin("user", "create", "ben", "--email", "ben@example.org");
  t.equal(created.code, 0, created.stderr);
  const password = /password: (\S+)/.exec(created.stdout)?.[1];
  t.ok(password, "a generated password is printed");
  const signIn = await passwordToken(server.url, "ben@example.org", password!);
  t.equal(signIn.status, 200, "the running instance sees the new user at once");
  const { access_token: token } = await signIn.json();
  const me = await fetch(`${server.url}/api/v1/accounts/verify_credentials`, {
    headers: { authorization: `Bearer ${token}` },
  });
  t.equal((await me.json()).username, "ben");

  t.equal((await admin("user", "suspend", "ben")).code, 0);
  const afterSuspend = await fetch(`${server.url}/api/v1/accounts/verify_credentials`, {
    headers: { authorization: `Bearer ${token}` },
  });
  t.equal(afterSuspend.status, 401, "suspension revokes tokens at once");
  t.equal((await admin("user", "unsuspend", "ben")).code, 0);

  const reset = await admin("user", "reset-password", "ben", "--password", "new-password-2");
  t.equal(reset.code, 0, reset.stderr);
  t.equal(
    (await passwordToken(server.url, "ben", "new-password-2")).status,
    200,
    "sign in by username works too",
  );
  t.equal(
    (await passwordToken(server.url, "ben", password!)).status,
    400,
    "the old password no longer works",
  );

  t.equal((await admin("user", "grant-admin", "ben")).code, 0);
  const invite = await admin("invite", "create", "--max-uses", "2", "--expires-in", "24");
  t.match(invite.stdout, /invite code: \S+ \(2 uses, expires /);
  const invites = await admin("invite", "list");
  t.match(invites.stdout, /0\/2 uses {2}valid/);
  const listed = JSON.parse((await admin("user", "list", "--json")).stdout) as {
    username: string;
    role: string;
  }[];
  t.same(
    listed.map((user) => [user.username, user.role]),
    [
      ["ana", "admin"],
      ["ben", "admin"],
    ],
  );
  for (const secret of [password!, "new-password-2"]) {
    t.notOk(server.output().includes(secret), "the server log shows no passwords");
  }
});
