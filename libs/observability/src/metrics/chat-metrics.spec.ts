import type { AppConfig } from '@app/config';
import { ChatMetrics } from './chat-metrics';

describe('ChatMetrics', () => {
  it('sets scrape-time gauges from their owner\'s state at each scrape', async () => {
    const metrics = new ChatMetrics({ instanceId: 'gateway-t' } as AppConfig);
    let held = 3;
    metrics.onScrape(() => metrics.roomTailMessages.set(held));
    expect(await metrics.scrape()).toContain('chat_room_tail_messages{instance="gateway-t"} 3');
    held = 7;
    expect(await metrics.scrape()).toContain('chat_room_tail_messages{instance="gateway-t"} 7');
  });
});
