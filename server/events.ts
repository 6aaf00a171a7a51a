import { EventEmitter } from "node:events";

/**
 * Things that happened, published after their transaction commits. Streaming and federation
 * subscribe here; services never call them directly.
 */
export interface DomainEventMap {
  "status.created": { statusId: string; accountId: string };
  "status.deleted": { statusId: string; accountId: string; uri: string };
  "status.updated": { statusId: string; accountId: string };
  "notification.created": { notificationId: string; accountId: string };
  "account.updated": { accountId: string };
  "follow.created": { followId: string; accountId: string; targetAccountId: string };
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
