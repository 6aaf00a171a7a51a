// The admin CLI: `npm run admin -- <group> <command> [options]`. While the server runs, commands
// go through its admin socket; otherwise the CLI opens the database itself.
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { adminSocketPath } from "../server/admin-socket-path.ts";
import { ConfigError, loadConfig } from "../server/config.ts";
import type { AdminRequest } from "../server/services/admin/commands.ts";

// The database and the commands are imported only when a command runs, so that --help and
// usage errors answer at once.

interface CommandSpec {
  usage: string;
  summary: string;
  options: Record<string, { type: "string" | "boolean"; help: string }>;
  positionals: number;
  /** When more arguments may follow (queue retry ID…): how many at most. */
  maxPositionals?: number;
  /** Positions of arguments naming files: made absolute here, as the server may run elsewhere. */
  files?: number[];
}

const COMMANDS: Record<string, CommandSpec> = {
  "user create": {
    usage: "user create USERNAME --email EMAIL [--password PW] [--admin] [--display-name NAME]",
    summary: "Create a local user. Without --password a password is generated and printed.",
    options: {
      email: { type: "string", help: "e-mail address (used to sign in)" },
      password: { type: "string", help: "password, 8 to 72 characters" },
      admin: { type: "boolean", help: "make the user an administrator" },
      moderator: { type: "boolean", help: "make the user a moderator" },
      "display-name": { type: "string", help: "display name" },
    },
    positionals: 1,
  },
  "user grant-admin": {
    usage: "user grant-admin USERNAME",
    summary: "Make a user an administrator.",
    options: {},
    positionals: 1,
  },
  "user role": {
    usage: "user role USERNAME user|moderator|admin",
    summary: "Set a user's role.",
    options: {},
    positionals: 2,
  },
  "user reset-password": {
    usage: "user reset-password USERNAME [--password PW]",
    summary: "Set a new password (generated and printed without --password) and sign the user out everywhere.",
    options: { password: { type: "string", help: "the new password" } },
    positionals: 1,
  },
  "user list": {
    usage: "user list [--json]",
    summary: "List local users with their e-mail, role and status.",
    options: { json: { type: "boolean", help: "print JSON" } },
    positionals: 0,
  },
  "user suspend": {
    usage: "user suspend USERNAME",
    summary: "Suspend a user: they cannot sign in and their tokens stop working at once.",
    options: {},
    positionals: 1,
  },
  "user delete": {
    usage: "user delete USERNAME --yes",
    summary:
      "Delete a user for good: their posts, follows and sessions go, sibling campuses are told to forget them, and the username stays taken.",
    options: { yes: { type: "boolean", help: "confirm that the deletion cannot be undone" } },
    positionals: 1,
  },
  "user unsuspend": {
    usage: "user unsuspend USERNAME",
    summary: "Lift a suspension.",
    options: {},
    positionals: 1,
  },
  "invite create": {
    usage: "invite create [--max-uses N] [--expires-in HOURS]",
    summary: "Create an invite code for registration in invite mode.",
    options: {
      "max-uses": { type: "string", help: "how many accounts it may create (default: unlimited)" },
      "expires-in": { type: "string", help: "hours until it expires (default: never)" },
    },
    positionals: 0,
  },
  "invite list": {
    usage: "invite list",
    summary: "List invite codes with their uses and expiry.",
    options: {},
    positionals: 0,
  },
  "allow add": {
    usage: "allow add ORIGIN",
    summary:
      "Allow federation with a sibling instance, at once: https://campus-b.example.org, http://127.0.0.1:3002, or a bare host (meaning https).",
    options: {},
    positionals: 1,
  },
  "allow remove": {
    usage: "allow remove ORIGIN",
    summary: "Stop federating with an origin added by allow add, at once (HALLWAY_ALLOWLIST entries are changed in the environment).",
    options: {},
    positionals: 1,
  },
  "allow list": {
    usage: "allow list [--json]",
    summary: "List the allowed origins and where each comes from (HALLWAY_ALLOWLIST or added).",
    options: { json: { type: "boolean", help: "print JSON" } },
    positionals: 0,
  },
  "federation refusals": {
    usage: "federation refusals [--json]",
    summary: "What the federation wall refused: host, direction, reason, count and when last seen.",
    options: { json: { type: "boolean", help: "print JSON" } },
    positionals: 0,
  },
  "queue stats": {
    usage: "queue stats [--json]",
    summary: "Count the federation queue's messages: pending (ready or delayed), processing, dead.",
    options: { json: { type: "boolean", help: "print JSON" } },
    positionals: 0,
  },
  "queue dead": {
    usage: "queue dead [--limit N] [--json]",
    summary: "List dead messages (out of attempts): ID, when, attempts, what it was and the last error.",
    options: {
      limit: { type: "string", help: "how many to show (default 100)" },
      json: { type: "boolean", help: "print JSON" },
    },
    positionals: 0,
  },
  "queue retry": {
    usage: "queue retry ID [ID…] | --all",
    summary: "Send dead messages back to the queue: available now, attempts counted from zero.",
    options: { all: { type: "boolean", help: "every dead message" } },
    positionals: 0,
    maxPositionals: 1000,
  },
  "announcement create": {
    usage: "announcement create TEXT [--starts-at TIME] [--ends-at TIME] [--all-day]",
    summary:
      "Publish an announcement to everyone on the campus (apps show it above the home timeline). It is shown until --ends-at.",
    options: {
      "starts-at": { type: "string", help: "when what it announces starts (ISO 8601, e.g. 2026-12-01T09:00:00Z)" },
      "ends-at": { type: "string", help: "when it ends; the announcement is hidden from then on" },
      "all-day": { type: "boolean", help: "the dates are whole days" },
    },
    positionals: 1,
  },
  "announcement list": {
    usage: "announcement list [--json]",
    summary: "List announcements, shown and ended, newest first.",
    options: { json: { type: "boolean", help: "print JSON" } },
    positionals: 0,
  },
  "announcement delete": {
    usage: "announcement delete ID",
    summary: "Withdraw an announcement (with its reactions).",
    options: {},
    positionals: 1,
  },
  "emoji add": {
    usage: "emoji add SHORTCODE FILE [--category NAME]",
    summary: "Add a custom emoji from a PNG, GIF or WebP image of at most 256 KB.",
    options: { category: { type: "string", help: "the picker category to list it under" } },
    positionals: 2,
    files: [1],
  },
  "emoji list": {
    usage: "emoji list [--json]",
    summary: "List the custom emojis.",
    options: { json: { type: "boolean", help: "print JSON" } },
    positionals: 0,
  },
  "emoji remove": {
    usage: "emoji remove SHORTCODE",
    summary: "Remove a custom emoji and its image.",
    options: {},
    positionals: 1,
  },
};

function overallHelp(): string {
  const lines = ["Usage: npm run admin -- <command> [options]", "", "Commands:"];
  for (const spec of Object.values(COMMANDS)) lines.push(`  ${spec.usage}`, `      ${spec.summary}`);
  lines.push("", "Every command takes --help. Configuration (HALLWAY_DATA_DIR, DATABASE_URL …) is read as by npm start.");
  return lines.join("\n");
}

function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: npm run admin -- ${spec.usage}`, "", spec.summary];
  const options = Object.entries(spec.options);
  if (options.length > 0) {
    lines.push("", "Options:");
    for (const [name, option] of options) {
      lines.push(`  --${name}${option.type === "string" ? ` VALUE` : ""}`.padEnd(26) + option.help);
    }
  }
  lines.push(`  --help`.padEnd(26) + "show this help");
  return lines.join("\n");
}

class UsageError extends Error {}

function parse(argv: string[]): AdminRequest | { help: string } {
  const words = argv.filter((word) => !word.startsWith("-")).slice(0, 2);
  const name = words.join(" ");
  const spec = COMMANDS[name];
  const wantsHelp = argv.includes("--help") || argv.includes("-h");
  if (!spec) {
    if (wantsHelp || argv.length === 0) {
      const group = words[0];
      const inGroup = Object.entries(COMMANDS).filter(([key]) => key.startsWith(`${group} `));
      if (group && inGroup.length > 0) {
        return { help: [`Commands under "${group}":`, ...inGroup.map(([, item]) => `  ${item.usage}\n      ${item.summary}`)].join("\n") };
      }
      return { help: overallHelp() };
    }
    throw new UsageError(`unknown command "${name || argv.join(" ")}"\n\n${overallHelp()}`);
  }
  if (wantsHelp) return { help: commandHelp(spec) };
  const rest = argv.slice(argv.indexOf(words[1]!) + 1);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: spec.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${commandHelp(spec)}`);
  }
  const count = parsed.positionals.length;
  if (count < spec.positionals || count > (spec.maxPositionals ?? spec.positionals)) {
    throw new UsageError(`expected ${spec.positionals || "no"} argument${spec.positionals === 1 ? "" : "s"}\n\n${commandHelp(spec)}`);
  }
  const args = parsed.positionals.map((arg, index) => (spec.files?.includes(index) ? resolve(arg) : arg));
  return { command: name, args, options: parsed.values as AdminRequest["options"] };
}

function viaSocket(path: string, request: AdminRequest): Promise<{ ok: boolean; output?: string; error?: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let data = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on("data", (chunk) => {
      data += chunk;
    });
    socket.on("end", () => {
      try {
        resolve(JSON.parse(data));
      } catch {
        reject(new Error("the server sent an unreadable answer"));
      }
    });
    socket.on("error", reject);
  });
}

async function directly(request: AdminRequest): Promise<string> {
  const { openDatabase } = await import("../db/connection.ts");
  const { migrateToLatest } = await import("../db/migrate.ts");
  const { runAdminCommand } = await import("../server/services/admin/commands.ts");
  const { Urls } = await import("../server/urls.ts");
  const config = loadConfig();
  const database = await openDatabase(config);
  try {
    await migrateToLatest(database.db);
    return await runAdminCommand({ db: database.db, urls: new Urls(config.origin), config }, request);
  } finally {
    await database.close();
  }
}

async function main(): Promise<number> {
  let request: AdminRequest;
  try {
    const parsed = parse(process.argv.slice(2));
    if ("help" in parsed) {
      console.log(parsed.help);
      return 0;
    }
    request = parsed;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}`);
      return 64;
    }
    throw error;
  }
  try {
    const config = loadConfig();
    const socket = adminSocketPath(config.dataDir);
    if (existsSync(socket)) {
      try {
        const reply = await viaSocket(socket, request);
        if (!reply.ok) {
          console.error(`error: ${reply.error}`);
          return 1;
        }
        console.log(reply.output);
        return 0;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // A socket left behind by a server that is gone: fall through to direct access.
        if (code !== "ECONNREFUSED" && code !== "ENOENT") throw error;
      }
    }
    console.log(await directly(request));
    return 0;
  } catch (error) {
    const name = (error as Error).name;
    if (error instanceof ConfigError || name === "AdminCommandError") {
      console.error(`error: ${(error as Error).message}`);
      return 1;
    }
    if (name === "DataDirInUseError") {
      console.error(`error: ${(error as Error).message}, but its admin socket does not answer; is it still starting?`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main();
