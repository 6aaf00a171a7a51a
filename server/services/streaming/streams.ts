// The streams a client may watch, as Mastodon names them, and what each one needs.
import { grants } from "../oauth/scopes.ts";
import { normalizeTag } from "../statuses/text.ts";

export const STREAM_NAMES = [
  "user",
  "user:notification",
  "public",
  "public:media",
  "public:local",
  "public:local:media",
  "public:remote",
  "public:remote:media",
  "hashtag",
  "hashtag:local",
  "list",
  "direct",
] as const;

export type StreamName = (typeof STREAM_NAMES)[number];

/** The events Mastodon's streaming API sends. */
export type StreamEvent =
  | "update"
  | "delete"
  | "notification"
  | "status.update"
  | "conversation"
  | "filters_changed"
  | "announcement"
  | "announcement.delete";

/** What a client asks for: `?stream=hashtag&tag=crm`, or `{"type":"subscribe","stream":"list","list":"7"}`. */
export interface StreamRequest {
  stream?: unknown;
  tag?: unknown;
  list?: unknown;
}

export interface Subscription {
  name: StreamName;
  /** Normalized tag of a hashtag stream. */
  tag?: string;
  /** The list of a list stream. */
  list?: string;
  /** The `stream` array of every event sent for this subscription: ["hashtag", "crm"]. */
  label: string[];
  /** Equal for equal subscriptions: one connection holds a subscription once. */
  key: string;
}

/** A subscription refused: Mastodon's message and status, sent as `{"error", "status"}`. */
export class StreamError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = "StreamError";
    this.status = status;
  }
}

export function isStreamName(value: unknown): value is StreamName {
  return typeof value === "string" && (STREAM_NAMES as readonly string[]).includes(value);
}

/** The scope a stream needs: notifications need read:notifications, the rest read:statuses. */
export function streamScope(name: StreamName): string {
  return name === "user:notification" ? "read:notifications" : "read:statuses";
}

/** Whether a token may see notification events (on `user` and `user:notification`). */
export function mayReadNotifications(scopes: ReadonlySet<string>): boolean {
  return grants(scopes, "read:notifications");
}

const MAX_TAG_LENGTH = 100;

/** Checks a request against the token's scopes and returns the subscription it describes. */
export function parseSubscription(
  request: StreamRequest,
  scopes: ReadonlySet<string>,
): Subscription {
  const name = request.stream;
  if (!isStreamName(name)) throw new StreamError(400, "Unknown stream type");
  if (!grants(scopes, streamScope(name))) {
    throw new StreamError(401, "Access token does not have the required scopes");
  }
  if (name === "hashtag" || name === "hashtag:local") {
    const given = typeof request.tag === "string" ? request.tag.trim().replace(/^#/, "") : "";
    if (given === "") throw new StreamError(400, "No tag for stream provided");
    if (given.length > MAX_TAG_LENGTH) throw new StreamError(400, "Tag is too long");
    const tag = normalizeTag(given);
    return { name, tag, label: [name, given], key: `${name}\n${tag}` };
  }
  if (name === "list") {
    const list =
      typeof request.list === "string" || typeof request.list === "number"
        ? String(request.list)
        : "";
    if (!/^\d{1,19}$/.test(list)) throw new StreamError(400, "No list for stream provided");
    return { name, list, label: [name, list], key: `${name}\n${list}` };
  }
  return { name, label: [name], key: name };
}
