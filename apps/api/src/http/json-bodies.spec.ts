import Fastify, { type FastifyInstance } from 'fastify';
import { readJsonBodies } from './json-bodies';

/** A bare Fastify (no Nest, no network: `inject`) with the api's JSON reading, echoing the body it read. */
async function server(): Promise<FastifyInstance> {
  const fastify = Fastify();
  readJsonBodies(fastify, 1024);
  fastify.post('/echo', async (request) => ({ body: request.body ?? null }));
  fastify.delete('/echo', async (request) => ({ body: request.body ?? null }));
  await fastify.ready();
  return fastify;
}

const post = (sut: FastifyInstance, contentType: string, payload: string, method: 'POST' | 'DELETE' = 'POST') =>
  sut.inject({ method, url: '/echo', headers: { 'content-type': contentType }, payload });

describe('readJsonBodies', () => {
  let sut: FastifyInstance;
  beforeAll(async () => (sut = await server()));
  afterAll(() => sut.close());

  it('reads a JSON body, with or without a UTF-8 charset', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/json; charset="UTF-8"']) {
      const answer = await post(sut, type, '{"username":"alice"}');
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toEqual({ body: { username: 'alice' } });
    }
  });

  it('takes an empty body as no body (a DELETE sent with a JSON content type)', async () => {
    const answer = await post(sut, 'application/json', '', 'DELETE');
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ body: null });
  });

  it('refuses a charset other than UTF-8, malformed JSON, prototype poisoning and a body over the limit as client errors', async () => {
    expect((await post(sut, 'application/json; charset=latin1', '{"username":"x"}')).statusCode).toBe(415);
    expect((await post(sut, 'application/json', '{bad')).statusCode).toBe(400);
    expect((await post(sut, 'application/json', '{"__proto__":{"admin":true}}')).statusCode).toBe(400);
    expect((await post(sut, 'application/json', JSON.stringify({ username: 'x'.repeat(2000) }))).statusCode).toBe(413);
  });
});
