import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtUiDir, installWebUi } from './web-ui';

@Module({})
class EmptyModule {}

async function appServing(dir: string): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(EmptyModule, new FastifyAdapter(), { logger: false });
  await installWebUi(app, dir);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe('web UI serving', () => {
  const dir = mkdtempSync(join(tmpdir(), 'caravan-ui-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds dist/ui beside the package.json, from the sources and from dist alike', () => {
    const root = join(__dirname, '..', '..', '..');
    expect(builtUiDir()).toBe(join(root, 'dist', 'ui'));
    expect(builtUiDir(join(root, 'dist', 'src', 'modules', 'web-ui'))).toBe(join(root, 'dist', 'ui'));
  });

  it('answers 404 with a hint when the UI was not built', async () => {
    const app = await appServing(join(dir, 'missing'));
    const res = await app.inject({ method: 'GET', url: '/ui' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('npm run build');
    await app.close();
  });

  it('serves both pages with a same-origin-only policy, the dashboard for every /ui path, and hashed assets for a year', async () => {
    mkdirSync(join(dir, 'built', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'built', 'index.html'), '<p>dashboard</p>');
    writeFileSync(join(dir, 'built', 'portal.html'), '<p>portal</p>');
    writeFileSync(join(dir, 'built', 'assets', 'app-abc123.js'), 'console.log(1)');
    const app = await appServing(join(dir, 'built'));
    for (const url of ['/ui', '/ui/', '/ui/projects/p1/events/e1']) {
      const res = await app.inject({ method: 'GET', url });
      expect([url, res.statusCode, res.body]).toEqual([url, 200, '<p>dashboard</p>']);
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['content-security-policy']).toContain("connect-src 'self'");
      expect(res.headers['cache-control']).toBe('no-store');
    }
    const portal = await app.inject({ method: 'GET', url: '/portal?token=abc' });
    expect(portal.body).toBe('<p>portal</p>');
    expect(portal.headers['referrer-policy']).toBe('no-referrer');
    const asset = await app.inject({ method: 'GET', url: '/ui/assets/app-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ method: 'GET', url: '/ui/assets/nope.js' })).statusCode).toBe(404);
    await app.close();
  });
});
