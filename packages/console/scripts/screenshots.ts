/**
 * Takes the screenshots in docs/screenshots/ (shown in the README): a real gateway and simulators,
 * some traffic, and each console page in Debian's Chromium at a laptop size.
 * Run: npm run screenshots -w @mnogate/console
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Harness, numberFor, startHarness } from '../../gateway/test/harness.js';
import { browserMissing, ensureConsoleBuilt, launchBrowser, newPage, signIn } from '../test/support.js';

const OUT = new URL('../../../docs/screenshots/', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function recharge(h: Harness, origin: string, msisdn: string, amount = '100') {
  const r = await fetch(`${origin}/v1/recharges`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${h.keys.client}`,
      'content-type': 'application/json',
      'idempotency-key': `shot-${crypto.randomUUID()}`,
    },
    body: JSON.stringify({
      msisdn,
      amount,
      currency: 'AFN',
      reference: `order-${Math.floor(Math.random() * 1e6)}`,
    }),
  });
  return (await r.json()) as { id: string; status: string };
}

const missing = browserMissing();
if (missing) {
  process.stderr.write(`${missing}\n`);
  process.exit(1);
}
ensureConsoleBuilt();
mkdirSync(OUT, { recursive: true });
const h = await startHarness({
  edit: (c) => {
    c.gateway.reconciler.maxAttempts = 1;
  },
});
const address = h.gateway.app.server.address() as { port: number };
const origin = `http://127.0.0.1:${address.port}`;
const chrome = await launchBrowser();
try {
  const { page, outside } = await newPage(chrome.browser, origin);
  const shot = async (name: string, fullPage = false) => {
    await sleep(300);
    await page.screenshot({ path: join(OUT, `${name}.png`), fullPage });
    process.stdout.write(`docs/screenshots/${name}.png\n`);
  };

  await page.goto(`${origin}/console/`);
  await page.getByLabel('Admin API key').fill('mng_wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('The gateway does not know this key.').waitFor();
  await shot('sign-in');

  await signIn(page, origin, h.keys.admin);
  // traffic for the charts: mostly successes, some refusals, one that no machine can settle
  await h.simulators.setFaults('roshan', { status: 'busy' });
  await recharge(h, origin, numberFor('+9379', '913'));
  for (let round = 0; round < 8; round++) {
    await Promise.all([
      recharge(h, origin, numberFor('+9370')),
      recharge(h, origin, numberFor('+9379')),
      recharge(h, origin, numberFor('+9378', round % 3 === 0 ? '901' : '000')),
      recharge(h, origin, numberFor('+9377')),
    ]);
    await sleep(1_500);
  }
  await h.simulators.setFaults('roshan', { status: 'none' });
  await h.simulators.setFaults('mtn', { down: true });
  await sleep(8_000);
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  await shot('overview', true);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Transactions' }).click();
  await page.getByRole('table', { name: 'Recharges' }).locator('tbody tr').nth(5).waitFor();
  await shot('transactions');
  await page.getByRole('table', { name: 'Recharges' }).locator('tbody tr a').first().click();
  await page.getByRole('list', { name: 'State timeline' }).waitFor();
  // the redacted exchange with the operator, opened
  await page.getByRole('list', { name: 'Operator exchanges' }).locator('summary').first().click();
  await shot('transaction-detail', true);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Unresolved' }).click();
  await page
    .getByRole('button', { name: /^Resolve rch_/ })
    .first()
    .click();
  await page.getByRole('radio', { name: /Failed/ }).check();
  await page.getByLabel('Reason (required, audited)').fill('operator confirms no credit (ticket OPS-42)');
  await shot('unresolved');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operators' }).click();
  await page.getByRole('table', { name: 'Operators' }).locator('tbody tr').nth(3).waitFor();
  await shot('operators');
  await page.getByRole('link', { name: 'Etisalat Afghanistan' }).first().click();
  await page.getByRole('table', { name: 'Products' }).locator('tbody tr').first().waitFor();
  await shot('operator-detail', true);

  await page.goto(`${origin}/console/operators/new`);
  await page.getByLabel('Operator id').fill('kabul-telecom');
  await page.getByLabel('Name', { exact: true }).fill('Kabul Telecom');
  await page.getByLabel('Country').fill('Afghanistan');
  await page.getByLabel('Currency').fill('AFN');
  await page.getByLabel('Number prefixes').fill('+9375');
  await page.locator('[data-field="country"] .field-error').waitFor();
  await shot('onboard-field-error');
  await page.getByLabel('Country').fill('AF');
  const next = () => page.locator('form.panel').getByRole('button', { name: 'Next' }).click();
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
  await page.getByLabel('Tunnel 1 inside CIDR').fill('169.254.10.0/30');
  await page.getByLabel('Tunnel 2 inside CIDR').fill('169.254.1.0/30');
  await page.getByLabel('Tunnel 1 pre-shared key reference').fill('secret:kabul-vpn#tunnel1');
  await page.getByLabel('Tunnel 2 pre-shared key reference').fill('secret:kabul-vpn#tunnel2');
  await page.locator('[data-field="vpn.tunnels[1].insideCidr"] .field-error').waitFor();
  await shot('onboard-vpn');
  await page.getByLabel('Tunnel 2 inside CIDR').fill('169.254.10.4/30');
  await next();
  await page.getByText('The configuration with this operator is valid.').waitFor();
  await shot('onboard-review', true);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await page.getByRole('table', { name: 'Audit entries' }).locator('tbody tr').nth(3).waitFor();
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  await page.getByText(/^Chain verified/).waitFor();
  await shot('audit');

  if (outside.length > 0) throw new Error(`requests outside the gateway: ${outside.join(', ')}`);
} finally {
  await chrome.close();
  await h.close();
}
