import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database, OauthApplication } from "../../../db/schema.ts";
import { unprocessable } from "../../errors.ts";
import { DEFAULT_SCOPES, parseScopes, unknownScopes } from "./scopes.ts";

export const OOB_REDIRECT = "urn:ietf:wg:oauth:2.0:oob";

export interface NewApplication {
  clientName?: string;
  redirectUris?: string | string[];
  scopes?: string;
  website?: string;
}

/** Registered redirect URIs: absolute, without fragments; custom schemes (for mobile apps) allowed. */
export function parseRedirectUris(value: string | string[] | undefined): string[] {
  // Mastodon takes several URIs in one string, one a line (or separated by spaces), or an array.
  const list = (Array.isArray(value) ? value : (value ?? "").split(/\s+/)).map((uri) => uri.trim()).filter(Boolean);
  if (list.length === 0) throw unprocessable("Redirect URI can't be blank");
  for (const uri of list) {
    if (uri === OOB_REDIRECT) continue;
    let parsed: URL;
    try {
      parsed = new URL(uri);
    } catch {
      throw unprocessable(`Redirect URI must be an absolute URI: ${uri}`);
    }
    if (parsed.hash || uri.includes("#")) throw unprocessable("Redirect URI cannot contain a fragment");
    if (["javascript:", "data:", "vbscript:", "file:"].includes(parsed.protocol)) {
      throw unprocessable(`Redirect URI uses a forbidden scheme: ${parsed.protocol}`);
    }
  }
  return [...new Set(list)];
}

function isWebUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

export async function createApplication(db: Kysely<Database>, input: NewApplication): Promise<OauthApplication> {
  const name = input.clientName?.trim() ?? "";
  if (!name) throw unprocessable("Name can't be blank");
  if (name.length > 200) throw unprocessable("Name is too long (maximum is 200 characters)");
  const redirectUris = parseRedirectUris(input.redirectUris);
  const scopes = parseScopes(input.scopes ?? DEFAULT_SCOPES);
  if (scopes.length === 0) scopes.push(DEFAULT_SCOPES);
  const unknown = unknownScopes(scopes);
  if (unknown.length > 0) throw unprocessable(`Scopes are not valid: ${unknown.join(", ")}`);
  const website = input.website?.trim() || null;
  if (website && !isWebUrl(website)) throw unprocessable("Website is invalid");
  return db
    .insertInto("oauth_applications")
    .values({
      name,
      website,
      redirect_uris: JSON.stringify(redirectUris),
      scopes: scopes.join(" "),
      client_id: randomBytes(24).toString("base64url"),
      client_secret: randomBytes(32).toString("base64url"),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findApplicationByClientId(
  db: Kysely<Database>,
  clientId: string,
): Promise<OauthApplication | undefined> {
  return db.selectFrom("oauth_applications").selectAll().where("client_id", "=", clientId).executeTakeFirst();
}

export async function findApplicationById(db: Kysely<Database>, id: string): Promise<OauthApplication | undefined> {
  return db.selectFrom("oauth_applications").selectAll().where("id", "=", id).executeTakeFirst();
}
