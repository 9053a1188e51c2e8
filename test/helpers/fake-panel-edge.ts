import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { buildPanelAssets, type PanelAssets } from '../../edge-service/src/http/panel-assets.ts';
import type { EventType, EventPayload, RequestType, ErrorBody } from '../../protocol/index.ts';

export interface SeenRequest {
  type: RequestType;
  payload: Record<string, unknown>;
  at: number;
}

/** What a scripted handler answers: a reply payload, or a coded error. */
export type FakeAnswer = { payload: unknown } | { error: ErrorBody };
export type FakeHandler = (request: SeenRequest) => FakeAnswer | Promise<FakeAnswer>;

/**
 * A scripted stand-in for the edge's panel side: serves the real panel bundle (as the edge builds
 * it, with the edge's CSP) and answers its WebSocket requests from a test's script, so the panel's
 * screens can be driven through states the real edge reaches only slowly (countdowns, reconnects,
 * every refusal).
 */
export class FakePanelEdge {
  readonly requests: SeenRequest[] = [];
  handler: FakeHandler = () => ({ error: { code: 'INTERNAL', message: 'not scripted' } });
  #server: Server | null = null;
  #wss: WebSocketServer | null = null;
  #assets: PanelAssets | null = null;
  #sockets = new Set<WebSocket>();

  async start(): Promise<void> {
    this.#assets = await buildPanelAssets();
    const types: Record<string, string> = {
      'index.html': 'text/html; charset=utf-8',
      'app.js': 'text/javascript; charset=utf-8',
      'app.css': 'text/css; charset=utf-8',
    };
    this.#server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      const file = path === '/panel/' ? 'index.html' : path.replace(/^\/panel\//, '');
      const body = this.#assets![file as keyof PanelAssets];
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, {
        'content-type': types[file]!,
        'content-security-policy':
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' ws: wss:",
      });
      res.end(body);
    });
    this.#wss = new WebSocketServer({ server: this.#server, path: '/ws' });
    this.#wss.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('message', (data) => void this.#receive(socket, String(data)));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    const { port } = this.#server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  panelUrl(token = 'fake-device-token-0123456789'): string {
    return `${this.url}/panel/#device-token=${token}`;
  }

  of(type: RequestType): SeenRequest[] {
    return this.requests.filter((r) => r.type === type);
  }

  push<E extends EventType>(event: E, payload: EventPayload<E>): void {
    const frame = JSON.stringify({ type: 'event', event, payload });
    for (const socket of this.#sockets) socket.send(frame);
  }

  /** A network blip: every panel connection drops (the panel reconnects on its own). */
  dropConnections(): void {
    for (const socket of this.#sockets) socket.terminate();
  }

  get connections(): number {
    return this.#sockets.size;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.terminate();
    await new Promise<void>((resolve) => this.#wss?.close(() => resolve()) ?? resolve());
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  async #receive(socket: WebSocket, text: string): Promise<void> {
    const frame = JSON.parse(text) as { type: RequestType; id: string; payload: Record<string, unknown> };
    const request = { type: frame.type, payload: frame.payload ?? {}, at: Date.now() };
    this.requests.push(request);
    const answer = await this.handler(request);
    const reply =
      'error' in answer
        ? { type: 'reply', id: frame.id, ok: false, error: answer.error }
        : { type: 'reply', id: frame.id, ok: true, payload: answer.payload };
    socket.send(JSON.stringify(reply));
  }
}
