import type { FastifyInstance } from "fastify";
import { userOf } from "../../../../plugins/auth.ts";
import { bool, errorResponse, idParams, idString, pageQuery } from "../../../../schemas/common.ts";
import { arrayOf, ref } from "../../../../schemas/entities.ts";
import { follow, relationships, unfollow } from "../../../../services/accounts/follows.ts";
import {
  accountStatuses,
  followList,
  lookupAccount,
  showAccount,
  showAccounts,
} from "../../../../services/accounts/queries.ts";
import { pageOf, setPageLinks } from "../../../paging.ts";

const idList = { type: "array", maxItems: 100, items: idString } as const;
const read = { auth: "user", scopes: ["read:accounts"] } as const;

export default async function accountsRoutes(app: FastifyInstance) {
  const context = app.context;

  app.get(
    "/api/v1/accounts",
    {
      config: read,
      schema: {
        querystring: { type: "object", required: ["id"], properties: { id: idList } },
        response: { 200: arrayOf("Account"), "4xx": errorResponse },
      },
    },
    async (request) => showAccounts(context, (request.query as { id: string[] }).id),
  );

  app.get(
    "/api/v1/accounts/lookup",
    {
      config: read,
      schema: {
        querystring: {
          type: "object",
          required: ["acct"],
          properties: { acct: { type: "string", minLength: 1, maxLength: 500 } },
        },
        response: { 200: ref("Account"), "4xx": errorResponse },
      },
    },
    async (request) => lookupAccount(context, (request.query as { acct: string }).acct),
  );

  app.get(
    "/api/v1/accounts/relationships",
    {
      config: { auth: "user", scopes: ["read:follows"] },
      schema: {
        querystring: { type: "object", properties: { id: idList, with_suspended: bool } },
        response: { 200: arrayOf("Relationship"), "4xx": errorResponse },
      },
    },
    async (request) => relationships(context, userOf(request).account.id, (request.query as { id?: string[] }).id ?? []),
  );

  app.get(
    "/api/v1/accounts/:id",
    {
      config: read,
      schema: { params: idParams, response: { 200: ref("Account"), "4xx": errorResponse } },
    },
    async (request) => showAccount(context, (request.params as { id: string }).id),
  );

  app.get(
    "/api/v1/accounts/:id/statuses",
    {
      config: { auth: "user", scopes: ["read:statuses"] },
      schema: {
        params: idParams,
        querystring: {
          type: "object",
          properties: {
            ...pageQuery,
            pinned: bool,
            exclude_replies: bool,
            exclude_reblogs: bool,
            only_media: bool,
            tagged: { type: "string", maxLength: 200 },
          },
        },
        response: { 200: arrayOf("Status"), "4xx": errorResponse },
      },
    },
    async (request, reply) => {
      const query = request.query as {
        pinned?: boolean;
        exclude_replies?: boolean;
        exclude_reblogs?: boolean;
        only_media?: boolean;
        tagged?: string;
      };
      const { page, limit } = pageOf(request, 20, 40);
      const result = await accountStatuses(
        context,
        userOf(request).account.id,
        (request.params as { id: string }).id,
        {
          pinned: query.pinned,
          excludeReplies: query.exclude_replies,
          excludeReblogs: query.exclude_reblogs,
          onlyMedia: query.only_media,
          tagged: query.tagged,
        },
        page,
        limit,
      );
      setPageLinks(request, reply, result.cursors);
      return result.statuses;
    },
  );

  for (const direction of ["followers", "following"] as const) {
    app.get(
      `/api/v1/accounts/:id/${direction}`,
      {
        config: read,
        schema: {
          params: idParams,
          querystring: { type: "object", properties: pageQuery },
          response: { 200: arrayOf("Account"), "4xx": errorResponse },
        },
      },
      async (request, reply) => {
        const { page, limit } = pageOf(request, 40, 80);
        const result = await followList(context, (request.params as { id: string }).id, direction, page, limit);
        setPageLinks(request, reply, result.cursors);
        return result.accounts;
      },
    );
  }

  app.post(
    "/api/v1/accounts/:id/follow",
    {
      config: { auth: "user", scopes: ["write:follows"] },
      schema: {
        params: idParams,
        body: {
          type: ["object", "null"],
          properties: {
            reblogs: bool,
            notify: bool,
            languages: { type: "array", maxItems: 50, items: { type: "string", maxLength: 10 } },
          },
        },
        response: { 200: ref("Relationship"), "4xx": errorResponse },
      },
    },
    async (request) => {
      const body = (request.body ?? {}) as { reblogs?: boolean; notify?: boolean; languages?: string[] };
      return follow(context, userOf(request).account, (request.params as { id: string }).id, body);
    },
  );

  app.post(
    "/api/v1/accounts/:id/unfollow",
    {
      config: { auth: "user", scopes: ["write:follows"] },
      schema: { params: idParams, response: { 200: ref("Relationship"), "4xx": errorResponse } },
    },
    async (request) => unfollow(context, userOf(request).account, (request.params as { id: string }).id),
  );
}
