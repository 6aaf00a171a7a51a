import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { loadConfig } from "../../../server/config.ts";
import { runScript } from "../../helpers/processes.ts";

const dataDir = await mkdtemp(join(tmpdir(), "hallway-config-"));
const base = { HALLWAY_DATA_DIR: dataDir };

t.test("defaults give a working local configuration", async (t) => {
  const config = loadConfig(base);
  t.equal(config.port, 3000);
  t.equal(config.origin, "http://localhost:3000");
  t.equal(config.domain, "localhost:3000");
  t.equal(config.databaseUrl, null);
  t.equal(config.registrations, "closed");
  t.equal(config.maxCharacters, 500);
});

t.test("a bad value names the variable and what is wrong", async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: "seventy" }, /PORT must be integer/],
    [{ PORT: "70000" }, /PORT must be <= 65535/],
    [{ HALLWAY_ORIGIN: "campus-a.example/path" }, /HALLWAY_ORIGIN must be an origin/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL must be a URL such as postgres:/],
    [{ HALLWAY_REGISTRATIONS: "sometimes" }, /HALLWAY_REGISTRATIONS must be one of: closed, invite, open/],
    [{ HALLWAY_MAX_CHARACTERS: "10" }, /HALLWAY_MAX_CHARACTERS must be >= 50/],
    [{ HALLWAY_SECRET: "short" }, /HALLWAY_SECRET must NOT have fewer than 32 characters/],
  ];
  for (const [env, message] of cases) {
    t.throws(() => loadConfig({ ...base, ...env }), message, JSON.stringify(env));
    t.throws(() => loadConfig({ ...base, ...env }), { name: "ConfigError" });
  }
});

t.test("a JSON file gives values that the environment overrides", async (t) => {
  const file = join(dataDir, "hallway.json");
  await writeFile(file, JSON.stringify({ HALLWAY_NAME: "From file", PORT: 4100 }));
  const fromFile = loadConfig({ ...base, HALLWAY_CONFIG: file });
  t.equal(fromFile.name, "From file");
  t.equal(fromFile.port, 4100);
  t.equal(loadConfig({ ...base, HALLWAY_CONFIG: file, PORT: "4200" }).port, 4200);
  await writeFile(file, "{ not json");
  t.throws(() => loadConfig({ ...base, HALLWAY_CONFIG: file }), /HALLWAY_CONFIG: .* is not valid/);
});

t.test("the secret is generated once, kept private, and reused", async (t) => {
  const folder = await mkdtemp(join(tmpdir(), "hallway-secret-"));
  const first = loadConfig({ HALLWAY_DATA_DIR: folder }).secret;
  const second = loadConfig({ HALLWAY_DATA_DIR: folder }).secret;
  t.equal(first, second);
  t.ok(first.length >= 32);
  const file = join(folder, "secrets.json");
  t.equal((await stat(file)).mode & 0o777, 0o600);
  t.match(await readFile(file, "utf8"), first);
  t.equal(loadConfig({ HALLWAY_DATA_DIR: folder, HALLWAY_SECRET: "x".repeat(40) }).secret, "x".repeat(40));
});

t.test("npm start refuses a bad configuration with a message naming the variable", async (t) => {
  const result = await runScript("server/main.ts", [], { ...base, PORT: "not-a-port", HALLWAY_REGISTRATIONS: "maybe" });
  t.not(result.code, 0);
  t.match(result.stderr, /PORT must be integer/);
  t.match(result.stderr, /HALLWAY_REGISTRATIONS must be one of/);
});
