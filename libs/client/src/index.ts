export * from './chat-client';
export type { ConnectionState, StateChange } from './connection-state';
export * from './errors';
export { login, RestApi, type FetchLike, type HistoryQuery } from './rest';
export { newClientMsgId, type SendOptions } from './send-retry';
export { socketIoTransport, type ReconnectionOptions, type SocketPassthrough } from './socket-io-transport';
export type { ChatTransport, TransportEvents, EventAnswer, EventPayload } from './transport';
export type { BackoffOptions } from './backoff';
export { TYPING_REFRESH_MS } from './typing-throttle';
