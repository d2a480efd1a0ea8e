/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per area (which
 * package or part of the gateway the code belongs to), busiest first.
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top 25]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionSelfTime {
  readonly function: string;
  readonly location: string;
  readonly area: string;
  readonly selfMs: number;
  /** Share of the busy (non-idle) time. */
  readonly pct: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly idleMs: number;
  readonly busyMs: number;
  readonly top: readonly FunctionSelfTime[];
  readonly byArea: readonly { area: string; selfMs: number; pct: number }[];
}

/** Where a frame's code lives: a package under node_modules, a part of ours, node itself, or V8. */
export function areaOf(frame: CallFrame): string {
  const url = frame.url;
  if (!url) {
    if (frame.functionName === '(garbage collector)') return 'GC';
    if (frame.functionName === '(program)') return 'V8/native (program)';
    if (frame.functionName === '(idle)') return 'idle';
    return 'native';
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const pkg = /\/packages\/([^/]+)\/src\/(?:([^/]+)\/)?/.exec(url);
  if (pkg) return `@mnogate/${pkg[1]}${pkg[2] && !pkg[2].endsWith('.ts') ? `/${pkg[2]}` : ''}`;
  return url.replace(/^file:\/\//, '');
}

function shortLocation(frame: CallFrame): string {
  if (!frame.url) return '';
  const url = frame.url.replace(/^file:\/\//, '');
  const nm = url.lastIndexOf('/node_modules/');
  const short = nm >= 0 ? url.slice(nm + '/node_modules/'.length) : url.replace(/^.*\/(packages\/)/, '$1');
  return `${short}:${frame.lineNumber + 1}`;
}

export function summarise(profile: CpuProfile, topN = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const perFunction = new Map<string, { frame: CallFrame; us: number }>();
  const perArea = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    totalUs += us;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const key = `${frame.functionName}|${frame.url}|${frame.lineNumber}|${frame.columnNumber}`;
    const entry = perFunction.get(key) ?? { frame, us: 0 };
    entry.us += us;
    perFunction.set(key, entry);
    const area = areaOf(frame);
    perArea.set(area, (perArea.get(area) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const pct = (us: number) => Math.round((us / busyUs) * 1000) / 10;
  const top = [...perFunction.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, topN)
    .map(({ frame, us }) => ({
      function: frame.functionName || '(anonymous)',
      location: shortLocation(frame),
      area: areaOf(frame),
      selfMs: Math.round(us / 1000),
      pct: pct(us),
    }));
  const byArea = [...perArea.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([area, us]) => ({ area, selfMs: Math.round(us / 1000), pct: pct(us) }));
  return {
    totalMs: Math.round(totalUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    busyMs: Math.round(busyUs / 1000),
    top,
    byArea,
  };
}

export function summariseFile(file: string, topN = 25): ProfileSummary {
  return summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, topN);
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top N]\n');
    process.exit(2);
  }
  const topAt = process.argv.indexOf('--top');
  const s = summariseFile(file, topAt > 0 ? Number(process.argv[topAt + 1]) : 25);
  process.stdout.write(
    `busy ${s.busyMs} ms of ${s.totalMs} ms (idle ${s.idleMs} ms)\n\nself time by area:\n`,
  );
  for (const a of s.byArea.slice(0, 20))
    process.stdout.write(
      `  ${String(a.pct).padStart(5)}%  ${a.selfMs.toString().padStart(7)} ms  ${a.area}\n`,
    );
  process.stdout.write('\ntop functions by self time:\n');
  for (const f of s.top) {
    process.stdout.write(
      `  ${String(f.pct).padStart(5)}%  ${f.selfMs.toString().padStart(7)} ms  ${f.function}  ${f.location}\n`,
    );
  }
}
