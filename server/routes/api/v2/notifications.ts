import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { bool, emptyObject, errorResponse, idString, limitParam, pageQuery } from "../../../schemas/common.ts";
import { arrayOf, ref } from "../../../schemas/entities.ts";
import {
  dismissNotificationGroup,
  listGroupedNotifications,
  notificationGroupAccounts,
  showNotificationGroup,
  unreadGroupCount,
} from "../../../services/notifications/grouped.ts";
import { clampLimit } from "../../../services/pagination.ts";
import { pageOf, setPageLinks } from "../../paging.ts";

const typeList = { type: "array", maxItems: 20, items: { type: "string", maxLength: 50 } } as const;

/** `favourite-<status id>-<hour>`, `follow-<hour>`, `ungrouped-<notification id>` … */
const groupKeyParams = {
  type: "object",
  required: ["group_key"],
  properties: { group_key: { type: "string", maxLength: 100 } },
} as const;

interface GroupedQuery {
  types?: string[];
  exclude_types?: string[];
  grouped_types?: string[];
  account_id?: string;
  expand_accounts?: "full" | "partial_avatars";
  limit?: number;
}

export default async function groupedNotificationsRoutes(app: FastifyInstance) {
  const context = app.context;
  const read = { auth: "user", scopes: ["read:notifications"] } as const;
  const write = { auth: "user", scopes: ["write:notifications"] } as const;

  app.get(
    "/api/v2/notifications",
    {
      config: read,
      schema: {
        querystring: {
          type: "object",
          properties: {
            ...pageQuery,
            types: typeList,
            exclude_types: typeList,
            grouped_types: typeList,
            account_id: idString,
            expand_accounts: { type: "string", enum: ["full", "partial_avatars"] },
            include_filtered: bool,
          },
        },
        response: { 200: ref("GroupedNotificationsResults"), "4xx": errorResponse },
      },
    },
    async (request, reply) => {
      const query = request.query as GroupedQuery;
      const { page, limit } = pageOf(request, 40, 80);
      const { results, cursors } = await listGroupedNotifications(
        context,
        userOf(request).account.id,
        {
          types: query.types,
          excludeTypes: query.exclude_types,
          accountId: query.account_id,
          groupedTypes: query.grouped_types,
        },
        page,
        limit,
        { partialAvatars: query.expand_accounts === "partial_avatars" },
      );
      setPageLinks(request, reply, cursors);
      return results;
    },
  );

  app.get(
    "/api/v2/notifications/unread_count",
    {
      config: read,
      schema: {
        querystring: {
          type: "object",
          properties: {
            limit: limitParam,
            types: typeList,
            exclude_types: typeList,
            grouped_types: typeList,
            account_id: idString,
          },
        },
        response: {
          200: { type: "object", properties: { count: { type: "integer" } } },
          "4xx": errorResponse,
        },
      },
    },
    async (request) => {
      const query = request.query as GroupedQuery;
      const count = await unreadGroupCount(
        context,
        userOf(request).account.id,
        {
          types: query.types,
          excludeTypes: query.exclude_types,
          accountId: query.account_id,
          groupedTypes: query.grouped_types,
        },
        clampLimit(query.limit, 100, 1000),
      );
      return { count };
    },
  );

  app.get(
    "/api/v2/notifications/:group_key",
    {
      config: read,
      schema: {
        params: groupKeyParams,
        response: { 200: ref("GroupedNotificationsResults"), "4xx": errorResponse },
      },
    },
    async (request) =>
      showNotificationGroup(context, userOf(request).account.id, (request.params as { group_key: string }).group_key),
  );

  app.post(
    "/api/v2/notifications/:group_key/dismiss",
    { config: write, schema: { params: groupKeyParams, response: { 200: emptyObject, "4xx": errorResponse } } },
    async (request) => {
      await dismissNotificationGroup(
        context,
        userOf(request).account.id,
        (request.params as { group_key: string }).group_key,
      );
      return {};
    },
  );

  app.get(
    "/api/v2/notifications/:group_key/accounts",
    { config: read, schema: { params: groupKeyParams, response: { 200: arrayOf("Account"), "4xx": errorResponse } } },
    async (request) =>
      notificationGroupAccounts(
        context,
        userOf(request).account.id,
        (request.params as { group_key: string }).group_key,
      ),
  );
}
