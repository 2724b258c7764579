import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ClerkJson, type ClerkStore, orgIdOf, userIdOf } from './clerk-store';

/**
 * A local stand-in for Clerk's Backend API (https://api.clerk.com/v1), enough for a sweep: the
 * user, organization and membership lists and lookups with the shapes, filters and pagination
 * of Clerk's OpenAPI description (clerk/openapi-specs, bapi/2025-11-10.yml), Bearer auth, Clerk's
 * error body, and faults on demand: 429 with Retry-After, 5xx, a dropped connection, and an
 * occasional 500 at a given rate. The real `@clerk/backend` SDK talks to it unchanged.
 */

export type Fault =
  | { readonly status: 429; readonly retryAfterSeconds?: number }
  | { readonly status: 500 | 502 | 503 }
  /** The connection is closed without an answer. */
  | { readonly drop: true };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** When it arrived, epoch ms. */
  readonly at: number;
  /** The status answered (0 for a dropped connection). */
  status: number;
}

export interface ClerkApiServer {
  /** For `createClerkClient({ apiUrl })` and CLERK_API_URL. */
  readonly url: string;
  readonly store: ClerkStore;
  /** Every request, in order. */
  readonly requests: RecordedRequest[];
  /** The next requests get these faults, one each, before anything else is looked at. */
  injectFaults(...faults: Fault[]): void;
  /** From now on, this share of requests (0 to 1) answers 500. */
  setServerErrorRate(rate: number): void;
  /**
   * Lists filtered by id (`user_id`, `organization_id`) leave these ids out while the lookups by
   * id still find them: a list that lags behind, which a prune must not take for a deletion.
   */
  hideFromFilteredLists(ids: readonly string[]): void;
  close(): Promise<void>;
}

export interface ClerkApiServerOptions {
  readonly store: ClerkStore;
  /** The only key accepted in `Authorization: Bearer …`. */
  readonly secretKey: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default Math.random */
  readonly random?: () => number;
}

const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 10;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly longMessage: string,
  ) {
    super(message);
  }
}

export async function startClerkApiServer(options: ClerkApiServerOptions): Promise<ClerkApiServer> {
  const { store } = options;
  const random = options.random ?? Math.random;
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  let serverErrorRate = 0;
  const hidden = new Set<string>();

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const recorded: RecordedRequest = { method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, at: Date.now(), status: 0 };
    requests.push(recorded);
    const fault = faults.shift();
    if (fault !== undefined && 'drop' in fault) {
      request.socket.destroy();
      return;
    }
    try {
      if (request.headers.authorization !== `Bearer ${options.secretKey}`) {
        throw new ApiError(401, 'authentication_invalid', 'Unauthorized request', 'You are not authorized to perform this request');
      }
      if (fault !== undefined) {
        if (fault.status === 429) {
          if (fault.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(fault.retryAfterSeconds));
          throw new ApiError(429, 'too_many_requests', 'Too many requests', 'Too many requests, retry later');
        }
        throw new ApiError(fault.status, 'internal_clerk_error', 'Oops, something went wrong', 'Oops, something went wrong');
      }
      if (serverErrorRate > 0 && random() < serverErrorRate) {
        throw new ApiError(500, 'internal_clerk_error', 'Oops, something went wrong', 'Oops, something went wrong');
      }
      recorded.status = 200;
      send(response, 200, route(store, request, url, hidden));
    } catch (error) {
      const apiError =
        error instanceof ApiError ? error : new ApiError(500, 'internal_clerk_error', 'Oops, something went wrong', String(error));
      recorded.status = apiError.status;
      send(response, apiError.status, {
        errors: [{ message: apiError.message, long_message: apiError.longMessage, code: apiError.code }],
        clerk_trace_id: `trace_${requests.length}`,
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    requests,
    injectFaults: (...more) => void faults.push(...more),
    setServerErrorRate: (rate) => {
      serverErrorRate = rate;
    },
    hideFromFilteredLists: (ids) => ids.forEach((id) => hidden.add(id)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  // Exactly this value: the SDK parses JSON only when the header equals it.
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

function route(store: ClerkStore, request: IncomingMessage, url: URL, hidden: ReadonlySet<string>): unknown {
  if (request.method !== 'GET') throw notFound();
  const parts = url.pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
  if (parts[0] !== 'v1') throw notFound();
  const query = url.searchParams;
  const [, collection, id, sub] = parts;
  if (collection === 'users' && id === 'count' && sub === undefined) {
    return { object: 'total_count', total_count: filterUsers(store, query, hidden).length };
  }
  if (collection === 'users' && id === undefined) return paginate(filterUsers(store, query, hidden), query);
  if (collection === 'users' && sub === undefined) return store.users.get(id!) ?? notFoundThrown();
  if (collection === 'organizations' && id === undefined) {
    const ids = query.getAll('organization_id');
    const organizations = [...store.organizations.values()].filter(
      (organization) => ids.length === 0 || (ids.includes(String(organization.id)) && !hidden.has(String(organization.id))),
    );
    return paged(organizations, query);
  }
  if (collection === 'organizations' && sub === undefined) {
    return store.organizations.get(id!) ?? [...store.organizations.values()].find((organization) => organization.slug === id) ?? notFoundThrown();
  }
  if (collection === 'organizations' && sub === 'memberships' && parts.length === 4) {
    if (!store.organizations.has(id!)) throw notFound();
    const userIds = query.getAll('user_id');
    const memberships = [...store.memberships.values()].filter(
      (membership) => orgIdOf(membership) === id && (userIds.length === 0 || userIds.includes(userIdOf(membership))),
    );
    return paged(memberships, query);
  }
  if (collection === 'organization_memberships' && id === undefined) return paged([...store.memberships.values()], query);
  throw notFound();
}

function filterUsers(store: ClerkStore, query: URLSearchParams, hidden: ReadonlySet<string>): ClerkJson[] {
  const ids = query.getAll('user_id');
  const after = optionalInteger(query, 'created_at_after');
  const before = optionalInteger(query, 'created_at_before');
  return [...store.users.values()].filter(
    (user) =>
      (ids.length === 0 || (ids.includes(String(user.id)) && !hidden.has(String(user.id)))) &&
      (after === undefined || (user.created_at as number) > after) &&
      (before === undefined || (user.created_at as number) < before),
  );
}

/** `{ data, total_count }`, as every list but the users' answers. */
function paged(entities: ClerkJson[], query: URLSearchParams): { data: ClerkJson[]; total_count: number } {
  return { data: paginate(entities, query), total_count: entities.length };
}

/** Ordered by `order_by` (`+created_at` or `-created_at`, the default; ties by id), then offset and limit. */
function paginate(entities: ClerkJson[], query: URLSearchParams): ClerkJson[] {
  const orderBy = query.get('order_by') ?? '-created_at';
  if (!/^[+-]?created_at$/.test(orderBy)) {
    throw new ApiError(422, 'form_param_value_invalid', 'is invalid', `order_by "${orderBy}" is not supported by this local server`);
  }
  const limit = optionalInteger(query, 'limit') ?? DEFAULT_LIMIT;
  const offset = optionalInteger(query, 'offset') ?? 0;
  if (limit < 1 || limit > MAX_LIMIT) throw new ApiError(422, 'form_param_value_invalid', 'is invalid', `limit must be between 1 and ${MAX_LIMIT}`);
  if (offset < 0) throw new ApiError(422, 'form_param_value_invalid', 'is invalid', 'offset must be greater than or equal to 0');
  const direction = orderBy.startsWith('-') ? -1 : 1;
  const sorted = [...entities].sort(
    (a, b) => direction * ((a.created_at as number) - (b.created_at as number)) || (String(a.id) < String(b.id) ? -1 : 1),
  );
  return sorted.slice(offset, offset + limit);
}

function optionalInteger(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new ApiError(422, 'form_param_format_invalid', 'is invalid', `${name} must be an integer`);
  return value;
}

function notFound(): ApiError {
  return new ApiError(404, 'resource_not_found', 'not found', 'Resource not found');
}

function notFoundThrown(): never {
  throw notFound();
}
