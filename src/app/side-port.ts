import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

export type SideRoute = (req: IncomingMessage) => Promise<{ status: number; body: unknown; contentType?: string }>;

/**
 * A tiny HTTP server for roles without an API (worker, egress): liveness, readiness and
 * metrics only. Not part of the OpenAPI document.
 */
export async function startSidePort(host: string, port: number, routes: Record<string, SideRoute>): Promise<Server | undefined> {
  if (port === 0) return undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes[path];
    if (!route || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"status":"not found"}');
      return;
    }
    route(req).then(
      (r) => {
        const body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
        res.writeHead(r.status, { 'content-type': r.contentType ?? 'application/json' }).end(body);
      },
      (e: unknown) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', error: (e as Error).message })),
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

export async function stopSidePort(server: Server | undefined): Promise<void> {
  if (!server) return;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
}
