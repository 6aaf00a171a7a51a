// app.inject() for sweeps over every route: an event stream (which never ends) is answered by its
// status and headers alone; the request lets go of it as soon as they arrive, and its body reads "".
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";

/** The streaming API, whose answers may be event streams. */
const STREAMING = /^\/api\/v1\/streaming(\/|\?|$)/;

export async function injectUntilStream(
  app: FastifyInstance,
  options: InjectOptions & { url: string },
): Promise<LightMyRequestResponse> {
  if (!STREAMING.test(options.url)) return app.inject(options);
  const response = await app.inject({ ...options, payloadAsStream: true });
  const chunks: Buffer[] = [];
  if (String(response.headers["content-type"]).startsWith("text/event-stream")) {
    response.raw.res.destroy();
  } else {
    for await (const chunk of response.stream()) chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks).toString();
  return { ...response, body, payload: body, json: () => JSON.parse(body) } as LightMyRequestResponse;
}
