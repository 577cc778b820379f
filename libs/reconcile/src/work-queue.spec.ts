import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { waitFor } from '@kubelabs/testing';
import { planRetryDelay, WorkQueue } from './work-queue';
import { reconcileMetrics } from './reconcile-metrics';

/** A pass that can be held open until the test lets it finish. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('planRetryDelay', () => {
  const backoff = { baseMs: 100, maxMs: 1_000, maxRetries: 6 };
  it.each([
    { attempt: 1, delay: 100 },
    { attempt: 2, delay: 200 },
    { attempt: 4, delay: 800 },
    { attempt: 5, delay: 1_000 },
    { attempt: 6, delay: 1_000 },
    { attempt: 7, delay: null },
  ])('retry $attempt waits $delay ms', ({ attempt, delay }) => {
    expect(planRetryDelay(attempt, backoff)).toBe(delay);
  });
});

describe('WorkQueue', () => {
  it('runs a key queued many times while waiting once, and never runs one key twice at once', async () => {
    let running = 0;
    let maxRunning = 0;
    const passes: string[] = [];
    const first = gate();
    const queue = new WorkQueue(
      async (key) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        passes.push(key);
        if (passes.length === 1) await first.opened;
        running--;
      },
      { name: 'test', concurrency: 4 },
    );
    const done = [queue.enqueue('a')];
    await waitFor('first pass to start', () => passes.length === 1);
    // While 'a' runs, ten more requests for it collapse into one more pass after this one.
    for (let i = 0; i < 10; i++) done.push(queue.enqueue('a'));
    expect(queue.isRunning('a')).toBe(true);
    first.open();
    await Promise.all(done);
    expect(passes).toEqual(['a', 'a']);
    expect(maxRunning).toBe(1);
    await queue.stop();
  });

  it('runs different keys concurrently up to its concurrency', async () => {
    let running = 0;
    let maxRunning = 0;
    const release = gate();
    const queue = new WorkQueue(
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await release.opened;
        running--;
      },
      { name: 'test', concurrency: 3 },
    );
    const done = ['a', 'b', 'c', 'd', 'e'].map((key) => queue.enqueue(key));
    await waitFor('three passes in flight', () => running === 3);
    expect(queue.size).toBe(5);
    release.open();
    await Promise.all(done);
    expect(maxRunning).toBe(3);
    await queue.stop();
  });

  it('retries a failing key with growing delays and stops at the bound', async () => {
    const times: number[] = [];
    const registry = new Registry();
    const metrics = reconcileMetrics(registry);
    const errors: { attempt: number; delayMs: number | null }[] = [];
    const queue = new WorkQueue(
      async () => {
        times.push(Date.now());
        throw new Error('boom');
      },
      {
        name: 'retry-test',
        concurrency: 1,
        backoff: { baseMs: 20, maxMs: 80, maxRetries: 4 },
        metrics,
        onError: (_key, _error, retry) => errors.push(retry),
      },
    );
    await queue.enqueue('k');
    await waitFor('the retry bound', () => errors.length === 5, { timeoutMs: 5_000, intervalMs: 10 });
    expect(errors.map((e) => e.delayMs)).toEqual([20, 40, 80, 80, null]);
    // Each retry waited at least its delay.
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    for (const [i, expected] of [20, 40, 80, 80].entries()) expect(gaps[i]).toBeGreaterThanOrEqual(expected - 2);
    // Past the bound, nothing more runs by itself.
    const passes = times.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(times.length).toBe(passes);
    const text = await registry.metrics();
    expect(text).toMatch(/kubelabs_reconcile_retries_total\{controller="retry-test"\} 4/);
    expect(text).toMatch(/kubelabs_reconcile_retries_exhausted_total\{controller="retry-test"\} 1/);
    expect(text).toMatch(/kubelabs_reconcile_passes_total\{controller="retry-test",result="error"\} 5/);
    await queue.stop();
  });

  it('forgets past failures once a pass succeeds', async () => {
    let calls = 0;
    const errors: number[] = [];
    const queue = new WorkQueue(
      async () => {
        calls++;
        if (calls === 1 || calls === 3) throw new Error('transient');
      },
      {
        name: 'test',
        concurrency: 1,
        backoff: { baseMs: 10, maxMs: 1_000, maxRetries: 5 },
        onError: (_k, _e, retry) => errors.push(retry.attempt),
      },
    );
    await queue.enqueue('k'); // fails, retried after 10 ms, succeeds
    await waitFor('the retry to succeed', () => calls === 2);
    await queue.enqueue('k'); // fails again: attempt 1, not 2
    await waitFor('the second retry', () => calls === 4);
    expect(errors).toEqual([1, 1]);
    await queue.stop();
  });

  it('honours a requeue-after answer', async () => {
    const times: number[] = [];
    const queue = new WorkQueue(
      async () => {
        times.push(Date.now());
        return times.length < 3 ? { requeueAfterMs: 60 } : undefined;
      },
      { name: 'test', concurrency: 1 },
    );
    await queue.enqueue('k');
    await waitFor('three passes', () => times.length === 3, { timeoutMs: 2_000, intervalMs: 5 });
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(58);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(58);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(times).toHaveLength(3);
    await queue.stop();
  });

  it('coalesces delayed enqueues of one key into one pass, and resolves every caller', async () => {
    let passes = 0;
    const queue = new WorkQueue(
      async () => {
        passes++;
      },
      { name: 'test', concurrency: 1 },
    );
    await Promise.all(Array.from({ length: 20 }, () => queue.enqueue('pools', { afterMs: 30 })));
    expect(passes).toBe(1);
    await queue.stop();
  });

  it('stops cleanly: waits for the pass in flight, cancels retries, resolves waiting callers', async () => {
    const hold = gate();
    let finished = false;
    const queue = new WorkQueue(
      async (key) => {
        if (key === 'slow') {
          await hold.opened;
          finished = true;
        } else throw new Error('fails');
      },
      { name: 'test', concurrency: 1, backoff: { baseMs: 10_000 } },
    );
    const slow = queue.enqueue('slow');
    const waiting = queue.enqueue('other');
    await waitFor('the slow pass to start', () => queue.isRunning('slow'));
    const stopping = queue.stop();
    hold.open();
    await stopping;
    expect(finished).toBe(true);
    await Promise.all([slow, waiting]);
    expect(queue.size).toBe(0);
    await expect(queue.enqueue('late')).resolves.toBeUndefined();
  });
});
