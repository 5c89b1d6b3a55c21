import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseBody, type UploadedFile } from './multipart.ts';

/**
 * The fake REST API: plain HTTP on 127.0.0.1 under /api/v10. Every request is recorded
 * (parsed JSON and multipart files included); faults (429, 5xx) can be injected per route;
 * a route the fake does not implement answers 404 naming it, and is listed in `unimplemented`.
 */

export const API_PREFIX = '/api/v10';

export interface RestRequest {
  method: string;
  /** Path below /api/v10, e.g. `/webhooks/1/abc/messages/@original` (decoded). */
  path: string;
  /** The matched route template, e.g. `/webhooks/:app/:token/messages/:message`. */
  route: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  json: unknown;
  files: UploadedFile[];
  multipart: boolean;
}

export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RestCall extends RestRequest {
  at: number;
  status: number;
  response: unknown;
  /** Set when the response was an injected fault. */
  injected?: 'rate-limit' | 'server-error' | 'custom';
}

export interface Route {
  method: string;
  route: string;
  /** Bot token required (interaction callbacks and webhook tokens are not). */
  auth: boolean;
  handle: (req: RestRequest) => RestResponse | Promise<RestResponse>;
}

export interface FaultMatch {
  method?: string;
  /** Exact route template, e.g. `/webhooks/:app/:token/messages/:message`. */
  route?: string;
  /** RegExp on the path below /api/v10, e.g. `/messages\/@original$/`. */
  path?: RegExp;
  /** Any other condition on the parsed request, e.g. `(r) => r.files.length > 0`. */
  when?: (req: RestRequest) => boolean;
}

function matches(m: FaultMatch, req: RestRequest): boolean {
  return (
    (!m.method || m.method.toUpperCase() === req.method) &&
    (!m.route || m.route === req.route) &&
    (!m.path || m.path.test(req.path)) &&
    (!m.when || m.when(req))
  );
}

export interface Fault extends FaultMatch {
  /** How many matching requests to fail before the fault is spent. */
  remaining: number;
  /** How many requests it failed so far. */
  hits: number;
  kind: NonNullable<RestCall['injected']>;
  respond: () => RestResponse;
}

export class FaultInjector {
  readonly active: Fault[] = [];

  /**
   * 429 with Discord's headers and body. `retryAfter` in seconds; @discordjs/rest waits it
   * (+50 ms offset) and retries the same request.
   */
  rateLimit(match: FaultMatch, opts: { retryAfter?: number; global?: boolean; times?: number } = {}): Fault {
    const retryAfter = opts.retryAfter ?? 0.3;
    return this.add(match, opts.times ?? 1, 'rate-limit', () => ({
      status: 429,
      headers: {
        'retry-after': String(retryAfter),
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset-after': String(retryAfter),
        'x-ratelimit-bucket': 'fake-bucket',
        'x-ratelimit-scope': opts.global ? 'global' : 'user',
        ...(opts.global ? { 'x-ratelimit-global': 'true' } : {}),
      },
      body: { message: 'You are being rate limited.', retry_after: retryAfter, global: Boolean(opts.global) },
    }));
  }

  /** A 5xx (default 500); @discordjs/rest retries these up to `retries` (3) times. */
  serverError(match: FaultMatch, opts: { status?: number; times?: number } = {}): Fault {
    const status = opts.status ?? 500;
    return this.add(match, opts.times ?? 1, 'server-error', () => ({
      status,
      body: { message: `${status}: fake-discord injected server error`, code: 0 },
    }));
  }

  /** Any response, e.g. a 403 for one call. */
  respond(match: FaultMatch, response: RestResponse, times = 1): Fault {
    return this.add(match, times, 'custom', () => response);
  }

  add(match: FaultMatch, times: number, kind: Fault['kind'], respond: () => RestResponse): Fault {
    const fault: Fault = { ...match, remaining: times, hits: 0, kind, respond };
    this.active.push(fault);
    return fault;
  }

  clear(): void {
    this.active.length = 0;
  }

  /** The first live fault matching this request, consumed by one. */
  take(req: RestRequest): Fault | undefined {
    const f = this.active.find((x) => x.remaining > 0 && matches(x, req));
    if (f) {
      f.remaining--;
      f.hits++;
    }
    return f;
  }
}

interface CompiledRoute extends Route {
  re: RegExp;
  keys: string[];
}

export class FakeRestServer {
  readonly calls: RestCall[] = [];
  /** Requests for routes the fake does not implement (a test can assert this stays empty). */
  readonly unimplemented: RestCall[] = [];
  readonly faults = new FaultInjector();
  readonly server: Server;
  private routes: CompiledRoute[] = [];
  private staticHandlers: ((req: IncomingMessage, res: ServerResponse) => boolean)[] = [];

  constructor(private readonly token: string) {
    this.server = createServer((req, res) => void this.onRequest(req, res));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setRoutes(routes: Route[]): void {
    this.routes = routes.map((r) => {
      const keys: string[] = [];
      const pattern = r.route.replace(/:(\w+)/g, (_, k: string) => {
        keys.push(k);
        return '([^/]+)';
      });
      return { ...r, keys, re: new RegExp(`^${pattern}$`) };
    });
  }

  /** Non-API handlers (e.g. attachment downloads); return true when handled. */
  addStatic(handler: (req: IncomingMessage, res: ServerResponse) => boolean): void {
    this.staticHandlers.push(handler);
  }

  /** Recorded calls, optionally filtered like faults (method, route template, path RegExp, predicate). */
  find(match: FaultMatch = {}): RestCall[] {
    return this.calls.filter((c) => matches(match, c));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (this.staticHandlers.some((h) => h(req, res))) return;
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const url = new URL(req.url ?? '/', this.origin);
      const method = (req.method ?? 'GET').toUpperCase();
      const raw = decodeURIComponent(url.pathname);
      const path = raw.startsWith(API_PREFIX) ? raw.slice(API_PREFIX.length) : raw;
      const match = raw.startsWith(API_PREFIX) ? this.match(method, path) : undefined;
      const body = await parseBody(req.headers['content-type'], Buffer.concat(chunks));
      const request: RestRequest = {
        method,
        path,
        route: match?.route.route ?? path,
        params: match?.params ?? {},
        query: url.searchParams,
        headers: req.headers,
        json: body.json,
        files: body.files,
        multipart: body.multipart,
      };
      let response: RestResponse;
      const fault = this.faults.take(request);
      if (fault) {
        response = fault.respond();
      } else if (!match) {
        response = {
          status: 404,
          body: { message: `fake-discord does not implement ${method} ${raw}`, code: 0 },
        };
      } else if (match.route.auth && req.headers.authorization !== `Bot ${this.token}`) {
        response = { status: 401, body: { message: '401: Unauthorized', code: 0 } };
      } else {
        response = await match.route.handle(request);
      }
      const call: RestCall = { ...request, at: Date.now(), status: response.status, response: response.body, injected: fault?.kind };
      this.calls.push(call);
      if (!match && !fault) this.unimplemented.push(call);
      send(res, response);
    } catch (error) {
      send(res, { status: 500, body: { message: `fake-discord internal error: ${(error as Error).stack}`, code: 0 } });
    }
  }

  private match(method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.re.exec(path);
      if (m) return { route, params: Object.fromEntries(route.keys.map((k, i) => [k, m[i + 1]!])) };
    }
    return undefined;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function send(res: ServerResponse, r: RestResponse): void {
  const headers: Record<string, string> = { ...r.headers };
  if (r.body === undefined) {
    res.writeHead(r.status, headers).end();
    return;
  }
  headers['content-type'] = 'application/json';
  res.writeHead(r.status, headers).end(JSON.stringify(r.body));
}

/** A Discord-shaped JSON error. */
export function apiError(status: number, code: number, message: string, errors?: unknown): RestResponse {
  return { status, body: { message, code, ...(errors ? { errors } : {}) } };
}
