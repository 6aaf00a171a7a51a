import type { ApiAccount } from "./account.ts";
import type { ApiStatus } from "./status.ts";

export interface ApiConversation {
  id: string;
  unread: boolean;
  accounts: ApiAccount[];
  last_status: ApiStatus | null;
}

/**
 * A direct conversation as its owner sees it. `participants` are the other people in it; a
 * conversation with oneself lists the owner, as Mastodon does.
 */
export function conversationToApi(
  conversation: { id: string; unread: boolean },
  participants: ApiAccount[],
  owner: ApiAccount | undefined,
  lastStatus: ApiStatus | null,
): ApiConversation {
  return {
    id: conversation.id,
    unread: conversation.unread,
    accounts: participants.length > 0 || !owner ? participants : [owner],
    last_status: lastStatus,
  };
}
