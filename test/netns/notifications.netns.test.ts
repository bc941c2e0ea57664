import { postToSlack } from '../../src/modules/notifications/notification.sender';
import { createWebhookDispatcher } from '../../src/modules/webhook-http/dispatcher.provider';
import { sendWebhook } from '../../src/modules/webhook-http/webhook-sender';
import { Canaries } from './support/canaries';
import { describeInNetns } from './support/netns';

/**
 * A Slack notification takes the deliveries' guarded client: a slack_webhook_url that
 * names a forbidden address (one written before a policy change, or a name that came to
 * resolve there) is refused at dial time, and not retried. Canaries listen on the
 * forbidden addresses; none may be reached.
 */
describeInNetns('Slack notifications (network namespace)', () => {
  let canaries: Canaries;
  const payload = {
    project_id: 'P',
    project_name: 'p',
    endpoint_id: 'E',
    endpoint_name: 'e',
    endpoint_url: 'https://example.com/',
    at: new Date(0).toISOString(),
    from: 'active',
    to: 'inactive',
  };

  beforeAll(async () => {
    canaries = await Canaries.start();
  });
  afterAll(async () => {
    await canaries?.stop();
  });
  afterEach(() => {
    expect(canaries.reached()).toEqual([]);
  });

  it.each(['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/services/T000/B000/x', 'http://[::ffff:a9fe:a9fe]/'])(
    'refuses to post to %s and gives up at once',
    async (url) => {
      const dispatcher = createWebhookDispatcher({ egressProxyUrl: undefined, egressAllow: [] });
      try {
        const out = await postToSlack((req) => sendWebhook(dispatcher, req), url, { kind: 'endpoint.disabled', payload }, 2000);
        expect(out.ok).toBe(false);
        expect(out.retryable).toBe(false);
        expect(out.error).toMatch(/denied|egress/i);
      } finally {
        await dispatcher.close();
      }
    },
  );
});
