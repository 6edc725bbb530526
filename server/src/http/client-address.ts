import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/**
 * Which peers may tell us a client's address through X-Forwarded-For:
 * - `false`: none; the client is the TCP peer;
 * - a hop count `n`: the last `n` hops (the TCP peer and the n-1 addresses it appended) are proxies.
 *   Safe only when the nodes cannot be reached except through those proxies;
 * - a list of proxy addresses or CIDRs (or proxy-addr's names `loopback`, `linklocal`, `uniquelocal`):
 *   a hop is trusted only when it is one of them, so a client reaching a node directly gains nothing.
 */
export type TrustProxy = false | number | readonly string[];

export type ProxyTrustFn = (address: string, hop: number) => boolean;

/**
 * The one trust rule, for Fastify's `trustProxy` and for the socket handshake alike. Fastify 5 would
 * treat a plain number as "trust nothing" (it refuses hop counts), so it is given this function instead.
 */
export function proxyTrust(trust: TrustProxy): ProxyTrustFn {
  if (trust === false) return () => false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyAddr.compile([...trust]);
}

/**
 * Resolves the client's address of a raw request with the same rules as Fastify's `request.ip`:
 * walking X-Forwarded-For from the right, the first hop that is not a trusted proxy.
 */
export function clientAddress(trust: TrustProxy): (req: IncomingMessage) => string {
  const trusted = proxyTrust(trust);
  return (req) => proxyAddr(req, trusted);
}
