import type { FastifyInstance } from "fastify";
import { ALL_SCOPES } from "../../services/oauth/scopes.ts";

/** RFC 8414 metadata, which Mastodon (4.3+) publishes and newer clients read first. */
export default async function oauthMetadataRoutes(app: FastifyInstance) {
  const { origin } = app.context.config;
  const metadata = {
    issuer: `${origin}/`,
    service_documentation: "https://docs.joinmastodon.org/",
    authorization_endpoint: `${origin}/oauth/authorize`,
    token_endpoint: `${origin}/oauth/token`,
    app_registration_endpoint: `${origin}/api/v1/apps`,
    revocation_endpoint: `${origin}/oauth/revoke`,
    scopes_supported: ALL_SCOPES,
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    code_challenge_methods_supported: ["S256"],
    grant_types_supported: ["authorization_code", "password", "client_credentials"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
  };
  app.get(
    "/.well-known/oauth-authorization-server",
    {
      schema: {
        response: {
          200: {
            type: "object",
            properties: Object.fromEntries(
              Object.entries(metadata).map(([key, value]) => [
                key,
                Array.isArray(value) ? { type: "array", items: { type: "string" } } : { type: "string" },
              ]),
            ),
          },
        },
      },
    },
    async () => metadata,
  );
}
