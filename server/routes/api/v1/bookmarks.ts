import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { errorResponse, pageQuery } from "../../../schemas/common.ts";
import { arrayOf } from "../../../schemas/entities.ts";
import { listBookmarks } from "../../../services/statuses/bookmarks.ts";
import { pageOf, setPageLinks } from "../../paging.ts";

export default async function bookmarksRoutes(app: FastifyInstance) {
  app.get(
    "/api/v1/bookmarks",
    {
      config: { auth: "user", scopes: ["read:bookmarks"] },
      schema: {
        querystring: { type: "object", properties: pageQuery },
        response: { 200: arrayOf("Status"), "4xx": errorResponse },
      },
    },
    async (request, reply) => {
      const { page, limit } = pageOf(request, 20, 40);
      const result = await listBookmarks(app.context, userOf(request).account.id, page, limit);
      setPageLinks(request, reply, result.cursors);
      return result.statuses;
    },
  );
}
