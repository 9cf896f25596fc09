/**
 * Reads Prometheus's text exposition format: one sample a line, `name{labels} value`. Written
 * by hand because prom-client writes the format but does not read it, and the console needs
 * only the samples (no types, no help, no timestamps) of a few counters.
 */
export interface Sample {
  name: string;
  labels: string;
  value: number;
}

const LINE = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/;

export function parseSamples(text: string, prefix = ''): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m || !m[1]!.startsWith(prefix)) continue;
    const value = Number(m[3]);
    if (Number.isFinite(value)) out.push({ name: m[1]!, labels: m[2] ?? '', value });
  }
  return out;
}
