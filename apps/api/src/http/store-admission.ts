import { ChatError } from '@app/contracts';

/**
 * Bounds the api's concurrent store work: at most `concurrency` reads run, at most `queue` more
 * wait (oldest first, each at most `maxWaitMs`), and anything past that is refused at once with
 * `unavailable` + retryAfterMs. Shedding early is what keeps one hot endpoint (many readers of a
 * deep room) from queueing minutes of work in the store while login and /health starve.
 */
export class StoreAdmission {
  private running = 0;
  private readonly waiting: { admit: () => void; timer: NodeJS.Timeout }[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly queue: number,
    private readonly maxWaitMs: number,
    private readonly retryAfterMs = 1000,
  ) {}

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.admit();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private admit(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.queue) return Promise.reject(this.busy('too many requests are waiting for the store'));
    return new Promise((resolve, reject) => {
      const entry = {
        // The slot is handed over by release(): `running` stays the same.
        admit: () => {
          clearTimeout(entry.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(entry), 1);
          reject(this.busy(`no store slot within ${this.maxWaitMs} ms`));
        }, this.maxWaitMs),
      };
      this.waiting.push(entry);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next.admit();
    else this.running--;
  }

  private busy(why: string): ChatError {
    return new ChatError('unavailable', `the history store is busy (${why}); retry later`, this.retryAfterMs);
  }
}
