// Configuration comes from environment variables, optionally layered over a JSON file named by
// HALLWAY_CONFIG. Every value is validated with ajv before anything starts, and a bad value stops
// the process with a message that names the variable.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv, type ErrorObject } from "ajv";
import { InvalidOriginError, normalizeOrigin } from "../federation/allowlist.ts";

export type RegistrationMode = "closed" | "invite" | "open";

export interface Config {
  port: number;
  bind: string;
  origin: string;
  /** Host (with port when not the default) as it appears in handles: alice@<domain>. */
  domain: string;
  databaseUrl: string | null;
  dataDir: string;
  name: string;
  description: string;
  contactEmail: string;
  registrations: RegistrationMode;
  maxCharacters: number;
  maxMediaAttachments: number;
  maxImageBytes: number;
  maxVideoBytes: number;
  maxPollOptions: number;
  maxPollOptionChars: number;
  /** Shortest and longest poll durations, in seconds. */
  pollMinExpirySeconds: number;
  pollMaxExpirySeconds: number;
  /** How far ahead a scheduled post must be (Mastodon: five minutes). */
  scheduleMinLeadSeconds: number;
  rateLimit: { perFiveMinutes: number; exempt: string[] };
  /** HALLWAY_ALLOWLIST: sibling origins, normalized (federation/allowlist.ts adds the table's). */
  allowlist: string[];
  queue: { leaseSeconds: number; retrySeconds: number; maxAttempts: number; concurrency: number | null };
  logLevel: string;
  trustProxy: boolean;
  secret: string;
  /** Help requests: the tag that makes a post one, how many experts each round asks, and after how many hours an unanswered one resurfaces. */
  help: { tag: string; notify: number; resurfaceHours: number };
  /** How often the directories of sibling campuses are read again, in seconds. */
  directorySyncSeconds: number;
  /** How long a search waits for the sibling campuses' answers, in milliseconds. */
  searchBudgetMs: number;
}

const envSchema = {
  type: "object",
  additionalProperties: true,
  properties: {
    PORT: { type: "integer", minimum: 1, maximum: 65535, default: 3000 },
    HALLWAY_BIND: { type: "string", minLength: 1, default: "0.0.0.0" },
    HALLWAY_ORIGIN: { type: "string", pattern: "^https?://[^/?#\\s]+$" },
    DATABASE_URL: { type: "string", pattern: "^postgres(ql)?://" },
    HALLWAY_DATA_DIR: { type: "string", minLength: 1, default: "./data" },
    HALLWAY_NAME: { type: "string", minLength: 1, maxLength: 100, default: "Hallway" },
    HALLWAY_DESCRIPTION: {
      type: "string",
      maxLength: 2000,
      default: "A campus of the organization's Hallway network.",
    },
    HALLWAY_CONTACT_EMAIL: { type: "string", maxLength: 320, default: "" },
    HALLWAY_REGISTRATIONS: { type: "string", enum: ["closed", "invite", "open"], default: "closed" },
    HALLWAY_MAX_CHARACTERS: { type: "integer", minimum: 50, maximum: 100000, default: 500 },
    HALLWAY_MAX_MEDIA_ATTACHMENTS: { type: "integer", minimum: 0, maximum: 20, default: 4 },
    HALLWAY_MAX_IMAGE_BYTES: { type: "integer", minimum: 1024, default: 16 * 1024 * 1024 },
    HALLWAY_MAX_VIDEO_BYTES: { type: "integer", minimum: 1024, default: 99 * 1024 * 1024 },
    HALLWAY_MAX_POLL_OPTIONS: { type: "integer", minimum: 2, maximum: 20, default: 4 },
    HALLWAY_MAX_POLL_OPTION_CHARS: { type: "integer", minimum: 1, maximum: 1000, default: 50 },
    // Mastodon's limits: five minutes to a month (30.436875 days).
    HALLWAY_POLL_MIN_EXPIRY_SECONDS: { type: "integer", minimum: 1, maximum: 31_557_600, default: 300 },
    HALLWAY_POLL_MAX_EXPIRY_SECONDS: { type: "integer", minimum: 60, maximum: 31_557_600, default: 2_629_746 },
    HALLWAY_SCHEDULE_MIN_LEAD_SECONDS: { type: "integer", minimum: 0, maximum: 86_400, default: 300 },
    HALLWAY_RATE_LIMIT: { type: "integer", minimum: 0, default: 1500 },
    HALLWAY_RATE_LIMIT_EXEMPT: { type: "string", default: "127.0.0.1,::1,::ffff:127.0.0.1" },
    HALLWAY_ALLOWLIST: { type: "string", default: "" },
    HALLWAY_QUEUE_LEASE_SECONDS: { type: "integer", minimum: 2, maximum: 3600, default: 30 },
    HALLWAY_QUEUE_RETRY_SECONDS: { type: "integer", minimum: 1, maximum: 86400, default: 30 },
    HALLWAY_QUEUE_MAX_ATTEMPTS: { type: "integer", minimum: 1, maximum: 100, default: 10 },
    HALLWAY_DIRECTORY_SYNC_SECONDS: { type: "integer", minimum: 1, maximum: 86_400, default: 600 },
    HALLWAY_SEARCH_BUDGET_MS: { type: "integer", minimum: 50, maximum: 30_000, default: 1500 },
    HALLWAY_QUEUE_CONCURRENCY: { type: "integer", minimum: 1, maximum: 64 },
    HALLWAY_LOG_LEVEL: {
      type: "string",
      enum: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
      default: "info",
    },
    HALLWAY_TRUST_PROXY: { type: "boolean", default: false },
    HALLWAY_SECRET: { type: "string", minLength: 32 },
    HALLWAY_HELP_TAG: { type: "string", pattern: "^#?[\\p{L}\\p{N}_]{1,100}$", default: "help" },
    HALLWAY_HELP_NOTIFY: { type: "integer", minimum: 0, maximum: 50, default: 3 },
    HALLWAY_HELP_RESURFACE_HOURS: { type: "number", exclusiveMinimum: 0, maximum: 8760, default: 48 },
  },
} as const;

const EMPTY_ALLOWED = new Set([
  "HALLWAY_RATE_LIMIT_EXEMPT",
  "HALLWAY_DESCRIPTION",
  "HALLWAY_CONTACT_EMAIL",
  "HALLWAY_ALLOWLIST",
]);

export class ConfigError extends Error {
  override name = "ConfigError";
}

const ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: true });
const validateEnv = ajv.compile(envSchema);

function describe(error: ErrorObject): string {
  const name = error.instancePath.replace(/^\//, "");
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "pattern") {
    const hints: Record<string, string> = {
      HALLWAY_ORIGIN: "an origin such as https://campus-a.example.org (scheme and host, no path)",
      DATABASE_URL: "a URL such as postgres://user@host:5432/hallway",
    };
    return `${name} must be ${hints[name] ?? `a string matching ${params.pattern}`}`;
  }
  if (error.keyword === "enum") {
    return `${name} must be one of: ${(params.allowedValues as string[]).join(", ")}`;
  }
  return `${name} ${error.message}`;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`HALLWAY_CONFIG: cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new Error("expected an object of VARIABLE: value pairs");
    }
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`HALLWAY_CONFIG: ${path} is not valid: ${(error as Error).message}`);
  }
}

/** The secret persisted in the data folder on first start, unless HALLWAY_SECRET is set. */
function persistedSecret(dataDir: string): string {
  const path = resolve(dataDir, "secrets.json");
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ secret: randomBytes(48).toString("base64url") }), {
      mode: 0o600,
    });
    try {
      // link() fails when another process created the file first; its secret wins.
      linkSync(temporary, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      rmSync(temporary, { force: true });
    }
    chmodSync(path, 0o600);
  }
  const stored = JSON.parse(readFileSync(path, "utf8")) as { secret?: unknown };
  if (typeof stored.secret !== "string" || stored.secret.length < 32) {
    throw new ConfigError(`${path} holds no valid secret; remove it to generate a new one`);
  }
  return stored.secret;
}

/** HALLWAY_ALLOWLIST: comma-separated origins (a bare host means https), each checked. */
function parseAllowlist(value: string): string[] {
  const origins = new Set<string>();
  for (const entry of value.split(",")) {
    if (entry.trim() === "") continue;
    try {
      origins.add(normalizeOrigin(entry));
    } catch (error) {
      if (error instanceof InvalidOriginError) throw new ConfigError(`HALLWAY_ALLOWLIST: ${error.message}`);
      throw error;
    }
  }
  return [...origins];
}

/** Builds the configuration from the environment; throws ConfigError naming the bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const fromFile = env.HALLWAY_CONFIG ? readConfigFile(env.HALLWAY_CONFIG) : {};
  const raw: Record<string, unknown> = { ...fromFile };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || !(key in envSchema.properties)) continue;
    // An empty variable means "unset", except for lists and texts where empty is a real value.
    if (value === "" && !EMPTY_ALLOWED.has(key)) continue;
    raw[key] = value;
  }
  if (!validateEnv(raw)) {
    throw new ConfigError(
      (validateEnv.errors ?? []).map(describe).join("\n") || "invalid configuration",
    );
  }
  const values = raw as Record<keyof typeof envSchema.properties, never>;
  const port = values.PORT as number;
  const origin = ((values.HALLWAY_ORIGIN as string | undefined) ?? `http://localhost:${port}`)
    .toLowerCase()
    .replace(/\/$/, "");
  const dataDir = resolve(values.HALLWAY_DATA_DIR as string);
  if ((values.HALLWAY_POLL_MAX_EXPIRY_SECONDS as number) < (values.HALLWAY_POLL_MIN_EXPIRY_SECONDS as number)) {
    throw new ConfigError("HALLWAY_POLL_MAX_EXPIRY_SECONDS must not be less than HALLWAY_POLL_MIN_EXPIRY_SECONDS");
  }
  return {
    port,
    bind: values.HALLWAY_BIND,
    origin,
    domain: new URL(origin).host,
    databaseUrl: (values.DATABASE_URL as string | undefined) ?? null,
    dataDir,
    name: values.HALLWAY_NAME,
    description: values.HALLWAY_DESCRIPTION,
    contactEmail: values.HALLWAY_CONTACT_EMAIL,
    registrations: values.HALLWAY_REGISTRATIONS,
    maxCharacters: values.HALLWAY_MAX_CHARACTERS,
    maxMediaAttachments: values.HALLWAY_MAX_MEDIA_ATTACHMENTS,
    maxImageBytes: values.HALLWAY_MAX_IMAGE_BYTES,
    maxVideoBytes: values.HALLWAY_MAX_VIDEO_BYTES,
    maxPollOptions: values.HALLWAY_MAX_POLL_OPTIONS,
    maxPollOptionChars: values.HALLWAY_MAX_POLL_OPTION_CHARS,
    pollMinExpirySeconds: values.HALLWAY_POLL_MIN_EXPIRY_SECONDS,
    pollMaxExpirySeconds: values.HALLWAY_POLL_MAX_EXPIRY_SECONDS,
    scheduleMinLeadSeconds: values.HALLWAY_SCHEDULE_MIN_LEAD_SECONDS,
    rateLimit: {
      perFiveMinutes: values.HALLWAY_RATE_LIMIT,
      exempt: (values.HALLWAY_RATE_LIMIT_EXEMPT as string)
        .split(",")
        .map((entry) => entry.trim())
        .filter(Boolean),
    },
    allowlist: parseAllowlist(values.HALLWAY_ALLOWLIST as string),
    queue: {
      leaseSeconds: values.HALLWAY_QUEUE_LEASE_SECONDS,
      retrySeconds: values.HALLWAY_QUEUE_RETRY_SECONDS,
      maxAttempts: values.HALLWAY_QUEUE_MAX_ATTEMPTS,
      concurrency: (values.HALLWAY_QUEUE_CONCURRENCY as number | undefined) ?? null,
    },
    directorySyncSeconds: values.HALLWAY_DIRECTORY_SYNC_SECONDS,
    searchBudgetMs: values.HALLWAY_SEARCH_BUDGET_MS,
    logLevel: values.HALLWAY_LOG_LEVEL,
    trustProxy: values.HALLWAY_TRUST_PROXY,
    secret: (values.HALLWAY_SECRET as string | undefined) ?? persistedSecret(dataDir),
    help: {
      tag: (values.HALLWAY_HELP_TAG as string).replace(/^#/, "").toLowerCase(),
      notify: values.HALLWAY_HELP_NOTIFY,
      resurfaceHours: values.HALLWAY_HELP_RESURFACE_HOURS,
    },
  };
}
