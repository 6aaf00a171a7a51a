import { readFileSync } from "node:fs";
import { join } from "node:path";

export const SOFTWARE_NAME = "hallway";
export const SOFTWARE_VERSION: string = (
  JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as { version: string }
).version;
/** The Mastodon API level we implement; clients pick features by it (Mastodon.py, Phanpy). */
export const MASTODON_COMPATIBLE_VERSION = "4.3.0";
export const VERSION_STRING = `${MASTODON_COMPATIBLE_VERSION} (compatible; Hallway ${SOFTWARE_VERSION})`;
