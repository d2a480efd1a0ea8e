/** `nft -c -f` accepts the rendered rules, checked inside a network namespace of this test. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { renderNftables } from '../src/render/nftables.js';
import { createNetns, requireCapability } from './helpers/charon.js';
import { loadExample } from './helpers/config.js';

const run = promisify(execFile);
const aws = loadExample('aws');

describe('nft -c accepts the rendered rules', requireCapability('nft'), () => {
  let ns: { name: string; remove(): Promise<void> };
  let dir: string;
  before(async () => {
    ns = await createNetns();
    dir = mkdtempSync(join(tmpdir(), 'mnotest-nft-'));
  });
  after(async () => {
    await ns?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cases: [string, string, Parameters<typeof renderNftables>[2]][] = [
    ['roshan NAT (static IP)', 'roshan', {}],
    ['roshan NAT and edge firewall', 'roshan', { edgeFirewall: true }],
    ['awcc edge firewall (CIDR)', 'awcc', { edgeFirewall: true }],
    [
      'etisalat lab NAT to a chosen address',
      'etisalat',
      { nat: true, natTo: '10.40.30.9', natSources: ['10.40.0.0/16', '10.50.0.0/16'] },
    ],
  ];
  for (const [label, operatorId, options] of cases) {
    it(label, async () => {
      const file = join(dir, `${operatorId}-${label.length}.nft`);
      writeFileSync(file, renderNftables(aws, operatorId, options));
      const r = await run('ip', ['netns', 'exec', ns.name, 'nft', '-c', '-f', file]);
      assert.equal(r.stderr, '');
    });
  }

  it('applies, re-applies without duplicates, and removes as one table', async () => {
    const file = join(dir, 'apply.nft');
    writeFileSync(file, renderNftables(aws, 'roshan', { edgeFirewall: true }));
    await run('ip', ['netns', 'exec', ns.name, 'nft', '-f', file]);
    await run('ip', ['netns', 'exec', ns.name, 'nft', '-f', file]);
    const { stdout } = await run('ip', [
      'netns',
      'exec',
      ns.name,
      'nft',
      'list',
      'table',
      'inet',
      'mnogate_roshan',
    ]);
    assert.equal(stdout.match(/snat ip to/g)?.length, 1);
    await run('ip', ['netns', 'exec', ns.name, 'nft', 'delete', 'table', 'inet', 'mnogate_roshan']);
    await run('ip', ['netns', 'exec', ns.name, 'nft', 'delete', 'table', 'inet', 'mnogate_roshan_edge']);
    const tables = await run('ip', ['netns', 'exec', ns.name, 'nft', 'list', 'tables']);
    assert.equal(tables.stdout.trim(), '');
  });
});
