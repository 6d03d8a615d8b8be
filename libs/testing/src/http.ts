import { request, type IncomingHttpHeaders } from 'node:http';
import { BASE_URL } from './chat-client';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/**
 * A JSON request to the public address from a given source address in 127.0.0.0/8, which Nginx
 * passes on as the client's address (fetch cannot choose its source address). Per-address rate
 * limits count each source address on its own.
 */
export function requestFrom(sourceIp: string, method: 'GET' | 'POST', path: string, options: { body?: unknown; token?: string } = {}): Promise<HttpAnswer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, BASE_URL),
      {
        method,
        localAddress: sourceIp,
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: the test sees the text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} from ${sourceIp}: no answer within 15 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}
