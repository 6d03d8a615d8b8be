/**
 * A token bucket per socket: `ratePerSecond` sustained, twice that in a burst. Kept in memory:
 * a socket lives on one replica, so its budget needs no coordination.
 */
export class SendRate {
  private tokens: number;
  private at: number;

  constructor(
    private readonly ratePerSecond: number,
    now: number,
  ) {
    this.tokens = ratePerSecond * 2;
    this.at = now;
  }

  /** 0 when the send may go now, else how many ms until it may. */
  take(now: number): number {
    const capacity = this.ratePerSecond * 2;
    this.tokens = Math.min(capacity, this.tokens + ((now - this.at) / 1000) * this.ratePerSecond);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }
}
