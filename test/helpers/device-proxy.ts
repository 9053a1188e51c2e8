import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** IPP operation ids (RFC 8011 §5.4.15) a test may hold. */
export const IPP_OPERATION = { 'Create-Job': 0x0005, 'Send-Document': 0x0006 } as const;

/**
 * The network between the edge and a device, under a test's control: a plain HTTP forwarder to a
 * target that can change (the device came back on another port) or vanish (connections are cut,
 * as with a device that lost power), and that can hold an IPP operation until the test lets it go
 * — so a crash can be placed exactly between the edge's hand-over intent and Create-Job.
 */
export class DeviceProxy {
  target: string | null;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #hold: { operation: number; reached: () => void } | null = null;
  #drop: { path: RegExp; afterBytes: number; dropped: () => void } | null = null;

  constructor(target: string) {
    this.target = target;
    this.#server = createServer((req, res) => void this.#forward(req, res));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Resolves when the next request of this IPP operation arrives; that request then never goes on. */
  holdNext(operation: number): Promise<void> {
    return new Promise((reached) => (this.#hold = { operation, reached }));
  }

  /**
   * The next answer to a request whose path matches is cut after `afterBytes` of its body (a
   * scanner whose connection drops mid-page); resolves when it was cut.
   */
  dropMidTransfer(path: RegExp, afterBytes = 4096): Promise<void> {
    return new Promise((dropped) => (this.#drop = { path, afterBytes, dropped }));
  }

  /** Cuts every open connection (the device is gone; the next requests fail too while target is null). */
  cut(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const hold = this.#hold;
    if (
      hold &&
      req.headers['content-type'] === 'application/ipp' &&
      body.readUInt16BE(2) === hold.operation
    ) {
      this.#hold = null;
      hold.reached();
      return; // held for good: the edge is killed while it waits
    }
    const target = this.target;
    if (target === null) {
      req.socket.destroy();
      return;
    }
    const upstream = httpRequest(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        const drop = this.#drop;
        if (drop && drop.path.test(req.url ?? '') && (answer.statusCode ?? 0) < 300) {
          this.#drop = null;
          let sent = 0;
          answer.on('data', (chunk: Buffer) => {
            if (sent >= drop.afterBytes) return;
            const part = chunk.subarray(0, drop.afterBytes - sent);
            sent += part.length;
            res.write(part);
            if (sent >= drop.afterBytes) {
              req.socket.destroy();
              answer.destroy();
              drop.dropped();
            }
          });
          return;
        }
        answer.pipe(res);
        answer.once('error', () => res.destroy());
      },
    );
    upstream.once('error', () => req.socket.destroy());
    res.once('close', () => upstream.destroy());
    upstream.end(body);
  }
}
