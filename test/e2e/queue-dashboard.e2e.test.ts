import request from 'supertest';
import { ApiHarness, createTestProject, startApiHarness, TEST_ADMIN_KEY } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';

/** bull-board at /queues: only the instance admin key opens it, and it is not there unless enabled. */
describe('queue dashboard (e2e)', () => {
  describe('enabled', () => {
    let h: ApiHarness;
    const http = () => request(h.app.getHttpServer());

    beforeAll(async () => {
      h = await startApiHarness(createApiApp, { queueDashboardEnabled: true });
    });
    afterAll(async () => {
      await h.close();
    });

    it('answers 401 without the admin key, and asks a browser for it', async () => {
      const res = await http().get('/queues').expect(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="Caravan queues", charset="UTF-8"');
      await http().get('/queues/api/queues').expect(401);
      await http().get('/queues').set('Authorization', 'Bearer not-the-admin-key-0123456789').expect(401);
    });

    it("refuses a project's API key", async () => {
      const p = await createTestProject(h.app.getHttpServer(), {}, 'dash');
      await http().get('/queues/api/queues').set(p.auth).expect(401);
    });

    it('shows every queue to the admin key, as Bearer or as the Basic password', async () => {
      const page = await http().get('/queues').set('Authorization', `Bearer ${TEST_ADMIN_KEY}`).expect(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.text).toContain('Caravan queues');
      const basic = `Basic ${Buffer.from(`admin:${TEST_ADMIN_KEY}`).toString('base64')}`;
      const api = await http().get('/queues/api/queues').set('Authorization', basic).expect(200);
      const names = (api.body as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
      expect(names).toEqual(['deliveries', 'retries', 'routing']);
    });
  });

  describe('disabled (the default)', () => {
    let h: ApiHarness;

    beforeAll(async () => {
      h = await startApiHarness(createApiApp);
    });
    afterAll(async () => {
      await h.close();
    });

    it('is not there, with or without the key', async () => {
      await request(h.app.getHttpServer()).get('/queues').set('Authorization', `Bearer ${TEST_ADMIN_KEY}`).expect(404);
      await request(h.app.getHttpServer()).get('/queues').expect(404);
    });
  });
});
