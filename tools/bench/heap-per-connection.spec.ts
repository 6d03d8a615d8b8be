import { perConnection, summarize, type HeapSnapshot } from './heap-per-connection';

/** A snapshot builder: nodes as [type index, name index, self size], the fields this tool reads. */
function snapshot(nodes: [string, string, number][]): HeapSnapshot {
  const types = ['hidden', 'object', 'closure', 'string', 'code'];
  const strings: string[] = [];
  const at = (s: string) => (strings.includes(s) ? strings.indexOf(s) : strings.push(s) - 1);
  return {
    snapshot: { meta: { node_fields: ['type', 'name', 'id', 'self_size'], node_types: [types] } },
    nodes: nodes.flatMap(([type, name, size], id) => [types.indexOf(type), at(name), id, size]),
    strings,
  };
}

describe('heap per connection', () => {
  it('groups objects by type and name, and strings by type alone', () => {
    const sut = summarize(snapshot([['object', 'Socket', 600], ['object', 'Socket', 600], ['string', 'a token', 200], ['string', 'an id', 56]]));
    expect(sut.get('object:Socket')).toEqual({ count: 2, bytes: 1200 });
    expect(sut.get('string')).toEqual({ count: 2, bytes: 256 });
  });

  it('divides the growth by the connections, largest first, and leaves JIT code out', () => {
    const before = summarize(snapshot([['object', 'Socket', 600]]));
    const after = summarize(snapshot([['object', 'Socket', 600], ['object', 'Socket', 600], ['object', 'Socket', 600], ['closure', 'onEvent', 64], ['code', '', 5000]]));
    const sut = perConnection(before, after, 2);
    expect(sut.bytes).toBe(632);
    expect(sut.rows.map((r) => [r.key, r.count, r.bytes])).toEqual([
      ['object:Socket', 1, 600],
      ['closure:onEvent', 0.5, 32],
    ]);
  });
});
