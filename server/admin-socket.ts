// A Unix socket in the data folder through which the admin CLI talks to the running server.
// PGlite can be opened by one process only, so while the server runs, the CLI's commands are
// carried out here. Only the folder's owner can connect (mode 0600).
import { chmodSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import type { Logger } from "./context.ts";
import {
  type AdminContext,
  AdminCommandError,
  type AdminRequest,
  runAdminCommand,
} from "./services/admin/commands.ts";

export interface AdminSocket {
  path: string;
  close(): Promise<void>;
}

function isRequest(value: unknown): value is AdminRequest {
  const request = value as AdminRequest;
  return (
    typeof request === "object" &&
    request !== null &&
    typeof request.command === "string" &&
    Array.isArray(request.args) &&
    typeof request.options === "object"
  );
}

export async function startAdminSocket(context: AdminContext & { log: Logger }, path: string): Promise<AdminSocket> {
  rmSync(path, { force: true });
  const server: Server = createServer((socket) => {
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("data", async (chunk) => {
      buffer += chunk;
      const newline = buffer.indexOf("\n");
      if (newline === -1) {
        if (buffer.length > 1_000_000) socket.destroy();
        return;
      }
      const line = buffer.slice(0, newline);
      buffer = "";
      let reply: { ok: boolean; output?: string; error?: string };
      try {
        const request: unknown = JSON.parse(line);
        if (!isRequest(request)) throw new AdminCommandError("malformed admin request");
        reply = { ok: true, output: await runAdminCommand(context, request) };
        context.log.info({ command: request.command }, "admin command ran");
      } catch (error) {
        const known = error instanceof AdminCommandError || error instanceof SyntaxError;
        if (!known) context.log.error({ err: error }, "admin command failed");
        reply = { ok: false, error: known ? (error as Error).message : "the command failed; see the server log" };
      }
      socket.end(`${JSON.stringify(reply)}\n`);
    });
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return {
    path,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        rmSync(path, { force: true });
      }),
  };
}
