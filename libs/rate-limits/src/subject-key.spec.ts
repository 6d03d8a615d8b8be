import { addressKey, subjectKey } from './subject-key';

describe('subjectKey', () => {
  it('counts an IPv4 address as itself, however Node writes it', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts every address of one IPv6 /64 together', () => {
    const key = addressKey('2001:db8:1:2:aaaa::1');
    expect(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:fffe')).toBe(key);
    expect(addressKey('2001:DB8:1:2::9%eth0')).toBe(key);
    expect(key).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:3::1')).not.toBe(key);
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });

  it('counts a username however it is cased, and bounds what a client can make it store', () => {
    expect(subjectKey('username', 'Admin')).toBe(subjectKey('username', 'admin'));
    expect(subjectKey('username', 'x'.repeat(10_000))).toHaveLength(64);
    expect(subjectKey('user', 'u_abc')).toBe('u_abc');
  });
});
