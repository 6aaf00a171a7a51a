import type { FastifyInstance } from "fastify";
import { errorResponse } from "../../../schemas/common.ts";
import { arrayOf } from "../../../schemas/entities.ts";
import { listCustomEmojis } from "../../../services/emojis/custom-emojis.ts";

export default async function customEmojisRoutes(app: FastifyInstance) {
  // Public, as Mastodon's: images and shortcodes only, served from unguessable URLs anyway.
  app.get(
    "/api/v1/custom_emojis",
    { config: { auth: "public" }, schema: { response: { 200: arrayOf("CustomEmoji"), "4xx": errorResponse } } },
    async () => listCustomEmojis(app.context),
  );
}
