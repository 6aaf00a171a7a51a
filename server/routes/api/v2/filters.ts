// Filters (v2): a filter with a title, contexts, an action and an expiry, holding keywords and
// posts; and its keywords and posts on their own.
import type { FastifyInstance } from "fastify";
import type { FilterAction } from "../../../../db/schema.ts";
import { userOf } from "../../../plugins/auth.ts";
import { bool, emptyObject, errorResponse, idParams, idString } from "../../../schemas/common.ts";
import { arrayOf, ref } from "../../../schemas/entities.ts";
import {
  addFilterStatus,
  addKeyword,
  createFilter,
  deleteFilter,
  deleteFilterStatus,
  deleteKeyword,
  type KeywordAttributes,
  listFilters,
  listFilterStatuses,
  listKeywords,
  showFilter,
  showFilterStatus,
  showKeyword,
  updateFilter,
  updateKeyword,
} from "../../../services/filters/filters.ts";

/** Ten years, in seconds: a longer expiry is no expiry in any useful sense. */
export const MAX_EXPIRES_IN = 315_360_000;

export const filterFields = {
  context: { type: "array", maxItems: 10, items: { type: "string", maxLength: 50 } },
  expires_in: { type: ["integer", "null"], minimum: 0, maximum: MAX_EXPIRES_IN },
} as const;

const keywordFields = {
  keyword: { type: "string", maxLength: 1000 },
  whole_word: bool,
} as const;

const keywordAttributes = {
  type: "object",
  properties: { id: idString, ...keywordFields, _destroy: bool },
} as const;

const filterBody = {
  type: "object",
  properties: {
    title: { type: "string", maxLength: 1000 },
    ...filterFields,
    filter_action: { type: "string", enum: ["warn", "hide", "blur"] },
    // An array, or Rails' numbered hash (keywords_attributes[0][keyword]=…).
    keywords_attributes: {
      anyOf: [
        { type: "array", maxItems: 100, items: keywordAttributes },
        { type: "object", maxProperties: 100, additionalProperties: keywordAttributes },
      ],
    },
  },
} as const;

interface FilterBody {
  title?: string;
  context?: string[];
  filter_action?: FilterAction;
  expires_in?: number | null;
  keywords_attributes?: KeywordAttributes[] | Record<string, KeywordAttributes>;
}

function filterInput(body: FilterBody | null | undefined) {
  const given = body ?? {};
  const keywords = given.keywords_attributes;
  return {
    title: given.title,
    context: given.context,
    action: given.filter_action,
    expiresIn: given.expires_in,
    keywords: keywords === undefined ? undefined : Array.isArray(keywords) ? keywords : Object.values(keywords),
  };
}

export default async function filtersV2Routes(app: FastifyInstance) {
  const context = app.context;
  const read = { auth: "user", scopes: ["read:filters"] } as const;
  const write = { auth: "user", scopes: ["write:filters"] } as const;
  const viewerOf = (request: Parameters<typeof userOf>[0]) => userOf(request).account.id;
  const idOf = (request: { params: unknown }) => (request.params as { id: string }).id;
  const one = (entity: string) => ({ 200: ref(entity), "4xx": errorResponse });
  const list = (entity: string) => ({ 200: arrayOf(entity), "4xx": errorResponse });
  const empty = { 200: emptyObject, "4xx": errorResponse };

  app.get("/api/v2/filters", { config: read, schema: { response: list("Filter") } }, async (request) =>
    listFilters(context, viewerOf(request)),
  );

  app.post(
    "/api/v2/filters",
    { config: write, schema: { body: filterBody, response: one("Filter") } },
    async (request) => createFilter(context, viewerOf(request), filterInput(request.body as FilterBody)),
  );

  app.get(
    "/api/v2/filters/:id",
    { config: read, schema: { params: idParams, response: one("Filter") } },
    async (request) => showFilter(context, viewerOf(request), idOf(request)),
  );

  app.put(
    "/api/v2/filters/:id",
    { config: write, schema: { params: idParams, body: filterBody, response: one("Filter") } },
    async (request) => updateFilter(context, viewerOf(request), idOf(request), filterInput(request.body as FilterBody)),
  );

  app.delete(
    "/api/v2/filters/:id",
    { config: write, schema: { params: idParams, response: empty } },
    async (request) => {
      await deleteFilter(context, viewerOf(request), idOf(request));
      return {};
    },
  );

  // Keywords

  const keywordBody = { type: "object", properties: keywordFields } as const;
  type KeywordBody = { keyword?: string; whole_word?: boolean } | null;

  app.get(
    "/api/v2/filters/:id/keywords",
    { config: read, schema: { params: idParams, response: list("FilterKeyword") } },
    async (request) => listKeywords(context, viewerOf(request), idOf(request)),
  );

  app.post(
    "/api/v2/filters/:id/keywords",
    { config: write, schema: { params: idParams, body: keywordBody, response: one("FilterKeyword") } },
    async (request) => addKeyword(context, viewerOf(request), idOf(request), (request.body as KeywordBody) ?? {}),
  );

  app.get(
    "/api/v2/filters/keywords/:id",
    { config: read, schema: { params: idParams, response: one("FilterKeyword") } },
    async (request) => showKeyword(context, viewerOf(request), idOf(request)),
  );

  app.put(
    "/api/v2/filters/keywords/:id",
    { config: write, schema: { params: idParams, body: keywordBody, response: one("FilterKeyword") } },
    async (request) => updateKeyword(context, viewerOf(request), idOf(request), (request.body as KeywordBody) ?? {}),
  );

  app.delete(
    "/api/v2/filters/keywords/:id",
    { config: write, schema: { params: idParams, response: empty } },
    async (request) => {
      await deleteKeyword(context, viewerOf(request), idOf(request));
      return {};
    },
  );

  // Statuses

  app.get(
    "/api/v2/filters/:id/statuses",
    { config: read, schema: { params: idParams, response: list("FilterStatus") } },
    async (request) => listFilterStatuses(context, viewerOf(request), idOf(request)),
  );

  app.post(
    "/api/v2/filters/:id/statuses",
    {
      config: write,
      schema: {
        params: idParams,
        // status_id is checked after the filter, so that an unknown filter is a 404 first.
        body: { type: ["object", "null"], properties: { status_id: idString } },
        response: one("FilterStatus"),
      },
    },
    async (request) =>
      addFilterStatus(context, viewerOf(request), idOf(request), (request.body as { status_id?: string } | null)?.status_id),
  );

  app.get(
    "/api/v2/filters/statuses/:id",
    { config: read, schema: { params: idParams, response: one("FilterStatus") } },
    async (request) => showFilterStatus(context, viewerOf(request), idOf(request)),
  );

  app.delete(
    "/api/v2/filters/statuses/:id",
    { config: write, schema: { params: idParams, response: empty } },
    async (request) => {
      await deleteFilterStatus(context, viewerOf(request), idOf(request));
      return {};
    },
  );
}
