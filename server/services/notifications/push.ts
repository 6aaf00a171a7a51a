// Web push. Delivering pushes needs a VAPID key pair, which this campus does not have (the
// instance advertises an empty `vapid.public_key`), so no subscription can exist: apps are told
// so in Mastodon's terms and fall back to polling or streaming.
import { notFound, unprocessable } from "../../errors.ts";

/** GET and PUT /api/v1/push/subscription: there is never a subscription to show or change. */
export function findPushSubscription(): never {
  throw notFound();
}

/** POST /api/v1/push/subscription: refused, as a subscription that never pushes would mislead. */
export function createPushSubscription(): never {
  throw unprocessable("Web push is not configured on this server");
}

/** DELETE /api/v1/push/subscription: nothing to remove, which Mastodon answers with success. */
export function deletePushSubscription(): void {}
