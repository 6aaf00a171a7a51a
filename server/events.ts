import { EventEmitter } from "node:events";
import type { Visibility } from "../db/schema.ts";

/**
 * Things that happened, published after their transaction commits. Streaming and federation
 * subscribe here; services never call them directly.
 */
export interface DomainEventMap {
  "status.created": { statusId: string; accountId: string };
  /** `visibility`: what the post was, so that streaming knows who may hear of its deletion. */
  "status.deleted": { statusId: string; accountId: string; uri: string; visibility?: Visibility };
  "status.updated": { statusId: string; accountId: string };
  "notification.created": { notificationId: string; accountId: string };
  "account.updated": { accountId: string };
  "follow.created": { followId: string; accountId: string; targetAccountId: string };
  // For the live streams only (server/services/streaming); nothing else listens to these.
  /** The account's filters changed: `filters_changed` on its `user` streams. */
  "filters.changed": { accountId: string };
  /** A direct conversation of the account changed: `conversation` on its `direct` streams. */
  "conversation.updated": { accountId: string; conversationId: string };
  /** An announcement was published or changed: `announcement` on every `user` stream. */
  "announcement.published": { announcementId: string };
  /** An announcement was withdrawn: `announcement.delete` on every `user` stream. */
  "announcement.deleted": { announcementId: string };
}

export class DomainEvents {
  readonly #emitter = new EventEmitter({ captureRejections: true });

  emit<K extends keyof DomainEventMap>(name: K, payload: DomainEventMap[K]): void {
    this.#emitter.emit(name, payload);
  }

  on<K extends keyof DomainEventMap>(name: K, listener: (payload: DomainEventMap[K]) => void): void {
    this.#emitter.on(name, listener);
  }

  off<K extends keyof DomainEventMap>(name: K, listener: (payload: DomainEventMap[K]) => void): void {
    this.#emitter.off(name, listener);
  }
}
