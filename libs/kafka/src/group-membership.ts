import type { Consumer } from 'kafkajs';

/**
 * Whether a consumer is a member of its group, from kafkajs's events: from GROUP_JOIN until a
 * crash or a stop. What a readiness probe reports: a consumer that is not reading leaves its
 * process unable to do its job (a gateway answers sends `unavailable`, a persister stores nothing).
 */
export class GroupMembership {
  private member = false;

  get joined(): boolean {
    return this.member;
  }

  /** `onJoined` runs when the consumer becomes a member: its first join, or a rejoin after a crash or stop (not a rebalance). */
  follow(consumer: Pick<Consumer, 'on' | 'events'>, onJoined?: () => void): void {
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.member) return;
      this.member = true;
      onJoined?.();
    });
    for (const event of [consumer.events.CRASH, consumer.events.STOP]) consumer.on(event, () => (this.member = false));
  }
}
