import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// Unix socket paths are limited to about 100 bytes; a deep data folder gets one in the temp folder,
// named after the data folder so that the CLI finds the same one.
export function adminSocketPath(dataDir: string): string {
  const inFolder = join(resolve(dataDir), "admin.sock");
  if (Buffer.byteLength(inFolder) <= 100) return inFolder;
  const digest = createHash("sha256").update(resolve(dataDir)).digest("hex").slice(0, 16);
  return join(tmpdir(), `hallway-${digest}.sock`);
}
