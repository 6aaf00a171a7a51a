// Checking an e-mail (or username) and password, for the sign-in page and the password grant.
import { randomBytes } from "node:crypto";
import type { Account } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { hashPassword, verifyPassword } from "../accounts/passwords.ts";
import { loginThrottleFor } from "../web/login-throttle.ts";

// Compared against when nobody has the login, so that an unknown login costs the same scrypt as
// a wrong password and response times do not tell which e-mail addresses have accounts. Hashed
// with the current parameters, so it keeps costing what a real check costs if they are raised.
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashPassword(randomBytes(18).toString("base64url")));

/** Finds the local user signing in by e-mail (as Mastodon expects) or by username. */
export async function checkLogin(context: AppContext, login: string, password: string): Promise<Account | null> {
  const trimmed = login.trim().replace(/^@/, "");
  const row = trimmed
    ? await context.db
        .selectFrom("users as u")
        .innerJoin("accounts as a", "a.id", "u.account_id")
        .selectAll("a")
        .select("u.password_hash")
        .where((eb) =>
          trimmed.includes("@")
            ? eb(eb.fn("lower", ["u.email"]), "=", trimmed.toLowerCase())
            : eb.and([eb(eb.fn("lower", ["a.username"]), "=", trimmed.toLowerCase()), eb("a.domain", "is", null)]),
        )
        .executeTakeFirst()
    : undefined;
  if (!row) {
    await verifyPassword(password, await dummy());
    return null;
  }
  if (!(await verifyPassword(password, row.password_hash))) return null;
  const { password_hash: _hash, ...account } = row;
  return account;
}

export type LoginResult =
  | { ok: true; account: Account }
  | { ok: false; reason: "invalid" | "suspended" | "throttled" };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A sign-in attempt from `address`, slowed (and at worst refused) after repeated failures for the
 * same login or address. The wait comes before the check, so a right password is slowed too and
 * the delay says nothing about whether a guess was right.
 */
export async function attemptLogin(
  context: AppContext,
  input: { login: string; password: string; address: string },
): Promise<LoginResult> {
  const throttle = loginThrottleFor(context);
  const loginKey = `login:${input.login.trim().replace(/^@/, "").toLowerCase()}`;
  // Addresses exempt from rate limits (loopback by default, as Mastodon exempts it) are not
  // throttled as a whole; failures against one login still are.
  const exempt = context.config.rateLimit.exempt.includes(input.address);
  const keys = exempt ? [loginKey] : [`ip:${input.address}`, loginKey];
  const delay = throttle.delayFor(keys);
  if (delay === Number.POSITIVE_INFINITY) return { ok: false, reason: "throttled" };
  if (delay > 0) await sleep(delay);
  const account = input.login && input.password ? await checkLogin(context, input.login, input.password) : null;
  if (!account) {
    throttle.recordFailure(keys);
    return { ok: false, reason: "invalid" };
  }
  if (account.suspended_at) return { ok: false, reason: "suspended" };
  throttle.recordSuccess([loginKey]);
  return { ok: true, account };
}
