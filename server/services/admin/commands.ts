// The admin commands, run the same way whether they come through the running server's admin
// socket or from the CLI with the database opened directly.
import type { AppContext } from "../../context.ts";
import { findAccountByHandle } from "../../../db/repositories/accounts.ts";
import type { Role } from "../../../db/schema.ts";
import { createLocalUser, RegistrationError } from "../accounts/create-user.ts";
import { deleteLocalAccount } from "../accounts/delete-account.ts";
import { endAllSessions } from "../accounts/end-sessions.ts";
import { createInvite, listInvites } from "../accounts/invites.ts";
import { generatePassword, hashPassword } from "../accounts/passwords.ts";
import { ALLOW_HANDLERS, type FederationAdminContext } from "./allow-commands.ts";
import { ANNOUNCEMENT_HANDLERS } from "./announcement-commands.ts";
import { QUEUE_HANDLERS } from "./queue-commands.ts";

/** The live allowlist and refusal log are used when the server's context has them. */
export type AdminContext = Pick<AppContext, "db" | "urls" | "config"> & FederationAdminContext;

export interface AdminRequest {
  command: string;
  args: string[];
  options: Record<string, string | boolean | undefined>;
}

export class AdminCommandError extends Error {
  override name = "AdminCommandError";
}

type Handler = (context: AdminContext, request: AdminRequest) => Promise<string>;

async function requireLocalUser(context: AdminContext, username: string | undefined) {
  if (!username) throw new AdminCommandError("a USERNAME is required");
  const account = await findAccountByHandle(context.db, username.replace(/^@/, ""), null);
  if (!account) throw new AdminCommandError(`no local user named ${username}`);
  // A deleted account keeps its name but has no user behind it any more.
  const user = await context.db.selectFrom("users").select("account_id").where("account_id", "=", account.id).executeTakeFirst();
  if (!user) throw new AdminCommandError(`${account.username} was deleted`);
  return account;
}

function positiveInteger(name: string, value: string | boolean | undefined): number | null {
  if (value === undefined) return null;
  const number = Number(value);
  if (typeof value !== "string" || !Number.isInteger(number) || number <= 0) {
    throw new AdminCommandError(`--${name} must be a positive whole number`);
  }
  return number;
}

async function setRole(context: AdminContext, username: string | undefined, role: Role): Promise<string> {
  const account = await requireLocalUser(context, username);
  await context.db.updateTable("users").set({ role }).where("account_id", "=", account.id).execute();
  return `${account.username} is now ${role === "user" ? "a regular user" : `a${role === "admin" ? "n" : ""} ${role}`}`;
}

/** Suspending also ends every session: tokens and sign-in cookies stop working at once. */
async function setSuspended(context: AdminContext, username: string | undefined, suspended: boolean): Promise<string> {
  const account = await requireLocalUser(context, username);
  await context.db.transaction().execute(async (trx) => {
    await trx
      .updateTable("accounts")
      .set({ suspended_at: suspended ? new Date() : null })
      .where("id", "=", account.id)
      .execute();
    if (suspended) {
      await endAllSessions(trx, account.id);
    }
  });
  return `${account.username} is ${suspended ? "suspended; their sessions and tokens are revoked" : "no longer suspended"}`;
}

export const HANDLERS: Record<string, Handler> = {
  "user create": async (context, { args, options }) => {
    const username = args[0];
    if (!username) throw new AdminCommandError("a USERNAME is required");
    if (typeof options.email !== "string") throw new AdminCommandError("--email EMAIL is required");
    const generated = typeof options.password === "string" ? null : generatePassword();
    try {
      const { account } = await createLocalUser(context.db, context.urls, {
        username,
        email: options.email,
        password: (options.password as string | undefined) ?? generated!,
        role: options.admin ? "admin" : options.moderator ? "moderator" : "user",
        displayName: typeof options["display-name"] === "string" ? options["display-name"] : undefined,
        allowReserved: true,
      });
      const lines = [`created ${account.username} (id ${account.id})${options.admin ? " as admin" : ""}`];
      if (generated) lines.push(`password: ${generated}`);
      return lines.join("\n");
    } catch (error) {
      if (error instanceof RegistrationError) throw new AdminCommandError(error.message.replace(/^Validation failed: /, ""));
      throw error;
    }
  },

  "user delete": async (context, { args, options }) => {
    const account = await requireLocalUser(context, args[0]);
    if (options.yes !== true) throw new AdminCommandError("deleting cannot be undone: add --yes to confirm");
    await deleteLocalAccount(context.db, account.id);
    return `${account.username} is deleted; sibling campuses are being told`;
  },

  "user grant-admin": (context, { args }) => setRole(context, args[0], "admin"),

  "user role": async (context, { args }) => {
    const role = args[1];
    if (role !== "user" && role !== "moderator" && role !== "admin") {
      throw new AdminCommandError("the ROLE must be one of: user, moderator, admin");
    }
    return setRole(context, args[0], role);
  },

  "user reset-password": async (context, { args, options }) => {
    const account = await requireLocalUser(context, args[0]);
    const password = typeof options.password === "string" ? options.password : generatePassword();
    if (password.length < 8 || password.length > 72) {
      throw new AdminCommandError("the password must be 8 to 72 characters long");
    }
    await context.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("users")
        .set({ password_hash: await hashPassword(password) })
        .where("account_id", "=", account.id)
        .execute();
      // A reset password is a suspected leak: existing sessions end.
      await endAllSessions(trx, account.id);
    });
    return typeof options.password === "string"
      ? `password of ${account.username} changed; their sessions are signed out`
      : `password of ${account.username} changed; their sessions are signed out\npassword: ${password}`;
  },

  "user list": async (context, { options }) => {
    const rows = await context.db
      .selectFrom("users as u")
      .innerJoin("accounts as a", "a.id", "u.account_id")
      .select(["a.id", "a.username", "a.display_name", "u.email", "u.role", "a.suspended_at", "a.created_at"])
      .orderBy("a.id")
      .execute();
    if (options.json) {
      return JSON.stringify(
        rows.map((row) => ({
          id: row.id,
          username: row.username,
          display_name: row.display_name,
          email: row.email,
          role: row.role,
          suspended: row.suspended_at !== null,
          created_at: row.created_at.toISOString(),
        })),
        null,
        2,
      );
    }
    if (rows.length === 0) return "no users yet";
    const header = ["USERNAME", "EMAIL", "ROLE", "STATUS", "CREATED"];
    const table = rows.map((row) => [
      row.username,
      row.email,
      row.role,
      row.suspended_at ? "suspended" : "active",
      row.created_at.toISOString().slice(0, 10),
    ]);
    const widths = header.map((title, column) => Math.max(title.length, ...table.map((line) => line[column]!.length)));
    return [header, ...table].map((line) => line.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n");
  },

  "user suspend": (context, { args }) => setSuspended(context, args[0], true),
  "user unsuspend": (context, { args }) => setSuspended(context, args[0], false),

  "invite create": async (context, { options }) => {
    const maxUses = positiveInteger("max-uses", options["max-uses"]);
    const hours = positiveInteger("expires-in", options["expires-in"]);
    const invite = await createInvite(context.db, { maxUses, expiresInSeconds: hours ? hours * 3600 : null });
    const limits = [
      maxUses ? `${maxUses} use${maxUses === 1 ? "" : "s"}` : "unlimited uses",
      invite.expires_at ? `expires ${invite.expires_at.toISOString()}` : "never expires",
    ];
    return `invite code: ${invite.code} (${limits.join(", ")})`;
  },

  "invite list": async (context) => {
    const invites = await listInvites(context.db);
    if (invites.length === 0) return "no invites yet";
    return invites
      .map((invite) => {
        const expired = invite.expires_at && invite.expires_at.getTime() <= Date.now();
        const usedUp = invite.max_uses !== null && invite.uses >= invite.max_uses;
        const state = expired ? "expired" : usedUp ? "used up" : "valid";
        return `${invite.code}  ${invite.uses}/${invite.max_uses ?? "∞"} uses  ${state}${invite.expires_at ? `  expires ${invite.expires_at.toISOString()}` : ""}`;
      })
      .join("\n");
  },
};

export async function runAdminCommand(context: AdminContext, request: AdminRequest): Promise<string> {
  // Looked up at call time: allow-commands.ts and queue-commands.ts import this module too.
  const handler =
    HANDLERS[request.command] ??
    ALLOW_HANDLERS[request.command] ??
    QUEUE_HANDLERS[request.command] ??
    ANNOUNCEMENT_HANDLERS[request.command];
  if (!handler) throw new AdminCommandError(`unknown command: ${request.command}`);
  return handler(context, request);
}
