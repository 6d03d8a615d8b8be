import type { ChatMessage } from '@app/contracts';

/**
 * Live messages of one room held for a socket while its join reads history. The live stream
 * appends here (instead of emitting) from the moment the join registers; the join then answers
 * with history up to `untilSeq` and replays what was held, so nothing falls between the two and
 * nothing appears twice.
 */
export class JoinBuffer {
  private readonly held: ChatMessage[] = [];

  constructor(
    readonly roomId: string,
    /** Every message with seq <= untilSeq was already handled by the live stream at registration. */
    readonly untilSeq: number,
  ) {}

  hold(message: ChatMessage): void {
    this.held.push(message);
  }

  /** The held messages that the history answer does not contain, in seq order. */
  drain(lastSeqInAnswer: number): ChatMessage[] {
    const after = Math.max(lastSeqInAnswer, this.untilSeq);
    const seen = new Set<number>();
    return this.held
      .filter((m) => m.seq > after && !seen.has(m.seq) && seen.add(m.seq))
      .sort((a, b) => a.seq - b.seq);
  }
}
