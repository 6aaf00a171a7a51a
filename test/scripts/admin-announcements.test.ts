// The announcement and emoji commands of the admin CLI as an admin types them: a real process,
// with the instance stopped (the CLI opens the database itself), a file named relative to where
// the admin stands.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import t from "tap";
import { createTestDatabase } from "../helpers/databases.ts";
import { freePort } from "../helpers/instance.ts";
import { ROOT, type RunResult } from "../helpers/processes.ts";

const dataDir = await mkdtemp(join(tmpdir(), "hallway-admin-ann-"));
const workDir = await mkdtemp(join(tmpdir(), "hallway-admin-cwd-"));
t.teardown(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await rm(workDir, { recursive: true, force: true });
});
const database = process.env.HALLWAY_TEST_DATABASE === "postgres" ? await createTestDatabase() : null;
if (database) {
  await database.handle.close();
  t.teardown(() => database.drop());
}
const env: Record<string, string> = {
  HALLWAY_DATA_DIR: dataDir,
  HALLWAY_ORIGIN: `http://127.0.0.1:${await freePort()}`,
  HALLWAY_LOG_LEVEL: "warn",
  ...(database?.url ? { DATABASE_URL: database.url } : {}),
};

/** `npm run admin -- …` run from `workDir`, as an admin in another folder would. */
function admin(...args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "scripts/admin.ts"), ...args], {
      cwd: workDir,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

t.test("the commands explain themselves", async (t) => {
  const overall = await admin("--help");
  for (const command of ["announcement create", "announcement list", "announcement delete", "emoji add", "emoji list", "emoji remove"]) {
    t.match(overall.stdout, command);
  }
  const help = await admin("announcement", "create", "--help");
  t.equal(help.code, 0);
  t.match(help.stdout, /--ends-at VALUE/);
  const missing = await admin("emoji", "add", "only_a_shortcode");
  t.equal(missing.code, 64, "a missing FILE is a usage error");
});

t.test("announcements and emojis with the instance stopped", async (t) => {
  const created = await admin("announcement", "create", "Kitchen closed on Monday", "--ends-at", "2099-01-01T00:00:00Z");
  t.equal(created.code, 0, created.stderr);
  const id = /announcement (\d+) published/.exec(created.stdout)?.[1];
  t.ok(id, created.stdout);
  const listed = await admin("announcement", "list", "--json");
  t.match(JSON.parse(listed.stdout), [{ id, text: "Kitchen closed on Monday", ended: false }]);
  const bad = await admin("announcement", "create", "x", "--ends-at", "soon");
  t.equal(bad.code, 1);
  t.match(bad.stderr, /--ends-at must be a date/);
  t.equal((await admin("announcement", "delete", id!)).code, 0);
  t.match((await admin("announcement", "list")).stdout, /no announcements/);

  await writeFile(
    join(workDir, "wave.png"),
    await sharp({ create: { width: 16, height: 16, channels: 4, background: "#00aa55" } }).png().toBuffer(),
  );
  const added = await admin("emoji", "add", "wave", "wave.png");
  t.equal(added.code, 0, added.stderr);
  t.match(added.stdout, /:wave: added/, "the FILE is found relative to where the admin is");
  t.match((await admin("emoji", "list")).stdout, /:wave:\s+image\/png/);
  t.equal((await admin("emoji", "remove", "wave")).code, 0);
  t.match((await admin("emoji", "list")).stdout, /no custom emojis/);
});
