// The token endpoint's grants and the authorization codes behind the sign-in page.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Account, OauthApplication } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { ApiError } from "../../errors.ts";
import { verifyPassword } from "../accounts/passwords.ts";
import { findApplicationByClientId } from "./applications.ts";
import { DEFAULT_SCOPES, parseScopes, withinScopes } from "./scopes.ts";
import { type IssuedToken, issueToken, revokeToken } from "./tokens.ts";

const CODE_LIFETIME_MS = 10 * 60 * 1000;

/** RFC 6749 error bodies: {"error": code, "error_description": text}. */
export class OAuthError extends ApiError {
  constructor(status: number, code: string, description: string) {
    super(status, code, { details: { error_description: description } });
  }
}

const invalidClient = () =>
  new OAuthError(
    401,
    "invalid_client",
    "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
  );
const invalidGrant = () =>
  new OAuthError(
    400,
    "invalid_grant",
    "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
  );

const sha256 = (value: string) => createHash("sha256").update(value).digest("base64url");

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface ClientCredentials {
  clientId?: string;
  clientSecret?: string;
}

/** client_secret_basic (Authorization: Basic) or client_secret_post (form fields). */
export function clientCredentialsFrom(
  authorization: string | undefined,
  body: { client_id?: string; client_secret?: string },
): ClientCredentials {
  const basic = authorization && /^Basic\s+(\S+)$/i.exec(authorization);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon)),
        clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
      };
    }
  }
  return { clientId: body.client_id, clientSecret: body.client_secret };
}

/** The application, when the id exists and (if required) its secret matches. */
export async function authenticateClient(
  context: AppContext,
  credentials: ClientCredentials,
  options: { secretRequired: boolean },
): Promise<OauthApplication> {
  if (!credentials.clientId) throw invalidClient();
  const app = await findApplicationByClientId(context.db, credentials.clientId);
  if (!app) throw invalidClient();
  if (credentials.clientSecret !== undefined || options.secretRequired) {
    if (!credentials.clientSecret || !sameSecret(credentials.clientSecret, app.client_secret)) {
      throw invalidClient();
    }
  }
  return app;
}

/** Requested scopes, defaulting to the app's first scope set as Mastodon does; must be within the app's. */
export function grantedScopes(app: OauthApplication, requested: string | undefined): string[] {
  const scopes = requested ? parseScopes(requested) : parseScopes(app.scopes || DEFAULT_SCOPES);
  if (scopes.length === 0 || !withinScopes(app.scopes.split(" "), scopes)) {
    throw new OAuthError(400, "invalid_scope", "The requested scope is invalid, unknown, or malformed.");
  }
  return scopes;
}

export async function createAuthorizationCode(
  context: AppContext,
  grant: {
    app: OauthApplication;
    accountId: string;
    redirectUri: string;
    scopes: string[];
    codeChallenge?: string;
    codeChallengeMethod?: string;
  },
): Promise<string> {
  const code = randomBytes(32).toString("base64url");
  await context.db
    .insertInto("oauth_authorization_codes")
    .values({
      code_hash: sha256(code),
      application_id: grant.app.id,
      account_id: grant.accountId,
      redirect_uri: grant.redirectUri,
      scopes: grant.scopes.join(" "),
      code_challenge: grant.codeChallenge ?? null,
      code_challenge_method: grant.codeChallenge ? (grant.codeChallengeMethod ?? "S256") : null,
      expires_at: new Date(Date.now() + CODE_LIFETIME_MS),
    })
    .execute();
  return code;
}

/**
 * authorization_code grant. The code is single-use; with PKCE the verifier proves possession,
 * and a client that used PKCE may leave out its secret (a public client).
 */
export async function exchangeAuthorizationCode(
  context: AppContext,
  credentials: ClientCredentials,
  input: { code?: string; redirectUri?: string; codeVerifier?: string },
): Promise<IssuedToken> {
  const app = await authenticateClient(context, credentials, { secretRequired: !input.codeVerifier });
  if (!input.code) throw invalidGrant();
  return context.db.transaction().execute(async (trx) => {
    const code = await trx
      .deleteFrom("oauth_authorization_codes")
      .where("code_hash", "=", sha256(input.code!))
      .returningAll()
      .executeTakeFirst();
    if (!code || code.application_id !== app.id || code.expires_at.getTime() < Date.now()) throw invalidGrant();
    if (input.redirectUri !== undefined && input.redirectUri !== code.redirect_uri) throw invalidGrant();
    if (code.code_challenge) {
      if (!input.codeVerifier || sha256(input.codeVerifier) !== code.code_challenge) throw invalidGrant();
    } else if (!credentials.clientSecret) {
      throw invalidClient();
    }
    const account = await trx
      .selectFrom("accounts")
      .select("suspended_at")
      .where("id", "=", code.account_id)
      .executeTakeFirst();
    if (!account || account.suspended_at) throw invalidGrant();
    await trx.updateTable("users").set({ last_sign_in_at: new Date() }).where("account_id", "=", code.account_id).execute();
    return issueToken(context, trx, {
      applicationId: app.id,
      accountId: code.account_id,
      scopes: code.scopes.split(" "),
    });
  });
}

export async function clientCredentialsGrant(
  context: AppContext,
  credentials: ClientCredentials,
  scope: string | undefined,
): Promise<IssuedToken> {
  const app = await authenticateClient(context, credentials, { secretRequired: true });
  const scopes = grantedScopes(app, scope);
  return issueToken(context, context.db, { applicationId: app.id, accountId: null, scopes });
}

/** Finds the local user signing in by e-mail (as Mastodon expects) or by username. */
export async function checkLogin(
  context: AppContext,
  login: string,
  password: string,
): Promise<Account | null> {
  const trimmed = login.trim().replace(/^@/, "");
  const row = await context.db
    .selectFrom("users as u")
    .innerJoin("accounts as a", "a.id", "u.account_id")
    .selectAll("a")
    .select("u.password_hash")
    .where((eb) =>
      trimmed.includes("@")
        ? eb(eb.fn("lower", ["u.email"]), "=", trimmed.toLowerCase())
        : eb.and([eb(eb.fn("lower", ["a.username"]), "=", trimmed.toLowerCase()), eb("a.domain", "is", null)]),
    )
    .executeTakeFirst();
  if (!row || !(await verifyPassword(password, row.password_hash))) return null;
  const { password_hash: _hash, ...account } = row;
  return account;
}

export async function passwordGrant(
  context: AppContext,
  credentials: ClientCredentials,
  input: { username?: string; password?: string; scope?: string },
): Promise<IssuedToken> {
  const app = await authenticateClient(context, credentials, { secretRequired: true });
  const scopes = grantedScopes(app, input.scope);
  const account = input.username && input.password ? await checkLogin(context, input.username, input.password) : null;
  if (!account || account.suspended_at) throw invalidGrant();
  await context.db.updateTable("users").set({ last_sign_in_at: new Date() }).where("account_id", "=", account.id).execute();
  return issueToken(context, context.db, { applicationId: app.id, accountId: account.id, scopes });
}

/** RFC 7009: revoking an unknown token succeeds; another client's token is refused. */
export async function revokeAccessToken(
  context: AppContext,
  credentials: ClientCredentials,
  tokenId: string | null,
): Promise<void> {
  const app = await authenticateClient(context, credentials, { secretRequired: true });
  if (!tokenId) return;
  const token = await context.db
    .selectFrom("oauth_access_tokens")
    .select(["id", "application_id"])
    .where("id", "=", tokenId)
    .executeTakeFirst();
  if (!token) return;
  if (token.application_id !== app.id) {
    throw new OAuthError(403, "unauthorized_client", "You are not authorized to revoke this token");
  }
  await revokeToken(context.db, token.id);
}
