// Filters (v1): each one is a keyword of a v2 filter, with its filter's context and expiry;
// `irreversible` is the filter's `hide` action.
import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { bool, emptyObject, errorResponse, idParams } from "../../../schemas/common.ts";
import { arrayOf, ref } from "../../../schemas/entities.ts";
import {
  createV1Filter,
  deleteV1Filter,
  listV1Filters,
  showV1Filter,
  updateV1Filter,
} from "../../../services/filters/filters.ts";
import { filterFields } from "../v2/filters.ts";

const filterBody = {
  type: "object",
  properties: {
    phrase: { type: "string", maxLength: 1000 },
    ...filterFields,
    irreversible: bool,
    whole_word: bool,
  },
} as const;

interface FilterBody {
  phrase?: string;
  context?: string[];
  irreversible?: boolean;
  whole_word?: boolean;
  expires_in?: number | null;
}

function filterInput(body: FilterBody | null | undefined) {
  const given = body ?? {};
  return {
    phrase: given.phrase,
    context: given.context,
    irreversible: given.irreversible,
    wholeWord: given.whole_word,
    expiresIn: given.expires_in,
  };
}

export default async function filtersV1Routes(app: FastifyInstance) {
  const context = app.context;
  const read = { auth: "user", scopes: ["read:filters"] } as const;
  const write = { auth: "user", scopes: ["write:filters"] } as const;
  const viewerOf = (request: Parameters<typeof userOf>[0]) => userOf(request).account.id;
  const idOf = (request: { params: unknown }) => (request.params as { id: string }).id;
  const one = { 200: ref("V1Filter"), "4xx": errorResponse };

  app.get(
    "/api/v1/filters",
    { config: read, schema: { response: { 200: arrayOf("V1Filter"), "4xx": errorResponse } } },
    async (request) => listV1Filters(context, viewerOf(request)),
  );

  app.post("/api/v1/filters", { config: write, schema: { body: filterBody, response: one } }, async (request) =>
    createV1Filter(context, viewerOf(request), filterInput(request.body as FilterBody)),
  );

  app.get("/api/v1/filters/:id", { config: read, schema: { params: idParams, response: one } }, async (request) =>
    showV1Filter(context, viewerOf(request), idOf(request)),
  );

  app.put(
    "/api/v1/filters/:id",
    { config: write, schema: { params: idParams, body: filterBody, response: one } },
    async (request) => updateV1Filter(context, viewerOf(request), idOf(request), filterInput(request.body as FilterBody)),
  );

  app.delete(
    "/api/v1/filters/:id",
    { config: write, schema: { params: idParams, response: { 200: emptyObject, "4xx": errorResponse } } },
    async (request) => {
      await deleteV1Filter(context, viewerOf(request), idOf(request));
      return {};
    },
  );
}
