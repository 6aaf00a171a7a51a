// Checking a request to /oauth/authorize before anyone is asked to sign in or consent.
import type { OauthApplication } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { findApplicationByClientId, OOB_REDIRECT } from "./applications.ts";
import { grantedScopes } from "./grants.ts";

/** The parameters of an authorization request, as they travel through the sign-in and consent forms. */
export interface AuthorizeParams {
  response_type: string;
  client_id: string;
  redirect_uri: string;
  scope: string;
  state?: string;
  code_challenge?: string;
  code_challenge_method?: string;
}

export type AuthorizeInput = Partial<Record<keyof AuthorizeParams, string>>;

/**
 * A request that can go ahead, or how to refuse it: on a page when the redirect URI cannot be
 * trusted (RFC 6749 §4.1.2.1 forbids redirecting there), else by redirecting with `error`.
 */
export type AuthorizationCheck =
  | { ok: true; app: OauthApplication; params: AuthorizeParams; scopes: string[] }
  | { ok: false; page: { status: number; message: string } }
  | { ok: false; redirect: string };

export function redirectWith(uri: string, values: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [key, value] of Object.entries(values)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]"]);

/**
 * Whether a requested redirect URI is one the app registered. Exact match, except that a
 * loopback IP URI may use any port (RFC 8252 §7.3): desktop apps listen on whatever port is free.
 */
export function matchesRegisteredUri(requested: string, registered: string): boolean {
  if (requested === registered) return true;
  let a: URL;
  let b: URL;
  try {
    a = new URL(requested);
    b = new URL(registered);
  } catch {
    return false;
  }
  if (a.protocol !== "http:" || b.protocol !== "http:") return false;
  if (!LOOPBACK_HOSTS.has(a.hostname) || a.hostname !== b.hostname) return false;
  if (a.username || a.password || a.hash) return false;
  return a.pathname === b.pathname && a.search === b.search;
}

// RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is always 43 characters.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export async function checkAuthorizationRequest(
  context: AppContext,
  given: AuthorizeInput,
): Promise<AuthorizationCheck> {
  // Some clients send every parameter, empty when unused (`code_challenge=`).
  const input = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== "")) as AuthorizeInput;
  if (!input.client_id) return { ok: false, page: { status: 400, message: "The request has no client_id." } };
  const client = await findApplicationByClientId(context.db, input.client_id);
  if (!client) return { ok: false, page: { status: 400, message: "No application is registered with this client_id." } };
  const redirectUri =
    input.redirect_uri === undefined
      ? client.redirect_uris.length === 1
        ? client.redirect_uris[0]
        : undefined
      : client.redirect_uris.some((uri) => matchesRegisteredUri(input.redirect_uri!, uri))
        ? input.redirect_uri
        : undefined;
  if (!redirectUri) {
    return { ok: false, page: { status: 400, message: "The redirect URI is not one this application registered." } };
  }
  const fail = (error: string, description: string): AuthorizationCheck =>
    redirectUri === OOB_REDIRECT
      ? { ok: false, page: { status: 400, message: `The request was refused (${error}): ${description}` } }
      : { ok: false, redirect: redirectWith(redirectUri, { error, error_description: description, state: input.state }) };
  if (input.response_type !== "code") return fail("unsupported_response_type", "Only response_type=code is supported.");
  if (input.code_challenge_method !== undefined && input.code_challenge_method !== "S256") {
    return fail("invalid_request", "The only code_challenge_method supported is S256.");
  }
  if (input.code_challenge_method && !input.code_challenge) {
    return fail("invalid_request", "code_challenge_method was given without a code_challenge.");
  }
  if (input.code_challenge !== undefined && !S256_CHALLENGE.test(input.code_challenge)) {
    return fail("invalid_request", "The code_challenge is not a base64url-encoded SHA-256 hash.");
  }
  let scopes: string[];
  try {
    scopes = grantedScopes(client, input.scope);
  } catch {
    return fail("invalid_scope", "The requested scope is invalid, unknown, or malformed.");
  }
  return {
    ok: true,
    app: client,
    scopes,
    params: {
      response_type: "code",
      client_id: client.client_id,
      redirect_uri: redirectUri,
      scope: scopes.join(" "),
      state: input.state,
      code_challenge: input.code_challenge,
      code_challenge_method: input.code_challenge ? "S256" : undefined,
    },
  };
}

/** The GET URL that shows this request again (after signing in). */
export function authorizeUrl(params: AuthorizeParams): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, value);
  return `/oauth/authorize?${query.toString()}`;
}
