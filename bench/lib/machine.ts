/**
 * @module bench/lib/machine
 * What the figures were measured on.
 */
import { cpus, loadavg, release, totalmem, type } from 'node:os';

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly totalMemoryBytes: number;
  readonly os: string;
  readonly node: string;
  readonly redis: string;
  readonly h2load: string;
  /** 1/5/15-minute load averages when the run started: above ~0.3 means other work shared the CPUs. */
  readonly loadAverageAtStart: readonly number[];
}

export function describeMachine(redis: string, h2load: string): Machine {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    totalMemoryBytes: totalmem(),
    os: `${type()} ${release()}`,
    node: process.version,
    redis,
    h2load,
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
