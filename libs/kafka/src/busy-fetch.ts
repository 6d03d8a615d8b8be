/**
 * `busyFetch`, a consumer option added by patches/kafkajs+2.2.4.patch (applied by patch-package at
 * install): the minBytes and wait of a fetch that follows a fetch which returned at least
 * `minRecords` records.
 *
 * Why: a consumer fetching with minBytes 1 is answered as soon as one record arrives, so under
 * traffic every produce request costs each gateway a fetch, a decode and a batch of its own.
 * A few ms of wait at the broker lets one fetch carry several; but a fixed wait also holds every
 * fetch of an idle consumer that long, and each gateway then fetched every few ms for nothing
 * (~180 ms of CPU a second for the topology). Switching on what the previous fetch found keeps
 * both: busy, records gather for at most `maxWaitTimeInMs`; idle, the first record wakes the
 * consumer at once. `minRecords` keeps light traffic out of it: a fetch that found one record
 * followed by a busy fetch that finds none would be two fetches per record (at 100 sends/s that
 * cost the gateways +32 % and Kafka +53 % CPU). docs/benchmarks.md has the measurements.
 */
declare module 'kafkajs' {
  interface ConsumerConfig {
    /** Used after a fetch that returned at least `minRecords` (default 1); a `maxWaitTimeInMs` of 0 turns it off. */
    busyFetch?: { minBytes: number; maxWaitTimeInMs: number; minRecords?: number };
  }
}

export {};
