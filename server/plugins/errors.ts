import type { FastifyError, FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { ApiError } from "../errors.ts";

function validationMessage(error: FastifyError): { status: number; message: string } {
  const first = error.validation?.[0];
  const context = error.validationContext ?? "body";
  if (context === "params") return { status: 404, message: "Record not found" };
  const field =
    [first?.instancePath.replace(/^\//, "").replaceAll("/", "."), (first?.params as { missingProperty?: string })?.missingProperty]
      .filter(Boolean)
      .join(".") || context;
  const message = `${field} ${first?.message ?? "is invalid"}`;
  return context === "body"
    ? { status: 422, message: `Validation failed: ${message}` }
    : { status: 400, message };
}

/**
 * One place turns errors into Mastodon's `{"error": "..."}` bodies. Only ApiError messages and
 * framework 4xx messages reach the client; anything else is logged and answered with a bare 500.
 */
export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      if (error.cause) request.log.info({ cause: error.cause }, error.message);
      return reply.status(error.status).send({ error: error.message, ...error.details });
    }
    if (error.validation) {
      const { status, message } = validationMessage(error);
      return reply.status(status).send({ error: message });
    }
    if (error.code === "FST_REQ_FILE_TOO_LARGE" || error.code === "FST_PARTS_LIMIT") {
      return reply.status(422).send({ error: "Validation failed: the file is too large" });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ error: error.message });
    }
    request.log.error({ err: error }, "request failed");
    return reply.status(500).send({ error: "Internal server error" });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: "Record not found" });
  });
});
