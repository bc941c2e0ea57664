import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { WebhookSink } from '../../libs/testing';
import { IN_PAGE, screenshotDir, WebStack } from './support/web-stack';

/**
 * The customer portal in a real browser against the built api and worker: two owners'
 * links, each page showing only its owner's endpoints and deliveries, endpoint management
 * when the link allows it, a retry of a failed delivery, and a revoked link that stops working.
 */
describe('the customer portal in chromium (e2e)', () => {
  let failA = true;
  const sink = new WebhookSink((req) => (req.url?.startsWith('/a') && failA ? { status: 500 } : { status: 200 }));
  const stack = new WebStack(sink);
  let projectID = '';
  let linkA: { uid: string; token: string; url: string };
  let linkB: { uid: string; token: string };
  let pageA: Page;
  let pageB: Page;
  const problems: string[] = [];

  async function endpointWithSubscription(name: string, owner: string, path: string): Promise<string> {
    const ep = await stack.api('POST', `/api/v1/projects/${projectID}/endpoints`, { name, url: `${sink.url}${path}`, owner_id: owner });
    expect(ep.status).toBe(201);
    const sub = await stack.api('POST', `/api/v1/projects/${projectID}/subscriptions`, { name: `${name} sub`, endpoint_id: ep.data.uid });
    expect(sub.status).toBe(201);
    return ep.data.uid as string;
  }

  async function open(token: string): Promise<Page> {
    const { page, problems: p } = await stack.page();
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${stack.base}/portal?token=${encodeURIComponent(token)}`);
    await page.getByRole('heading', { name: 'Your webhook endpoints' }).waitFor();
    problems.push(...p);
    return page;
  }

  const endpointCell = (page: Page, name: string) => page.getByRole('region', { name: 'Your endpoints', exact: true }).getByRole('cell', { name, exact: true });

  async function refreshUntil(page: Page, what: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 40 && !(await what()); i++) {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForTimeout(250);
    }
  }

  beforeAll(async () => {
    await stack.start();
    const created = await stack.api('POST', '/api/v1/projects', {
      name: 'Shop',
      type: 'outgoing',
      config: { ssl: { enforce_secure_endpoints: false }, strategy: { type: 'linear', duration: 1, retry_count: 0 } },
    });
    projectID = created.data.project.uid;
    const a = await endpointWithSubscription('Alpha orders', 'owner-a', '/a');
    const b = await endpointWithSubscription('Bravo ledger', 'owner-b', '/b');
    for (const [endpoint_id, event_type] of [
      [a, 'alpha.order.paid'],
      [b, 'bravo.ledger.closed'],
    ]) {
      expect((await stack.api('POST', `/api/v1/projects/${projectID}/events`, { endpoint_id, event_type, data: { endpoint_id } })).status).toBe(201);
    }
    await sink.waitFor((r) => r.length >= 2);
    const la = await stack.api('POST', `/api/v1/projects/${projectID}/portal-links`, { name: 'Alpha portal', owner_id: 'owner-a', can_manage_endpoint: true });
    const lb = await stack.api('POST', `/api/v1/projects/${projectID}/portal-links`, { name: 'Bravo portal', owner_id: 'owner-b', can_manage_endpoint: false });
    expect([la.status, lb.status]).toEqual([201, 201]);
    linkA = la.data;
    linkB = lb.data;
    expect(linkA.url).toMatch(/\/portal\?token=/);
  }, 90_000);

  afterAll(async () => {
    await stack.stop();
  }, 30_000);

  afterEach(() => {
    expect(problems).toEqual([]);
  });

  it("shows owner A only A's endpoints and deliveries, and takes the token out of the address bar", async () => {
    pageA = await open(linkA.token);
    expect(new URL(pageA.url()).search).toBe('');
    await endpointCell(pageA, 'Alpha orders').waitFor();
    await refreshUntil(pageA, async () => (await pageA.locator('tr[data-delivery]').getByText('Failure').count()) > 0);
    await pageA.getByRole('cell', { name: 'alpha.order.paid' }).waitFor();
    const text = await pageA.locator('main').innerText();
    expect(text).not.toContain('Bravo');
    expect(text).not.toContain('bravo.ledger.closed');
  });

  it('retries a failed delivery and shows its attempts', async () => {
    const row = pageA.locator('tr[data-delivery]').filter({ hasText: 'alpha.order.paid' });
    await row.getByRole('button', { name: 'Attempts' }).click();
    await pageA.locator('li.attempt').getByText('HTTP 500').waitFor();
    failA = false;
    const before = sink.receipts.length;
    await row.getByRole('button', { name: 'Retry' }).click();
    await sink.waitFor((r) => r.length > before && r[r.length - 1].path.startsWith('/a'));
    await refreshUntil(pageA, async () => (await pageA.locator('tr[data-delivery]').getByText('Success').count()) > 0);
    await pageA.locator('tr[data-delivery]').getByText('Success').waitFor();
    // the open attempts list is read again with the delivery: both tries are there
    await pageA.locator('li.attempt').getByText('HTTP 200').waitFor();
    await expect(pageA.locator('li.attempt').count()).resolves.toBe(2);
  });

  it('adds an endpoint (its secret shown once), edits, pauses and deletes it', async () => {
    await pageA.getByText('Add an endpoint').click();
    await pageA.getByLabel('Name').fill('Alpha refunds');
    await pageA.getByLabel('URL').fill(`${sink.url}/a/refunds`);
    await pageA.getByRole('button', { name: 'Add endpoint' }).click();
    expect((await pageA.getByTestId('once-secret').textContent())?.length).toBeGreaterThan(10);
    await pageA.getByRole('button', { name: 'I have stored it' }).click();
    await pageA.screenshot({ path: join(screenshotDir(), 'portal.png'), fullPage: true });

    const row = pageA.locator('tr[data-endpoint]').filter({ hasText: 'Alpha refunds' });
    await row.getByRole('button', { name: 'Edit Alpha refunds' }).click();
    const form = pageA.getByRole('form', { name: 'Edit Alpha refunds' });
    await form.getByLabel('Name').fill('Alpha returns');
    await form.getByRole('button', { name: 'Save' }).click();
    const renamed = pageA.locator('tr[data-endpoint]').filter({ hasText: 'Alpha returns' });
    await renamed.getByRole('button', { name: 'Pause Alpha returns' }).click();
    await renamed.getByText('Status: paused').waitFor();
    await renamed.getByRole('button', { name: 'Delete Alpha returns' }).click();
    await pageA.locator('tr[data-endpoint]').filter({ hasText: 'Alpha returns' }).waitFor({ state: 'detached' });
  });

  it("shows owner B only B's rows, read-only, at a phone's width", async () => {
    pageB = await open(linkB.token);
    await pageB.setViewportSize({ width: 375, height: 800 });
    await endpointCell(pageB, 'Bravo ledger').waitFor();
    await pageB.getByRole('cell', { name: 'bravo.ledger.closed' }).waitFor();
    const text = await pageB.locator('main').innerText();
    expect(text).not.toContain('Alpha');
    expect(text).not.toContain('alpha.order.paid');
    await expect(pageB.getByText('Add an endpoint').count()).resolves.toBe(0);
    await expect(pageB.getByRole('button', { name: /^(Pause|Delete|Edit)/ }).count()).resolves.toBe(0);
    await expect(pageB.evaluate<string[]>(IN_PAGE.tooWide)).resolves.toEqual([]);
    await pageB.screenshot({ path: join(screenshotDir(true), 'portal-phone.png'), fullPage: true });
    await expect(pageB.evaluate<number>(IN_PAGE.scrollWidth)).resolves.toBeLessThanOrEqual(375);
  });

  it('stops working once the link is revoked', async () => {
    expect((await stack.api('PUT', `/api/v1/projects/${projectID}/portal-links/${linkA.uid}/revoke`)).status).toBeLessThan(300);
    await pageA.reload();
    await expect(pageA.getByRole('alert').textContent()).resolves.toMatch(/no longer works/);
    await expect(pageA.getByRole('cell', { name: 'Alpha orders' }).count()).resolves.toBe(0);
    // the old address with the token does not open it either
    await pageA.goto(`${stack.base}/portal?token=${encodeURIComponent(linkA.token)}`);
    await expect(pageA.getByRole('alert').textContent()).resolves.toMatch(/no longer works/);
    // B's link is untouched
    await pageB.reload();
    await endpointCell(pageB, 'Bravo ledger').waitFor();
  });
});
