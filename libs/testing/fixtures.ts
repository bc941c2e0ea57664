import type { Server } from 'node:http';
import request from 'supertest';
import { TEST_ADMIN_KEY } from './test-config';
import { WebhookSink } from './webhook-sink';

export interface TestProject {
  id: string;
  auth: { Authorization: string };
}

/** An outgoing project that accepts http endpoints; `config` is merged over that. */
export async function createTestProject(server: Server, config: Record<string, unknown> = {}, name = 'test'): Promise<TestProject> {
  const res = await request(server)
    .post('/api/v1/projects')
    .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
    .send({ name, type: 'outgoing', config: { ssl: { enforce_secure_endpoints: false }, ...config } })
    .expect(201);
  const data = res.body as { data: { project: { uid: string }; api_key: { key: string } } };
  return { id: data.data.project.uid, auth: { Authorization: `Bearer ${data.data.api_key.key}` } };
}

/** Loopback sinks started on demand and stopped together. */
export class Sinks {
  private readonly started: WebhookSink[] = [];

  async start(behaviour?: ConstructorParameters<typeof WebhookSink>[0]): Promise<WebhookSink> {
    const s = new WebhookSink(behaviour);
    await s.start();
    this.started.push(s);
    return s;
  }

  async stopAll(): Promise<void> {
    for (const s of this.started.splice(0)) await s.stop();
  }
}
