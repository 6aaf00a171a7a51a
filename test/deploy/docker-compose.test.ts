// No Docker engine runs where the suite runs, so the compose file is checked by reading it: its
// shape, that what it builds exists, and that each instance's environment passes our own
// configuration validation.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { parse } from "yaml";
import { loadConfig } from "../../server/config.ts";
import { ROOT } from "../helpers/processes.ts";

interface ComposeService {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8")) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
};
const services = Object.entries(compose.services);
type Compose = typeof compose & { configs?: Record<string, { content?: string }> };
const instances = services.filter(([, service]) => service.build);

t.test("PostgreSQL is defined with a health check", async (t) => {
  const postgres = compose.services.postgres;
  t.ok(postgres, "a postgres service");
  t.match(postgres?.image, /^postgres:1[5-9]/);
  t.ok(postgres?.healthcheck?.test.join(" ").includes("pg_isready"));
});

t.test("every instance builds from the Dockerfile and has a valid configuration", async (t) => {
  t.ok(instances.length >= 1, "at least one campus instance");
  t.ok(existsSync(join(ROOT, "Dockerfile")));
  const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
  for (const folder of ["db", "server", "federation", "scripts"]) {
    t.match(dockerfile, new RegExp(`^COPY ${folder} `, "m"), `the image holds ${folder}/, which the server runs from`);
  }
  for (const copied of dockerfile.matchAll(/^COPY (\S+) /gm)) {
    for (const path of copied[1]!.split(" ")) t.ok(existsSync(join(ROOT, path)), `Dockerfile copies ${path}, which exists`);
  }
  for (const [name, service] of instances) {
    const env = service.environment ?? {};
    const config = loadConfig({ ...env, HALLWAY_DATA_DIR: join(ROOT, ".tap", "compose-check", name) });
    t.ok(config.databaseUrl?.includes("@postgres:"), `${name} uses the postgres service`);
    t.equal(service.depends_on?.postgres?.condition, "service_healthy", `${name} waits for PostgreSQL`);
    const [published] = service.ports ?? [];
    t.equal(published?.split(":")[1], String(config.port), `${name} publishes its port`);
    for (const volume of service.volumes ?? []) {
      const [source] = volume.split(":");
      if (!source!.startsWith(".") && !source!.startsWith("/")) t.ok(compose.volumes && source! in compose.volumes, `volume ${source} is declared`);
    }
  }
});

t.test("the campuses allowlist each other, each on a database of its own that PostgreSQL creates", async (t) => {
  const configs = instances.map(([name, service]) =>
    loadConfig({ ...(service.environment ?? {}), HALLWAY_DATA_DIR: join(ROOT, ".tap", "compose-check", name) }),
  );
  t.ok(configs.length >= 2, "at least two campuses");
  for (const config of configs) {
    const others = configs.filter((other) => other !== config).map((other) => other.origin);
    t.same([...config.allowlist].sort(), others.sort(), `${config.name} allowlists exactly its siblings`);
    const host = new URL(config.origin).hostname;
    t.ok(compose.services[host], `${config.name}'s origin names its service (${host}), so siblings reach it`);
  }
  const databases = configs.map((config) => new URL(config.databaseUrl!).pathname.slice(1));
  t.equal(new Set(databases).size, databases.length, "no two campuses share a database");
  const postgres = compose.services.postgres as ComposeService & { configs?: { source: string; target: string }[] };
  const created = [
    postgres.environment?.POSTGRES_DB,
    ...(postgres.configs ?? [])
      .filter((config) => config.target.startsWith("/docker-entrypoint-initdb.d/"))
      .flatMap((config) => [...((compose as Compose).configs?.[config.source]?.content ?? "").matchAll(/CREATE DATABASE (\w+)/gi)].map((match) => match[1])),
  ];
  for (const database of databases) t.ok(created.includes(database), `PostgreSQL creates ${database}`);
});
