// What services need from the running instance, free of HTTP framework types.
import type { Kysely } from "kysely";
import type { DatabaseKind } from "../db/connection.ts";
import type { Database } from "../db/schema.ts";
import type { Config } from "./config.ts";
import type { DomainEvents } from "./events.ts";
import type { MediaStore } from "./services/media/store.ts";
import type { RemoteResolver } from "./services/remote/resolver.ts";
import type { SiblingSearcher } from "./services/search/siblings.ts";
import type { Urls } from "./urls.ts";

export interface Logger {
  info(object: object | string, message?: string): void;
  warn(object: object | string, message?: string): void;
  error(object: object | string, message?: string): void;
  debug(object: object | string, message?: string): void;
}

export interface TokenSigner {
  sign(payload: { jti: string }): string;
  /** The claims of a token we signed, or null for anything else. */
  verify(token: string): { jti?: string } | null;
}

export interface AppContext {
  config: Config;
  db: Kysely<Database>;
  dbKind: DatabaseKind;
  urls: Urls;
  events: DomainEvents;
  media: MediaStore;
  tokens: TokenSigner;
  log: Logger;
  /** Set once federation is up; null in an instance without it (some tests). */
  resolver: RemoteResolver | null;
  /** Asks the sibling campuses to search too; null without federation. */
  siblingSearch: SiblingSearcher | null;
  /** Hosts of the allowlisted sibling campuses (as in handles), as they are right now. */
  siblingHosts(): string[];
}
