/** Wall-clock time in milliseconds with sub-microsecond resolution. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

// Results are folded into this so the optimiser cannot drop a call whose value is unused.
let sink = 0;
export function consume(value: unknown): void {
  sink = (sink + (value ? 1 : 0)) | 0;
}

/** CPU time of this process (all threads, user + system), in microseconds. */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/**
 * Calls of a synchronous function per CPU-second, measured for about `durationMs` of wall time.
 * CPU time, not wall time: on a shared machine a descheduled process would otherwise count as
 * slow code. The clock is read every `chunk` calls so reading it does not weigh on fast functions.
 */
export function opsPerCpuSecond(fn: () => unknown, durationMs: number, chunk = 20): number {
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(durationMs * 1e6));
  const cpuStart = cpuMicros();
  let calls = 0;
  let now = start;
  while (now < end) {
    for (let i = 0; i < chunk; i += 1) consume(fn());
    calls += chunk;
    now = process.hrtime.bigint();
  }
  return calls / ((cpuMicros() - cpuStart) / 1e6);
}

/**
 * The same for an async function, one call at a time (a Lambda environment handles one event
 * at a time), for functions that do no real I/O, so CPU time is their whole cost.
 */
export async function asyncOpsPerCpuSecond(fn: () => Promise<unknown>, durationMs: number): Promise<number> {
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(durationMs * 1e6));
  const cpuStart = cpuMicros();
  let calls = 0;
  let now = start;
  while (now < end) {
    consume(await fn());
    calls += 1;
    now = process.hrtime.bigint();
  }
  return calls / ((cpuMicros() - cpuStart) / 1e6);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Mulberry32: a small seeded PRNG. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
