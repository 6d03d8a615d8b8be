import { execFile } from 'node:child_process';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { join } from 'node:path';

// The tool as scripts/topology.sh runs it (node tools/ops/health.js NAME=CHECK...), against
// services stubbed on ephemeral ports of 127.0.0.1.
const TOOL = join(__dirname, 'health.js');

function runHealth(...checks: string[]): Promise<{ code: number; lines: string[] }> {
  return new Promise((resolve) => {
    execFile('node', [TOOL, ...checks], { encoding: 'utf8' }, (error, stdout) => {
      resolve({ code: error ? Number(error.code) : 0, lines: stdout.trimEnd().split('\n') });
    });
  });
}

const listen = async <T extends HttpServer | TcpServer>(server: T): Promise<T> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};
const portOf = (server: HttpServer | TcpServer) => (server.address() as AddressInfo).port;

describe('the health checks (tools/ops/health.js)', () => {
  let app: HttpServer;
  let redisStub: TcpServer;
  let closedPort: number;

  beforeAll(async () => {
    app = await listen(
      createHttpServer((req, res) => {
        const up = req.url === '/up';
        res.writeHead(up ? 200 : 503, { 'content-type': 'application/json' });
        const redis = up ? { status: 'up' } : { status: 'down', message: 'no answer within 3000 ms' };
        res.end(JSON.stringify({ status: up ? 'ok' : 'error', details: { kafka: { status: 'up' }, redis } }));
      }),
    );
    redisStub = await listen(createTcpServer((socket) => socket.on('data', () => socket.write('+PONG\r\n'))));
    const gone = await listen(createTcpServer());
    closedPort = portOf(gone);
    await new Promise((resolve) => gone.close(resolve));
  });

  afterAll(() => {
    app.close();
    redisStub.close();
  });

  it('prints one line per check in the given order and "all healthy" when every check passes', async () => {
    const url = `http://127.0.0.1:${portOf(app)}/up`;

    const { code, lines } = await runHealth(`gateway-1=${url}`, `kafka=tcp:${portOf(app)}`, `redis=redis:${portOf(redisStub)}`, 'mongo=skip:external MONGO_URL (not checked here)');

    expect(code).toBe(0);
    expect(lines).toEqual([
      `✓ gateway-1   ${url} 200 (kafka up, redis up)`,
      `✓ kafka       tcp 127.0.0.1:${portOf(app)} open`,
      `✓ redis       tcp 127.0.0.1:${portOf(redisStub)} open, ping: PONG`,
      '✓ mongo       external MONGO_URL (not checked here)',
      'all healthy',
    ]);
  });

  it('marks what is down or silent with ✗, names the failing dependency, counts the failures and exits 1', async () => {
    const down = `http://127.0.0.1:${portOf(app)}/down`;
    const silent = `http://127.0.0.1:${closedPort}/health`;

    const { code, lines } = await runHealth(`api=${down}`, `nginx=${silent}`, `mongo=tcp:${closedPort}`, `redis=redis:${closedPort}`);

    expect(code).toBe(1);
    expect(lines).toEqual([
      `✗ api         ${down} 503 (kafka up, redis down)`,
      `✗ nginx       ${silent} no answer`,
      `✗ mongo       tcp 127.0.0.1:${closedPort} closed`,
      `✗ redis       ping on 127.0.0.1:${closedPort}: no answer`,
      '4 check(s) failed',
    ]);
  });

  it('refuses a check it does not know (exit 2)', async () => {
    const { code } = await runHealth('kafka=udp:9092');

    expect(code).toBe(2);
  });
});
