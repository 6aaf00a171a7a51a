// Fedify's types name the standard Temporal; at run time Node 24 has none, and Fedify uses
// @js-temporal/polyfill. Instants are made with the polyfill and typed as the standard ones.
import { Temporal as Polyfill } from "@js-temporal/polyfill";

export function toInstant(date: Date): Temporal.Instant {
  return Polyfill.Instant.fromEpochMilliseconds(date.getTime()) as unknown as Temporal.Instant;
}

export function toDate(instant: Temporal.Instant | null | undefined): Date | null {
  return instant ? new Date(instant.epochMilliseconds) : null;
}
