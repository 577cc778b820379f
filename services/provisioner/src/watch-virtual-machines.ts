// Watches the platform's VirtualMachines so a tenant is reconciled the moment one of its VMs changes (booted,
// failed), instead of waiting for the next readiness poll. Watches stop silently on some errors (client-node
// issues #958, #1496), so it restarts with a bounded backoff; the poll stays as the safety net either way.
import { Logger } from '@nestjs/common';
import { Watch } from '@kubernetes/client-node';
import type { KubeClient } from '@kubelabs/kube';

const maxBackoffMs = 30_000;

export class VirtualMachineWatch {
  private readonly logger = new Logger('VirtualMachineWatch');
  private abort: AbortController | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly kube: KubeClient,
    private readonly labelSelector: string,
    private readonly onTenantChanged: (tenantId: string) => void,
    private readonly tenantLabel = 'kubelabs.io/tenant',
  ) {}

  start(): void {
    if (this.stopped) return;
    const watch = new Watch(this.kube.config);
    watch
      .watch(
        '/apis/kubevirt.io/v1/virtualmachines',
        { labelSelector: this.labelSelector, allowWatchBookmarks: true },
        (_phase, object: { metadata?: { labels?: Record<string, string> } }) => {
          this.failures = 0;
          const tenantId = object?.metadata?.labels?.[this.tenantLabel];
          if (tenantId) this.onTenantChanged(tenantId);
        },
        (error: unknown) => this.restart(error),
      )
      .then((abort) => {
        this.abort = abort;
        if (this.stopped) abort.abort();
      })
      .catch((error: unknown) => this.restart(error));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.abort?.abort();
  }

  private restart(error: unknown): void {
    if (this.stopped) return;
    this.failures++;
    const delayMs = Math.min(maxBackoffMs, 250 * 2 ** Math.min(this.failures, 7));
    if (error) this.logger.warn({ err: error, delayMs }, 'VirtualMachine watch ended; restarting');
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => this.start(), delayMs);
  }
}
