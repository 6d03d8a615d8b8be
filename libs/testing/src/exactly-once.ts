import type { ChatMessage } from '@app/contracts';
import { ANSWER_LIMIT_MS, type RetryingMember } from './retrying-member';

/** What a fault did to the sends of a test: the figures of issue 11's closing note, and every broken promise. */
export interface ExactlyOnceReport {
  sends: number;
  attempts: number;
  answers: Record<string, number>;
  maxAnswerMs: number;
  acked: number;
  /** Messages with more than one record in history or more than one delivery to a member. */
  duplicates: number;
  /** Acked sends missing from history or from a member's view. */
  lost: number;
  /** Each broken promise, in words (empty when guarantee 3 held for every message). */
  violations: string[];
}

/**
 * Checks guarantee 3 on every message sent by `members`: every send acked; every ok answer of a
 * clientMsgId carries the same id and seq; history holds each exactly once, as acked; every
 * member saw each exactly once; no answer came later than the limit while its connection stayed up.
 */
export function checkExactlyOnce(members: RetryingMember[], stored: ChatMessage[]): ExactlyOnceReport {
  const report: ExactlyOnceReport = { sends: 0, attempts: 0, answers: {}, maxAnswerMs: 0, acked: 0, duplicates: 0, lost: 0, violations: [] };
  const acked = new Map<string, ChatMessage>();
  for (const member of members) {
    for (const send of member.sends) {
      report.sends++;
      let first: ChatMessage | undefined;
      for (const attempt of send.attempts) {
        report.attempts++;
        report.answers[attempt.answer] = (report.answers[attempt.answer] ?? 0) + 1;
        if (attempt.answer !== 'cut') report.maxAnswerMs = Math.max(report.maxAnswerMs, attempt.ms);
        if (attempt.answer === 'silence' || (attempt.answer !== 'cut' && attempt.ms > ANSWER_LIMIT_MS)) {
          report.violations.push(`${send.clientMsgId}: answered after ${attempt.ms} ms (${attempt.answer})`);
        }
        if (!attempt.message) continue;
        first ??= attempt.message;
        if (attempt.message.id !== first.id || attempt.message.seq !== first.seq) {
          report.violations.push(`${send.clientMsgId}: acks disagree (seq ${first.seq} and ${attempt.message.seq})`);
        }
      }
      if (first) acked.set(send.clientMsgId, first);
      else report.violations.push(`${send.clientMsgId}: never acknowledged (${send.attempts.map((a) => a.answer).join(', ')})`);
    }
  }
  report.acked = acked.size;
  const views: [string, ChatMessage[]][] = [['history', stored], ...members.map((m, i): [string, ChatMessage[]] => [`member ${i} (${m.client.user.username})`, m.seen])];
  for (const [who, messages] of views) {
    const byClientMsgId = new Map<string, ChatMessage[]>();
    for (const m of messages) byClientMsgId.set(m.clientMsgId, [...(byClientMsgId.get(m.clientMsgId) ?? []), m]);
    for (const [clientMsgId, copies] of byClientMsgId) {
      if (copies.length > 1) {
        report.duplicates += copies.length - 1;
        report.violations.push(`${who}: ${clientMsgId} ${copies.length} times (seq ${copies.map((c) => c.seq).join(', ')})`);
      }
    }
    for (const [clientMsgId, message] of acked) {
      const copy = byClientMsgId.get(clientMsgId)?.[0];
      if (!copy) {
        report.lost++;
        report.violations.push(`${who}: acked ${clientMsgId} (seq ${message.seq}) missing`);
      } else if (copy.id !== message.id || copy.seq !== message.seq) {
        report.violations.push(`${who}: ${clientMsgId} is seq ${copy.seq}, its ack said ${message.seq}`);
      }
    }
  }
  return report;
}
