/** How many /24s `sourceAddress` can name: 127.0.1.1 … 127.255.254.1. */
export const SOURCE_ADDRESSES = 254 * 256;

/**
 * The n-th source address (n >= 1) of 127.0.0.0/8, one per /24: 127.0.1.1, 127.0.2.1, …,
 * 127.0.254.1, then 127.1.1.1, and so on. Nginx's ip_hash hashes the first three octets of an IPv4
 * address, so clients from different /24s are spread over the gateway replicas (every 127.0.0.x
 * lands on one); binding each client to its own address also lifts the ~64k ephemeral ports of a
 * single source address. Pass it as `socket: { localAddress }` (Node only; a browser chooses its own).
 * Tests, the ops clients and the load generator all pick addresses here.
 */
export function sourceAddress(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > SOURCE_ADDRESSES) throw new RangeError(`source address number must be an integer in 1..${SOURCE_ADDRESSES}, got ${n}`);
  const slot = n - 1;
  return `127.${Math.floor(slot / 254)}.${(slot % 254) + 1}.1`;
}
