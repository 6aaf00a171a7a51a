import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { emptyObject, errorResponse, idParams, pageQuery } from "../../../schemas/common.ts";
import { arrayOf, ref } from "../../../schemas/entities.ts";
import {
  cancelScheduledStatus,
  listScheduledStatuses,
  rescheduleStatus,
  showScheduledStatus,
} from "../../../services/scheduled-statuses/scheduled-statuses.ts";
import { pageOf, setPageLinks } from "../../paging.ts";

export default async function scheduledStatusesRoutes(app: FastifyInstance) {
  const context = app.context;
  const read = { auth: "user", scopes: ["read:statuses"] } as const;
  const write = { auth: "user", scopes: ["write:statuses"] } as const;
  const idOf = (request: { params: unknown }) => (request.params as { id: string }).id;

  app.get(
    "/api/v1/scheduled_statuses",
    {
      config: read,
      schema: {
        querystring: { type: "object", properties: pageQuery },
        response: { 200: arrayOf("ScheduledStatus"), "4xx": errorResponse },
      },
    },
    async (request, reply) => {
      const { page, limit } = pageOf(request, 20, 40);
      const result = await listScheduledStatuses(context, userOf(request).account.id, page, limit);
      setPageLinks(request, reply, result.cursors);
      return result.statuses;
    },
  );

  app.get(
    "/api/v1/scheduled_statuses/:id",
    { config: read, schema: { params: idParams, response: { 200: ref("ScheduledStatus"), "4xx": errorResponse } } },
    async (request) => showScheduledStatus(context, userOf(request).account.id, idOf(request)),
  );

  app.put(
    "/api/v1/scheduled_statuses/:id",
    {
      config: write,
      schema: {
        params: idParams,
        body: {
          type: "object",
          properties: { scheduled_at: { type: "string", maxLength: 50 } },
        },
        response: { 200: ref("ScheduledStatus"), "4xx": errorResponse },
      },
    },
    async (request) =>
      rescheduleStatus(
        context,
        userOf(request).account.id,
        idOf(request),
        (request.body as { scheduled_at?: string } | undefined)?.scheduled_at,
      ),
  );

  app.delete(
    "/api/v1/scheduled_statuses/:id",
    { config: write, schema: { params: idParams, response: { 200: emptyObject, "4xx": errorResponse } } },
    async (request) => {
      await cancelScheduledStatus(context, userOf(request).account.id, idOf(request));
      return {};
    },
  );
}
