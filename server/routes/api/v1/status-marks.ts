// What the viewer marks on a status for itself: bookmarks, pins on its profile, and muting the
// conversation the status belongs to.
import type { FastifyInstance } from "fastify";
import type { Account } from "../../../../db/schema.ts";
import type { AppContext } from "../../../context.ts";
import { userOf } from "../../../plugins/auth.ts";
import { errorResponse, idParams } from "../../../schemas/common.ts";
import { ref } from "../../../schemas/entities.ts";
import type { ApiStatus } from "../../../serializers/status.ts";
import { bookmarkStatus, unbookmarkStatus } from "../../../services/statuses/bookmarks.ts";
import { muteConversation, unmuteConversation } from "../../../services/statuses/conversation-mutes.ts";
import { pinStatus, unpinStatus } from "../../../services/statuses/pins.ts";

type Action = (context: AppContext, viewer: Account, id: string) => Promise<ApiStatus>;

// The scopes Mastodon asks for: pins change the profile, hence write:accounts.
const ACTIONS: [string, Action, string][] = [
  ["bookmark", bookmarkStatus, "write:bookmarks"],
  ["unbookmark", unbookmarkStatus, "write:bookmarks"],
  ["pin", pinStatus, "write:accounts"],
  ["unpin", unpinStatus, "write:accounts"],
  ["mute", muteConversation, "write:mutes"],
  ["unmute", unmuteConversation, "write:mutes"],
];

export default async function statusMarksRoutes(app: FastifyInstance) {
  const context = app.context;
  for (const [path, action, scope] of ACTIONS) {
    app.post(
      `/api/v1/statuses/:id/${path}`,
      {
        config: { auth: "user", scopes: [scope] },
        schema: { params: idParams, response: { 200: ref("Status"), "4xx": errorResponse } },
      },
      async (request) => action(context, userOf(request).account, (request.params as { id: string }).id),
    );
  }
}
