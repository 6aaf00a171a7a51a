// Admin commands for the federation queue: how much waits, what died, and sending the dead back.
// They work on the table alone, so they run the same through the server's admin socket and from
// the CLI on the database; running listeners pick retried messages up (NOTIFY on PostgreSQL,
// their next poll on PGlite).
import { listDeadMessages, queueCounts, retryDeadMessages } from "../../../federation/queue.ts";
import { AdminCommandError, type AdminContext, type AdminRequest } from "./commands.ts";

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

function minutesAgo(date: Date): string {
  const minutes = Math.max(0, Math.round((Date.now() - date.getTime()) / 60_000));
  return minutes < 90 ? `${minutes} min` : `${(minutes / 60).toFixed(1)} h`;
}

function stamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

/** The first line of an error (a stack follows it), shortened for a terminal. */
function firstLine(text: string | null): string {
  const line = (text ?? "").split("\n")[0]!.trim();
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

function limitOption(value: string | boolean | undefined): number {
  if (value === undefined) return 100;
  const number = Number(value);
  if (typeof value !== "string" || !Number.isInteger(number) || number <= 0 || number > 10_000) {
    throw new AdminCommandError("--limit must be a whole number from 1 to 10000");
  }
  return number;
}

export const QUEUE_HANDLERS: Record<string, Handler> = {
  "queue stats": async (context, { options }) => {
    const counts = await queueCounts(context.db);
    if (options.json) {
      return JSON.stringify(
        { ...counts, oldestReadyAt: counts.oldestReadyAt?.toISOString() ?? null },
        null,
        2,
      );
    }
    const lines = [
      `pending     ${counts.pending} (ready ${counts.ready}, delayed or backing off ${counts.delayed})`,
      `processing  ${counts.processing}`,
      `dead        ${counts.dead}${counts.dead > 0 ? "  (npm run admin -- queue dead)" : ""}`,
    ];
    if (counts.oldestReadyAt) {
      lines.push(
        `the oldest ready message has waited since ${stamp(counts.oldestReadyAt)} (${minutesAgo(counts.oldestReadyAt)})`,
      );
    }
    return lines.join("\n");
  },

  "queue dead": async (context, { options }) => {
    const limit = limitOption(options.limit);
    const dead = await listDeadMessages(context.db, { limit });
    if (options.json) {
      return JSON.stringify(
        dead.map((message) => ({
          id: message.id,
          created_at: message.createdAt.toISOString(),
          attempts: message.attempts,
          ordering_key: message.orderingKey,
          type: message.summary.type,
          activity_type: message.summary.activityType,
          activity_id: message.summary.activityId,
          inbox: message.summary.inbox,
          intent_type: message.summary.intentType,
          description: message.summary.text,
          last_error: message.lastError,
        })),
        null,
        2,
      );
    }
    if (dead.length === 0) return "no dead messages";
    const lines = dead.flatMap((message) => [
      [message.id, stamp(message.createdAt), String(message.attempts), message.summary.text],
      ["", "", "", `error: ${firstLine(message.lastError)}`],
    ]);
    const shown = table(["ID", "CREATED", "ATTEMPTS", "MESSAGE"], lines);
    const more = dead.length === limit ? `\n(the first ${limit}; --limit N shows more)` : "";
    return `${shown}${more}\nnpm run admin -- queue retry ID (or --all) sends them back to the queue`;
  },

  "queue retry": async (context, { args, options }) => {
    if (options.all && args.length > 0) throw new AdminCommandError("give IDs or --all, not both");
    if (!options.all && args.length === 0) {
      throw new AdminCommandError("an ID (see queue dead) or --all is required");
    }
    const invalid = args.filter((id) => !/^\d{1,19}$/.test(id));
    if (invalid.length > 0) throw new AdminCommandError(`not a message ID: ${invalid.join(", ")}`);
    const ids = args.map((id) => BigInt(id).toString());
    const retried = await retryDeadMessages(context.db, options.all ? "all" : ids);
    const missed = ids.filter((id) => !retried.includes(id));
    if (options.all && retried.length === 0) return "no dead messages to retry";
    if (retried.length === 0) {
      throw new AdminCommandError(`no dead message with ID ${missed.join(", ")}`);
    }
    const lines = [
      `sent ${retried.length} message${retried.length === 1 ? "" : "s"} back to the queue: ${retried.join(", ")}`,
    ];
    if (missed.length > 0) lines.push(`not dead (or no longer there): ${missed.join(", ")}`);
    return lines.join("\n");
  },
};
