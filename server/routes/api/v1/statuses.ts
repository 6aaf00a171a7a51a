import type { FastifyInstance } from "fastify";
import type { Visibility } from "../../../../db/schema.ts";
import { userOf } from "../../../plugins/auth.ts";
import { bool, errorResponse, idParams, idString } from "../../../schemas/common.ts";
import { arrayOf, ref } from "../../../schemas/entities.ts";
import type { NewPollInput } from "../../../services/polls/new-poll.ts";
import { scheduleStatus } from "../../../services/scheduled-statuses/scheduled-statuses.ts";
import { createStatus, type NewStatusInput } from "../../../services/statuses/create.ts";
import { deleteStatus } from "../../../services/statuses/delete.ts";
import { editStatus, statusHistory, statusSource } from "../../../services/statuses/edit.ts";
import { presentStatus } from "../../../services/statuses/present.ts";
import { showStatus, showStatuses, statusContext } from "../../../services/statuses/read.ts";

/** `poll[options][]`, `poll[expires_in]` (seconds), `poll[multiple]`, `poll[hide_totals]`. */
const pollBody = {
  type: ["object", "null"],
  properties: {
    options: { type: "array", maxItems: 100, items: { type: "string", maxLength: 10000 } },
    expires_in: { type: "integer", minimum: 0, maximum: 2_000_000_000 },
    multiple: bool,
    hide_totals: bool,
  },
} as const;

interface PollBody {
  options?: string[];
  expires_in?: number;
  multiple?: boolean;
  hide_totals?: boolean;
}

/** The poll to post, or none for a missing or empty `poll` (as Rails reads a blank hash). */
function pollInput(poll: PollBody | null | undefined): NewPollInput | undefined {
  if (!poll || Object.keys(poll).length === 0) return undefined;
  return {
    options: poll.options ?? [],
    expiresIn: poll.expires_in,
    multiple: poll.multiple,
    hideTotals: poll.hide_totals,
  };
}

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
    poll: pollBody,
    local_only: bool,
    help_request: bool,
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
    media_attributes: {
      type: "array",
      maxItems: 20,
      items: {
        type: "object",
        required: ["id"],
        properties: {
          id: { type: "string", maxLength: 30 },
          description: { type: "string", maxLength: 100000 },
          focus: { type: "string", maxLength: 100 },
        },
      },
    },
    poll: pollBody,
  },
} as const;

interface EditBody {
  status?: string;
  spoiler_text?: string;
  sensitive?: boolean;
  language?: string | null;
  media_ids?: string[];
  media_attributes?: { id: string; description?: string; focus?: string }[];
  poll?: PollBody | null;
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
  poll?: PollBody | null;
  local_only?: boolean;
  help_request?: boolean;
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
        // A ScheduledStatus when `scheduled_at` is in the future (its required keys tell them apart).
        response: { 200: { anyOf: [ref("ScheduledStatus"), ref("Status")] }, "4xx": errorResponse },
      },
    },
    async (request) => {
      const viewer = userOf(request);
      const body = (request.body ?? {}) as CreateBody;
      const input: NewStatusInput = {
        status: body.status,
        spoilerText: body.spoiler_text,
        sensitive: body.sensitive,
        visibility: body.visibility,
        language: body.language ?? undefined,
        inReplyToId: body.in_reply_to_id ?? undefined,
        localOnly: body.local_only,
        idempotencyKey: request.headers["idempotency-key"] as string | undefined,
        applicationId: viewer.applicationId,
        mediaIds: body.media_ids,
        poll: pollInput(body.poll),
        helpRequest: body.help_request,
      };
      if (body.scheduled_at) {
        // A time in the past means now, as in Mastodon.
        const scheduled = await scheduleStatus(context, viewer.account, input, body.scheduled_at);
        if (scheduled) return scheduled;
      }
      const id = await createStatus(context, viewer.account, input);
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
    async (request) =>
      showStatuses(context, (request.query as { id: string[] }).id, userOf(request).account.id),
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
      return editStatus(context, userOf(request).account, (request.params as { id: string }).id, {
        status: body.status,
        spoilerText: body.spoiler_text,
        sensitive: body.sensitive,
        language: body.language ?? undefined,
        // Absent: the attachments stay; present (even empty): the new list, as in Mastodon.
        mediaIds: body.media_ids,
        mediaAttributes: body.media_attributes,
        poll: pollInput(body.poll),
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
