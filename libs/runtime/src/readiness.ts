// Collects the readiness checks of a service's connections (NATS, MongoDB, Kubernetes). /readyz is ready only when
// every registered check passes.
import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<boolean> | boolean;

@Injectable()
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();
  private shuttingDown = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Called on SIGTERM: the service reports not-ready so traffic drains away before it stops. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async evaluate(timeoutMs = 2000): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
        const ok = await Promise.race([
          Promise.resolve()
            .then(check)
            .catch(() => false),
          timeout,
        ]);
        return [name, ok] as const;
      }),
    );
    const checks = Object.fromEntries(entries);
    return { ready: !this.shuttingDown && entries.every(([, ok]) => ok), checks };
  }
}
