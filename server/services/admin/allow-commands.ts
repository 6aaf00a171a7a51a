// Admin commands for the allowlist and the wall's refusal counts. In a server whose context
// carries the live Allowlist (and RefusalLog), a change applies to it at once; otherwise (the
// CLI on the database directly, or a server without them) the change is written to the table
// with a NOTIFY, which every watching Allowlist on that database picks up.
import {
  Allowlist,
  AllowlistError,
  type AllowlistEntry,
  InvalidOriginError,
} from "../../../federation/allowlist.ts";
import { listRefusals, type RefusalLog } from "../../../federation/refusals.ts";
import { AdminCommandError, type AdminContext, type AdminRequest } from "./commands.ts";

/** What the allow commands use from the running server when it has them. */
export interface FederationAdminContext {
  allowlist?: Allowlist;
  refusals?: RefusalLog;
}

type Handler = (context: AdminContext, request: AdminRequest) => Promise<string>;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

async function allowlistOf(context: AdminContext): Promise<Allowlist> {
  return (
    context.allowlist ??
    Allowlist.load({
      db: context.db,
      ownOrigin: context.config.origin,
      environment: context.config.allowlist,
    })
  );
}

function requireOrigin(args: string[]): string {
  const origin = args[0];
  if (!origin)
    throw new AdminCommandError("an ORIGIN is required, e.g. https://campus-b.example.org");
  return origin;
}

/** Allowlist errors are the administrator's to read; anything else is a failure. */
async function explained<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidOriginError || error instanceof AllowlistError) {
      throw new AdminCommandError(error.message);
    }
    throw error;
  }
}

function sourceLabel(entry: AllowlistEntry): string {
  return entry.source === "environment"
    ? "HALLWAY_ALLOWLIST"
    : `added${entry.addedAt ? ` ${entry.addedAt.toISOString().slice(0, 16).replace("T", " ")}` : ""}`;
}

export const ALLOW_HANDLERS: Record<string, Handler> = {
  "allow add": (context, { args }) =>
    explained(async () => {
      const allowlist = await allowlistOf(context);
      const { entry, added } = await allowlist.add(requireOrigin(args));
      if (!added) {
        return `${entry.origin} is already allowed (${entry.source === "environment" ? "by HALLWAY_ALLOWLIST" : "added earlier"})`;
      }
      return `${entry.origin} is now allowed`;
    }),

  "allow remove": (context, { args }) =>
    explained(async () => {
      const allowlist = await allowlistOf(context);
      const entry = await allowlist.remove(requireOrigin(args));
      return `${entry.origin} is no longer allowed`;
    }),

  "allow list": async (context, { options }) => {
    const allowlist = await allowlistOf(context);
    const entries = allowlist.entries();
    if (options.json) {
      return JSON.stringify(
        entries.map((entry) => ({
          origin: entry.origin,
          host: entry.host,
          source: entry.source === "environment" ? "HALLWAY_ALLOWLIST" : "added",
          sibling: entry.origin !== allowlist.ownOrigin,
          added_at: entry.addedAt?.toISOString() ?? null,
        })),
        null,
        2,
      );
    }
    if (entries.length === 0) {
      return "the allowlist is empty: this instance federates with no one (npm run admin -- allow add ORIGIN)";
    }
    return table(
      ["ORIGIN", "SOURCE"],
      entries.map((entry) => [
        entry.origin,
        `${sourceLabel(entry)}${entry.origin === allowlist.ownOrigin ? " (this instance; not a sibling)" : ""}`,
      ]),
    );
  },

  "federation refusals": async (context, { options }) => {
    // Counts are written every few seconds; a live log writes what it holds first.
    await context.refusals?.flush();
    const counts = await listRefusals(context.db);
    if (options.json) {
      return JSON.stringify(
        counts.map((count) => ({
          host: count.host,
          direction: count.direction,
          reason: count.reason,
          count: count.count,
          first_at: count.firstAt.toISOString(),
          last_at: count.lastAt.toISOString(),
        })),
        null,
        2,
      );
    }
    if (counts.length === 0) return "nothing refused yet";
    return table(
      ["HOST", "DIRECTION", "REASON", "COUNT", "LAST SEEN"],
      counts.map((count) => [
        count.host,
        count.direction,
        count.reason,
        String(count.count),
        count.lastAt.toISOString().slice(0, 19).replace("T", " "),
      ]),
    );
  },
};
