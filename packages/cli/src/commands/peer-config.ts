import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMnogateError, type MnogateConfig } from '@mnogate/core';
import { renderNftables, renderSwanctlConf, type TunnelSide } from '@mnogate/network';
import { DEFAULT_CONFIG_PATH, parseCommandArgs, UsageError } from '../args.js';
import { loadConfigFile } from '../load-config.js';

export const summary =
  "render what the other end of an operator's VPN needs: swanctl.conf and nftables rules";
export const usage = `usage: mnogate peer-config <operator> [--config mnogate.yaml] [--side peer|cloud] [--nft] [--out dir] [--with-secrets]

Renders a strongSwan swanctl.conf for the operator's two tunnels, with proposals mapped from the tunnel
options (AES256 -> aes256, SHA2-256 -> sha256, DH 14 -> modp2048, ...). Offline: reads only the config.

  --side peer|cloud  which end to render: the operator's VPN endpoint (default) or a self-managed
                     cloud-side endpoint in place of AWS's
  --nft              also render nftables rules: on the cloud side the SNAT to the static source
                     (static-IP operators); on the peer side the edge firewall that admits only the
                     whitelisted source to the API ports
  --out <dir>        write <operator>.swanctl.conf (and <operator>.nft) into dir instead of printing
  --with-secrets     put the real pre-shared keys in (resolved from MNOGATE_SECRET_* environment
                     variables for env secret references); by default placeholders are printed
  --config <file>    the configuration file (default: ${DEFAULT_CONFIG_PATH})`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      config: { type: 'string', default: DEFAULT_CONFIG_PATH },
      side: { type: 'string', default: 'peer' },
      nft: { type: 'boolean', default: false },
      out: { type: 'string' },
      'with-secrets': { type: 'boolean', default: false },
    },
    usage,
    true,
  );
  const [operatorId, ...extra] = positionals;
  if (!operatorId || extra.length > 0) throw new UsageError(`expected one operator id\n\n${usage}`);
  if (values.side !== 'peer' && values.side !== 'cloud')
    throw new UsageError(`--side must be peer or cloud\n\n${usage}`);
  const side: TunnelSide = values.side;
  const { config } = loadConfigFile(values.config);

  try {
    const op = config.operators.find((o) => o.id === operatorId);
    const refs = op?.vpn?.tunnels.map((t) => t.preSharedKey) ?? [];
    let psk: [string, string] = [placeholder(1), placeholder(2)];
    if (values['with-secrets'] && op?.vpn) {
      const resolved = refs.map((ref) => resolveEnvSecret(config, ref));
      if (resolved.some((v) => v === undefined)) {
        process.stderr.write(
          `mnogate peer-config: MNOGATE_ERR_SECRET_MISSING: cannot resolve ${refs.join(', ')} from the environment (only the env secrets provider is supported offline)\n`,
        );
        return 1;
      }
      psk = [resolved[0] as string, resolved[1] as string];
    }
    const swanctl = `${renderSwanctlConf(config, operatorId, { side, psk })}\n`;
    const nft = values.nft
      ? renderNftables(config, operatorId, side === 'cloud' ? {} : { nat: false, edgeFirewall: true })
      : undefined;
    if (values.out) {
      mkdirSync(values.out, { recursive: true });
      const files = [join(values.out, `${operatorId}.swanctl.conf`)];
      writeFileSync(files[0] as string, swanctl, { mode: 0o600 });
      if (nft !== undefined) {
        files.push(join(values.out, `${operatorId}.nft`));
        writeFileSync(files[1] as string, nft);
      }
      process.stdout.write(`${files.join('\n')}\n`);
    } else {
      process.stdout.write(swanctl);
      if (nft !== undefined) process.stdout.write(`\n# ---- ${operatorId}.nft ----\n${nft}`);
    }
    return 0;
  } catch (err) {
    if (!isMnogateError(err)) throw err;
    process.stderr.write(`mnogate peer-config: ${err.code}: ${err.message}\n`);
    return 1;
  }
}

function placeholder(tunnel: number): string {
  return `REPLACE-WITH-TUNNEL${tunnel}-PSK`;
}

/** `secret:name#field` through the env provider: MNOGATE_SECRET_<NAME>[_<FIELD>], upper-cased, non-alphanumerics as _. */
function resolveEnvSecret(config: MnogateConfig, ref: string): string | undefined {
  const secrets = config.gateway.secrets;
  if (secrets.provider !== 'env') return undefined;
  const m = /^secret:([^#]+)(?:#(.+))?$/.exec(ref);
  if (!m) return undefined;
  const key = `${secrets.prefix}${[m[1], m[2]].filter(Boolean).join('_')}`
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, '_');
  return process.env[key];
}
