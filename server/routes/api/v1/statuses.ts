import type { FastifyInstance } from "fastify";
import type { Visibility } from "../../../../db/schema.ts";
import { unprocessable } from "../../../errors.ts";
import { userOf } from "../../../plugins/auth.ts";
import { bool, errorResponse, idParams, idString } from "../../../schemas/common.ts";
import { arrayOf, ref } from "../../../schemas/entities.ts";
import { createStatus } from "../../../services/statuses/create.ts";
import { deleteStatus } from "../../../services/statuses/delete.ts";
import { editStatus, statusHistory, statusSource } from "../../../services/statuses/edit.ts";
import { presentStatus, presentStatuses } from "../../../services/statuses/present.ts";
import { showStatus, statusContext } from "../../../services/statuses/read.ts";
import { findVisibleStatusIds } from "../../../services/statuses/visible.ts";

const createBody = {
  type: "object",
  properties: {
    status: { type: "string", maxLength: 100000 },
    spoiler_text: { type: "string", maxLength: 100000 },
    sensitive: bool,
    visibility: { type: "string", enum: ["public", "unlisted", "private", "direct"] },
    language: { type: ["string", "null"], maxLength: 20 },
    in_reply_to_id: { anyOf: [idString, { type: "null" }] },
    media_ids: { type: "array", maxItems: 20, items: { type: "string", maxLength: 30 } },
    scheduled_at: { type: ["string", "null"], maxLength: 50 },
    poll: { type: ["object", "null"] },
    local_only: bool,
  },
} as const;

const editBody = {
  type: "object",
  properties: {
    status: { type: "string", maxLength: 100000 },
    spoiler_text: { type: "string", maxLength: 100000 },
    sensitive: bool,
    language: { type: ["string", "null"], maxLength: 20 },
    media_ids: { type: "array", maxItems: 20, items: { type: "string", maxLength: 30 } },
    media_attributes: { type: "array", maxItems: 20, items: { type: "object" } },
    poll: { type: ["object", "null"] },
  },
} as const;

interface EditBody {
  status?: string;
  spoiler_text?: string;
  sensitive?: boolean;
  language?: string | null;
  media_ids?: string[];
  media_attributes?: object[];
  poll?: object | null;
}

interface CreateBody {
  status?: string;
  spoiler_text?: string;
  sensitive?: boolean;
  visibility?: Visibility;
  language?: string | null;
  in_reply_to_id?: string | null;
  media_ids?: string[];
  scheduled_at?: string | null;
  poll?: object | null;
  local_only?: boolean;
}

export default async function statusesRoutes(app: FastifyInstance) {
  const context = app.context;

  app.post(
    "/api/v1/statuses",
    {
      config: { auth: "user", scopes: ["write:statuses"] },
      schema: {
        body: createBody,
        headers: { type: "object", properties: { "idempotency-key": { type: "string", maxLength: 200 } } },
        response: { 200: ref("Status"), "4xx": errorResponse },
      },
    },
    async (request) => {
      const viewer = userOf(request);
      const body = (request.body ?? {}) as CreateBody;
      // Refused rather than silently dropped: a post must not go out without what was attached.
      if (body.media_ids?.length) throw unprocessable("Media attachments are not supported yet");
      if (body.scheduled_at) throw unprocessable("Scheduled posts are not supported yet");
      if (body.poll) throw unprocessable("Polls are not supported yet");
      const id = await createStatus(context, viewer.account, {
        status: body.status,
        spoilerText: body.spoiler_text,
        sensitive: body.sensitive,
        visibility: body.visibility,
        language: body.language ?? undefined,
        inReplyToId: body.in_reply_to_id ?? undefined,
        localOnly: body.local_only,
        idempotencyKey: request.headers["idempotency-key"] as string | undefined,
        applicationId: viewer.applicationId,
      });
      return presentStatus(context, id, viewer.account.id);
    },
  );

  app.get(
    "/api/v1/statuses",
    {
      config: { auth: "user", scopes: ["read:statuses"] },
      schema: {
        querystring: {
          type: "object",
          required: ["id"],
          properties: { id: { type: "array", maxItems: 100, items: idString } },
        },
        response: { 200: arrayOf("Status"), "4xx": errorResponse },
      },
    },
    async (request) => {
      const viewerId = userOf(request).account.id;
      const ids = await findVisibleStatusIds(context, (request.query as { id: string[] }).id, viewerId);
      return presentStatuses(context, ids, viewerId);
    },
  );

  app.get(
    "/api/v1/statuses/:id",
    {
      config: { auth: "user", scopes: ["read:statuses"] },
      schema: { params: idParams, response: { 200: ref("Status"), "4xx": errorResponse } },
    },
    async (request) => showStatus(context, (request.params as { id: string }).id, userOf(request).account.id),
  );

  app.put(
    "/api/v1/statuses/:id",
    {
      config: { auth: "user", scopes: ["write:statuses"] },
      schema: { params: idParams, body: editBody, response: { 200: ref("Status"), "4xx": errorResponse } },
    },
    async (request) => {
      const body = (request.body ?? {}) as EditBody;
      if (body.media_ids?.length || body.media_attributes?.length) {
        throw unprocessable("Media attachments are not supported yet");
      }
      if (body.poll) throw unprocessable("Polls are not supported yet");
      return editStatus(context, userOf(request).account, (request.params as { id: string }).id, {
        status: body.status,
        spoilerText: body.spoiler_text,
        sensitive: body.sensitive,
        language: body.language ?? undefined,
      });
    },
  );

  app.get(
    "/api/v1/statuses/:id/history",
    {
      config: { auth: "user", scopes: ["read:statuses"] },
      schema: { params: idParams, response: { 200: arrayOf("StatusEdit"), "4xx": errorResponse } },
    },
    async (request) => statusHistory(context, userOf(request).account.id, (request.params as { id: string }).id),
  );

  app.get(
    "/api/v1/statuses/:id/source",
    {
      config: { auth: "user", scopes: ["read:statuses"] },
      schema: { params: idParams, response: { 200: ref("StatusSource"), "4xx": errorResponse } },
    },
    async (request) => statusSource(context, userOf(request).account.id, (request.params as { id: string }).id),
  );

  app.delete(
    "/api/v1/statuses/:id",
    {
      config: { auth: "user", scopes: ["write:statuses"] },
      schema: { params: idParams, response: { 200: ref("Status"), "4xx": errorResponse } },
    },
    async (request) => deleteStatus(context, userOf(request).account, (request.params as { id: string }).id),
  );

  app.get(
    "/api/v1/statuses/:id/context",
    {
      config: { auth: "user", scopes: ["read:statuses"] },
      schema: { params: idParams, response: { 200: ref("Context"), "4xx": errorResponse } },
    },
    async (request) => statusContext(context, (request.params as { id: string }).id, userOf(request).account.id),
  );
}
