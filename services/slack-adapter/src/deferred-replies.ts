// Work Slack must not wait for: a command or button press is acknowledged at once, then run here, and its answer
// goes to the student by direct message. On shutdown the service waits for what is still running.
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { ChatMessage } from '@kubelabs/chat';
import { SlackSender } from './slack-sender';

@Injectable()
export class DeferredReplies implements BeforeApplicationShutdown {
  private readonly logger = new Logger('DeferredReplies');
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly sender: SlackSender) {}

  run(slackUserId: string, work: () => Promise<ChatMessage>): void {
    const done: Promise<void> = work()
      .then((message) => this.sender.sendDirect(slackUserId, message))
      .catch((error: unknown) => this.logger.warn({ error: (error as Error).message }, 'a Slack request failed'))
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.inFlight);
  }
}
