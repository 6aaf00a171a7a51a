import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { errorResponse } from "../../../schemas/common.ts";
import { preferences } from "../../../services/accounts/queries.ts";

export default async function preferencesRoutes(app: FastifyInstance) {
  app.get(
    "/api/v1/preferences",
    {
      config: { auth: "user", scopes: ["read:accounts"] },
      schema: {
        response: {
          200: {
            type: "object",
            properties: {
              "posting:default:visibility": { type: "string" },
              "posting:default:sensitive": { type: "boolean" },
              "posting:default:language": { type: ["string", "null"] },
              "posting:default:quote_policy": { type: "string" },
              "reading:expand:media": { type: "string" },
              "reading:expand:spoilers": { type: "boolean" },
              "reading:autoplay:gifs": { type: "boolean" },
            },
          },
          "4xx": errorResponse,
        },
      },
    },
    async (request) => preferences(app.context, userOf(request).account.id),
  );
}
