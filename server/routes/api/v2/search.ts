import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { bool, errorResponse, idString, limitParam } from "../../../schemas/common.ts";
import { arrayOf } from "../../../schemas/entities.ts";
import { clampLimit } from "../../../services/pagination.ts";
import { search } from "../../../services/search/search.ts";

const searchQuery = {
  type: "object",
  required: ["q"],
  properties: {
    q: { type: "string", minLength: 1, maxLength: 2000 },
    type: { type: "string", enum: ["accounts", "statuses", "hashtags"] },
    resolve: bool,
    following: bool,
    account_id: idString,
    exclude_unreviewed: bool,
    min_id: idString,
    max_id: idString,
    limit: limitParam,
    offset: { type: "integer", minimum: 0, maximum: 10000 },
  },
} as const;

interface SearchQuery {
  q: string;
  type?: "accounts" | "statuses" | "hashtags";
  resolve?: boolean;
  following?: boolean;
  account_id?: string;
  min_id?: string;
  max_id?: string;
  limit?: number;
  offset?: number;
}

export default async function searchRoutes(app: FastifyInstance) {
  const context = app.context;

  app.get(
    "/api/v2/search",
    {
      config: { auth: "user", scopes: ["read:search"] },
      schema: {
        querystring: searchQuery,
        response: {
          200: {
            type: "object",
            properties: {
              accounts: arrayOf("Account"),
              statuses: arrayOf("Status"),
              hashtags: arrayOf("Tag"),
            },
          },
          "4xx": errorResponse,
        },
      },
    },
    async (request) => {
      const query = request.query as SearchQuery;
      return search(context, userOf(request).account.id, {
        q: query.q,
        type: query.type,
        resolve: query.resolve,
        following: query.following,
        accountId: query.account_id,
        minId: query.min_id,
        maxId: query.max_id,
        limit: clampLimit(query.limit, 20, 40),
        offset: query.offset ?? 0,
      });
    },
  );

  app.get(
    "/api/v1/accounts/search",
    {
      config: { auth: "user", scopes: ["read:accounts"] },
      schema: {
        querystring: {
          type: "object",
          required: ["q"],
          properties: {
            q: { type: "string", minLength: 1, maxLength: 2000 },
            resolve: bool,
            following: bool,
            limit: limitParam,
            offset: { type: "integer", minimum: 0, maximum: 10000 },
          },
        },
        response: { 200: arrayOf("Account"), "4xx": errorResponse },
      },
    },
    async (request) => {
      const query = request.query as SearchQuery;
      const result = await search(context, userOf(request).account.id, {
        q: query.q,
        type: "accounts",
        resolve: query.resolve,
        following: query.following,
        limit: clampLimit(query.limit, 40, 80),
        offset: query.offset ?? 0,
      });
      return result.accounts;
    },
  );
}
