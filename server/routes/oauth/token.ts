// POST /oauth/token and POST /oauth/revoke. Clients authenticate with client_secret_basic or
// client_secret_post; every error answers in RFC 6749's shape, validation errors included.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { emptyObject, errorResponse } from "../../schemas/common.ts";
import { ref } from "../../schemas/entities.ts";
import {
  type ClientCredentials,
  clientCredentialsFrom,
  clientCredentialsGrant,
  exchangeAuthorizationCode,
  invalidRequest,
  OAuthError,
  passwordGrant,
  revokeAccessToken,
} from "../../services/oauth/grants.ts";

const tokenBody = {
  type: "object",
  properties: {
    grant_type: { type: "string", maxLength: 100 },
    code: { type: "string", maxLength: 500 },
    redirect_uri: { type: "string", maxLength: 2000 },
    client_id: { type: "string", maxLength: 200 },
    client_secret: { type: "string", maxLength: 200 },
    // RFC 7636 §4.1: 43 to 128 unreserved characters.
    code_verifier: { type: "string", pattern: "^[A-Za-z0-9._~-]{43,128}$" },
    scope: { type: "string", maxLength: 2000 },
    username: { type: "string", maxLength: 320 },
    password: { type: "string", maxLength: 1000 },
  },
} as const;

interface TokenBody {
  grant_type?: string;
  code?: string;
  redirect_uri?: string;
  client_id?: string;
  client_secret?: string;
  code_verifier?: string;
  scope?: string;
  username?: string;
  password?: string;
}

const revokeBody = {
  type: "object",
  properties: {
    token: { type: "string", maxLength: 2000 },
    client_id: { type: "string", maxLength: 200 },
    client_secret: { type: "string", maxLength: 200 },
    token_type_hint: { type: "string", maxLength: 100 },
  },
} as const;

/** Validation errors become invalid_request instead of the API's 422. */
function rejectInvalidBody(request: FastifyRequest): void {
  if (request.validationError) {
    throw invalidRequest(`The request is malformed: ${request.validationError.message}.`);
  }
}

/** Client authentication from the header or the body; a failure names the scheme (RFC 6749 §5.2). */
async function asClient<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  body: { client_id?: string; client_secret?: string },
  run: (credentials: ClientCredentials) => Promise<T>,
): Promise<T> {
  const basic = /^Basic\s/i.test(request.headers.authorization ?? "");
  try {
    return await run(clientCredentialsFrom(request.headers.authorization, body));
  } catch (error) {
    if (basic && error instanceof OAuthError && error.code === "invalid_client") {
      reply.header("www-authenticate", 'Basic realm="oauth"');
    }
    throw error;
  }
}

export default async function tokenRoutes(app: FastifyInstance) {
  const context = app.context;

  app.post(
    "/oauth/token",
    {
      attachValidation: true,
      schema: { body: tokenBody, response: { 200: ref("Token"), "4xx": errorResponse } },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store").header("pragma", "no-cache");
      rejectInvalidBody(request);
      const body = (request.body ?? {}) as TokenBody;
      return asClient(request, reply, body, async (credentials) => {
        switch (body.grant_type) {
          case "authorization_code":
            return exchangeAuthorizationCode(context, credentials, {
              code: body.code,
              redirectUri: body.redirect_uri,
              codeVerifier: body.code_verifier,
            });
          case "client_credentials":
            return clientCredentialsGrant(context, credentials, body.scope);
          case "password":
            return passwordGrant(context, credentials, {
              username: body.username,
              password: body.password,
              scope: body.scope,
              address: request.ip,
            });
          case undefined:
          case "":
            throw invalidRequest("Missing required parameter: grant_type.");
          default:
            throw new OAuthError(
              400,
              "unsupported_grant_type",
              "The authorization grant type is not supported by the authorization server.",
            );
        }
      });
    },
  );

  app.post(
    "/oauth/revoke",
    {
      attachValidation: true,
      schema: { body: revokeBody, response: { 200: emptyObject, "4xx": errorResponse } },
    },
    async (request, reply) => {
      rejectInvalidBody(request);
      const body = (request.body ?? {}) as { token?: string; client_id?: string; client_secret?: string };
      let tokenId: string | null = null;
      try {
        const decoded = body.token ? (app.jwt.verify(body.token) as { jti?: string }) : null;
        tokenId = decoded?.jti && /^\d{1,19}$/.test(decoded.jti) ? decoded.jti : null;
      } catch {
        // RFC 7009 §2.2: an invalid token is not an error; there is nothing to revoke.
        tokenId = null;
      }
      await asClient(request, reply, body, (credentials) => revokeAccessToken(context, credentials, tokenId));
      return {};
    },
  );
}
