import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { errorResponse, limitParam, idString } from "../../../schemas/common.ts";
import { arrayOf, ref } from "../../../schemas/entities.ts";
import {
  featureTag,
  followTag,
  listFollowedTags,
  showTag,
  unfeatureTag,
  unfollowTag,
} from "../../../services/tags/tags.ts";
import { pageOf, setPageLinks } from "../../paging.ts";

const nameParams = {
  type: "object",
  required: ["name"],
  properties: { name: { type: "string", minLength: 1, maxLength: 101 } },
} as const;

type TagAction = (context: FastifyInstance["context"], viewerId: string, name: string) => Promise<unknown>;

export default async function tagsRoutes(app: FastifyInstance) {
  const context = app.context;
  const tagResponse = { 200: ref("Tag"), "4xx": errorResponse };

  app.get(
    "/api/v1/tags/:name",
    {
      config: { auth: "user", scopes: ["read:statuses", "read:follows"] },
      schema: { params: nameParams, response: tagResponse },
    },
    async (request) => showTag(context, userOf(request).account.id, (request.params as { name: string }).name),
  );

  const actions: [string, readonly string[], TagAction][] = [
    ["follow", ["write:follows"], followTag],
    ["unfollow", ["write:follows"], unfollowTag],
    ["feature", ["write:accounts"], featureTag],
    ["unfeature", ["write:accounts"], unfeatureTag],
  ];
  for (const [action, scopes, run] of actions) {
    app.post(
      `/api/v1/tags/:name/${action}`,
      { config: { auth: "user", scopes }, schema: { params: nameParams, response: tagResponse } },
      async (request) => run(context, userOf(request).account.id, (request.params as { name: string }).name),
    );
  }

  app.get(
    "/api/v1/followed_tags",
    {
      config: { auth: "user", scopes: ["read:follows"] },
      schema: {
        querystring: {
          type: "object",
          properties: { max_id: idString, since_id: idString, min_id: idString, limit: limitParam },
        },
        response: { 200: arrayOf("Tag"), "4xx": errorResponse },
      },
    },
    async (request, reply) => {
      const { page, limit } = pageOf(request, 100, 200);
      const result = await listFollowedTags(context, userOf(request).account.id, page, limit);
      setPageLinks(request, reply, result.cursors);
      return result.tags;
    },
  );
}
