import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { io } from 'socket.io-client';
import { newMessageId, type ChatRecord } from '@app/contracts';
import { PERSISTER_GROUP_ID } from '@app/kafka';
import { dataDir } from '../loadgen/options';
import { progress, sleep } from './bench-env';

/**
 * Rooms with deep history for the history and join scenarios, made quickly: the room is created
 * through the product (`room:create`), then its messages are produced straight to the chat topic
 * in large batches (keyed by room, like the gateways do) and the persister stores them, so `seq`
 * is the real Kafka offset + 1 and history, live stream and joins all agree. The load generator
 * would take minutes for 100,000 messages. A seeded room is remembered in .data/bench and reused
 * by the next run if the store still holds it.
 */

export interface SeededRoom {
  roomId: string;
  size: number;
  firstSeq: number;
  lastSeq: number;
}

const STATE_FILE = (): string => `${dataDir()}/bench/seeded-rooms.json`;
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const TOPIC = process.env.KAFKA_TOPIC_MESSAGES ?? 'chat.messages';
const BATCH = 2_000;

export async function login(url: string, username: string): Promise<{ token: string; user: { id: string; username: string } }> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 200) throw new Error(`login ${username}: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
  return (await response.json()) as { token: string; user: { id: string; username: string } };
}

async function createRoom(url: string, token: string, name: string): Promise<string> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 10_000 });
  try {
    const answer = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('room:create: no answer within 10 s')), 10_000);
      socket.once('connect_error', (e: Error) => reject(new Error(`connect_error ${e.message}`)));
      socket.emit('room:create', { name }, (a: unknown) => {
        clearTimeout(timer);
        resolve(a);
      });
    });
    const room = (answer as { ok?: boolean; room?: { id?: string } }).room;
    if (!room?.id) throw new Error(`room:create failed: ${JSON.stringify(answer)}`);
    return room.id;
  } finally {
    socket.close();
  }
}

/** Does the store still hold the room's last message? (one history request) */
async function stillStored(url: string, token: string, room: SeededRoom): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/rooms/${room.roomId}/messages?limit=1&after=${room.lastSeq - 1}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(60_000),
    });
    if (response.status !== 200) return false;
    const body = (await response.json()) as { messages?: { seq: number }[] };
    return body.messages?.[0]?.seq === room.lastSeq;
  } catch {
    return false;
  }
}

/** Produces `size` messages to the room's partition and waits until the persister committed them. */
async function produceHistory(roomId: string, size: number, user: { id: string; username: string }): Promise<{ firstSeq: number; lastSeq: number }> {
  const kafka = new Kafka({ clientId: 'chatstream-bench-seed', brokers: BROKERS, logLevel: logLevel.ERROR });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
  try {
    let firstOffset: bigint | null = null;
    let lastOffset = 0n;
    let partition = -1;
    const sentAt = new Date().toISOString();
    for (let i = 0; i < size; i += BATCH) {
      const n = Math.min(BATCH, size - i);
      const messages = Array.from({ length: n }, (_, k) => {
        const record: ChatRecord = { v: 1, id: newMessageId(), roomId, clientMsgId: randomUUID(), user, text: `seeded history message ${i + k + 1} of ${size}`, sentAt };
        return { key: roomId, value: JSON.stringify(record) };
      });
      const [meta] = await producer.send({ topic: TOPIC, acks: -1, messages });
      if (!meta?.baseOffset) throw new Error('produce answered without an offset');
      partition = meta.partition;
      firstOffset ??= BigInt(meta.baseOffset);
      lastOffset = BigInt(meta.baseOffset) + BigInt(n - 1);
      if ((i / BATCH) % 10 === 9) progress('seed', `room ${roomId}: produced ${i + n}/${size}`);
    }
    // Done when the persister's committed offset on that partition is past the last record.
    const deadline = Date.now() + 300_000;
    for (;;) {
      const [topic] = await admin.fetchOffsets({ groupId: PERSISTER_GROUP_ID, topics: [TOPIC] });
      const committed = BigInt(topic?.partitions.find((p) => p.partition === partition)?.offset ?? '-1');
      if (committed > lastOffset) break;
      if (Date.now() > deadline) throw new Error(`the persister did not store the seeded room ${roomId} within 300 s`);
      await sleep(500);
    }
    return { firstSeq: Number(firstOffset! + 1n), lastSeq: Number(lastOffset + 1n) };
  } finally {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  }
}

/**
 * A room with `size` stored messages for each size asked for: reused from an earlier run when the
 * store still has it, else created and seeded. Returns the rooms and the seconds spent seeding each.
 */
export async function seededRooms(url: string, sizes: number[]): Promise<{ rooms: Map<number, SeededRoom>; seconds: Record<string, number> }> {
  const { token, user } = await login(url, 'bench-seeder');
  const known: SeededRoom[] = existsSync(STATE_FILE()) ? (JSON.parse(readFileSync(STATE_FILE(), 'utf8')) as SeededRoom[]) : [];
  const rooms = new Map<number, SeededRoom>();
  const seconds: Record<string, number> = {};
  for (const size of sizes) {
    const earlier = known.find((r) => r.size === size);
    if (earlier && (await stillStored(url, token, earlier))) {
      progress('seed', `reusing room ${earlier.roomId} with ${size} messages`);
      rooms.set(size, earlier);
      seconds[String(size)] = 0;
      continue;
    }
    const started = Date.now();
    progress('seed', `seeding a room with ${size} messages (Kafka → persister → store)`);
    const roomId = await createRoom(url, token, `bench history ${size}`);
    const { firstSeq, lastSeq } = await produceHistory(roomId, size, user);
    const room: SeededRoom = { roomId, size, firstSeq, lastSeq };
    rooms.set(size, room);
    seconds[String(size)] = Math.round((Date.now() - started) / 100) / 10;
    progress('seed', `room ${roomId}: ${size} messages stored in ${seconds[String(size)]} s`);
    const state = [...known.filter((r) => r.size !== size), room];
    known.splice(0, known.length, ...state);
    mkdirSync(dirname(STATE_FILE()), { recursive: true });
    writeFileSync(STATE_FILE(), `${JSON.stringify(known, null, 2)}\n`);
  }
  return { rooms, seconds };
}
