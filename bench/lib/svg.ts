/**
 * @module bench/lib/svg
 * A dependency-free SVG chart of a bench run: throughput bars and p50/p99/p99.9 latency marks (log scale)
 * per system and operation, plus memory per item.
 */
import type { BenchResults, Throughput } from './results.ts';

interface Row {
  readonly group: string;
  readonly label: string;
  readonly color: string;
  readonly t: Throughput;
}

const COLORS = {
  ceiling: '#9e9e9e',
  cachette: '#1f77b4',
  sdk: '#6baed6',
  httpSdk: '#9467bd',
  redis: '#d62728',
  loaded: '#2ca02c',
} as const;
const OP = { 'get-hit': 'Get (hit)', 'get-miss': 'Get (miss)', set: 'Set' } as const;

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const n0 = (n: number) => Math.round(n).toLocaleString('en-US');

function rowsOf(r: BenchResults): Row[] {
  const rows: Row[] = [];
  for (const row of r.serverBound?.rows ?? []) {
    const g = `server-bound ${OP[row.op]}`;
    rows.push({ group: g, label: 'bare grpc-js (ceiling)', color: COLORS.ceiling, t: row.ceiling });
    rows.push({ group: g, label: 'Cachette', color: COLORS.cachette, t: row.cachette });
  }
  for (const row of r.application?.rows ?? []) {
    const g = `application ${OP[row.op]}`;
    rows.push({ group: g, label: '@gomomento/sdk → Cachette', color: COLORS.sdk, t: row.momentoSdkToCachette });
    rows.push({
      group: g,
      label: '@cachette/sdk/node → Cachette (HTTP)',
      color: COLORS.httpSdk,
      t: row.cachetteSdkToCachette,
    });
    rows.push({ group: g, label: 'ioredis → Redis', color: COLORS.redis, t: row.ioredisToRedis });
  }
  for (const row of r.latencyUnderLoad?.rows ?? []) {
    rows.push({
      group: '70 % of peak, large keyspace',
      label: `Cachette ${OP[row.op]}`,
      color: COLORS.loaded,
      t: row.achieved,
    });
  }
  return rows;
}

export function renderSvg(r: BenchResults): string {
  const rows = rowsOf(r);
  const W = 1000;
  const ROW = 18;
  const GAP = 16;
  const labelX = 250;
  const aX0 = 260;
  const aX1 = 580;
  const bX0 = 640;
  const bX1 = 970;
  const top = 70;
  const parts: string[] = [];

  const maxRate = Math.max(1, ...rows.map((x) => x.t.perSecond));
  const lat = rows.flatMap((x) => [x.t.latency.p50, x.t.latency.p999]).filter((v) => Number.isFinite(v) && v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...lat, 0.1)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...lat, 1)));
  const lx = (v: number) =>
    bX0 + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (bX1 - bX0);

  let y = top;
  let group = '';
  for (const row of rows) {
    if (row.group !== group) {
      group = row.group;
      y += GAP;
      parts.push(`<text x="10" y="${y}" class="g">${esc(group)}</text>`);
      y += 4;
    }
    const w = (row.t.perSecond / maxRate) * (aX1 - aX0);
    parts.push(`<text x="${labelX}" y="${y + 13}" class="l" text-anchor="end">${esc(row.label)}</text>`);
    parts.push(`<rect x="${aX0}" y="${y + 2}" width="${w.toFixed(1)}" height="${ROW - 4}" fill="${row.color}"/>`);
    parts.push(`<text x="${(aX0 + w + 4).toFixed(1)}" y="${y + 13}" class="v">${n0(row.t.perSecond)}</text>`);
    const { p50, p99, p999 } = row.t.latency;
    if (Number.isFinite(p50)) {
      const cy = y + ROW / 2;
      parts.push(
        `<line x1="${lx(p50).toFixed(1)}" x2="${lx(p999).toFixed(1)}" y1="${cy}" y2="${cy}" stroke="${row.color}" stroke-width="2"/>`,
      );
      parts.push(`<circle cx="${lx(p50).toFixed(1)}" cy="${cy}" r="4" fill="${row.color}"/>`);
      parts.push(`<rect x="${(lx(p99) - 4).toFixed(1)}" y="${cy - 4}" width="8" height="8" fill="${row.color}"/>`);
      parts.push(`<path d="M${lx(p999).toFixed(1)} ${cy - 5} l5 9 h-10 z" fill="${row.color}"/>`);
    }
    y += ROW;
  }
  const bottom = y + 6;
  // axes
  parts.push(`<line x1="${aX0}" x2="${aX0}" y1="${top}" y2="${bottom}" class="ax"/>`);
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    const x = lx(d).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${bottom}" class="grid"/>`);
    parts.push(
      `<text x="${x}" y="${bottom + 14}" class="v" text-anchor="middle">${d >= 1 ? d.toFixed(0) : d.toString()} ms</text>`,
    );
  }
  parts.push(`<text x="${aX0}" y="${top}" class="h">calls or ops per second</text>`);
  parts.push(`<text x="${bX0}" y="${top}" class="h">latency (log): ● p50  ■ p99  ▲ p99.9</text>`);

  // memory
  y = bottom + 40;
  if (r.memory !== null) {
    const m = r.memory;
    parts.push(
      `<text x="10" y="${y}" class="g">memory per item, ${n0(m.items)} items (16 B key, 100 B value, TTL)</text>`,
    );
    y += 6;
    const bars = [
      { label: 'Cachette, server RSS delta', v: m.cachette.rssBytesPerItem, color: COLORS.cachette },
      { label: 'Cachette, engine accounting', v: m.cachette.engineBytesPerItem, color: COLORS.sdk },
      { label: 'Redis, used_memory delta', v: m.redis.usedMemoryBytesPerItem, color: COLORS.redis },
    ];
    const maxV = Math.max(1, ...bars.map((b) => b.v));
    for (const b of bars) {
      const w = (Math.max(0, b.v) / maxV) * (aX1 - aX0);
      parts.push(`<text x="${labelX}" y="${y + 13}" class="l" text-anchor="end">${esc(b.label)}</text>`);
      parts.push(`<rect x="${aX0}" y="${y + 2}" width="${w.toFixed(1)}" height="${ROW - 4}" fill="${b.color}"/>`);
      parts.push(`<text x="${(aX0 + w + 4).toFixed(1)}" y="${y + 13}" class="v">${n0(b.v)} B</text>`);
      y += ROW;
    }
  }
  const H = y + 20;
  const m = r.machine;
  const title = `Cachette bench (${r.mode}), ${r.startedAt}`;
  const sub = `${m.cpuModel}, ${m.cores} cores, Node ${m.node}, Redis ${m.redis}; load average at start ${m.loadAverageAtStart.join(' ')}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif">`,
    '<style>.g{font-size:13px;font-weight:600}.l,.v{font-size:11px}.h{font-size:12px;fill:#444}.ax{stroke:#333}.grid{stroke:#ddd}.t{font-size:16px;font-weight:600}.s{font-size:11px;fill:#555}</style>',
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="10" y="24" class="t">${esc(title)}</text>`,
    `<text x="10" y="42" class="s">${esc(sub)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
