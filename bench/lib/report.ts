/**
 * @module bench/lib/report
 * The console table.
 */
import type { BenchResults, CollectionsResult, Throughput } from './results.ts';

const OP_LABEL = { 'get-hit': 'Get (hit)', 'get-miss': 'Get (miss)', set: 'Set' } as const;

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const n0 = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
const cells = (t: Throughput) => [n0(t.perSecond), ms(t.latency.p50), ms(t.latency.p99), ms(t.latency.p999)];

/** Two significant digits below 1 (0.033, not 0.03), two decimals above. */
const ratio = (x: number) => (x < 1 ? x.toPrecision(2) : x.toFixed(2));
const rounds = (t: Throughput) => (t.roundsPerSecond ?? []).map(n0).join(' / ');
const cpu = (t: Throughput) => (t.clientCpuPercent === undefined ? '' : `${t.clientCpuPercent.toFixed(0)} %`);

/** Server CPU per call (µs), where it was measured. */
const cpuPerCall = (t: Throughput) =>
  t.serverCpuUsPerCall === undefined ? '' : `${t.serverCpuUsPerCall.toFixed(1)} µs`;

export function printReport(r: BenchResults): void {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    '',
    `Cachette bench (${r.mode}) — ${m.cpuModel}, ${m.cores} cores, Node ${m.node}, Redis ${m.redis}, ` +
      `load average ${m.loadAverageAtStart.join(' ')} → ${m.loadAverageAtEnd.join(' ')}`,
  );
  if (r.serverBound !== null) {
    out.push('', '1. Server-bound (h2load → gRPC server), best round, latency in ms');
    out.push(
      table(
        ['op', 'system', 'calls/s', 'p50', 'p99', 'p99.9', '% of ceiling', 'server CPU/call', 'all rounds, calls/s'],
        r.serverBound.rows.flatMap((row) => [
          [
            OP_LABEL[row.op],
            'bare grpc-js (ceiling)',
            ...cells(row.ceiling),
            '100 %',
            cpuPerCall(row.ceiling),
            rounds(row.ceiling),
          ],
          [
            '',
            'Cachette',
            ...cells(row.cachette),
            `${row.cachettePercentOfCeiling.toFixed(0)} %`,
            cpuPerCall(row.cachette),
            rounds(row.cachette),
          ],
        ]),
      ),
    );
  }
  if (r.application !== null) {
    out.push('', '2. Application view (client library in a separate Node process), best round, latency in ms');
    out.push(
      table(
        ['op', 'client → server', 'ops/s', 'p50', 'p99', 'p99.9', 'client CPU', '× Redis ops/s', '× Redis p99'],
        r.application.rows.flatMap((row) => [
          [
            OP_LABEL[row.op],
            '@gomomento/sdk → Cachette (gRPC)',
            ...cells(row.momentoSdkToCachette),
            cpu(row.momentoSdkToCachette),
            ratio(row.throughputRatioToRedis),
            ratio(row.p99RatioToRedis),
          ],
          [
            '',
            '@cachette/sdk/node → Cachette (HTTP)',
            ...cells(row.cachetteSdkToCachette),
            cpu(row.cachetteSdkToCachette),
            ratio(row.cachetteSdkThroughputRatioToRedis),
            ratio(row.cachetteSdkP99RatioToRedis),
          ],
          ['', 'ioredis → Redis', ...cells(row.ioredisToRedis), cpu(row.ioredisToRedis), '1.00', '1.00'],
        ]),
      ),
    );
  }
  if (r.memory !== null) {
    const mem = r.memory;
    out.push('', `3. Memory per item, ${n0(mem.items)} items (16 B keys, 100 B values, with TTL)`);
    out.push(
      table(
        ['system', 'measure', 'bytes/item', '× Redis'],
        [
          ['Cachette', 'server RSS delta', n0(mem.cachette.rssBytesPerItem), mem.rssRatioToRedis.toFixed(2)],
          ['', 'V8 heap delta', n0(mem.cachette.heapBytesPerItem), ''],
          ['', 'engine accounting', n0(mem.cachette.engineBytesPerItem), mem.engineRatioToRedis.toFixed(2)],
          ['Redis', 'used_memory delta', n0(mem.redis.usedMemoryBytesPerItem), '1.00'],
          ['', 'used_memory, no TTL', n0(mem.redis.usedMemoryBytesPerItemWithoutTtl), ''],
        ],
      ),
    );
  }
  if (r.latencyUnderLoad !== null) {
    out.push('', `4. Cachette at 70 % of peak, ${n0(r.latencyUnderLoad.items)} items resident, latency in ms`);
    out.push(
      table(
        ['op', 'peak calls/s', 'target', 'achieved', 'p50', 'p99', 'p99.9', 'max', 'GC pauses', 'max GC ms'],
        r.latencyUnderLoad.rows.map((row) => [
          OP_LABEL[row.op],
          n0(row.peakPerSecond),
          n0(row.targetPerSecond),
          n0(row.achieved.perSecond),
          ms(row.achieved.latency.p50),
          ms(row.achieved.latency.p99),
          ms(row.achieved.latency.p999),
          ms(row.achieved.latency.max),
          `${row.serverGc.count} (${row.serverGc.majorCount} major)`,
          // Older result files have no kind.
          row.serverGc.maxKind ? `${ms(row.serverGc.maxMs)} ${row.serverGc.maxKind}` : ms(row.serverGc.maxMs),
        ]),
      ),
    );
  }
  if (r.collections !== undefined && r.collections !== null) out.push('', formatCollections(r.collections));
  process.stdout.write(`${out.join('\n')}\n`);
}

/** The collections section: each call beside its Redis command, then bytes per element. */
export function formatCollections(c: CollectionsResult): string {
  const out: string[] = [];
  if (c.rows.length > 0) {
    out.push('5. Collections (h2load → Cachette gRPC beside redis-benchmark → Redis, same run), latency in ms');
    out.push(
      table(
        ['Cachette call', 'calls/s', 'p50', 'p99', 'Redis', 'ops/s', '× Redis'],
        c.rows.map((row) => [
          row.cachette,
          n0(row.cachettePerSecond),
          ms(row.cachetteLatency.p50),
          ms(row.cachetteLatency.p99),
          row.redis,
          n0(row.redisPerSecond),
          ratio(row.ratioToRedis),
        ]),
      ),
    );
  }
  out.push('', `5b. Bytes per element, ${n0(c.members)} elements (16 B members/fields, 100 B values)`);
  out.push(
    table(
      ['structure', 'engine accounting', 'V8 heap', 'RSS', 'Redis MEMORY USAGE', 'accounting × Redis'],
      c.memory.map((m) => [
        m.what,
        n0(m.accounted),
        n0(m.heap),
        n0(m.rss),
        n0(m.redis),
        ratio(m.accountedRatioToRedis),
      ]),
    ),
  );
  return out.join('\n');
}
