import { connect, Socket } from 'node:net';

export interface ConnectReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** bytes after the head: the body of a refusal, or the first tunnelled bytes */
  readonly rest: Buffer;
  readonly socket: Socket;
}

export interface ConnectOptions {
  readonly proxyHost?: string;
  readonly auth?: string;
  readonly localAddress?: string;
  readonly method?: string;
  readonly timeoutMs?: number;
}

/** Sends one raw request (CONNECT by default) to the proxy and reads the response head. */
export function sendConnect(proxyPort: number, target: string, opts: ConnectOptions = {}): Promise<ConnectReply> {
  const method = opts.method ?? 'CONNECT';
  return new Promise((resolve, reject) => {
    const socket = connect({ host: opts.proxyHost ?? '127.0.0.1', port: proxyPort, localAddress: opts.localAddress });
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${method} ${target} within ${opts.timeoutMs ?? 10_000} ms`));
    }, opts.timeoutMs ?? 10_000);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      const [statusLine, ...lines] = buffered.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, rest: buffered.subarray(end + 4), socket });
    };
    socket.on('data', onData);
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.once('connect', () => {
      const lines = [`${method} ${target} HTTP/1.1`, `Host: ${target}`];
      if (opts.auth) lines.push(`Proxy-Authorization: Basic ${Buffer.from(opts.auth).toString('base64')}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  });
}

/** Status and deny header only, closing the socket. */
export async function connectStatus(
  proxyPort: number,
  target: string,
  opts: ConnectOptions = {},
): Promise<{ status: number; deny?: string; headers: Record<string, string> }> {
  const reply = await sendConnect(proxyPort, target, opts);
  reply.socket.destroy();
  return { status: reply.status, deny: reply.headers['x-caravan-egress-deny'], headers: reply.headers };
}

/** Writes through an open tunnel to an echo sink and waits for the same bytes back. */
export function echo(socket: Socket, text: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const timer = setTimeout(() => {
      socket.off('data', onData);
      reject(new Error(`echo of ${JSON.stringify(text)} not seen within ${timeoutMs} ms (got ${JSON.stringify(got)})`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      got += chunk.toString();
      if (got.length >= text.length) {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.pause();
        resolve(got);
      }
    };
    socket.on('data', onData);
    socket.resume();
    socket.write(text);
  });
}

/** Resolves when the socket closes, or rejects after `timeoutMs`. */
export function closed(socket: Socket, timeoutMs = 10_000): Promise<void> {
  if (socket.destroyed || socket.closed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.resume();
  });
}
