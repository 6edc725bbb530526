/**
 * `GET /healthz` at a fixed interval while a step runs, as a load balancer's health check would: each
 * request goes out on schedule whether or not the one before has been answered, so a stalled server shows
 * as many slow answers, not as one.
 */
import { sleep, summarize, type Summary } from './stats.js';

export interface HealthProbe extends Summary {
  intervalMs: number;
  /** Requests that failed or were not answered within the timeout (not in the latencies). */
  failed: number;
}

export async function probeHealth(url: string, delayMs: number, durationMs: number, intervalMs = 100, timeoutMs = 5000): Promise<HealthProbe> {
  await sleep(delayMs);
  const latencies: number[] = [];
  let failed = 0;
  const one = async () => {
    const t = performance.now();
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      if (res.ok) latencies.push(performance.now() - t);
      else failed++;
    } catch {
      failed++;
    }
  };
  const started = performance.now();
  const requests: Promise<void>[] = [];
  for (let i = 0; i * intervalMs < durationMs; i++) {
    const wait = started + i * intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    requests.push(one());
  }
  await Promise.all(requests);
  return { ...summarize(latencies), intervalMs, failed };
}
