// The event side of every chat adapter: an event becomes the direct messages it calls for, each sent at most once per
// (event, claim) even when JetStream redelivers it; the handler returns only when every message is out, so the event
// is acked after its effect, and a failed send forgets its key so the redelivery tries it again.
import type { ChatNotifier, Notice } from './notify-chat-users';
import type { ChatEvent } from './render-chat-message';
import type { SeenKeys } from './seen-keys';

export class ChatEventRelay {
  constructor(
    private readonly notifier: ChatNotifier,
    private readonly sent: SeenKeys,
    private readonly send: (notice: Notice) => Promise<void>,
  ) {}

  /** Sends what `event` calls for; resolves with how many messages went out now. */
  async relay(event: ChatEvent, eventId: string): Promise<number> {
    const notices = (await this.notifier.noticesFor(event, eventId)).filter((n) => this.sent.firstTime(n.key));
    const results = await Promise.allSettled(notices.map((notice) => this.send(notice)));
    const failed = results.flatMap((result, i) => (result.status === 'rejected' ? [{ i, result }] : []));
    for (const { i } of failed) this.sent.forget(notices[i]!.key);
    if (failed[0]) throw failed[0].result.reason;
    return notices.length;
  }
}
