import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The pages are served with a policy that allows nothing from elsewhere: the UI is built
 * into plain files, calls only this origin's API and must keep working with no outside
 * network. `no-referrer` keeps a portal link's token out of any Referer header.
 */
const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/** Where `npm run build` writes the UI: `dist/ui` beside the package's package.json (in the source tree and in dist/ alike). */
export function builtUiDir(from: string = __dirname): string {
  let dir = from;
  for (let i = 0; i < 8 && !existsSync(join(dir, 'package.json')); i++) dir = dirname(dir);
  return join(dir, 'dist', 'ui');
}

export interface WebUiStatus {
  served: boolean;
  dir: string;
}

/**
 * Serves the built web UI from the api role: the operator dashboard under `/ui` and the
 * customer portal at `/portal`, with the single-page fallback (any `/ui/...` path is the
 * dashboard's page, its router picks the view). Hashed assets are cached for a year.
 * When the UI was not built the pages answer 404 with a hint and the API is unaffected.
 */
export async function installWebUi(app: NestFastifyApplication, dir: string = builtUiDir()): Promise<WebUiStatus> {
  const fastify = app.getHttpAdapter().getInstance();
  const built = existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'portal.html'));
  const page = (file: string) => async (_req: unknown, reply: FastifyReply) => {
    if (!built) return reply.code(404).type('text/plain; charset=utf-8').send('The web UI is not built: run `npm run build`.\n');
    return reply.headers(PAGE_HEADERS).sendFile(file, dir, { cacheControl: false });
  };
  if (built) {
    await app.register(fastifyStatic, {
      root: join(dir, 'assets'),
      prefix: '/ui/assets/',
      decorateReply: true,
      index: false,
      immutable: true,
      maxAge: '365d',
      setHeaders: (reply) => void reply.header('x-content-type-options', 'nosniff'),
    });
  }
  fastify.get('/ui', page('index.html'));
  fastify.get('/ui/*', page('index.html'));
  fastify.get('/portal', page('portal.html'));
  return { served: built, dir };
}
