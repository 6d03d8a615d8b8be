import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_EVENTS, SERVER_EVENTS } from './events';
import { ERROR_CODES } from './errors';

/** docs/protocol.md, the client developers' page, kept in step with the typed protocol of this lib. */
const doc = readFileSync(join(__dirname, '../../../docs/protocol.md'), 'utf8');

/** The event names that have their own `### \`name\`` heading in the `## <title>` section. */
function eventsDocumentedUnder(title: string): string[] {
  const start = doc.indexOf(`\n## ${title}\n`);
  if (start < 0) return [];
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^### `([^`]+)`$/gm)].map((m) => m[1]!);
}

describe('docs/protocol.md', () => {
  it('documents every client → server event of ClientToServerEvents in its own section', () => {
    const documented = eventsDocumentedUnder('Client → server events');
    expect(CLIENT_EVENTS.filter((event) => !documented.includes(event))).toEqual([]);
  });

  it('documents every server → client event of ServerToClientEvents in its own section', () => {
    const documented = eventsDocumentedUnder('Server → client events');
    expect(SERVER_EVENTS.filter((event) => !documented.includes(event))).toEqual([]);
  });

  it('documents no event the protocol does not have', () => {
    expect(eventsDocumentedUnder('Client → server events').filter((e) => !(CLIENT_EVENTS as readonly string[]).includes(e))).toEqual([]);
    expect(eventsDocumentedUnder('Server → client events').filter((e) => !(SERVER_EVENTS as readonly string[]).includes(e))).toEqual([]);
  });

  it('explains every error code', () => {
    const table = [...doc.matchAll(/^\| `([a-z_]+)` \| \d{3} \|/gm)].map((m) => m[1]);
    expect(ERROR_CODES.filter((code) => !table.includes(code))).toEqual([]);
  });
});
