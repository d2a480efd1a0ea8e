/**
 * The console in Chromium against a real gateway and the operator simulators.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { eventually, type Harness, numberFor, startHarness } from '../../gateway/test/harness.js';
import {
  browserMissing,
  type ConsoleBrowser,
  ensureConsoleBuilt,
  launchBrowser,
  newPage,
  signIn,
} from './support.js';

const skip = browserMissing();
if (skip) process.stdout.write(`# console browser tests skipped: ${skip}\n`);

describe('console', { skip: skip ?? undefined, timeout: 300_000 }, () => {
  let h: Harness;
  let chrome: ConsoleBrowser;
  let origin: string;
  let page: Page;
  let outside: string[];

  async function call<T>(
    method: string,
    path: string,
    key: string,
    body?: unknown,
    headers = {},
  ): Promise<{ status: number; body: T }> {
    const r = await fetch(`${origin}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as T };
  }

  async function recharge(msisdn: string, reference: string) {
    return call<{ id: string; status: string }>(
      'POST',
      '/v1/recharges',
      h.keys.client,
      { msisdn, amount: '100', currency: 'AFN', reference },
      { 'idempotency-key': `console-${reference}` },
    );
  }

  const card = (id: string) => page.locator(`article[data-operator="${id}"]`);
  const go = async (name: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
  };

  before(async () => {
    ensureConsoleBuilt();
    h = await startHarness({
      edit: (config) => {
        // an unknown recharge waits for an admin after two status queries, not twenty
        config.gateway.reconciler.maxAttempts = 2;
      },
    });
    const address = h.gateway.app.server.address();
    assert.ok(address && typeof address === 'object');
    origin = `http://127.0.0.1:${address.port}`;
    chrome = await launchBrowser();
    ({ page, outside } = await newPage(chrome.browser, origin));
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await chrome?.close();
    await h?.close();
  });

  test('serves the console at /console, every page path falls back to index.html, assets are files', async () => {
    for (const path of ['/console', '/console/', '/console/transactions/rch_x', '/console/operators/new']) {
      const r = await fetch(`${origin}${path}`);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await r.text(), /<div id="root">/);
    }
    const missing = await fetch(`${origin}/console/assets/nope.js`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { code: string }).code, 'MNOGATE_ERR_REQUEST_NOT_FOUND');
  });

  test('signs in with an admin key, kept in session storage only, and refuses a client key', async () => {
    await page.goto(`${origin}/console/`);
    await page.getByLabel('Admin API key').fill(h.keys.client);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText("This key is valid but not an admin's.").waitFor();
    await page.getByLabel('Admin API key').fill('mng_not_a_key');
    await page.keyboard.press('Enter');
    await page.getByText('The gateway does not know this key.').waitFor();
    await signIn(page, origin, h.keys.admin);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('mnogate.adminKey')), h.keys.admin);
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    for (const op of h.config.operators) await card(op.id).waitFor();
    assert.deepEqual(outside, []);
  });

  test('shows every operator healthy, live', async () => {
    await go('Overview');
    for (const op of h.config.operators) {
      await card(op.id).locator('.badge', { hasText: 'healthy' }).waitFor({ timeout: 20_000 });
    }
    await card('awcc').getByText('Circuit').waitFor();
    assert.deepEqual(outside, []);
  });

  test('finds a recharge made through the API in Transactions, with its state timeline', async () => {
    const reference = `find-me-${Date.now()}`;
    const made = await recharge(numberFor('+9370'), reference);
    assert.equal(made.status, 201);
    assert.equal(made.body.status, 'succeeded');

    await go('Transactions');
    await page.getByLabel('Client reference').fill(reference);
    await page.getByLabel('Status').selectOption('succeeded');
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = page.getByRole('table', { name: 'Recharges' }).locator('tbody tr');
    const link = page.getByRole('table', { name: 'Recharges' }).getByRole('link', { name: made.body.id });
    // the unfiltered page may still be on screen (it lists this recharge too): wait for the search's answer
    await rows.nth(1).waitFor({ state: 'detached' });
    await link.waitFor();
    assert.equal(await rows.count(), 1);
    await link.click();
    await page.getByRole('heading', { level: 1, name: `Recharge ${made.body.id}` }).waitFor();
    const timeline = page.getByRole('list', { name: 'State timeline' });
    await timeline.getByText('succeeded').waitFor();
    const steps = await timeline.locator('li').allTextContents();
    assert.ok(steps.length >= 2, steps.join(' | '));
    assert.match(steps.at(-1) ?? '', /submitting → succeeded/);

    // the redacted exchange with the operator (awcc speaks ERS SOAP): the request and the answer
    const exchange = page.getByRole('list', { name: 'Operator exchanges' }).locator('li').first();
    await exchange.getByText('Recharge request').click();
    await exchange
      .getByText(/HTTP 200/)
      .first()
      .waitFor();
    const sent = (await exchange.locator('pre[data-message="request"]').textContent()) ?? '';
    const answer = (await exchange.locator('pre[data-message="response"]').textContent()) ?? '';
    assert.match(sent, /^POST http:\/\/127\.\d+\.\d+\.\d+:\d+\//);
    assert.match(sent, /\n {4,}<password>\[redacted\]<\/password>\n/, 'SOAP is indented for reading');
    assert.ok(sent.includes('[redacted]'), 'the credentials are redacted');
    assert.ok(!sent.includes('demo-ers-Pa55'), 'the password is not shown');
    assert.match(answer, /^HTTP 200/);
  });

  test('watches an operator turn unhealthy when the simulator takes it down', async () => {
    await go('Overview');
    await h.simulators.setFaults('awcc', { down: true });
    try {
      await card('awcc')
        .locator('.badge', { hasText: /^(down|degraded)$/ })
        .waitFor({ timeout: 45_000 });
      await card('awcc').locator('.updown.is-down').first().waitFor();
      await card('roshan').locator('.badge', { hasText: 'healthy' }).waitFor();
    } finally {
      await h.simulators.setFaults('awcc', { down: false });
    }
  });

  test('resolves an unknown recharge from the unresolved queue, with a reason', async () => {
    await h.simulators.setFaults('roshan', { status: 'busy' });
    let id: string;
    try {
      // 913: nothing credited and no answer, so the recharge is unknown; busy status queries cannot settle it
      const made = await recharge(numberFor('+9379', '913'), `unknown-${Date.now()}`);
      assert.equal(made.body.status, 'unknown');
      id = made.body.id;
      await eventually(async () => {
        const q = await call<{ items: { recharge: { id: string } }[] }>(
          'GET',
          '/v1/admin/unresolved',
          h.keys.admin,
        );
        return q.body.items.some((i) => i.recharge.id === id) ? true : undefined;
      }, 30_000);
    } finally {
      await h.simulators.setFaults('roshan', { status: 'none' });
    }

    await go('Unresolved');
    const row = page.locator(`tr[data-recharge="${id}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: `Resolve ${id}` }).click();
    const form = page.getByRole('form', { name: `Resolve ${id}` });
    await form.getByRole('button', { name: 'Resolve' }).click();
    await form.getByText('Choose succeeded or failed.').waitFor();
    await form.getByRole('radio', { name: /Failed/ }).check();
    await form.getByRole('button', { name: 'Resolve' }).click();
    await form.getByText(/Give the reason/).waitFor();
    await form.getByLabel('Reason (required, audited)').fill('operator confirms no credit (ticket OPS-42)');
    await form.getByRole('button', { name: 'Resolve' }).click();
    await page.getByText(`${id} resolved as failed.`).waitFor();
    await row.waitFor({ state: 'detached' });

    const after = await call<{ status: string; failure: { code: string } }>(
      'GET',
      `/v1/recharges/${id}`,
      h.keys.admin,
    );
    assert.equal(after.body.status, 'failed');
    assert.equal(after.body.failure.code, 'MNOGATE_ERR_RECHARGE_RESOLVED_BY_ADMIN');
  });

  test('onboards an operator through the wizard, fixing a field error on the way', async () => {
    await go('Operators');
    await page.getByRole('link', { name: 'Onboard an operator' }).click();
    await page.getByRole('heading', { level: 1, name: 'Onboard an operator' }).waitFor();
    const wizard = page.locator('form.panel');
    const next = () => wizard.getByRole('button', { name: 'Next' }).click();
    const errorOf = (field: string) => page.locator(`[data-field="${field}"] .field-error`);

    await page.getByLabel('Operator id').fill('kabul-telecom');
    await page.getByLabel('Name', { exact: true }).fill('Kabul Telecom');
    // a schema error shows at its field as soon as it is typed, and goes when fixed
    await page.getByLabel('Country').fill('Afghanistan');
    await errorOf('country')
      .getByText(/ISO 3166/)
      .waitFor();
    assert.equal(await page.getByLabel('Country').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Country').fill('AF');
    await errorOf('country').waitFor({ state: 'detached' });
    await page.getByLabel('Currency').fill('AFN');
    // +9370 is AWCC's: a check across operators, which runs once every field is well-formed
    await page.getByLabel('Number prefixes').fill('+9370');
    await next();

    await page.getByLabel('Product 1 minimum').fill('10');
    await page.getByLabel('Product 1 maximum').fill('1000');
    await next();

    await page.getByLabel('Endpoint URLs').fill('http://127.0.1.9:9009');
    await page.getByLabel('Credentials secret reference').fill('secret:mtn-api');
    await next();

    await page.getByLabel('Source IP').fill('127.0.0.41');
    await page.getByLabel('Egress subnet').fill('127.0.0.40/29');
    await next();

    await page.getByLabel('Operator VPN endpoint (peer IP)').fill('127.0.2.1');
    await page.getByLabel('Operator networks (remote CIDRs)').fill('127.0.3.0/24');
    // not a CIDR: a schema error, at the field at once
    await page.getByLabel('Tunnel 1 inside CIDR').fill('169.254.10.0');
    await errorOf('vpn.tunnels[0].insideCidr').waitFor();
    await page.getByLabel('Tunnel 1 inside CIDR').fill('169.254.10.0/30');
    await errorOf('vpn.tunnels[0].insideCidr').waitFor({ state: 'detached' });
    await page.getByLabel('Tunnel 1 pre-shared key reference').fill('secret:kabul-vpn#tunnel1');
    await page.getByLabel('Tunnel 2 pre-shared key reference').fill('secret:kabul-vpn#tunnel2');
    // one of AWS's reserved /30s: the semantic check says so at the field once the rest is well-formed
    await page.getByLabel('Tunnel 2 inside CIDR').fill('169.254.1.0/30');
    await errorOf('vpn.tunnels[1].insideCidr')
      .getByText(/reserved/)
      .waitFor();
    assert.equal(await page.getByLabel('Tunnel 2 inside CIDR').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Tunnel 2 inside CIDR').fill('169.254.10.4/30');
    await errorOf('vpn.tunnels[1].insideCidr').waitFor({ state: 'detached' });
    // every field is well-formed now: the cross-operator checks ran, and step 1 holds one problem
    await page.getByRole('button', { name: /^Step 1: Identity and prefixes, 1 problem$/ }).click();
    await errorOf('prefixes')
      .getByText(/also claimed by awcc/)
      .waitFor();
    await page.getByLabel('Number prefixes').fill('+9375');
    await errorOf('prefixes').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: /^Step 6: Review and save$/ }).click();

    await page.getByText('The configuration with this operator is valid.').waitFor();
    assert.match((await page.locator('pre[data-preview="plan"]').textContent()) ?? '', /127\.0\.0\.40\/29/);
    const swanctl = (await page.locator('pre[data-preview="swanctl"]').textContent()) ?? '';
    assert.match(swanctl, /kabul-telecom-tunnel1/);
    // the key itself is a placeholder (the real one stays in the secrets store)
    assert.ok(swanctl.includes(`0s${Buffer.from('<pre-shared key of tunnel 1>').toString('base64')}`));
    await page.getByRole('button', { name: 'Save and apply' }).click();
    await page.getByText('Saved: the gateway applied the new configuration.').waitFor({ timeout: 20_000 });

    const list = await call<{ items: { id: string }[] }>('GET', '/v1/operators', h.keys.admin);
    assert.ok(list.body.items.some((o) => o.id === 'kabul-telecom'));
    assert.deepEqual(outside, []);
  });

  test('browses the audit trail and verifies its chain', async () => {
    await go('Audit');
    const table = page.getByRole('table', { name: 'Audit entries' });
    await table.locator('tbody tr').first().waitFor();
    await page.getByLabel('Action').fill('recharge.resolve');
    await page.getByRole('button', { name: 'Filter' }).click();
    // the unfiltered rows may still be on screen while the filtered page loads: wait them out
    await table.getByText('recharge.accept').first().waitFor({ state: 'detached' });
    await table.getByText('recharge.resolve').first().waitFor();
    assert.equal(await table.getByText('recharge.accept').count(), 0);
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await page.getByText(/^Chain verified: \d+ entries/).waitFor();
    assert.deepEqual(outside, []);
  });
});
