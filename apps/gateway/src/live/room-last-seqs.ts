/**
 * The seq of each room's newest record this replica has read from the log: how far history must
 * reach before a join of the room can be answered from it. A join registered at the live position
 * `untilSeq` needs every message of its room up to untilSeq; the room has none between its newest
 * record read here and untilSeq (this replica has read everything up to there), so history only has
 * to reach that newest record. A room quiet for a while is then answered without waiting for the
 * persister to catch up with the partition's live end, which under load is hundreds of ms behind.
 *
 * Rooms are forgotten beyond `maxRooms`, least recently written first. A room never seen here (none
 * of its records since this replica started reading, or forgotten) may have messages up to its
 * partition's floor: the first offset read here (records before it have seq ≤ that offset), raised
 * to the newest seq of any room forgotten on that partition.
 */
export class RoomLastSeqs {
  /** Map order: least recently written first. */
  private readonly last = new Map<string, number>();
  private readonly floors = new Map<number, number>();

  constructor(
    private readonly partitionOf: (roomId: string) => number,
    private readonly maxRooms = 200_000,
  ) {}

  /** This replica reads `partition` from `firstOffset` on: nothing before it was seen here. */
  startAt(partition: number, firstOffset: bigint): void {
    this.floors.set(partition, Number(firstOffset));
  }

  /** A record of the room was read (in log order: seqs of a room only grow). */
  read(roomId: string, seq: number): void {
    this.last.delete(roomId);
    this.last.set(roomId, seq);
    if (this.last.size > this.maxRooms) this.forgetOldest();
  }

  /** The seq history must reach for a join of the room registered at `untilSeq`. */
  historyNeeded(roomId: string, partition: number, untilSeq: number): number {
    const needed = this.last.get(roomId) ?? this.floors.get(partition) ?? untilSeq;
    return Math.min(needed, untilSeq);
  }

  private forgetOldest(): void {
    const oldest = this.last.entries().next().value;
    if (!oldest) return;
    const [roomId, seq] = oldest;
    this.last.delete(roomId);
    const partition = this.partitionOf(roomId);
    this.floors.set(partition, Math.max(this.floors.get(partition) ?? 0, seq));
  }
}
