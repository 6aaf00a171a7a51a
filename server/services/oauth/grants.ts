// The token endpoint's grants, the authorization codes behind the sign-in page, and revocation.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { OauthApplication } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { ApiError } from "../../errors.ts";
import { findApplicationByClientId } from "./applications.ts";
import { attemptLogin } from "./login.ts";
import { DEFAULT_SCOPES, parseScopes, withinScopes } from "./scopes.ts";
import { type IssuedToken, issueToken, revokeToken } from "./tokens.ts";

const CODE_LIFETIME_MS = 10 * 60 * 1000;

/** RFC 6749 error bodies: {"error": code, "error_description": text}. */
export class OAuthError extends ApiError {
  readonly code: string;

  constructor(status: number, code: string, description: string) {
    super(status, code, { details: { error_description: description } });
    this.code = code;
  }
}

export const invalidRequest = (description: string) => new OAuthError(400, "invalid_request", description);
export const invalidClient = () =>
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
  /** Whether they came in an Authorization: Basic header (a 401 then names the scheme). */
  basic?: boolean;
}

function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replaceAll("+", " "));
  } catch {
    return null;
  }
}

/** client_secret_basic (Authorization: Basic) or client_secret_post (form fields). */
export function clientCredentialsFrom(
  authorization: string | undefined,
  body: { client_id?: string; client_secret?: string },
): ClientCredentials {
  const basic = authorization && /^Basic\s+(\S+)$/i.exec(authorization);
  if (basic) {
    // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded.
    const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const clientId = colon > 0 ? formDecode(decoded.slice(0, colon)) : null;
    const clientSecret = colon > 0 ? formDecode(decoded.slice(colon + 1)) : null;
    // A malformed header is a failed authentication, not a reason to look at the body instead.
    if (clientId === null || clientSecret === null) throw invalidClient();
    return { clientId, clientSecret, basic: true };
  }
  return { clientId: body.client_id, clientSecret: body.client_secret };
}

/** The application, when the id exists and (if required, or given anyway) its secret matches. */
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

/**
 * The scopes a grant gets: those requested, which must lie within the app's. Without a request,
 * `read`, as Mastodon documents; an app registered without `read` gets its registered scopes.
 */
export function grantedScopes(app: OauthApplication, requested: string | undefined): string[] {
  const registered = parseScopes(app.scopes || DEFAULT_SCOPES);
  let scopes = parseScopes(requested);
  if (scopes.length === 0) scopes = withinScopes(registered, [DEFAULT_SCOPES]) ? [DEFAULT_SCOPES] : registered;
  if (!withinScopes(registered, scopes)) {
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
  },
): Promise<string> {
  const code = randomBytes(32).toString("base64url");
  // Codes nobody exchanged would otherwise stay forever; sweeping here keeps the table small.
  await context.db.deleteFrom("oauth_authorization_codes").where("expires_at", "<", new Date()).execute();
  await context.db
    .insertInto("oauth_authorization_codes")
    .values({
      code_hash: sha256(code),
      application_id: grant.app.id,
      account_id: grant.accountId,
      redirect_uri: grant.redirectUri,
      scopes: grant.scopes.join(" "),
      code_challenge: grant.codeChallenge ?? null,
      code_challenge_method: grant.codeChallenge ? "S256" : null,
      expires_at: new Date(Date.now() + CODE_LIFETIME_MS),
    })
    .execute();
  return code;
}

/**
 * authorization_code grant. The code is single-use and must come back with the redirect URI it
 * was issued for; with PKCE the verifier proves possession, and a client that used PKCE may
 * leave out its secret (a public client).
 */
export async function exchangeAuthorizationCode(
  context: AppContext,
  credentials: ClientCredentials,
  input: { code?: string; redirectUri?: string; codeVerifier?: string },
): Promise<IssuedToken> {
  const app = await authenticateClient(context, credentials, { secretRequired: !input.codeVerifier });
  if (!input.code) throw invalidRequest("Missing required parameter: code.");
  if (!input.redirectUri) throw invalidRequest("Missing required parameter: redirect_uri.");
  return context.db.transaction().execute(async (trx) => {
    // Deleted as it is read, so two concurrent exchanges of one code cannot both succeed.
    const code = await trx
      .deleteFrom("oauth_authorization_codes")
      .where("code_hash", "=", sha256(input.code!))
      .returningAll()
      .executeTakeFirst();
    if (!code || code.application_id !== app.id || code.expires_at.getTime() < Date.now()) throw invalidGrant();
    if (input.redirectUri !== code.redirect_uri) throw invalidGrant();
    if (code.code_challenge) {
      if (!input.codeVerifier || !sameSecret(sha256(input.codeVerifier), code.code_challenge)) throw invalidGrant();
    } else if (!credentials.clientSecret) {
      // Without PKCE only the secret shows that the code reached the app it was meant for.
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

/** The password grant (toot's `login_cli`): `username` holds the e-mail address, or the username. */
export async function passwordGrant(
  context: AppContext,
  credentials: ClientCredentials,
  input: { username?: string; password?: string; scope?: string; address: string },
): Promise<IssuedToken> {
  const app = await authenticateClient(context, credentials, { secretRequired: true });
  const scopes = grantedScopes(app, input.scope);
  if (!input.username || !input.password) throw invalidRequest("Missing required parameter: username or password.");
  const result = await attemptLogin(context, {
    login: input.username,
    password: input.password,
    address: input.address,
  });
  if (!result.ok) {
    if (result.reason === "throttled") {
      throw new OAuthError(429, "invalid_grant", "Too many failed sign-in attempts; try again later.");
    }
    throw invalidGrant();
  }
  await context.db.updateTable("users").set({ last_sign_in_at: new Date() }).where("account_id", "=", result.account.id).execute();
  return issueToken(context, context.db, { applicationId: app.id, accountId: result.account.id, scopes });
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
    throw new OAuthError(403, "unauthorized_client", "You are not authorized to revoke this token.");
  }
  await revokeToken(context.db, token.id);
}
