import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { emptyObject, errorResponse, idParams } from "../../../schemas/common.ts";
import { arrayOf, ref } from "../../../schemas/entities.ts";
import {
  accountFeaturedTags,
  createFeaturedTag,
  deleteFeaturedTag,
  featuredTagSuggestions,
  listFeaturedTags,
} from "../../../services/tags/tags.ts";

export default async function featuredTagsRoutes(app: FastifyInstance) {
  const context = app.context;
  const read = { auth: "user", scopes: ["read:accounts"] } as const;
  const write = { auth: "user", scopes: ["write:accounts"] } as const;

  app.get(
    "/api/v1/featured_tags",
    { config: read, schema: { response: { 200: arrayOf("FeaturedTag"), "4xx": errorResponse } } },
    async (request) => listFeaturedTags(context, userOf(request).account.id),
  );

  app.post(
    "/api/v1/featured_tags",
    {
      config: write,
      schema: {
        body: {
          type: "object",
          required: ["name"],
          properties: { name: { type: "string", minLength: 1, maxLength: 200 } },
        },
        response: { 200: ref("FeaturedTag"), "4xx": errorResponse },
      },
    },
    async (request) => createFeaturedTag(context, userOf(request).account.id, (request.body as { name: string }).name),
  );

  app.delete(
    "/api/v1/featured_tags/:id",
    { config: write, schema: { params: idParams, response: { 200: emptyObject, "4xx": errorResponse } } },
    async (request) => {
      await deleteFeaturedTag(context, userOf(request).account.id, (request.params as { id: string }).id);
      return {};
    },
  );

  app.get(
    "/api/v1/featured_tags/suggestions",
    { config: read, schema: { response: { 200: arrayOf("Tag"), "4xx": errorResponse } } },
    async (request) => featuredTagSuggestions(context, userOf(request).account.id),
  );

  app.get(
    "/api/v1/accounts/:id/featured_tags",
    { config: read, schema: { params: idParams, response: { 200: arrayOf("FeaturedTag"), "4xx": errorResponse } } },
    async (request) => accountFeaturedTags(context, (request.params as { id: string }).id),
  );
}
