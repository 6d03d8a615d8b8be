import type { FastifyInstance } from 'fastify';

/** Charsets a JSON body may declare: JSON is UTF-8 (RFC 8259); anything else would be misread. */
const UTF8 = new Set(['utf-8', 'utf8']);

/**
 * How the api reads `application/json` bodies: Fastify's own parser (prototype-poisoning checks,
 * the body limit), with the two things clients of the api relied on before it ran on Fastify:
 * an empty body is no body (a DELETE sent with `content-type: application/json`, as many HTTP
 * clients do), and a charset other than UTF-8 is the client's error (400 `bad_request`), never
 * guessed at.
 */
export function readJsonBodies(fastify: FastifyInstance, bodyLimit: number): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    const charset = /charset=([^;]+)/i.exec(request.headers['content-type'] ?? '')?.[1]?.trim().toLowerCase();
    if (charset && !UTF8.has(charset.replace(/^"|"$/g, ''))) {
      done(Object.assign(new Error(`unsupported charset "${charset}"`), { statusCode: 415 }), undefined);
    } else if (body.length === 0) {
      done(null, undefined);
    } else {
      // Fastify's own parser: it answers through `done` (what it returns is nothing to wait for).
      void parse(request, typeof body === 'string' ? body : body.toString('utf8'), done);
    }
  });
}
