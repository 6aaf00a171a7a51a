import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { emptyObject, errorResponse, idString, limitParam, stringArray } from "../../../schemas/common.ts";
import { arrayOf, ref } from "../../../schemas/entities.ts";
import { dismissSuggestion, listSuggestions } from "../../../services/directory/suggestions.ts";
import { clampLimit } from "../../../services/pagination.ts";

/** Mastodon's Suggestion entity. */
const suggestionSchema = {
  type: "object",
  required: ["source", "sources", "account"],
  properties: {
    source: { type: "string" },
    sources: stringArray,
    account: ref("Account"),
  },
} as const;

const limitQuery = { type: "object", properties: { limit: limitParam } } as const;

export default async function suggestionsRoutes(app: FastifyInstance) {
  const context = app.context;
  const read = { auth: "user", scopes: ["read:accounts"] } as const;

  app.get(
    "/api/v2/suggestions",
    {
      config: read,
      schema: { querystring: limitQuery, response: { 200: { type: "array", items: suggestionSchema }, "4xx": errorResponse } },
    },
    async (request) => {
      const { limit } = request.query as { limit?: number };
      return listSuggestions(context, userOf(request).account, clampLimit(limit, 40, 80));
    },
  );

  // The older form: the same people, as bare accounts.
  app.get(
    "/api/v1/suggestions",
    { config: read, schema: { querystring: limitQuery, response: { 200: arrayOf("Account"), "4xx": errorResponse } } },
    async (request) => {
      const { limit } = request.query as { limit?: number };
      const suggestions = await listSuggestions(context, userOf(request).account, clampLimit(limit, 40, 80));
      return suggestions.map((suggestion) => suggestion.account);
    },
  );

  app.delete(
    "/api/v1/suggestions/:account_id",
    {
      config: read,
      schema: {
        params: { type: "object", required: ["account_id"], properties: { account_id: idString } },
        response: { 200: emptyObject, "4xx": errorResponse },
      },
    },
    async (request) => {
      await dismissSuggestion(context, userOf(request).account, (request.params as { account_id: string }).account_id);
      return {};
    },
  );
}
