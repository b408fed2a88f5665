/**
 * @module app/view-usage
 * The month's usage: bytes in and out per day as a bar chart (SVG drawn here, no chart library), requests,
 * the free tier used and left, the cost so far and the projection to the month's end. A table under the
 * chart carries the same numbers for screen readers and small screens.
 */
import { api } from './api.ts';
import { h, mount } from './dom.ts';
import { bytes, usd } from './format.ts';

interface Totals {
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly bytes: number;
  readonly requests: number;
}
interface UsageReport {
  readonly month: string;
  readonly totals: Totals;
  readonly byDay: ReadonlyArray<{ readonly day: string } & Totals>;
  readonly byCache: ReadonlyArray<{ readonly cache: string } & Totals>;
  readonly freeTier: { readonly gb: number; readonly usedGb: number; readonly leftGb: number };
  readonly billableGb: number;
  readonly pricePerGbUsd: number;
  readonly costUsd: number;
  readonly projection: { readonly gb: number; readonly costUsd: number };
}

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Every day of `month` (YYYY-MM) with its bytes in and out (0 for days without usage). */
function days(report: UsageReport): Array<{ day: string; in: number; out: number }> {
  const [year, month] = report.month.split('-').map(Number) as [number, number];
  const count = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const byDay = new Map(report.byDay.map((d) => [d.day, d]));
  return Array.from({ length: count }, (_, i) => {
    const day = `${report.month}-${String(i + 1).padStart(2, '0')}`;
    const d = byDay.get(day);
    return { day, in: d?.bytesIn ?? 0, out: d?.bytesOut ?? 0 };
  });
}

/** Bars of bytes in (left) and out (right) per day, scaled to the busiest day. */
function chart(report: UsageReport): SVGElement {
  const data = days(report);
  const width = 720;
  const height = 220;
  const pad = { left: 56, bottom: 24, top: 12 };
  const max = Math.max(1, ...data.map((d) => Math.max(d.in, d.out)));
  const slot = (width - pad.left) / data.length;
  const bar = Math.max(1, slot / 2 - 1);
  const plot = height - pad.bottom - pad.top;
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': `Bytes in and out per day in ${report.month}; busiest day ${bytes(max)}`,
    class: 'chart',
    'data-testid': 'usage-chart',
  });
  for (const f of [0, 0.5, 1]) {
    const y = pad.top + plot * (1 - f);
    root.append(svg('line', { x1: pad.left, x2: width, y1: y, y2: y, class: 'grid' }));
    root.append(svg('text', { x: pad.left - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' }, bytes(max * f)));
  }
  data.forEach((d, i) => {
    const x = pad.left + i * slot;
    for (const [value, cls, dx] of [
      [d.in, 'bar-in', 0],
      [d.out, 'bar-out', bar + 1],
    ] as const) {
      const hgt = (value / max) * plot;
      const rect = svg('rect', { x: x + dx, y: pad.top + plot - hgt, width: bar, height: hgt, class: cls });
      rect.append(svg('title', {}, `${d.day}: ${cls === 'bar-in' ? 'in' : 'out'} ${bytes(value)}`));
      root.append(rect);
    }
    if (i % 5 === 0) {
      root.append(svg('text', { x: x + bar, y: height - 6, 'text-anchor': 'middle', class: 'axis' }, d.day.slice(8)));
    }
  });
  return root;
}

function stat(label: string, value: string, testId: string): HTMLElement {
  return h('div', { class: 'stat' }, h('span', {}, label), h('strong', { 'data-testid': testId }, value));
}

export async function usageView(root: HTMLElement): Promise<void> {
  const report = await api<UsageReport>('/v1/usage');
  const { freeTier } = report;
  const usedPct = freeTier.gb > 0 ? Math.min(100, (freeTier.usedGb / freeTier.gb) * 100) : 100;
  mount(
    root,
    h('h2', {}, `Usage in ${report.month}`),
    h(
      'div',
      { class: 'stats' },
      stat('Bytes in', bytes(report.totals.bytesIn), 'bytes-in'),
      stat('Bytes out', bytes(report.totals.bytesOut), 'bytes-out'),
      stat('Requests', report.totals.requests.toLocaleString(), 'requests'),
      stat('Free tier left', `${freeTier.leftGb.toFixed(3)} of ${freeTier.gb} GB`, 'free-left'),
      stat('Cost so far', usd(report.costUsd), 'cost'),
      stat('Projected', `${usd(report.projection.costUsd)} (${report.projection.gb.toFixed(3)} GB)`, 'projected'),
    ),
    h(
      'div',
      {
        class: 'meter',
        role: 'meter',
        'aria-valuemin': 0,
        'aria-valuemax': 100,
        'aria-valuenow': Math.round(usedPct),
        'aria-label': 'Free tier used',
      },
      h('div', { style: '' }),
    ),
    h(
      'figure',
      {},
      chart(report),
      h(
        'figcaption',
        {},
        h('span', { class: 'key-in' }, 'in'),
        ' ',
        h('span', { class: 'key-out' }, 'out'),
        ` · ${usd(report.pricePerGbUsd)} per GB beyond the free tier`,
      ),
    ),
    h(
      'details',
      {},
      h('summary', {}, 'By day and by cache'),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Day / cache'),
              h('th', { scope: 'col' }, 'In'),
              h('th', { scope: 'col' }, 'Out'),
              h('th', { scope: 'col' }, 'Requests'),
            ),
          ),
          h(
            'tbody',
            {},
            ...report.byDay.map((d) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, d.day),
                h('td', {}, bytes(d.bytesIn)),
                h('td', {}, bytes(d.bytesOut)),
                h('td', {}, d.requests),
              ),
            ),
            ...report.byCache.map((c) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, c.cache),
                h('td', {}, bytes(c.bytesIn)),
                h('td', {}, bytes(c.bytesOut)),
                h('td', {}, c.requests),
              ),
            ),
          ),
        ),
      ),
    ),
  );
  // The meter's fill is set through the CSSOM: the page's CSP forbids inline style attributes.
  const fill = root.querySelector('.meter > div') as HTMLElement | null;
  if (fill) fill.style.width = `${usedPct}%`;
}
