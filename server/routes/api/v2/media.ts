import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { errorResponse } from "../../../schemas/common.ts";
import { ref } from "../../../schemas/entities.ts";
import { uploadMedia } from "../../../services/media/attachments.ts";
import { type MediaBody, mediaBody, mediaInput, uploadedFile } from "../v1/media.ts";

export default async function mediaV2Routes(app: FastifyInstance) {
  const context = app.context;

  // Pictures are processed while the request waits and video and audio files are kept as they
  // are, so every upload is ready at once: 200 with its url, never 202 (which Mastodon sends
  // while it transcodes).
  app.post(
    "/api/v2/media",
    {
      config: { auth: "user", scopes: ["write:media"] },
      schema: { body: mediaBody, response: { 200: ref("MediaAttachment"), "4xx": errorResponse } },
    },
    async (request) => {
      const body = request.body as MediaBody;
      return uploadMedia(context, userOf(request).account, uploadedFile(body), mediaInput(body));
    },
  );
}
