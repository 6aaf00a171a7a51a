// Favourites and boosts of one status, and who did them.
import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { errorResponse, idParams, pageQuery } from "../../../schemas/common.ts";
import { arrayOf, ref } from "../../../schemas/entities.ts";
import { favouritedBy, favouriteStatus, unfavouriteStatus } from "../../../services/statuses/favourites.ts";
import {
  type BoostVisibility,
  rebloggedBy,
  reblogStatus,
  unreblogStatus,
} from "../../../services/statuses/reblogs.ts";
import { pageOf, setPageLinks } from "../../paging.ts";

const idOf = (request: { params: unknown }) => (request.params as { id: string }).id;

export default async function statusInteractionsRoutes(app: FastifyInstance) {
  const context = app.context;
  const favourites = { auth: "user", scopes: ["write:favourites"] } as const;
  const statuses = { auth: "user", scopes: ["write:statuses"] } as const;
  const statusResponse = { 200: ref("Status"), "4xx": errorResponse };

  app.post(
    "/api/v1/statuses/:id/favourite",
    { config: favourites, schema: { params: idParams, response: statusResponse } },
    async (request) => favouriteStatus(context, userOf(request).account, idOf(request)),
  );

  app.post(
    "/api/v1/statuses/:id/unfavourite",
    { config: favourites, schema: { params: idParams, response: statusResponse } },
    async (request) => unfavouriteStatus(context, userOf(request).account, idOf(request)),
  );

  app.post(
    "/api/v1/statuses/:id/reblog",
    {
      config: statuses,
      schema: {
        params: idParams,
        body: {
          type: ["object", "null"],
          properties: { visibility: { type: "string", enum: ["public", "unlisted", "private"] } },
        },
        response: statusResponse,
      },
    },
    async (request) => {
      const viewer = userOf(request);
      const body = (request.body ?? {}) as { visibility?: BoostVisibility };
      return reblogStatus(context, viewer.account, idOf(request), {
        visibility: body.visibility,
        applicationId: viewer.applicationId,
      });
    },
  );

  app.post(
    "/api/v1/statuses/:id/unreblog",
    { config: statuses, schema: { params: idParams, response: statusResponse } },
    async (request) => unreblogStatus(context, userOf(request).account, idOf(request)),
  );

  for (const [path, list] of [
    ["favourited_by", favouritedBy],
    ["reblogged_by", rebloggedBy],
  ] as const) {
    app.get(
      `/api/v1/statuses/:id/${path}`,
      {
        config: { auth: "user", scopes: ["read:accounts"] },
        schema: {
          params: idParams,
          querystring: { type: "object", properties: pageQuery },
          response: { 200: arrayOf("Account"), "4xx": errorResponse },
        },
      },
      async (request, reply) => {
        const { page, limit } = pageOf(request, 40, 80);
        const result = await list(context, userOf(request).account.id, idOf(request), page, limit);
        setPageLinks(request, reply, result.cursors);
        return result.accounts;
      },
    );
  }
}
