/**
 * The one mapping from AWS Site-to-Site VPN tunnel option values to strongSwan proposal keywords.
 * Every proposal the renderers emit goes through this table, so both ends match by construction.
 */
import { MnogateError, type TunnelConfig } from '@mnogate/core';

/** Phase 1/2 encryption: AWS name -> strongSwan keyword. GCM entries are AEAD (no separate integrity). */
export const ENCRYPTION_MAP: Readonly<Record<string, { readonly keyword: string; readonly aead: boolean }>> =
  {
    AES128: { keyword: 'aes128', aead: false },
    AES256: { keyword: 'aes256', aead: false },
    'AES128-GCM-16': { keyword: 'aes128gcm16', aead: true },
    'AES256-GCM-16': { keyword: 'aes256gcm16', aead: true },
  };

/** Phase 1/2 integrity: AWS name -> strongSwan integrity keyword and the PRF keyword IKE uses with AEAD. */
export const INTEGRITY_MAP: Readonly<Record<string, { readonly keyword: string; readonly prf: string }>> = {
  SHA1: { keyword: 'sha1', prf: 'prfsha1' },
  'SHA2-256': { keyword: 'sha256', prf: 'prfsha256' },
  'SHA2-384': { keyword: 'sha384', prf: 'prfsha384' },
  'SHA2-512': { keyword: 'sha512', prf: 'prfsha512' },
};

/** Diffie-Hellman group number -> strongSwan keyword. */
export const DH_GROUP_MAP: Readonly<Record<number, string>> = {
  2: 'modp1024',
  5: 'modp1536',
  14: 'modp2048',
  15: 'modp3072',
  16: 'modp4096',
  17: 'modp6144',
  18: 'modp8192',
  19: 'ecp256',
  20: 'ecp384',
  21: 'ecp521',
  22: 'modp1024s160',
  23: 'modp2048s224',
  24: 'modp2048s256',
};

/** AWS IKE versions -> swanctl `version` (0 accepts both and initiates IKEv2). */
export function ikeVersion(versions: readonly string[]): 0 | 1 | 2 {
  const v1 = versions.includes('ikev1');
  const v2 = versions.includes('ikev2');
  for (const v of versions) {
    if (v !== 'ikev1' && v !== 'ikev2') unsupported('ikeVersions', v);
  }
  if (v1 && v2) return 0;
  return v1 ? 1 : 2;
}

/** AWS DPD timeout action -> swanctl child `dpd_action`. strongSwan has no `none`: `clear` takes no further action. */
export const DPD_ACTION_MAP: Readonly<Record<string, 'clear' | 'restart' | 'trap'>> = {
  clear: 'clear',
  none: 'clear',
  restart: 'restart',
};

export function dpdAction(action: string): 'clear' | 'restart' | 'trap' {
  const mapped = DPD_ACTION_MAP[action.toLowerCase()];
  if (!mapped) return unsupported('dpdTimeoutAction', action);
  return mapped;
}

/**
 * AWS startup action -> swanctl child `start_action` for the side being rendered. The config describes the
 * cloud end: `start` means it initiates, `add` means it waits for the peer. The peer mirrors it, so that
 * exactly one end initiates: cloud start -> peer none (answers), cloud add -> peer start.
 */
export function startAction(action: string, side: 'peer' | 'cloud'): 'start' | 'none' {
  const a = action.toLowerCase();
  if (a !== 'start' && a !== 'add') return unsupported('startupAction', action);
  if (side === 'cloud') return a === 'start' ? 'start' : 'none';
  return a === 'start' ? 'none' : 'start';
}

type Phase = TunnelConfig['phase1'];

/**
 * IKE proposals for phase 1. Non-AEAD: enc-integ-dh (the integrity algorithm implies the PRF).
 * AEAD (GCM): enc-prf-dh, the phase's integrity algorithms serving as PRFs. strongSwan does not mix
 * AEAD and non-AEAD ciphers in one proposal, so each kind gets its own.
 */
export function ikeProposals(phase: Phase): string[] {
  const { classic, aead } = splitEncryption(phase, 'phase1');
  const integ = phase.integrity.map((i) => integrity(i, 'phase1'));
  const dh = phase.dhGroups.map((g) => dhGroup(g, 'phase1'));
  const out: string[] = [];
  if (classic.length) out.push([...classic, ...integ.map((i) => i.keyword), ...dh].join('-'));
  if (aead.length) out.push([...aead, ...integ.map((i) => i.prf), ...dh].join('-'));
  return out;
}

/** ESP proposals for phase 2: the DH groups make PFS mandatory, as AWS does; AEAD carries no integrity. */
export function espProposals(phase: Phase): string[] {
  const { classic, aead } = splitEncryption(phase, 'phase2');
  const integ = phase.integrity.map((i) => integrity(i, 'phase2').keyword);
  const dh = phase.dhGroups.map((g) => dhGroup(g, 'phase2'));
  const out: string[] = [];
  if (classic.length) out.push([...classic, ...integ, ...dh].join('-'));
  if (aead.length) out.push([...aead, ...dh].join('-'));
  return out;
}

function splitEncryption(phase: Phase, where: string): { classic: string[]; aead: string[] } {
  const classic: string[] = [];
  const aead: string[] = [];
  for (const e of phase.encryption) {
    const m = ENCRYPTION_MAP[e];
    if (!m) unsupported(`${where}.encryption`, e);
    (m.aead ? aead : classic).push(m.keyword);
  }
  return { classic, aead };
}

function integrity(name: string, where: string) {
  const m = INTEGRITY_MAP[name];
  if (!m) return unsupported(`${where}.integrity`, name);
  return m;
}

function dhGroup(group: number, where: string): string {
  const m = DH_GROUP_MAP[group];
  if (!m) return unsupported(`${where}.dhGroups`, String(group));
  return m;
}

function unsupported(option: string, value: string): never {
  throw new MnogateError(
    'MNOGATE_ERR_CONFIG_TUNNEL_OPTION',
    `tunnel option ${option}: no strongSwan mapping for ${value}`,
    {
      option,
      value,
    },
  );
}
