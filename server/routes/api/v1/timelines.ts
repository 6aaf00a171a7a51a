import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { bool, errorResponse, pageQuery } from "../../../schemas/common.ts";
import { arrayOf } from "../../../schemas/entities.ts";
import { homeTimeline, publicTimeline, tagTimeline } from "../../../services/timelines/timelines.ts";
import { pageOf, setPageLinks } from "../../paging.ts";

const tagList = { type: "array", maxItems: 10, items: { type: "string", maxLength: 200 } } as const;
const publicQuery = {
  type: "object",
  properties: { ...pageQuery, local: bool, remote: bool, only_media: bool },
} as const;

interface PublicQuery {
  local?: boolean;
  remote?: boolean;
  only_media?: boolean;
  any?: string[];
  all?: string[];
  none?: string[];
}

export default async function timelinesRoutes(app: FastifyInstance) {
  const context = app.context;
  const statusList = { 200: arrayOf("Status"), "4xx": errorResponse };

  app.get(
    "/api/v1/timelines/home",
    {
      config: { auth: "user", scopes: ["read:statuses"] },
      schema: { querystring: { type: "object", properties: pageQuery }, response: statusList },
    },
    async (request, reply) => {
      const { page, limit } = pageOf(request);
      const result = await homeTimeline(context, userOf(request).account.id, page, limit);
      setPageLinks(request, reply, result.cursors);
      return result.statuses;
    },
  );

  // A closed campus: even the public timeline needs a signed-in colleague.
  app.get(
    "/api/v1/timelines/public",
    { config: { auth: "user", scopes: ["read:statuses"] }, schema: { querystring: publicQuery, response: statusList } },
    async (request, reply) => {
      const query = request.query as PublicQuery;
      const { page, limit } = pageOf(request);
      const result = await publicTimeline(
        context,
        userOf(request).account.id,
        { local: query.local, remote: query.remote, onlyMedia: query.only_media },
        page,
        limit,
      );
      setPageLinks(request, reply, result.cursors);
      return result.statuses;
    },
  );

  app.get(
    "/api/v1/timelines/tag/:hashtag",
    {
      config: { auth: "user", scopes: ["read:statuses"] },
      schema: {
        params: {
          type: "object",
          required: ["hashtag"],
          properties: { hashtag: { type: "string", minLength: 1, maxLength: 200 } },
        },
        querystring: {
          type: "object",
          properties: { ...publicQuery.properties, any: tagList, all: tagList, none: tagList },
        },
        response: statusList,
      },
    },
    async (request, reply) => {
      const query = request.query as PublicQuery;
      const { page, limit } = pageOf(request);
      const hashtag = (request.params as { hashtag: string }).hashtag.replace(/^#/, "");
      const result = await tagTimeline(
        context,
        userOf(request).account.id,
        hashtag,
        { local: query.local, remote: query.remote, onlyMedia: query.only_media, any: query.any, all: query.all, none: query.none },
        page,
        limit,
      );
      setPageLinks(request, reply, result.cursors);
      return result.statuses;
    },
  );
}
