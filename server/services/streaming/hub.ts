// The live streams of one process: who listens to what, and for each signal (from this process
// or another, see bus.ts) the events it means for them, each rendered for its receiver as the
// REST API would show it to them.
import type { FilterContext } from "../../../db/schema.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import type { ApiStatus } from "../../serializers/status.ts";
import { showNotification } from "../notifications/notifications.ts";
import { presentStatuses } from "../statuses/present.ts";
import { findVisibleStatusIds } from "../statuses/visible.ts";
import {
  authorIsLocal,
  followersAmong,
  homeFeedsHolding,
  listFeedsHolding,
  listsWithMember,
  loadStatusFacts,
  notHiddenFrom,
  ownsList,
  type StatusFacts,
} from "./audience.ts";
import type { StreamSignal } from "./signals.ts";
import {
  mayReadNotifications,
  parseSubscription,
  type StreamEvent,
  StreamError,
  type StreamName,
  type StreamRequest,
  type Subscription,
} from "./streams.ts";

export interface StreamViewer {
  accountId: string;
  /** The token the stream was opened with: revoking it ends the stream. */
  tokenId: string;
  scopes: ReadonlySet<string>;
}

/** An entity (serialized by the transport through its JSON Schema), a bare string, or nothing. */
export type StreamPayload =
  | { entity: "Status" | "Notification" | "Conversation" | "Announcement"; value: unknown }
  | { text: string }
  | null;

export interface StreamMessage {
  stream: string[];
  event: StreamEvent;
  payload: StreamPayload;
}

/** One open WebSocket or event-stream response. */
export interface StreamListener {
  readonly viewer: StreamViewer;
  send(message: StreamMessage): void;
  /** Ends the connection: the server is stopping, or the token no longer holds. */
  close(reason: "shutdown" | "unauthorized"): void;
}

/**
 * Entities of other features, rendered for one viewer (null: nothing to show them). Their
 * services announce changes with the domain events `conversation.updated`,
 * `announcement.published` and `announcement.deleted`.
 */
export interface StreamRenderers {
  conversation?(
    context: AppContext,
    viewerId: string,
    conversationId: string,
  ): Promise<unknown | null>;
  announcement?(
    context: AppContext,
    viewerId: string,
    announcementId: string,
  ): Promise<unknown | null>;
}

/** Signals waiting in one process before further ones are dropped (a stalled database). */
const MAX_PENDING = 10_000;
/** Posts remembered with who was sent them, so that their deletion reaches the same people. */
const MAX_REMEMBERED = 5_000;

const SHARED: ReadonlySet<StreamName> = new Set([
  "public",
  "public:media",
  "public:local",
  "public:local:media",
  "public:remote",
  "public:remote:media",
  "hashtag",
  "hashtag:local",
]);

/** Whether a shared stream shows a post of this origin (local or sibling) and media. */
function sharedStreamShows(
  name: StreamName,
  facts: { local: boolean | null; hasMedia?: boolean },
): boolean {
  const parts = name.split(":");
  if (parts.includes("local") && facts.local === false) return false;
  if (parts.includes("remote") && facts.local === true) return false;
  if (parts.includes("media") && facts.hasMedia === false) return false;
  return true;
}

/**
 * The filter context of a stream, as Mastodon's: home for the home feed and lists, public for
 * the shared streams. A post a `hide` filter of that context matches is not sent at all.
 */
function filterContextOf(name: StreamName): FilterContext {
  return SHARED.has(name) ? "public" : "home";
}

interface Target {
  listener: StreamListener;
  subscription: Subscription;
}

export class StreamingHub {
  readonly #context: AppContext;
  readonly #renderers: StreamRenderers;
  readonly #listeners = new Map<StreamListener, Map<string, Subscription>>();
  readonly #sent = new Map<string, Set<string>>();
  #chain: Promise<void> = Promise.resolve();
  #pending = 0;
  #closed = false;

  constructor(context: AppContext, renderers: StreamRenderers = {}) {
    this.#context = context;
    this.#renderers = renderers;
  }

  /** Listeners connected to this process. */
  get size(): number {
    return this.#listeners.size;
  }

  add(listener: StreamListener): void {
    if (!this.#listeners.has(listener)) this.#listeners.set(listener, new Map());
  }

  remove(listener: StreamListener): void {
    this.#listeners.delete(listener);
  }

  /**
   * Checks and records a subscription of an added listener; throws StreamError when it is
   * refused. A listener removed meanwhile (its client left) stays removed.
   */
  async subscribe(listener: StreamListener, request: StreamRequest): Promise<Subscription> {
    const subscription = parseSubscription(request, listener.viewer.scopes);
    if (
      subscription.list &&
      !(await ownsList(this.#context, listener.viewer.accountId, subscription.list))
    ) {
      throw new StreamError(404, "Record not found");
    }
    this.#listeners.get(listener)?.set(subscription.key, subscription);
    return subscription;
  }

  /** Drops a subscription; asking to drop one that is not held changes nothing. */
  unsubscribe(listener: StreamListener, request: StreamRequest): void {
    let subscription: Subscription;
    try {
      subscription = parseSubscription(request, listener.viewer.scopes);
    } catch {
      return;
    }
    this.#listeners.get(listener)?.delete(subscription.key);
  }

  subscriptionsOf(listener: StreamListener): Subscription[] {
    return [...(this.#listeners.get(listener)?.values() ?? [])];
  }

  /** Subscriptions held in this process, of one stream or of all. */
  subscriptionCount(name?: StreamName): number {
    return this.#targets((subscription) => !name || subscription.name === name).length;
  }

  /** Takes a signal; signals are handled one at a time, in the order they came. */
  receive(signal: StreamSignal): void {
    if (this.#closed || this.#listeners.size === 0) return;
    if (this.#pending >= MAX_PENDING) {
      this.#context.log.warn({ signal: signal.kind }, "streaming is behind; dropping an event");
      return;
    }
    this.#pending += 1;
    this.#chain = this.#chain
      .then(() => this.#handle(signal))
      .catch((error: unknown) =>
        this.#context.log.error({ err: error, signal }, "a streaming event failed"),
      )
      .finally(() => {
        this.#pending -= 1;
      });
  }

  /** Resolves once every signal received so far has been handled. */
  async idle(): Promise<void> {
    while (this.#pending > 0) await this.#chain;
  }

  /**
   * Ends the streams whose token was revoked (signed out, password reset) or whose account was
   * suspended since they opened: one query for all of this process's listeners.
   */
  async revalidate(): Promise<void> {
    const tokenIds = [
      ...new Set([...this.#listeners.keys()].map((listener) => listener.viewer.tokenId)),
    ];
    if (tokenIds.length === 0) return;
    const rows = await this.#context.db
      .selectFrom("oauth_access_tokens as t")
      .innerJoin("accounts as a", "a.id", "t.account_id")
      .select("t.id")
      .where("t.id", "=", (eb) => eb.fn.any(bigintArray(tokenIds)))
      .where("t.revoked_at", "is", null)
      .where("a.suspended_at", "is", null)
      .execute();
    const valid = new Set(rows.map((row) => row.id));
    for (const listener of [...this.#listeners.keys()]) {
      if (valid.has(listener.viewer.tokenId)) continue;
      this.#listeners.delete(listener);
      listener.close("unauthorized");
    }
  }

  /** Ends every stream of this process (the server is stopping). */
  close(): void {
    this.#closed = true;
    const listeners = [...this.#listeners.keys()];
    this.#listeners.clear();
    this.#sent.clear();
    for (const listener of listeners) listener.close("shutdown");
  }

  async #handle(signal: StreamSignal): Promise<void> {
    if (this.#listeners.size === 0) return;
    switch (signal.kind) {
      case "status.created":
      case "status.updated":
        return this.#status(
          signal.statusId,
          signal.kind === "status.created" ? "update" : "status.update",
        );
      case "status.deleted":
        return this.#deleted(signal.statusId, signal.accountId, signal.visibility);
      case "notification":
        return this.#notification(signal.notificationId, signal.accountId);
      case "filters_changed":
        for (const target of this.#targets(
          (s, viewer) => s.name === "user" && viewer === signal.accountId,
        )) {
          target.listener.send({
            stream: target.subscription.label,
            event: "filters_changed",
            payload: null,
          });
        }
        return;
      case "conversation":
        return this.#conversation(signal.conversationId, signal.accountId);
      case "announcement":
        return this.#announcement(signal.announcementId);
      case "announcement.delete":
        for (const target of this.#targets((s) => s.name === "user")) {
          target.listener.send({
            stream: target.subscription.label,
            event: "announcement.delete",
            payload: { text: signal.announcementId },
          });
        }
        return;
    }
  }

  /** Every (listener, subscription) pair that `match` accepts. */
  #targets(match: (subscription: Subscription, viewerId: string) => boolean): Target[] {
    const targets: Target[] = [];
    for (const [listener, subscriptions] of this.#listeners) {
      for (const subscription of subscriptions.values()) {
        if (match(subscription, listener.viewer.accountId))
          targets.push({ listener, subscription });
      }
    }
    return targets;
  }

  #viewersWith(names: ReadonlySet<StreamName>): string[] {
    return [
      ...new Set(this.#targets((s) => names.has(s.name)).map((t) => t.listener.viewer.accountId)),
    ];
  }

  #listIds(): string[] {
    return [...new Set(this.#targets((s) => s.name === "list").map((t) => t.subscription.list!))];
  }

  async #status(statusId: string, event: "update" | "status.update"): Promise<void> {
    const interested = this.#targets((s) => s.name !== "user:notification" && s.name !== "direct");
    if (interested.length === 0) return;
    const facts = await loadStatusFacts(this.#context, statusId);
    if (!facts) return;
    const home = await homeFeedsHolding(
      this.#context,
      statusId,
      this.#viewersWith(new Set(["user"])),
    );
    const lists = await listFeedsHolding(this.#context, statusId, this.#listIds());
    const targets = this.#targets((s, viewer) => this.#shows(s, viewer, facts, home, lists));
    await this.#sendStatus(statusId, event, targets);
  }

  #shows(
    subscription: Subscription,
    viewerId: string,
    facts: StatusFacts,
    home: Set<string>,
    lists: Set<string>,
  ): boolean {
    switch (subscription.name) {
      case "user":
        return home.has(viewerId);
      case "list":
        return lists.has(subscription.list!);
      case "hashtag":
      case "hashtag:local":
        return (
          facts.visibility === "public" &&
          !facts.isBoost &&
          facts.tags.includes(subscription.tag!) &&
          sharedStreamShows(subscription.name, facts)
        );
      case "user:notification":
      case "direct":
        return false;
      default:
        return (
          facts.visibility === "public" &&
          !facts.isBoost &&
          sharedStreamShows(subscription.name, facts)
        );
    }
  }

  /** Renders the status once per receiver and sends it to each of their matching streams. */
  async #sendStatus(
    statusId: string,
    event: "update" | "status.update",
    targets: Target[],
  ): Promise<void> {
    const byViewer = new Map<string, Target[]>();
    for (const target of targets) {
      const viewerId = target.listener.viewer.accountId;
      byViewer.set(viewerId, [...(byViewer.get(viewerId) ?? []), target]);
    }
    for (const [viewerId, viewerTargets] of byViewer) {
      const [visible] = await findVisibleStatusIds(this.#context, [statusId], viewerId);
      if (!visible) continue;
      const shared = viewerTargets.some((target) => SHARED.has(target.subscription.name));
      const muted = shared && !(await notHiddenFrom(this.#context, statusId, viewerId));
      const rendered = new Map<FilterContext, ApiStatus | null>();
      for (const target of viewerTargets) {
        if (muted && SHARED.has(target.subscription.name)) continue;
        const filterContext = filterContextOf(target.subscription.name);
        if (!rendered.has(filterContext)) {
          const [status] = await presentStatuses(this.#context, [statusId], viewerId, {
            filterContext,
          });
          rendered.set(filterContext, status ?? null);
        }
        const status = rendered.get(filterContext);
        if (!status) continue;
        target.listener.send({
          stream: target.subscription.label,
          event,
          payload: { entity: "Status", value: status },
        });
        this.#remember(statusId, viewerId);
        // Deleting the boosted post takes the boost off the receiver's screen too (clients drop
        // the boosts of a deleted id), so they must hear of it.
        if (status.reblog) this.#remember(status.reblog.id, viewerId);
      }
    }
  }

  #remember(statusId: string, viewerId: string): void {
    let viewers = this.#sent.get(statusId);
    if (!viewers) {
      viewers = new Set();
      this.#sent.set(statusId, viewers);
      if (this.#sent.size > MAX_REMEMBERED) {
        const oldest = this.#sent.keys().next().value;
        if (oldest !== undefined) this.#sent.delete(oldest);
      }
    }
    viewers.add(viewerId);
  }

  /**
   * The post is gone, and with it the rows that said where it showed. Its id goes to those who
   * were sent it here, to the author and their followers, to the lists its author is in, and for
   * a public post to the shared streams (anyone could see it there).
   */
  async #deleted(statusId: string, accountId: string, visibility: string | null): Promise<void> {
    const sentTo = this.#sent.get(statusId) ?? new Set<string>();
    this.#sent.delete(statusId);
    const followers = await followersAmong(
      this.#context,
      accountId,
      this.#viewersWith(new Set(["user"])),
    );
    const lists = await listsWithMember(this.#context, accountId, this.#listIds());
    const local = visibility === "public" ? await authorIsLocal(this.#context, accountId) : null;
    const targets = this.#targets((subscription, viewerId) => {
      switch (subscription.name) {
        case "user":
          return viewerId === accountId || followers.has(viewerId) || sentTo.has(viewerId);
        case "list":
          return lists.has(subscription.list!) || sentTo.has(viewerId);
        case "user:notification":
        case "direct":
          return false;
        default:
          return visibility === "public" && sharedStreamShows(subscription.name, { local });
      }
    });
    for (const target of targets) {
      target.listener.send({
        stream: target.subscription.label,
        event: "delete",
        payload: { text: statusId },
      });
    }
  }

  async #notification(notificationId: string, accountId: string): Promise<void> {
    const targets = this.#targets(
      (s, viewer) => viewer === accountId && (s.name === "user" || s.name === "user:notification"),
    ).filter((target) => mayReadNotifications(target.listener.viewer.scopes));
    if (targets.length === 0) return;
    // Null when it is gone, or about a post a notifications filter hides.
    const notification = await showNotification(this.#context, accountId, notificationId).catch(
      () => null,
    );
    if (!notification) return;
    // A mention's deletion reaches the person mentioned, whether or not they follow its author.
    if (notification.status) this.#remember(notification.status.id, accountId);
    for (const target of targets) {
      target.listener.send({
        stream: target.subscription.label,
        event: "notification",
        payload: { entity: "Notification", value: notification },
      });
    }
  }

  async #conversation(conversationId: string, accountId: string): Promise<void> {
    const targets = this.#targets((s, viewer) => s.name === "direct" && viewer === accountId);
    if (targets.length === 0 || !this.#renderers.conversation) return;
    const conversation = await this.#renderers.conversation(
      this.#context,
      accountId,
      conversationId,
    );
    if (!conversation) return;
    for (const target of targets) {
      target.listener.send({
        stream: target.subscription.label,
        event: "conversation",
        payload: { entity: "Conversation", value: conversation },
      });
    }
  }

  async #announcement(announcementId: string): Promise<void> {
    const render = this.#renderers.announcement;
    if (!render) return;
    const byViewer = new Map<string, Target[]>();
    for (const target of this.#targets((s) => s.name === "user")) {
      const viewerId = target.listener.viewer.accountId;
      byViewer.set(viewerId, [...(byViewer.get(viewerId) ?? []), target]);
    }
    for (const [viewerId, targets] of byViewer) {
      const announcement = await render(this.#context, viewerId, announcementId);
      if (!announcement) continue;
      for (const target of targets) {
        target.listener.send({
          stream: target.subscription.label,
          event: "announcement",
          payload: { entity: "Announcement", value: announcement },
        });
      }
    }
  }
}
