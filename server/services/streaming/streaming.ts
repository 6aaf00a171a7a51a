// Live streams for one process: domain events become signals on the bus, every process's hub
// hears them, and each hub renders them for its own listeners.
import type { DatabaseHandle } from "../../../db/connection.ts";
import type { AppContext } from "../../context.ts";
import { openStreamingBus, type StreamingBus } from "./bus.ts";
import { StreamingHub, type StreamRenderers } from "./hub.ts";
import { signalsFromEvents } from "./signals.ts";

/** How often open streams are checked against revoked tokens and suspended accounts. */
const REVALIDATE_MS = 30_000;

export interface Streaming {
  hub: StreamingHub;
  /** Ends every open stream; the bus keeps running until close(). */
  endStreams(): void;
  close(): Promise<void>;
}

export async function startStreaming(
  context: AppContext,
  database: DatabaseHandle,
  renderers: StreamRenderers = {},
): Promise<Streaming> {
  const hub = new StreamingHub(context, renderers);
  const bus: StreamingBus = await openStreamingBus(
    database,
    (signal) => hub.receive(signal),
    context.log,
  );
  const stopSignals = signalsFromEvents(context.events, (signal) => bus.publish(signal));
  const timer = setInterval(() => {
    hub
      .revalidate()
      .catch((error: unknown) =>
        context.log.warn({ err: error }, "could not recheck stream tokens"),
      );
  }, REVALIDATE_MS);
  timer.unref();
  return {
    hub,
    endStreams: () => hub.close(),
    async close() {
      clearInterval(timer);
      stopSignals();
      hub.close();
      await bus.close();
    },
  };
}
