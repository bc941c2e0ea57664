import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

/** The header on the egress proxy's CONNECT 200 answer that names the address it dialled. */
export const EGRESS_IP_HEADER = 'x-caravan-egress-ip';

/**
 * Sockets that are tunnels through the egress proxy, with the address the proxy dialled
 * ('' when it did not say). Their own remote address is the proxy's, which is not what an
 * attempt should record.
 */
const tunnelled = new WeakMap<Socket, string>();

export function markTunnel(socket: Socket, dialled: string): void {
  tunnelled.set(socket, dialled);
}

function addressOf(socket: Socket): string {
  const viaProxy = tunnelled.get(socket);
  if (viaProxy !== undefined) return viaProxy;
  return (socket.remoteAddress ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

/** Filled with the address the request went to, once undici writes it on a connection. */
export class AddressCapture {
  address = '';
}

/*
 * undici does not hand the connection of a request to the caller, but it announces each
 * request it writes on a socket. The request's handler is the one `request()` built from
 * our options, and it keeps our `opaque`: an AddressCapture marks a request whose address
 * we want. The symbol is undici's private one, found by its name; if a later undici
 * renames it, addresses are simply not recorded (the e2e tests would notice).
 */
let handlerKey: symbol | undefined;
subscribe('undici:client:sendHeaders', (message) => {
  const { request, socket } = message as { request: object; socket: Socket };
  handlerKey ??= Object.getOwnPropertySymbols(request).find((s) => s.description === 'handler');
  if (!handlerKey) return;
  const handler = (request as Record<symbol, { opaque?: unknown } | undefined>)[handlerKey];
  const capture = handler?.opaque;
  if (capture instanceof AddressCapture) capture.address = addressOf(socket);
});
