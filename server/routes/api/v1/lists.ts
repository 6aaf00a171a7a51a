import type { FastifyInstance } from "fastify";
import type { RepliesPolicy } from "../../../../db/schema.ts";
import { userOf } from "../../../plugins/auth.ts";
import { bool, emptyObject, errorResponse, idParams, idString, pageQuery } from "../../../schemas/common.ts";
import { arrayOf, ref } from "../../../schemas/entities.ts";
import { listTimeline } from "../../../services/lists/feed.ts";
import {
  addListMembers,
  createList,
  deleteList,
  listMembers,
  listsWithMember,
  ownedLists,
  removeListMembers,
  showList,
  updateList,
} from "../../../services/lists/lists.ts";
import { pageOf, setPageLinks } from "../../paging.ts";

const read = { auth: "user", scopes: ["read:lists"] } as const;
const write = { auth: "user", scopes: ["write:lists"] } as const;

const listFields = {
  title: { type: "string", maxLength: 1000 },
  replies_policy: { type: "string", enum: ["followed", "list", "none"] },
  exclusive: bool,
} as const;

interface ListBody {
  title?: string;
  replies_policy?: RepliesPolicy;
  exclusive?: boolean;
}

const accountIds = { type: "array", minItems: 1, maxItems: 100, items: idString } as const;
const membersBody = { type: "object", properties: { account_ids: accountIds } } as const;

const toInput = (body: ListBody) => ({
  title: body.title,
  repliesPolicy: body.replies_policy,
  exclusive: body.exclusive,
});

export default async function listsRoutes(app: FastifyInstance) {
  const context = app.context;
  const listId = (request: { params: unknown }) => (request.params as { id: string }).id;

  app.get(
    "/api/v1/lists",
    { config: read, schema: { response: { 200: arrayOf("List"), "4xx": errorResponse } } },
    async (request) => ownedLists(context, userOf(request).account.id),
  );

  app.get(
    "/api/v1/lists/:id",
    { config: read, schema: { params: idParams, response: { 200: ref("List"), "4xx": errorResponse } } },
    async (request) => showList(context, userOf(request).account.id, listId(request)),
  );

  app.post(
    "/api/v1/lists",
    {
      config: write,
      schema: {
        body: { type: "object", required: ["title"], properties: listFields },
        response: { 200: ref("List"), "4xx": errorResponse },
      },
    },
    async (request) => createList(context, userOf(request).account.id, toInput(request.body as ListBody)),
  );

  app.put(
    "/api/v1/lists/:id",
    {
      config: write,
      schema: {
        params: idParams,
        body: { type: ["object", "null"], properties: listFields },
        response: { 200: ref("List"), "4xx": errorResponse },
      },
    },
    async (request) =>
      updateList(context, userOf(request).account.id, listId(request), toInput((request.body ?? {}) as ListBody)),
  );

  app.delete(
    "/api/v1/lists/:id",
    { config: write, schema: { params: idParams, response: { 200: emptyObject, "4xx": errorResponse } } },
    async (request) => {
      await deleteList(context, userOf(request).account.id, listId(request));
      return {};
    },
  );

  app.get(
    "/api/v1/lists/:id/accounts",
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
      // limit=0 asks for every member at once, as Mastodon allows.
      const all = (request.query as { limit?: number }).limit === 0;
      const result = await listMembers(context, userOf(request).account.id, listId(request), page, all ? null : limit);
      setPageLinks(request, reply, result.cursors);
      return result.accounts;
    },
  );

  app.post(
    "/api/v1/lists/:id/accounts",
    {
      config: write,
      schema: {
        params: idParams,
        // account_ids is required, but checked after the list: an unknown list is a 404 first.
        body: { ...membersBody, type: ["object", "null"] },
        response: { 200: emptyObject, "4xx": errorResponse },
      },
    },
    async (request) => {
      const body = (request.body ?? {}) as { account_ids?: string[] };
      await addListMembers(context, userOf(request).account.id, listId(request), body.account_ids ?? []);
      return {};
    },
  );

  // Apps send the ids in the body or, as some DELETE clients must, in the query.
  app.delete(
    "/api/v1/lists/:id/accounts",
    {
      config: write,
      schema: {
        params: idParams,
        querystring: membersBody,
        body: { ...membersBody, type: ["object", "null"] },
        response: { 200: emptyObject, "4xx": errorResponse },
      },
    },
    async (request) => {
      const ids = [
        ...((request.body as { account_ids?: string[] } | null)?.account_ids ?? []),
        ...((request.query as { account_ids?: string[] }).account_ids ?? []),
      ];
      await removeListMembers(context, userOf(request).account.id, listId(request), ids);
      return {};
    },
  );

  app.get(
    "/api/v1/accounts/:id/lists",
    { config: read, schema: { params: idParams, response: { 200: arrayOf("List"), "4xx": errorResponse } } },
    async (request) => listsWithMember(context, userOf(request).account.id, listId(request)),
  );

  app.get(
    "/api/v1/timelines/list/:id",
    {
      config: { auth: "user", scopes: ["read:lists"] },
      schema: {
        params: idParams,
        querystring: { type: "object", properties: pageQuery },
        response: { 200: arrayOf("Status"), "4xx": errorResponse },
      },
    },
    async (request, reply) => {
      const { page, limit } = pageOf(request);
      const result = await listTimeline(context, userOf(request).account.id, listId(request), page, limit);
      setPageLinks(request, reply, result.cursors);
      return result.statuses;
    },
  );
}
