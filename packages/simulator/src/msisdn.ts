/**
 * The operator's view of a subscriber number: it accepts international (+93..., 0093..., 93...) and
 * national (0...) forms and answers in E.164, or undefined when the number is not one of its own.
 */
export function normalizeMsisdn(raw: string, prefixes: readonly string[]): string | undefined {
  const s = raw.trim().replace(/[\s()-]/g, '');
  const owns = (digits: string) =>
    /^\d{8,15}$/.test(digits) && prefixes.some((p) => digits.startsWith(p.replace(/^\+/, '')));
  let candidates: string[];
  if (s.startsWith('+')) candidates = [s.slice(1)];
  else if (s.startsWith('00')) candidates = [s.slice(2)];
  else if (s.startsWith('0')) candidates = nationalCandidates(s.slice(1), prefixes);
  else candidates = [s, ...nationalCandidates(s, prefixes)];
  const hit = candidates.find(owns);
  return hit === undefined ? undefined : `+${hit}`;
}

/** A national significant number with each possible country code (1 to 3 digits) of the prefixes. */
function nationalCandidates(nsn: string, prefixes: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of prefixes) {
    const digits = p.replace(/^\+/, '');
    for (let k = 1; k <= 3 && k < digits.length; k++) out.push(digits.slice(0, k) + nsn);
  }
  return out;
}
