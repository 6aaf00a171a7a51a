import type { Federation, KvStore, MessageQueue } from "@fedify/fedify";
import type { AppContext } from "../server/context.ts";
import type { Wall } from "./wall.ts";

/** What the federation code is built from. */
export interface FederationDeps {
  app: AppContext;
  wall: Wall;
  kv: KvStore;
  queue: MessageQueue;
}

export type HallwayFederation = Federation<void>;
