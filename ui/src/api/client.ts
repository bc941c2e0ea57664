import { createClient, type Client } from './gen/client';

export * as api from './gen/sdk.gen';
export type * from './gen/types.gen';
export type { Client };

/** An answer that was not a success, with Convoy's message and Caravan's machine-readable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** A client of this origin's API that sends `key` as the bearer token; `onUnauthorized` hears every 401 (a revoked or expired key). */
export function apiClient(key: string, onUnauthorized?: () => void): Client {
  const client = createClient({ baseUrl: window.location.origin, auth: () => key });
  if (onUnauthorized)
    client.interceptors.response.use((response) => {
      if (response.status === 401) onUnauthorized();
      return response;
    });
  return client;
}

interface Failure {
  message?: unknown;
  code?: unknown;
}

export function errorOf(response: Response | undefined, body: unknown): ApiError {
  const f = (body && typeof body === 'object' ? body : {}) as Failure;
  const status = response?.status ?? 0;
  const message = typeof f.message === 'string' && f.message ? f.message : status ? `the server answered ${status}` : 'the server could not be reached';
  return new ApiError(status, message, typeof f.code === 'string' ? f.code : undefined);
}

/** The `data` of a `{status, message, data}` envelope, or an ApiError. */
export async function unwrap<D extends { data: unknown }>(result: Promise<{ data?: D; error?: unknown; response?: Response }>): Promise<D['data']> {
  let r: { data?: D; error?: unknown; response?: Response };
  try {
    r = await result;
  } catch (e) {
    throw new ApiError(0, e instanceof Error ? `the server could not be reached (${e.message})` : 'the server could not be reached');
  }
  if (r.response?.ok && r.data !== undefined) return r.data.data;
  throw errorOf(r.response, r.error);
}
