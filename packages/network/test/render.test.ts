import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMnogateError } from '@mnogate/core';
import { renderNftables } from '../src/render/nftables.js';
import {
  dpdAction,
  espProposals,
  ikeProposals,
  ikeVersion,
  startAction,
} from '../src/render/proposal-map.js';
import { renderStrongswanConf } from '../src/render/strongswan-conf.js';
import { renderSwanctlConf } from '../src/render/swanctl-conf.js';
import { clone, loadExample } from './helpers/config.js';

const aws = loadExample('aws');
const PSK = ['psk-one', 'psk-two'] as const;

describe('proposal map', () => {
  it('maps classic algorithms into one IKE and one ESP proposal', () => {
    const phase = {
      encryption: ['AES128', 'AES256'],
      integrity: ['SHA1', 'SHA2-256'],
      dhGroups: [14, 19],
      lifetimeSeconds: 3600,
    };
    assert.deepEqual(ikeProposals(phase), ['aes128-aes256-sha1-sha256-modp2048-ecp256']);
    assert.deepEqual(espProposals(phase), ['aes128-aes256-sha1-sha256-modp2048-ecp256']);
  });

  it('gives GCM a PRF in IKE and no integrity in ESP', () => {
    const phase = {
      encryption: ['AES256-GCM-16'],
      integrity: ['SHA2-384'],
      dhGroups: [20],
      lifetimeSeconds: 3600,
    };
    assert.deepEqual(ikeProposals(phase), ['aes256gcm16-prfsha384-ecp384']);
    assert.deepEqual(espProposals(phase), ['aes256gcm16-ecp384']);
  });

  it('keeps AEAD and classic ciphers in separate proposals', () => {
    const phase = {
      encryption: ['AES128', 'AES128-GCM-16'],
      integrity: ['SHA2-512'],
      dhGroups: [2, 24],
      lifetimeSeconds: 3600,
    };
    assert.deepEqual(ikeProposals(phase), [
      'aes128-sha512-modp1024-modp2048s256',
      'aes128gcm16-prfsha512-modp1024-modp2048s256',
    ]);
    assert.deepEqual(espProposals(phase), [
      'aes128-sha512-modp1024-modp2048s256',
      'aes128gcm16-modp1024-modp2048s256',
    ]);
  });

  it('maps every DH group AWS allows', () => {
    const groups = [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
    const [p] = ikeProposals({
      encryption: ['AES128'],
      integrity: ['SHA1'],
      dhGroups: groups,
      lifetimeSeconds: 1,
    });
    assert.equal(
      p,
      'aes128-sha1-modp1024-modp1536-modp2048-modp3072-modp4096-modp6144-modp8192-ecp256-ecp384-ecp521-modp1024s160-modp2048s224-modp2048s256',
    );
  });

  it('refuses values it cannot map with MNOGATE_ERR_CONFIG_TUNNEL_OPTION', () => {
    const code = (err: unknown) => isMnogateError(err, 'MNOGATE_ERR_CONFIG_TUNNEL_OPTION');
    assert.throws(
      () => ikeProposals({ encryption: ['3DES'], integrity: ['SHA1'], dhGroups: [14], lifetimeSeconds: 1 }),
      code,
    );
    assert.throws(
      () => espProposals({ encryption: ['AES128'], integrity: ['MD5'], dhGroups: [14], lifetimeSeconds: 1 }),
      code,
    );
    assert.throws(
      () => espProposals({ encryption: ['AES128'], integrity: ['SHA1'], dhGroups: [1], lifetimeSeconds: 1 }),
      code,
    );
    assert.throws(() => dpdAction('explode'), code);
    assert.throws(() => startAction('later', 'peer'), code);
    assert.throws(() => ikeVersion(['ikev3']), code);
  });

  it('maps versions, DPD and start actions', () => {
    assert.equal(ikeVersion(['ikev2']), 2);
    assert.equal(ikeVersion(['ikev1']), 1);
    assert.equal(ikeVersion(['ikev1', 'ikev2']), 0);
    assert.equal(dpdAction('restart'), 'restart');
    assert.equal(dpdAction('clear'), 'clear');
    assert.equal(dpdAction('none'), 'clear');
    assert.equal(startAction('start', 'cloud'), 'start');
    assert.equal(startAction('add', 'cloud'), 'none');
    assert.equal(startAction('start', 'peer'), 'none');
    assert.equal(startAction('add', 'peer'), 'start');
  });
});

describe('renderSwanctlConf', () => {
  it('renders two connections whose proposals, lifetimes and selectors follow the tunnel options', () => {
    const text = renderSwanctlConf(aws, 'etisalat', { psk: PSK });
    assert.match(text, /^ {2}etisalat-tunnel1 \{$/m);
    assert.match(text, /^ {2}etisalat-tunnel2 \{$/m);
    assert.match(text, /^ {4}version = 0$/m); // ikev1 + ikev2
    assert.match(text, /^ {4}proposals = aes128-aes256-sha1-sha256-modp2048-ecp256$/m);
    assert.match(text, /^ {8}esp_proposals = aes128-aes256-sha1-sha256-modp2048-ecp256$/m);
    assert.match(text, /^ {4}rekey_time = 28530s$/m);
    assert.match(text, /^ {8}life_time = 3600s$/m);
    assert.match(text, /^ {8}rekey_time = 3330s$/m);
    assert.match(text, /^ {4}dpd_timeout = 40s$/m);
    assert.match(text, /^ {8}dpd_action = clear$/m);
    assert.match(text, /^ {8}start_action = start$/m); // AWS waits (add): the peer starts
    assert.match(text, /^ {8}local_ts = 192\.168\.50\.0\/24$/m);
    assert.match(text, /^ {8}remote_ts = 10\.40\.30\.0\/24$/m);
    assert.match(text, /^ {4}local_addrs = 203\.0\.113\.30$/m);
    assert.match(text, /secret = "psk-one"/);
    assert.match(text, /secret = "psk-two"/);
    assert.match(text, /inside 169\.254\.30\.2 <-> 169\.254\.30\.1/);
  });

  it('mirrors selectors and addresses on the cloud side and lets the lab override them', () => {
    const text = renderSwanctlConf(aws, 'awcc', {
      side: 'cloud',
      psk: PSK,
      localAddrs: ['198.51.100.1', '198.51.100.2'],
      remoteAddrs: ['203.0.113.10', '203.0.113.11'],
      insideAddresses: [
        { local: '169.254.99.1', remote: '169.254.99.2' },
        { local: '169.254.99.5', remote: '169.254.99.6' },
      ],
      insideTs: true,
      startAction: 'trap',
      dpdDelaySeconds: 2,
      namePrefix: 'lab-awcc',
    });
    assert.match(text, /^ {2}lab-awcc-tunnel2 \{$/m);
    assert.match(text, /^ {4}local_addrs = 198\.51\.100\.2$/m);
    assert.match(text, /^ {4}remote_addrs = 203\.0\.113\.11$/m);
    assert.match(text, /^ {8}local_ts = 10\.40\.10\.0\/24,169\.254\.99\.1\/32$/m);
    assert.match(text, /^ {8}remote_ts = 10\.201\.0\.0\/23,169\.254\.99\.2\/32$/m);
    assert.match(text, /^ {8}start_action = trap$/m);
    assert.match(text, /^ {4}dpd_delay = 2s$/m);
    assert.match(text, /id-local = 198\.51\.100\.1\n\s+id-remote = 203\.0\.113\.10/);
  });

  it('puts the inside addresses in the selectors of a BGP operator', () => {
    const text = renderSwanctlConf(aws, 'roshan', { psk: PSK });
    assert.match(text, /^ {8}local_ts = 172\.20\.5\.0\/24,169\.254\.20\.2\/32$/m);
    assert.match(text, /^ {8}remote_ts = 10\.40\.20\.0\/28,169\.254\.20\.1\/32$/m);
  });

  it('encodes a PSK that could break the syntax as base64', () => {
    const text = renderSwanctlConf(aws, 'mtn', { psk: ['ok', 'a "b" {c}\n'] });
    assert.match(text, new RegExp(`secret = 0s${Buffer.from('a "b" {c}\n').toString('base64')}`));
  });

  it('is deterministic and refuses unknown operators and operators without a VPN', () => {
    assert.equal(
      renderSwanctlConf(aws, 'mtn', { psk: PSK }),
      renderSwanctlConf(clone(aws), 'mtn', { psk: PSK }),
    );
    assert.throws(
      () => renderSwanctlConf(aws, 'nope', { psk: PSK }),
      (e) => isMnogateError(e, 'MNOGATE_ERR_ROUTE_UNKNOWN_OPERATOR'),
    );
    const demo = loadExample('demo');
    assert.throws(
      () => renderSwanctlConf(demo, 'awcc', { psk: PSK }),
      (e) => isMnogateError(e, 'MNOGATE_ERR_CONFIG_TUNNEL_OPTION'),
    );
  });
});

describe('renderNftables', () => {
  it('SNATs operator-bound traffic to the static source of a static-IP operator', () => {
    const text = renderNftables(aws, 'roshan');
    assert.match(text, /^table inet mnogate_roshan \{$/m);
    assert.match(
      text,
      /ip saddr 10\.40\.0\.0\/16 ip daddr 172\.20\.5\.0\/24 ip saddr != 10\.40\.20\.10 snat ip to 10\.40\.20\.10/,
    );
    assert.doesNotMatch(text, /mnogate_roshan_edge/);
  });

  it('renders the operator-edge firewall admitting only the whitelisted source to the API ports', () => {
    const text = renderNftables(aws, 'awcc', { edgeFirewall: true });
    assert.doesNotMatch(text, /snat/);
    assert.match(text, /^table inet mnogate_awcc_edge \{$/m);
    assert.match(
      text,
      /ip saddr 10\.40\.10\.0\/24 ip daddr 10\.201\.0\.0\/23 tcp dport 8443 ct state new counter accept/,
    );
    assert.match(text, /ip daddr 10\.201\.0\.0\/23 counter drop/);
    const lab = renderNftables(aws, 'roshan', {
      nat: false,
      edgeFirewall: true,
      allowedSources: ['203.0.113.7'],
      destinations: ['10.99.0.0/24'],
      apiPorts: [8080, 8443],
    });
    assert.match(lab, /ip saddr 203\.0\.113\.7 ip daddr 10\.99\.0\.0\/24 tcp dport \{ 8080, 8443 \}/);
  });
});

describe('renderStrongswanConf', () => {
  it('points charon-systemd at a private VICI socket and loads kernel-libipsec before kernel-netlink', () => {
    const text = renderStrongswanConf({
      viciSocketPath: '/run/x/charon.vici',
      retransmit: { timeoutSeconds: 1, tries: 2, base: 1 },
    });
    assert.match(text, /socket = unix:\/\/\/run\/x\/charon\.vici/);
    const load = /load = (.*)/.exec(text)?.[1] ?? '';
    assert.ok(load.indexOf('kernel-libipsec') < load.indexOf('kernel-netlink'));
    assert.match(text, /retransmit_tries = 2/);
    assert.throws(() => renderStrongswanConf({ viciSocketPath: 'relative.vici' }), TypeError);
  });
});
