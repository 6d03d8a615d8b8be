import { Partitioners, type PartitionMetadata } from 'kafkajs';

/** Rooms remembered before starting over (an optimization only). */
const MAX_KNOWN_KEYS = 100_000;

/**
 * Maps a key (the room id) to its partition with kafkajs's default partitioner, which is the
 * Java client's murmur2 scheme: any producer, in any language, puts a room on the same partition.
 * Computing it here (instead of letting kafkajs do it inside send) tells us where each record of a
 * batch lands, which is what turns the partition's base offset into each record's offset.
 */
export class RoomPartitioner {
  private readonly pick = Partitioners.DefaultPartitioner();
  private readonly metadata: PartitionMetadata[];
  /** Keys already mapped: every send and join asks again for a few rooms, and murmur2 copies the key into a Buffer each time. */
  private readonly known = new Map<string, number>();

  constructor(
    private readonly topic: string,
    partitions: number,
  ) {
    this.metadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
      offlineReplicas: [],
    }));
  }

  partitionOf(key: string): number {
    const known = this.known.get(key);
    if (known !== undefined) return known;
    const partition = this.pick({ topic: this.topic, partitionMetadata: this.metadata, message: { key, value: null } });
    if (this.known.size >= MAX_KNOWN_KEYS) this.known.clear();
    this.known.set(key, partition);
    return partition;
  }
}
