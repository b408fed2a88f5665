/**
 * @module fuzz/run
 * `npm run fuzz [-- --cases N --seed S --from I --minutes M --concurrency C --canary-bound-ms B --max-failures F --json FILE]`:
 * hostile gRPC and HTTP input against a real server, a canary after every batch. Exits 1 on any crash,
 * stall or canary error, printing the seed and a replay command for each.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runFuzz } from './lib/fuzz-loop.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '5000' },
    seed: { type: 'string' },
    from: { type: 'string', default: '0' },
    minutes: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    'canary-bound-ms': { type: 'string', default: '2000' },
    'answer-wait-ms': { type: 'string', default: '5000' },
    'max-failures': { type: 'string', default: '3' },
    json: { type: 'string' },
  },
});
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
console.log(`fuzz: seed ${seed} (replay with --seed ${seed})`);
const report = await runFuzz({
  seed,
  from: Number(values.from),
  cases: Number(values.cases),
  maxMs: values.minutes === undefined ? Number.POSITIVE_INFINITY : Number(values.minutes) * 60_000,
  concurrency: Number(values.concurrency),
  canaryBoundMs: Number(values['canary-bound-ms']),
  answerWaitMs: Number(values['answer-wait-ms']),
  maxFailures: Number(values['max-failures']),
  log: (line) => console.log(line),
});
const { failures, ...summary } = report;
console.log(JSON.stringify(summary, null, 2));
for (const f of failures.slice(0, 20)) {
  console.log(`\n${f.kind.toUpperCase()}: ${f.detail}\n  replay: ${f.replay}\n  ${f.cases.join('\n  ')}`);
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
process.exit(failures.length > 0 ? 1 : 0);
