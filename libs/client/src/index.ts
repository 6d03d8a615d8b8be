export * from './errors';
export { login, RestApi, type FetchLike, type HistoryQuery } from './rest';
export { RoomFeed } from './room-feed';
export { socketIoTransport, type ReconnectionOptions, type SocketPassthrough } from './socket-io-transport';
export type { ChatTransport, TransportEvents, EventAnswer, EventPayload } from './transport';
export { retryDelay, type BackoffOptions } from './backoff';
export { TypedEmitter } from './typed-emitter';
export { TypingThrottle, TYPING_REFRESH_MS } from './typing-throttle';
