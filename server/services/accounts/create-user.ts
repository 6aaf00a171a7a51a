import type { Kysely } from "kysely";
import { findAccountByHandle } from "../../../db/repositories/accounts.ts";
import type { Database, Role, User, Account } from "../../../db/schema.ts";
import { ApiError } from "../../errors.ts";
import type { Urls } from "../../urls.ts";
import { generateActorKeys, storeActorKeys } from "./keys.ts";
import { hashPassword } from "./passwords.ts";

export const USERNAME_PATTERN = /^[a-z0-9_]{1,30}$/i;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Names that would read as the campus itself, or clash with system accounts.
const RESERVED = new Set([
  "admin", "administrator", "root", "support", "help", "webmaster", "postmaster", "hostmaster",
  "abuse", "moderator", "mod", "security", "instance", "actor", "hallway", "system",
]);

export interface NewUserInput {
  username: string;
  email: string;
  password: string;
  role?: Role;
  displayName?: string;
  inviteId?: string | null;
  /** Admins may create reserved usernames; registration may not. */
  allowReserved?: boolean;
}

type ErrorCode = "ERR_ACCEPTED" | "ERR_BLANK" | "ERR_INVALID" | "ERR_TAKEN" | "ERR_RESERVED" | "ERR_TOO_SHORT" | "ERR_TOO_LONG";

/** Mastodon's validation error: a message plus `details` keyed by field. */
export class RegistrationError extends ApiError {
  constructor(problems: Record<string, { error: ErrorCode; description: string }[]>) {
    const summary = Object.entries(problems)
      .flatMap(([field, list]) => list.map((problem) => `${field[0]!.toUpperCase()}${field.slice(1)} ${problem.description}`))
      .join(", ");
    super(422, `Validation failed: ${summary}`, { details: { details: problems } });
  }
}

async function validate(db: Kysely<Database>, input: NewUserInput): Promise<void> {
  const problems: Record<string, { error: ErrorCode; description: string }[]> = {};
  const add = (field: string, error: ErrorCode, description: string) => {
    problems[field] ??= [];
    problems[field].push({ error, description });
  };
  if (!input.username) add("username", "ERR_BLANK", "can't be blank");
  else if (!USERNAME_PATTERN.test(input.username)) {
    add("username", "ERR_INVALID", "must contain only letters, numbers and underscores (at most 30)");
  } else if (!input.allowReserved && RESERVED.has(input.username.toLowerCase())) {
    add("username", "ERR_RESERVED", "is reserved");
  } else if (await findAccountByHandle(db, input.username, null)) {
    add("username", "ERR_TAKEN", "is already taken");
  }
  if (!input.email) add("email", "ERR_BLANK", "can't be blank");
  else if (!EMAIL_PATTERN.test(input.email) || input.email.length > 320) {
    add("email", "ERR_INVALID", "is not a valid e-mail address");
  } else {
    const taken = await db
      .selectFrom("users")
      .select("account_id")
      .where((eb) => eb(eb.fn("lower", ["email"]), "=", input.email.toLowerCase()))
      .executeTakeFirst();
    if (taken) add("email", "ERR_TAKEN", "is already taken");
  }
  if (!input.password) add("password", "ERR_BLANK", "can't be blank");
  else if (input.password.length < 8) add("password", "ERR_TOO_SHORT", "is too short (minimum is 8 characters)");
  else if (input.password.length > 72) add("password", "ERR_TOO_LONG", "is too long (maximum is 72 characters)");
  if (Object.keys(problems).length > 0) throw new RegistrationError(problems);
}

/**
 * Creates a local account and its user in one transaction. A unique-index race with a
 * concurrent registration surfaces as the same "taken" validation error.
 */
export async function createLocalUser(
  db: Kysely<Database>,
  urls: Urls,
  input: NewUserInput,
): Promise<{ account: Account; user: User }> {
  await validate(db, input);
  const [passwordHash, keys] = await Promise.all([hashPassword(input.password), generateActorKeys()]);
  try {
    return await db.transaction().execute(async (trx) => {
      const account = await trx
        .insertInto("accounts")
        .values({
          username: input.username,
          domain: null,
          uri: urls.actor(input.username),
          url: urls.account(input.username),
          display_name: input.displayName ?? "",
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const user = await trx
        .insertInto("users")
        .values({
          account_id: account.id,
          email: input.email,
          password_hash: passwordHash,
          role: input.role ?? "user",
          invite_id: input.inviteId ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await storeActorKeys(trx, account.id, keys);
      if (input.inviteId) {
        // Counted with a guard, so two sign-ups racing for an invite's last use cannot both win.
        const used = await trx
          .updateTable("invites")
          .set((eb) => ({ uses: eb("uses", "+", 1) }))
          .where("id", "=", input.inviteId)
          .where((eb) => eb.or([eb("max_uses", "is", null), eb("uses", "<", eb.ref("max_uses"))]))
          .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", new Date())]))
          .executeTakeFirst();
        if (used.numUpdatedRows === 0n) {
          throw new RegistrationError({
            invite_code: [{ error: "ERR_INVALID", description: "is not a valid, unused and unexpired invite" }],
          });
        }
      }
      return { account, user };
    });
  } catch (error) {
    if ((error as { code?: string }).code === "23505") {
      throw new RegistrationError({ username: [{ error: "ERR_TAKEN", description: "is already taken" }] });
    }
    throw error;
  }
}
