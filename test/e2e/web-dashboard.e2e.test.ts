import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Receipt, TEST_ADMIN_KEY, waitUntil, WebhookSink } from '../../libs/testing';
import { IN_PAGE, screenshotDir, WebStack } from './support/web-stack';

/**
 * The operator dashboard in a real browser against the built api and worker: sign in with
 * a project key, create an endpoint and a subscription, send an event, watch its delivery
 * fail (the sink answers 500 first), read the attempt, resend it and see it succeed.
 */
describe('the operator dashboard in chromium (e2e)', () => {
  let failing = true;
  const sink = new WebhookSink((req) => (failing && req.url?.startsWith('/orders') ? { status: 500 } : { status: 200 }));
  /** what the endpoint received (the project's meta events go to /meta) */
  const orders = (r: Receipt[]) => r.filter((x) => x.path.startsWith('/orders')).length;
  const stack = new WebStack(sink);
  let projectID = '';
  let projectKey = '';
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    await stack.start();
    const created = await stack.api('POST', '/api/v1/projects', {
      name: 'Shop',
      type: 'outgoing',
      // no automatic retry: the first 500 leaves the delivery failed for the operator to resend
      config: {
        ssl: { enforce_secure_endpoints: false },
        strategy: { type: 'linear', duration: 1, retry_count: 0 },
        meta_event: { is_enabled: true, type: 'http', url: `${sink.url}/meta`, event_type: ['endpoint.created'] },
      },
    });
    expect(created.status).toBe(201);
    projectID = created.data.project.uid;
    projectKey = created.data.api_key.key;
    ({ page, problems } = await stack.page());
  }, 90_000);

  afterAll(async () => {
    await stack.stop();
  }, 30_000);

  const section = (name: string) => page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name, exact: true });

  afterEach(() => {
    expect(problems).toEqual([]);
  });

  it('refuses a wrong key and signs in with a project key kept in session storage', async () => {
    await page.goto(`${stack.base}/ui`);
    const key = page.getByLabel('API key');
    await key.fill('CO.wrongwrongwrong.wrongwrongwrongwrongwrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/invalid api key/i);

    await key.fill(projectKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await expect(page.evaluate(() => sessionStorage.getItem('caravan.dashboard.key'))).resolves.toBe(projectKey);
    await page.getByRole('link', { name: 'Shop' }).click();
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/ui/projects/${projectID}/endpoints`);
  });

  it('creates an endpoint and shows its secret once', async () => {
    await page.getByText('New endpoint').click();
    await page.getByLabel('Name', { exact: true }).fill('Orders receiver');
    await page.getByLabel('URL').fill(`${sink.url}/orders`);
    await page.getByLabel('Owner ID (optional)').fill('owner-a');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    const secret = await page.getByTestId('once-secret').textContent();
    expect(secret?.length).toBeGreaterThan(10);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await expect(page.getByTestId('once-secret').count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Orders receiver' }).waitFor();
  });

  it('creates a subscription and tests a filter before saving it', async () => {
    await section('Subscriptions').click();
    await page.getByRole('heading', { name: 'Subscriptions' }).waitFor();
    await page.getByRole('button', { name: 'Test filter' }).click();
    await expect(page.getByRole('status').filter({ hasText: /match/i }).first().textContent()).resolves.toMatch(/^Match/);
    await page.getByLabel('Sample payload (JSON)').fill('{"amount": 20}');
    await page.getByRole('button', { name: 'Test filter' }).click();
    await page.getByText(/^No match/).waitFor();

    await page.getByText('New subscription').click();
    await page.getByLabel('Name', { exact: true }).fill('all orders');
    await page.getByRole('button', { name: 'Create subscription' }).click();
    await page.getByRole('cell', { name: 'all orders' }).waitFor();
    // its filter rows per event type, and one of them copied into the test form
    await page.getByText('Filters by type').click();
    await page.getByRole('listitem').filter({ hasText: '*' }).getByRole('button', { name: 'Try this filter' }).click();
    await expect(page.getByLabel('Body filter (JSON)').first().inputValue()).resolves.toBe('{}');
  });

  it('sends an event, shows the failed delivery with its attempt, resends it and replays the event', async () => {
    await section('Events').click();
    await page.getByText('Send a test event').click();
    await page.getByLabel('Type of the event to send').fill('order.paid');
    await page.getByLabel('Payload (JSON)').fill('{"order": {"id": "o_1"}, "amount": 120}');
    await page.getByRole('button', { name: 'Send event' }).click();
    await page.getByText(/^Event .* sent$/).waitFor();
    await sink.waitFor((r) => orders(r) >= 1);

    // search by payload containment finds it
    await page.getByLabel('Payload contains (JSON)').fill('{"order":{"id":"o_1"}}');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'order.paid' }).click();
    await page.getByRole('heading', { name: 'Event order.paid' }).waitFor();

    // the delivery fails on the sink's 500 (retry_count 0): wait for the page to show it
    for (let i = 0; i < 40 && (await page.locator('tr[data-delivery]').getByText('Failure').count()) === 0; i++) {
      await page.getByRole('button', { name: 'Refresh deliveries' }).click();
      await page.waitForTimeout(250);
    }
    await page.locator('tr[data-delivery]').getByText('Failure').waitFor();
    await page.getByRole('button', { name: 'Attempts' }).click();
    const attempt = page.locator('li.attempt').first();
    await attempt.getByText('HTTP 500').waitFor();
    await attempt.getByText('Request headers').click();
    await attempt
      .getByText(/x-convoy-signature|convoy-signature/i)
      .first()
      .waitFor();
    await page.screenshot({ path: join(screenshotDir(), 'dashboard-event.png'), fullPage: true });

    failing = false;
    await page.getByRole('button', { name: 'Resend' }).click();
    await sink.waitFor((r) => orders(r) >= 2);
    for (let i = 0; i < 40 && (await page.locator('tr[data-delivery]').getByText('Success').count()) === 0; i++) {
      await page.getByRole('button', { name: 'Refresh deliveries' }).click();
      await page.waitForTimeout(250);
    }
    await page.locator('tr[data-delivery]').getByText('Success').waitFor();
    await page.locator('li.attempt').getByText('HTTP 200').waitFor();
    await expect(page.locator('li.attempt').count()).resolves.toBe(2);

    await page.getByRole('button', { name: 'Replay event' }).click();
    await page.getByText(/^Event replayed/).waitFor();
    await sink.waitFor((r) => orders(r) >= 3);
  });

  it('retries every failed delivery at once from the deliveries page', async () => {
    failing = true;
    const ep = await stack.api('GET', `/api/v1/projects/${projectID}/endpoints`, undefined, projectKey);
    const endpoint_id = ep.data.content[0].uid;
    const before = orders(sink.receipts);
    for (const n of [1, 2]) {
      expect(
        (await stack.api('POST', `/api/v1/projects/${projectID}/events`, { endpoint_id, event_type: 'order.refunded', data: { n } }, projectKey)).status,
      ).toBe(201);
    }
    await sink.waitFor((r) => orders(r) >= before + 2);
    failing = false;
    await section('Deliveries').click();
    await page.getByRole('checkbox', { name: 'Failure' }).check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    expect(new URL(page.url()).searchParams.getAll('status')).toEqual(['Failure']);
    // the worker may still be recording the second failure
    for (let i = 0; i < 40 && (await page.locator('tr[data-delivery]').count()) < 2; i++) {
      await page.reload();
      await page.waitForTimeout(250);
    }
    await page.getByRole('button', { name: 'Retry all matching' }).click();
    await page.getByText('2 deliveries queued again').waitFor();
    await sink.waitFor((r) => orders(r) >= before + 4);
  });

  it('shows endpoints with status, breaker, failure rate and the per-minute chart; pauses, activates and rolls a secret', async () => {
    await section('Endpoints').click();
    await page.getByText(/deliveries made in the last 30 minutes, by their status now: \d+ failed/).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Orders receiver' });
    await row.getByText('Status: active').waitFor();
    await page.screenshot({ path: join(screenshotDir(), 'dashboard-endpoints.png'), fullPage: true });
    await row.getByRole('button', { name: 'Pause Orders receiver' }).click();
    await row.getByText('Status: paused').waitFor();
    await row.getByRole('button', { name: 'Activate Orders receiver' }).click();
    await row.getByText('Status: active').waitFor();

    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Roll the secret of Orders receiver' }).click();
    expect((await page.getByTestId('once-secret').textContent())?.length).toBeGreaterThan(10);
    await page.getByRole('button', { name: 'I have stored it' }).click();
  });

  it('lists the meta events the project was sent and resends one', async () => {
    await sink.waitFor((r) => r.some((x) => x.path === '/meta'));
    await section('Meta events').click();
    const row = page.getByRole('row').filter({ hasText: 'endpoint.created' });
    await row.getByText('Success', { exact: true }).waitFor();
    const sent = sink.receipts.filter((x) => x.path === '/meta').length;
    await row.getByRole('button', { name: 'Resend' }).click();
    await row.getByText('Queued again').waitFor();
    await sink.waitFor((r) => r.filter((x) => x.path === '/meta').length > sent);
  });

  it('works by keyboard and at a phone width', async () => {
    await page.goto(`${stack.base}/ui/projects/${projectID}/deliveries`);
    await page.keyboard.press('Tab');
    await expect(page.locator(':focus').textContent()).resolves.toBe('Skip to content');
    // past the brand to the first section link; following it moves the focus to the new page's heading
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(page.locator(':focus').textContent()).resolves.toBe('Endpoints');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    await expect(page.locator(':focus').evaluate((e) => e.tagName + ' ' + e.textContent)).resolves.toBe('H1 Endpoints');
    await page.goBack();
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    // nothing but the tables' own scroll boxes may be wider than the screen
    await expect(page.evaluate<string[]>(IN_PAGE.tooWide)).resolves.toEqual([]);
    await page.screenshot({ path: join(screenshotDir(true), 'dashboard-phone.png'), fullPage: true });
    await expect(page.evaluate<number>(IN_PAGE.scrollWidth)).resolves.toBeLessThanOrEqual(375);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    await expect(page.evaluate(() => sessionStorage.getItem('caravan.dashboard.key'))).resolves.toBeNull();
  });

  it('signs in with the instance admin key and lists every project', async () => {
    expect((await stack.api('POST', '/api/v1/projects', { name: 'Warehouse', type: 'outgoing' })).status).toBe(201);
    await page.getByLabel('API key').fill(TEST_ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Warehouse' }).waitFor();
    await page.getByRole('link', { name: 'Shop' }).waitFor();
  });

  it('sends the user back to the sign-in form when the key is revoked while signed in', async () => {
    const issued = await stack.api('POST', `/api/v1/projects/${projectID}/api-keys`, { name: 'temporary' });
    expect(issued.status).toBe(201);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').fill(issued.data.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Shop' }).click();
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    expect((await stack.api('DELETE', `/api/v1/projects/${projectID}/api-keys/${issued.data.uid}`)).status).toBeLessThan(300);
    // a key lookup in flight when the key is revoked can put it back in the api's cache for its TTL (10 s)
    await waitUntil(
      'the revoked key to be refused',
      async () => (await stack.api('GET', '/api/v1/projects', undefined, issued.data.key)).status === 401,
      15_000,
      100,
    );
    await section('Events').click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/no longer accepted/);
    await page.getByLabel('API key').waitFor();
    await expect(page.evaluate<string | null>("sessionStorage.getItem('caravan.dashboard.key')")).resolves.toBeNull();
  });
});
