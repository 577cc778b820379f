// The event side of every chat adapter: an event becomes the direct messages it calls for, each sent at most once per
// (event, claim) even when JetStream redelivers it, to this process or, after a restart, to the next one (the keys
// live in SentKeys, a JetStream KV bucket in the adapters). The handler returns only when every message is out, so
// the event is acked after its effect, and a failed send gives its key back so the redelivery tries it again.
import type { ChatNotifier, Notice } from './notify-chat-users';
import type { ChatEvent } from './render-chat-message';
import type { SentKeys } from './sent-keys';

export class ChatEventRelay {
  constructor(
    private readonly notifier: Pick<ChatNotifier, 'noticesFor'>,
    private readonly sent: SentKeys,
    private readonly send: (notice: Notice) => Promise<void>,
  ) {}

  /** Sends what `event` calls for; resolves with how many messages went out now. */
  async relay(event: ChatEvent, eventId: string): Promise<number> {
    const notices = await this.notifier.noticesFor(event, eventId);
    const claims = await Promise.allSettled(notices.map((notice) => this.sent.claim(notice.key)));
    const claimed = notices.filter((_, i) => {
      const claim = claims[i]!;
      return claim.status === 'fulfilled' && claim.value;
    });
    const unclaimable = claims.find((claim) => claim.status === 'rejected');
    if (unclaimable) {
      // Nothing is sent unless every key could be asked about: give back the ones taken, the redelivery starts over.
      await this.giveBack(claimed);
      throw unclaimable.reason;
    }
    const results = await Promise.allSettled(claimed.map((notice) => this.send(notice)));
    const failed = claimed.filter((_, i) => results[i]!.status === 'rejected');
    await this.giveBack(failed);
    const firstFailure = results.find((result) => result.status === 'rejected');
    if (firstFailure) throw firstFailure.reason;
    return claimed.length;
  }

  // Best effort: a key that cannot be given back (NATS unreachable) keeps its message from being sent on redelivery.
  private async giveBack(notices: Notice[]): Promise<void> {
    await Promise.allSettled(notices.map((notice) => this.sent.forget(notice.key)));
  }
}
