import type { FastifyInstance } from "fastify";
import { unprocessable } from "../../../errors.ts";
import { isUploadedFile, type UploadedFile } from "../../../plugins/body.ts";
import { userOf } from "../../../plugins/auth.ts";
import { emptyObject, errorResponse, idParams } from "../../../schemas/common.ts";
import { ref } from "../../../schemas/entities.ts";
import { deleteMedia, type MediaInput, showMedia, updateMedia, uploadMedia } from "../../../services/media/attachments.ts";

/** The fields of an upload (and of an update, which takes all but `file`). */
export const mediaBody = {
  type: "object",
  properties: {
    file: {},
    thumbnail: {},
    description: { type: "string", maxLength: 100000 },
    focus: { type: "string", maxLength: 100 },
  },
} as const;

export interface MediaBody {
  file?: unknown;
  thumbnail?: unknown;
  description?: string;
  focus?: string;
}

function fileFrom(name: string, value: unknown): UploadedFile | undefined {
  // No file: absent, null in JSON, or an empty form field.
  if (value === undefined || value === null || value === "") return undefined;
  if (!isUploadedFile(value)) throw unprocessable(`${name} must be an uploaded file`);
  return value;
}

export function mediaInput(body: MediaBody): MediaInput {
  return {
    description: body.description,
    focus: body.focus || undefined,
    thumbnail: fileFrom("thumbnail", body.thumbnail),
  };
}

/** The uploaded `file` of a POST; Mastodon's wording when there is none. */
export function uploadedFile(body: MediaBody): UploadedFile {
  const file = fileFrom("file", body.file);
  if (!file) throw unprocessable("File can't be blank");
  return file;
}

export default async function mediaRoutes(app: FastifyInstance) {
  const context = app.context;
  const id = (params: unknown) => (params as { id: string }).id;

  // The first upload API: it answers once the file is processed, as v2 does for everything here.
  app.post(
    "/api/v1/media",
    {
      config: { auth: "user", scopes: ["write:media"] },
      schema: { body: mediaBody, response: { 200: ref("MediaAttachment"), "4xx": errorResponse } },
    },
    async (request) => {
      const body = request.body as MediaBody;
      return uploadMedia(context, userOf(request).account, uploadedFile(body), mediaInput(body));
    },
  );

  // Always 200: uploads are processed before the answer (Mastodon answers 206 while processing).
  app.get(
    "/api/v1/media/:id",
    {
      config: { auth: "user", scopes: ["write:media"] },
      schema: { params: idParams, response: { 200: ref("MediaAttachment"), "4xx": errorResponse } },
    },
    async (request) => showMedia(context, userOf(request).account, id(request.params)),
  );

  app.put(
    "/api/v1/media/:id",
    {
      config: { auth: "user", scopes: ["write:media"] },
      schema: { params: idParams, body: mediaBody, response: { 200: ref("MediaAttachment"), "4xx": errorResponse } },
    },
    async (request) => {
      const body = request.body as MediaBody;
      if (body.file !== undefined) throw unprocessable("file cannot be replaced; upload a new one");
      return updateMedia(context, userOf(request).account, id(request.params), mediaInput(body));
    },
  );

  app.delete(
    "/api/v1/media/:id",
    {
      config: { auth: "user", scopes: ["write:media"] },
      schema: { params: idParams, response: { 200: emptyObject, "4xx": errorResponse } },
    },
    async (request) => {
      await deleteMedia(context, userOf(request).account, id(request.params));
      return {};
    },
  );
}
