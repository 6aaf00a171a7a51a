// Accounts ↔ ActivityPub actors. Local accounts become Person objects; remote actors become the
// fields of a remote account row. No database access here.
import type { Context } from "@fedify/fedify";
import {
  type Actor,
  Application,
  Endpoints,
  Image,
  Link,
  Person,
  PropertyValue,
  Service,
} from "@fedify/vocab";
import type { Account } from "../../db/schema.ts";
import { sanitizeHtml } from "../../server/services/statuses/html.ts";
import type { RemoteAccountInput } from "../../server/services/remote/accounts.ts";
import { toDate, toInstant } from "../time.ts";

export const INSTANCE_ACTOR = "instance.actor";

export async function accountToPerson(
  ctx: Context<void>,
  account: Account,
  images: { avatar: string | null; header: string | null },
): Promise<Person> {
  const identifier = account.username;
  const keys = await ctx.getActorKeyPairs(identifier);
  const Type = account.bot ? Service : Person;
  return new Type({
    id: ctx.getActorUri(identifier),
    preferredUsername: account.username,
    name: account.display_name || null,
    summary: account.note || null,
    url: new URL(account.url),
    manuallyApprovesFollowers: account.locked,
    discoverable: account.discoverable,
    indexable: account.indexable,
    published: toInstant(account.created_at),
    icon: images.avatar ? new Image({ url: new URL(images.avatar) }) : null,
    image: images.header ? new Image({ url: new URL(images.header) }) : null,
    publicKey: keys[0]?.cryptographicKey ?? null,
    assertionMethods: keys.map((key) => key.multikey),
    inbox: ctx.getInboxUri(identifier),
    outbox: ctx.getOutboxUri(identifier),
    followers: ctx.getFollowersUri(identifier),
    following: ctx.getFollowingUri(identifier),
    featured: ctx.getFeaturedUri(identifier),
    endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    attachments: account.fields.map((field) => new PropertyValue({ name: field.name, value: field.value })),
  }) as Person;
}

/** The server's own actor, for signed fetches on behalf of the whole campus. */
export async function instanceActor(ctx: Context<void>, name: string): Promise<Application> {
  const keys = await ctx.getActorKeyPairs(INSTANCE_ACTOR);
  return new Application({
    id: ctx.getActorUri(INSTANCE_ACTOR),
    preferredUsername: ctx.host,
    name,
    manuallyApprovesFollowers: true,
    inbox: ctx.getInboxUri(INSTANCE_ACTOR),
    outbox: ctx.getOutboxUri(INSTANCE_ACTOR),
    endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    publicKey: keys[0]?.cryptographicKey ?? null,
    assertionMethods: keys.map((key) => key.multikey),
  });
}

async function imageUrl(image: Promise<Image | null>): Promise<string | null> {
  try {
    const value = await image;
    const url = value?.url;
    if (!url) return null;
    if (url instanceof Link) return url.href?.href ?? null;
    return url.href;
  } catch {
    return null;
  }
}

/** A remote actor's fields as we store them; null when it lacks what an account needs. */
export async function actorToAccountInput(actor: Actor, loaderOptions: object): Promise<RemoteAccountInput | null> {
  if (!actor.id || !actor.preferredUsername || !actor.inboxId) return null;
  const fields: { name: string; value: string }[] = [];
  for await (const attachment of actor.getAttachments(loaderOptions)) {
    if (attachment instanceof PropertyValue && attachment.name && attachment.value) {
      fields.push({ name: String(attachment.name), value: sanitizeHtml(String(attachment.value)) });
    }
  }
  return {
    uri: actor.id.href,
    username: String(actor.preferredUsername),
    domain: actor.id.host,
    url: actor.url instanceof URL ? actor.url.href : actor.url instanceof Link ? (actor.url.href?.href ?? actor.id.href) : actor.id.href,
    displayName: actor.name ? String(actor.name).slice(0, 200) : "",
    note: actor.summary ? sanitizeHtml(String(actor.summary)) : "",
    fields: fields.slice(0, 16),
    avatarUrl: await imageUrl(actor.getIcon(loaderOptions)),
    headerUrl: await imageUrl(actor.getImage(loaderOptions)),
    locked: actor.manuallyApprovesFollowers ?? false,
    bot: actor instanceof Service || actor instanceof Application,
    discoverable: actor.discoverable ?? true,
    indexable: "indexable" in actor ? ((actor as Person).indexable ?? false) : false,
    actorType: actor.constructor.name,
    inboxUrl: actor.inboxId.href,
    sharedInboxUrl: actor.endpoints?.sharedInbox?.href ?? null,
    outboxUrl: actor.outboxId?.href ?? null,
    followersUrl: actor.followersId?.href ?? null,
    followingUrl: actor.followingId?.href ?? null,
    featuredUrl: actor.featuredId?.href ?? null,
    createdAt: toDate(actor.published),
  };
}
