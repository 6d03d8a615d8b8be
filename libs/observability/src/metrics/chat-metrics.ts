import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@app/config';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];

/**
 * Every metric chatstream exports, in one registry per process, each line labelled with the
 * instance. Default process metrics (memory, CPU, event-loop lag, GC) come with it. A metric that
 * a service does not use simply stays at zero there.
 */
@Injectable()
export class ChatMetrics {
  readonly registry = new Registry();

  readonly connections = new Gauge({ name: 'chat_connections', help: 'Open Socket.IO connections', registers: [this.registry] });
  readonly activeRooms = new Gauge({ name: 'chat_rooms_active', help: 'Rooms with members on this replica', registers: [this.registry] });
  readonly messagesReceived = new Counter({ name: 'chat_messages_received_total', help: 'message:send events received', registers: [this.registry] });
  readonly messagesProduced = new Counter({ name: 'chat_messages_produced_total', help: 'Messages acknowledged by Kafka', registers: [this.registry] });
  readonly messagesDelivered = new Counter({ name: 'chat_messages_delivered_total', help: 'message events emitted to sockets', registers: [this.registry] });
  readonly messagesPersisted = new Counter({ name: 'chat_messages_persisted_total', help: 'Messages stored in MongoDB for the first time', registers: [this.registry] });
  readonly deadLetters = new Counter({ name: 'chat_dead_letters_total', help: 'Records sent to the dead-letter topic', registers: [this.registry] });
  readonly produceLatency = new Histogram({ name: 'chat_produce_latency_seconds', help: 'Produce request duration (batch, acks=all)', buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly sendReadBack = new Histogram({ name: 'chat_send_read_back_seconds', help: 'From Kafka acknowledging a send to this gateway reading it back (when its ack goes out)', buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly produceBatchSize = new Histogram({ name: 'chat_produce_batch_size', help: 'Messages per produce request', buckets: SIZE_BUCKETS, registers: [this.registry] });
  readonly persistLatency = new Histogram({ name: 'chat_persist_latency_seconds', help: 'Bulk write duration per chunk', buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly persistBatchSize = new Histogram({ name: 'chat_persist_batch_size', help: 'Messages per store insert (the batches of a fetch merged)', buckets: SIZE_BUCKETS, registers: [this.registry] });
  readonly repeatsDropped = new Counter({ name: 'chat_send_repeats_dropped_total', help: 'Records of an already-sent message (a retry that reached Kafka again) not delivered', registers: [this.registry] });
  readonly retryWindowSends = new Gauge({ name: 'chat_retry_window_sends', help: 'Sends remembered for their retries (RetryWindow)', registers: [this.registry] });
  readonly consumerLag = new Gauge({ name: 'chat_consumer_lag', help: 'Records behind the partition end', labelNames: ['consumer', 'partition'], registers: [this.registry] });
  readonly joinPages = new Counter({ name: 'chat_join_pages_total', help: 'Join answers by where their messages came from', labelNames: ['source'], registers: [this.registry] });
  readonly historyPages = new Counter({ name: 'chat_history_pages_total', help: 'History pages (REST) answered, by where their messages came from', labelNames: ['source'], registers: [this.registry] });
  readonly roomTailMessages = new Gauge({ name: 'chat_room_tail_messages', help: 'Messages kept in memory for joins (RoomTails)', registers: [this.registry] });
  readonly rateLimited = new Counter({ name: 'chat_rate_limited_total', help: 'Requests and events refused by a rate limit', labelNames: ['limit'], registers: [this.registry] });
  readonly rateLimitLocal = new Counter({ name: 'chat_rate_limit_local_total', help: 'Rate-limit checks decided in memory because Redis failed or was slow', labelNames: ['limit'], registers: [this.registry] });
  readonly httpRequests = new Counter({ name: 'chat_http_requests_total', help: 'HTTP requests answered', labelNames: ['method', 'status'], registers: [this.registry] });

  /** Called before each scrape (see onScrape). */
  private readonly scrapeHooks: Array<() => void> = [];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.registry.setDefaultLabels({ instance: config.instanceId });
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
  }

  /**
   * Sets gauges from their owner's state when scraped, for state that changes on the hot path: a
   * gauge set per Kafka fetch cost a gateway ~2 % of its allocations (prom-client hashes and sorts
   * the labels on every set), and is only read every few seconds.
   */
  onScrape(update: () => void): void {
    this.scrapeHooks.push(update);
  }

  /** The Prometheus text of every metric, scrape-time gauges updated first. */
  scrape(): Promise<string> {
    for (const update of this.scrapeHooks) update();
    return this.registry.metrics();
  }
}
