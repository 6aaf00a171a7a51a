// The measured scenarios, each an autocannon run over loopback after an unmeasured warm-up.
import autocannon, { type AutocannonOptions, type AutocannonRequest } from "autocannon";

export interface Scenario {
  name: string;
  /** What is asked, as the results table shows it. */
  request: string;
  options(baseUrl: string): Omit<AutocannonOptions, "connections" | "duration">;
  /** One request before the load, to fail early with a readable message. */
  check(baseUrl: string): Promise<string>;
}

export interface Measurement {
  scenario: string;
  request: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
  bytesPerRequest: number;
}

async function expectOk(
  url: string,
  init: RequestInit,
  describe: (body: unknown) => string,
): Promise<string> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok)
    throw new Error(
      `${init.method ?? "GET"} ${url} answered ${response.status}: ${text.slice(0, 300)}`,
    );
  return `${describe(JSON.parse(text))}, ${text.length.toLocaleString("en-US")} bytes`;
}

export function helloScenario(): Scenario {
  return {
    name: "hello world (ceiling)",
    request: "GET / on a bare Fastify server",
    options: (baseUrl) => ({ url: `${baseUrl}/` }),
    check: (baseUrl) => expectOk(`${baseUrl}/`, {}, () => "ok"),
  };
}

export function instanceScenario(): Scenario {
  return {
    name: "instance",
    request: "GET /api/v2/instance",
    options: (baseUrl) => ({ url: `${baseUrl}/api/v2/instance` }),
    check: (baseUrl) =>
      expectOk(
        `${baseUrl}/api/v2/instance`,
        {},
        (body) => `title ${(body as { title: string }).title}`,
      ),
  };
}

export function homeScenario(token: string): Scenario {
  const headers = { authorization: `Bearer ${token}` };
  return {
    name: "home timeline",
    request: "GET /api/v1/timelines/home (20 statuses)",
    options: (baseUrl) => ({ url: `${baseUrl}/api/v1/timelines/home`, headers }),
    check: (baseUrl) =>
      expectOk(`${baseUrl}/api/v1/timelines/home`, { headers }, (body) => {
        const statuses = body as unknown[];
        if (statuses.length !== 20)
          throw new Error(`the home timeline held ${statuses.length} statuses, not 20`);
        return "20 statuses";
      }),
  };
}

/**
 * Posts by the viewer, each fanned out to the viewer's followers and carrying a mention and a
 * hashtag that vary from request to request (rather than one hot tag row). All connections post
 * as one author, so the posts queue on that author's row (statuses_count): this measures one
 * busy poster, not a campus of them.
 */
export function postScenario(token: string, accounts: number): Scenario {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  let counter = 0;
  const body = () => {
    counter += 1;
    const mentioned = `user${3 + (counter % (accounts - 2))}`;
    return JSON.stringify({
      status: `Benchmark post ${counter} for @${mentioned}: the numbers are in, see #topic${1 + (counter % 200)}`,
      visibility: "public",
    });
  };
  const setupRequest = (request: AutocannonRequest): AutocannonRequest => ({
    ...request,
    body: body(),
  });
  return {
    name: "post status",
    request: "POST /api/v1/statuses (mention + tag)",
    options: (baseUrl) => ({
      url: `${baseUrl}/api/v1/statuses`,
      method: "POST",
      headers,
      requests: [{ method: "POST", path: "/api/v1/statuses", headers, setupRequest }],
    }),
    check: (baseUrl) =>
      expectOk(
        `${baseUrl}/api/v1/statuses`,
        { method: "POST", headers, body: body() },
        (created) => {
          return `status ${(created as { id: string }).id}`;
        },
      ),
  };
}

export async function measure(
  scenario: Scenario,
  baseUrl: string,
  load: { connections: number; duration: number; warmup: number },
): Promise<Measurement> {
  const options = scenario.options(baseUrl);
  if (load.warmup > 0) {
    await autocannon({ ...options, connections: load.connections, duration: load.warmup });
  }
  const result = await autocannon({
    ...options,
    connections: load.connections,
    duration: load.duration,
  });
  const requests = result.requests.total;
  return {
    scenario: scenario.name,
    request: scenario.request,
    requestsPerSecond: requests / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    bytesPerRequest: requests > 0 ? result.throughput.total / requests : 0,
  };
}
