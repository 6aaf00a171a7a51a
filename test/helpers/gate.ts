// A front door for a test instance: a real HTTP server on the instance's public port that records
// every request and forwards it, unchanged (Host included, so signatures still verify), to the
// instance's own port. It can hold requests, to leave a delivery in flight on purpose.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  method: string;
  url: string;
  signed: boolean;
  userAgent: string;
  /** For a POST with a JSON body: the activity's id and type. */
  activity?: { id?: string; type?: string };
}

export class Gate {
  readonly seen: SeenRequest[] = [];
  private server: Server;
  private holding = false;
  private waiting: (() => void)[] = [];
  private heldCount = 0;

  private constructor(server: Server) {
    this.server = server;
  }

  static async open(port: number, upstreamPort: number): Promise<Gate> {
    const server = createServer();
    const gate = new Gate(server);
    server.on("request", async (incoming, outgoing) => {
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const seen: SeenRequest = {
        method: incoming.method ?? "GET",
        url: incoming.url ?? "/",
        signed: Boolean(incoming.headers.signature || incoming.headers["signature-input"]),
        userAgent: String(incoming.headers["user-agent"] ?? ""),
      };
      if (body.length > 0) {
        try {
          const document = JSON.parse(body.toString("utf8"));
          seen.activity = { id: document?.id, type: document?.type };
        } catch {
          // not JSON: nothing to note
        }
      }
      gate.seen.push(seen);
      void gate.forward(incoming, body, upstreamPort).then(
        (upstream) => {
          outgoing.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(outgoing);
        },
        () => {
          if (!outgoing.headersSent) outgoing.writeHead(502);
          outgoing.end();
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return gate;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Requests arriving from now on wait (unanswered) until release(). */
  hold(): void {
    this.holding = true;
  }

  /** How many requests are waiting at the door. */
  get held(): number {
    return this.heldCount;
  }

  release(): void {
    this.holding = false;
    for (const resume of this.waiting.splice(0)) resume();
  }

  private async forward(incoming: IncomingMessage, body: Buffer, upstreamPort: number): Promise<IncomingMessage> {
    if (this.holding) {
      this.heldCount += 1;
      await new Promise<void>((resume) => this.waiting.push(resume));
      this.heldCount -= 1;
    }
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        { host: "127.0.0.1", port: upstreamPort, method: incoming.method, path: incoming.url, headers: incoming.headers },
        resolve,
      );
      upstream.on("error", reject);
      upstream.end(body);
    });
  }

  async close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
