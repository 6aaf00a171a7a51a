import type { FastifyInstance } from "fastify";
import { errorResponse, emptyObject } from "../../schemas/common.ts";
import { ref } from "../../schemas/entities.ts";
import {
  clientCredentialsFrom,
  clientCredentialsGrant,
  exchangeAuthorizationCode,
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
    code_verifier: { type: "string", minLength: 43, maxLength: 128 },
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

export default async function tokenRoutes(app: FastifyInstance) {
  const context = app.context;

  app.post(
    "/oauth/token",
    {
      schema: {
        body: tokenBody,
        response: { 200: ref("Token"), "4xx": errorResponse },
      },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as TokenBody;
      const credentials = clientCredentialsFrom(request.headers.authorization, body);
      reply.header("cache-control", "no-store");
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
          });
        default:
          throw new OAuthError(
            400,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
          );
      }
    },
  );

  app.post(
    "/oauth/revoke",
    {
      schema: {
        body: {
          type: "object",
          properties: {
            token: { type: "string", maxLength: 2000 },
            client_id: { type: "string", maxLength: 200 },
            client_secret: { type: "string", maxLength: 200 },
            token_type_hint: { type: "string", maxLength: 100 },
          },
        },
        response: { 200: emptyObject, "4xx": errorResponse },
      },
    },
    async (request) => {
      const body = (request.body ?? {}) as { token?: string; client_id?: string; client_secret?: string };
      const credentials = clientCredentialsFrom(request.headers.authorization, body);
      let tokenId: string | null = null;
      try {
        const decoded = body.token ? (app.jwt.verify(body.token) as { jti?: string }) : null;
        tokenId = decoded?.jti && /^\d{1,19}$/.test(decoded.jti) ? decoded.jti : null;
      } catch {
        tokenId = null;
      }
      await revokeAccessToken(context, credentials, tokenId);
      return {};
    },
  );
}
