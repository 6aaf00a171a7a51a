import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { emptyObject, errorResponse, idParams, idString, limitParam, pageQuery } from "../../../schemas/common.ts";
import { arrayOf, ref } from "../../../schemas/entities.ts";
import {
  clearNotifications,
  dismissNotification,
  listNotifications,
  showNotification,
} from "../../../services/notifications/notifications.ts";
import { unreadNotificationCount } from "../../../services/notifications/grouped.ts";
import { clampLimit } from "../../../services/pagination.ts";
import { pageOf, setPageLinks } from "../../paging.ts";

const typeList = { type: "array", maxItems: 20, items: { type: "string", maxLength: 50 } } as const;

export default async function notificationsRoutes(app: FastifyInstance) {
  const context = app.context;
  const read = { auth: "user", scopes: ["read:notifications"] } as const;
  const write = { auth: "user", scopes: ["write:notifications"] } as const;

  app.get(
    "/api/v1/notifications",
    {
      config: read,
      schema: {
        querystring: {
          type: "object",
          properties: { ...pageQuery, types: typeList, exclude_types: typeList, account_id: idString },
        },
        response: { 200: arrayOf("Notification"), "4xx": errorResponse },
      },
    },
    async (request, reply) => {
      const query = request.query as { types?: string[]; exclude_types?: string[]; account_id?: string };
      const { page, limit } = pageOf(request, 40, 80);
      const result = await listNotifications(
        context,
        userOf(request).account.id,
        { types: query.types, excludeTypes: query.exclude_types, accountId: query.account_id },
        page,
        limit,
      );
      setPageLinks(request, reply, result.cursors);
      return result.notifications;
    },
  );

  app.get(
    "/api/v1/notifications/unread_count",
    {
      config: read,
      schema: {
        querystring: {
          type: "object",
          properties: { limit: limitParam, types: typeList, exclude_types: typeList, account_id: idString },
        },
        response: { 200: { type: "object", properties: { count: { type: "integer" } } }, "4xx": errorResponse },
      },
    },
    async (request) => {
      const query = request.query as { limit?: number; types?: string[]; exclude_types?: string[]; account_id?: string };
      const count = await unreadNotificationCount(
        context,
        userOf(request).account.id,
        { types: query.types, excludeTypes: query.exclude_types, accountId: query.account_id },
        clampLimit(query.limit, 100, 1000),
      );
      return { count };
    },
  );

  app.get(
    "/api/v1/notifications/:id",
    { config: read, schema: { params: idParams, response: { 200: ref("Notification"), "4xx": errorResponse } } },
    async (request) => showNotification(context, userOf(request).account.id, (request.params as { id: string }).id),
  );

  app.post(
    "/api/v1/notifications/clear",
    { config: write, schema: { response: { 200: emptyObject, "4xx": errorResponse } } },
    async (request) => {
      await clearNotifications(context, userOf(request).account.id);
      return {};
    },
  );

  app.post(
    "/api/v1/notifications/:id/dismiss",
    { config: write, schema: { params: idParams, response: { 200: emptyObject, "4xx": errorResponse } } },
    async (request) => {
      await dismissNotification(context, userOf(request).account.id, (request.params as { id: string }).id);
      return {};
    },
  );
}
