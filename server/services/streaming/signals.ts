// What the live streams hear of: small messages naming what happened by id. Every process
// re-reads the rows and renders them for each of its own listeners, so a signal stays far below
// PostgreSQL's 8000-byte NOTIFY limit whatever the post holds.
import type { Visibility } from "../../../db/schema.ts";
import type { DomainEvents } from "../../events.ts";

export type StreamSignal =
  | { kind: "status.created"; statusId: string; accountId: string }
  | { kind: "status.updated"; statusId: string; accountId: string }
  | { kind: "status.deleted"; statusId: string; accountId: string; visibility: Visibility | null }
  | { kind: "notification"; notificationId: string; accountId: string }
  | { kind: "filters_changed"; accountId: string }
  | { kind: "conversation"; accountId: string; conversationId: string }
  | { kind: "announcement"; announcementId: string }
  | { kind: "announcement.delete"; announcementId: string };

const KINDS = new Set<StreamSignal["kind"]>([
  "status.created",
  "status.updated",
  "status.deleted",
  "notification",
  "filters_changed",
  "conversation",
  "announcement",
  "announcement.delete",
]);
const ID = /^\d{1,19}$/;
const VISIBILITIES = new Set(["public", "unlisted", "private", "direct"]);

/** A signal read back from the wire, or null when it is not one (never trusted blindly). */
export function parseSignal(value: unknown): StreamSignal | null {
  if (typeof value !== "object" || value === null) return null;
  const signal = value as Record<string, unknown>;
  if (!KINDS.has(signal.kind as StreamSignal["kind"])) return null;
  for (const key of [
    "statusId",
    "accountId",
    "notificationId",
    "conversationId",
    "announcementId",
  ]) {
    if (key in signal && !(typeof signal[key] === "string" && ID.test(signal[key] as string)))
      return null;
  }
  if (
    "visibility" in signal &&
    signal.visibility !== null &&
    !VISIBILITIES.has(signal.visibility as string)
  ) {
    return null;
  }
  return signal as StreamSignal;
}

/** Turns the domain events that concern live streams into signals for `publish`. */
export function signalsFromEvents(
  events: DomainEvents,
  publish: (signal: StreamSignal) => void,
): () => void {
  const listeners = {
    "status.created": ({ statusId, accountId }: { statusId: string; accountId: string }) =>
      publish({ kind: "status.created", statusId, accountId }),
    "status.updated": ({ statusId, accountId }: { statusId: string; accountId: string }) =>
      publish({ kind: "status.updated", statusId, accountId }),
    "status.deleted": (event: { statusId: string; accountId: string; visibility?: Visibility }) =>
      publish({
        kind: "status.deleted",
        statusId: event.statusId,
        accountId: event.accountId,
        visibility: event.visibility ?? null,
      }),
    "notification.created": ({
      notificationId,
      accountId,
    }: {
      notificationId: string;
      accountId: string;
    }) => publish({ kind: "notification", notificationId, accountId }),
    "filters.changed": ({ accountId }: { accountId: string }) =>
      publish({ kind: "filters_changed", accountId }),
    "conversation.updated": ({
      accountId,
      conversationId,
    }: {
      accountId: string;
      conversationId: string;
    }) => publish({ kind: "conversation", accountId, conversationId }),
    "announcement.published": ({ announcementId }: { announcementId: string }) =>
      publish({ kind: "announcement", announcementId }),
    "announcement.deleted": ({ announcementId }: { announcementId: string }) =>
      publish({ kind: "announcement.delete", announcementId }),
  } as const;
  for (const [name, listener] of Object.entries(listeners)) {
    events.on(name as keyof typeof listeners, listener as never);
  }
  return () => {
    for (const [name, listener] of Object.entries(listeners)) {
      events.off(name as keyof typeof listeners, listener as never);
    }
  };
}
