import type { MessageQueue, MessageQueueEnqueueOptions, MessageQueueListenOptions } from "@fedify/fedify";
import { type IntentMessage, isIntentMessage } from "../server/services/federation/intents.ts";

/**
 * The one durable queue carries Fedify's own messages (deliveries, inbox work) and the intents
 * our services write in their transactions. Listening through this wrapper hands each intent to
 * `onIntent` and everything else to Fedify.
 */
export class IntentAwareQueue implements MessageQueue {
  readonly #inner: MessageQueue;
  readonly #onIntent: (message: IntentMessage) => Promise<void>;
  readonly nativeRetrial: boolean;

  constructor(inner: MessageQueue, onIntent: (message: IntentMessage) => Promise<void>) {
    this.#inner = inner;
    this.#onIntent = onIntent;
    this.nativeRetrial = inner.nativeRetrial ?? false;
  }

  enqueue(message: unknown, options?: MessageQueueEnqueueOptions): Promise<void> {
    return this.#inner.enqueue(message, options);
  }

  enqueueMany(messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void> {
    return this.#inner.enqueueMany
      ? this.#inner.enqueueMany(messages, options)
      : Promise.all(messages.map((message) => this.#inner.enqueue(message, options))).then(() => {});
  }

  listen(handler: (message: unknown) => Promise<void> | void, options?: MessageQueueListenOptions): Promise<void> {
    return this.#inner.listen(
      (message) => (isIntentMessage(message) ? this.#onIntent(message) : handler(message)),
      options,
    );
  }

  getDepth() {
    return this.#inner.getDepth?.() ?? Promise.resolve({ queued: 0, ready: 0, delayed: 0 });
  }
}
