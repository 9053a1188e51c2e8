import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  decodeRequest,
  encodeResponse,
  type IppDecodedRequest,
  type IppResponseMessage,
} from '../../../../edge-service/src/drivers/ipp/node-ipp.ts';

/** What a script answers: an IPP response (request-id filled in), raw bytes, or nothing (hang). */
export type FakeAnswer =
  | Omit<IppResponseMessage, 'requestId'>
  | { raw: Buffer; httpStatus?: number; contentType?: string }
  | { hang: true };

/** An IPP printer on 127.0.0.1:0 that answers each request with what the script says. */
export class FakeIppServer {
  readonly requests: IppDecodedRequest[] = [];
  readonly paths: string[] = [];
  #server: Server | undefined;
  readonly #hanging = new Set<ServerResponse>();

  constructor(readonly script: (request: IppDecodedRequest) => FakeAnswer) {}

  async start(): Promise<string> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    return `ipp://127.0.0.1:${port}/ipp/faxout`;
  }

  async stop(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.paths.push(req.url ?? '');
    const request = decodeRequest(Buffer.concat(chunks));
    this.requests.push(request);
    const answer = this.script(request);
    if ('hang' in answer) {
      this.#hanging.add(res);
      return;
    }
    if ('raw' in answer) {
      res.writeHead(answer.httpStatus ?? 200, { 'content-type': answer.contentType ?? 'application/ipp' });
      res.end(answer.raw);
      return;
    }
    const body = encodeResponse({ ...answer, requestId: request.requestId });
    res.writeHead(200, { 'content-type': 'application/ipp' });
    res.end(body);
  }
}
