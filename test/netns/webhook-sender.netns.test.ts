import { createWebhookDispatcher } from '../../src/modules/webhook-http/dispatcher.provider';
import { sendWebhook } from '../../src/modules/webhook-http/webhook-sender';
import { WebhookSink } from '../../libs/testing/webhook-sink';
import { Canaries } from './support/canaries';
import { describeInNetns } from './support/netns';

/**
 * The worker's own HTTP client (no proxy): a receiver that redirects to the cloud
 * metadata address must not make the worker follow, and a delivery URL that names a
 * forbidden address must not be dialled. Canaries listen on the forbidden addresses.
 */
describeInNetns('worker HTTP client (network namespace)', () => {
  let canaries: Canaries;
  let sink: WebhookSink;

  beforeAll(async () => {
    canaries = await Canaries.start();
    sink = new WebhookSink(() => ({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } }));
    await sink.start();
  });
  afterAll(async () => {
    await sink?.stop();
    await canaries?.stop();
  });
  afterEach(() => {
    expect(canaries.reached()).toEqual([]);
  });

  it('records a redirect to the metadata address as a failed attempt and never follows it', async () => {
    const dispatcher = createWebhookDispatcher({ egressProxyUrl: undefined, egressAllow: [sink.allowEntry] });
    try {
      const out = await sendWebhook(dispatcher, { url: `${sink.url}/hook`, headers: {}, body: '{}', timeoutMs: 2000 });
      expect(out.ok).toBe(false);
      expect(out.status).toBe(302);
      expect(out.errorClass).toBe('http_3xx');
      expect(out.error).toContain('not followed');
      expect(sink.receipts).toHaveLength(1);
    } finally {
      await dispatcher.close();
    }
  });

  it.each(['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', 'http://[::ffff:a9fe:a9fe]/', 'http://2852039166/'])(
    'refuses to dial %s and names the class',
    async (url) => {
      const dispatcher = createWebhookDispatcher({ egressProxyUrl: undefined, egressAllow: [] });
      try {
        const out = await sendWebhook(dispatcher, { url, headers: {}, body: '{}', timeoutMs: 2000 });
        expect(out.ok).toBe(false);
        expect(out.errorClass).toMatch(/^egress_denied:/);
      } finally {
        await dispatcher.close();
      }
    },
  );
});
