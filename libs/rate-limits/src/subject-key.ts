import { isIPv6 } from 'node:net';
import type { RateLimitSubject } from './rate-limit-rules';

const MAX_KEY_LENGTH = 64;

/** The counter key of a subject: one per address (an IPv6 /64), per user id, per username. */
export function subjectKey(subject: RateLimitSubject, value: string): string {
  switch (subject) {
    case 'address':
      return addressKey(value);
    case 'username':
      // As login compares names (UsersRepository.usernameKey); bounded, since it comes unvalidated.
      return value.normalize('NFC').toLowerCase().slice(0, MAX_KEY_LENGTH);
    case 'user':
      return value.slice(0, MAX_KEY_LENGTH);
  }
}

/**
 * IPv4 as is (also written IPv4-mapped, as Node shows it on a dual-stack socket). IPv6 by its /64:
 * a single host or home gets a whole /64, so limiting each address would be dodged by stepping
 * through it.
 */
export function addressKey(address: string): string {
  const plain = address.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(plain);
  if (mapped) return mapped[1]!;
  if (!isIPv6(plain)) return plain;
  return `${hextets(plain).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, `::` and a dotted IPv4 tail expanded. */
function hextets(address: string): string[] {
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((h) => parseInt(h, 16).toString(16));
}
