import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeysService } from '../auth';

export const QUEUE_DASHBOARD_PATH = '/queues';

/**
 * The instance admin key from `Authorization: Bearer <key>`, or from HTTP Basic (any user
 * name, the key as the password) so a browser can open the dashboard.
 */
export function dashboardToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/**
 * bull-board at /queues (QUEUE_DASHBOARD_ENABLED): every queue's jobs, with retry and
 * clean buttons. Only an instance admin key opens it, checked before anything of the
 * dashboard runs. Redis is a wake-up hint, so what it shows (and what its buttons do)
 * never loses or duplicates a delivery: PostgreSQL stays the record.
 */
export async function installQueueDashboard(fastify: FastifyInstance, queues: Queue[], keys: ApiKeysService): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter, options: { uiConfig: { boardTitle: 'Caravan queues' } } });
  await fastify.register(
    async (scope) => {
      scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
        const given: unknown = req.headers.authorization;
        const token = dashboardToken(typeof given === 'string' ? given : undefined);
        const principal = token ? await keys.authenticate(token) : undefined;
        if (principal?.kind !== 'instance') {
          return reply
            .code(401)
            .header('www-authenticate', 'Basic realm="Caravan queues", charset="UTF-8"')
            .send({ status: false, message: 'the queue dashboard needs the instance admin key', code: 'unauthorized' });
        }
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: QUEUE_DASHBOARD_PATH },
  );
}
