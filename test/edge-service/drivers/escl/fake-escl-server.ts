/**
 * A scripted eSCL device on 127.0.0.1:0 for driver tests. Each route plays its replies in order and
 * repeats the last one; ScannerStatus is computed from `state` at the time of the request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the headers, then never finish the body. */
  hangBody?: boolean;
  /** Never answer at all. */
  hang?: boolean;
  /** Send the body in these pieces, one every `intervalMs` (a slow but moving transfer). */
  drip?: { chunks: Buffer[]; intervalMs: number };
  /** Runs when the reply is played (e.g. to jam the feeder at that moment). */
  effect?: () => void;
}

export interface FakeJob {
  uri: string;
  state: string;
  reasons?: string[];
  images?: number;
}

export interface FakeState {
  scannerState: string;
  adfState: string | null;
  jobs: FakeJob[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: string;
  headers: IncomingMessage['headers'];
}

export const JPEG_PAGE = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 1)]);
export const PNG_PAGE = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 2),
]);

export const CAPABILITIES = `<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerCapabilities xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">
  <pwg:Version>2.63</pwg:Version>
  <pwg:MakeAndModel>Fake MFP</pwg:MakeAndModel>
  <scan:Platen><scan:PlatenInputCaps>
    <scan:MaxWidth>2550</scan:MaxWidth><scan:MaxHeight>3508</scan:MaxHeight>
    <scan:SettingProfiles><scan:SettingProfile>
      <scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode><scan:ColorMode>Grayscale8</scan:ColorMode></scan:ColorModes>
      <scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat><scan:DocumentFormatExt>image/png</scan:DocumentFormatExt></scan:DocumentFormats>
      <scan:SupportedResolutions><scan:DiscreteResolutions>
        <scan:DiscreteResolution><scan:XResolution>200</scan:XResolution><scan:YResolution>200</scan:YResolution></scan:DiscreteResolution>
        <scan:DiscreteResolution><scan:XResolution>300</scan:XResolution><scan:YResolution>300</scan:YResolution></scan:DiscreteResolution>
      </scan:DiscreteResolutions></scan:SupportedResolutions>
    </scan:SettingProfile></scan:SettingProfiles>
  </scan:PlatenInputCaps></scan:Platen>
  <scan:Adf>
    <scan:AdfSimplexInputCaps>
      <scan:MaxWidth>2550</scan:MaxWidth><scan:MaxHeight>4200</scan:MaxHeight>
      <scan:SettingProfiles><scan:SettingProfile>
        <scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode><scan:ColorMode>Grayscale8</scan:ColorMode></scan:ColorModes>
        <scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat></scan:DocumentFormats>
        <scan:SupportedResolutions><scan:DiscreteResolutions>
          <scan:DiscreteResolution><scan:XResolution>200</scan:XResolution><scan:YResolution>200</scan:YResolution></scan:DiscreteResolution>
          <scan:DiscreteResolution><scan:XResolution>300</scan:XResolution><scan:YResolution>300</scan:YResolution></scan:DiscreteResolution>
        </scan:DiscreteResolutions></scan:SupportedResolutions>
      </scan:SettingProfile></scan:SettingProfiles>
    </scan:AdfSimplexInputCaps>
    <scan:AdfOptions><scan:AdfOption>DetectPaperLoaded</scan:AdfOption><scan:AdfOption>Duplex</scan:AdfOption></scan:AdfOptions>
  </scan:Adf>
</scan:ScannerCapabilities>`;

export function statusXml(state: FakeState): string {
  const jobs = state.jobs
    .map(
      (
        job,
      ) => `<scan:JobInfo><pwg:JobUri>${job.uri}</pwg:JobUri><pwg:ImagesCompleted>${job.images ?? 0}</pwg:ImagesCompleted>
<pwg:JobState>${job.state}</pwg:JobState><pwg:JobStateReasons>${(job.reasons ?? [])
        .map((reason) => `<pwg:JobStateReason>${reason}</pwg:JobStateReason>`)
        .join('')}</pwg:JobStateReasons></scan:JobInfo>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerStatus xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">
<pwg:Version>2.63</pwg:Version><pwg:State>${state.scannerState}</pwg:State>
${state.adfState === null ? '' : `<scan:AdfState>${state.adfState}</scan:AdfState>`}
<scan:Jobs>${jobs}</scan:Jobs></scan:ScannerStatus>`;
}

export class FakeEsclServer {
  readonly requests: RecordedRequest[] = [];
  readonly state: FakeState = { scannerState: 'Idle', adfState: 'ScannerAdfLoaded', jobs: [] };
  private readonly routes = new Map<string, FakeReply[]>();
  private server: Server | undefined;
  private readonly open = new Set<ServerResponse>();

  /** `key` is `METHOD /path`, e.g. `GET /eSCL/ScanJobs/1/NextDocument`. */
  script(key: string, replies: FakeReply[]): this {
    this.routes.set(key, [...replies]);
    return this;
  }

  get baseUrl(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('fake eSCL server is not started');
    return `http://127.0.0.1:${address.port}/eSCL`;
  }

  count(key: string): number {
    return this.requests.filter((request) => `${request.method} ${request.path}` === key).length;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const res of this.open) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const method = req.method ?? 'GET';
      this.requests.push({
        method,
        path,
        body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers,
      });
      const reply = this.next(`${method} ${path}`) ?? this.fallback(method, path);
      reply.effect?.();
      if (reply.hang) {
        this.open.add(res);
        return;
      }
      res.writeHead(reply.status, reply.headers ?? {});
      if (reply.drip) {
        const chunks = [...reply.drip.chunks];
        this.open.add(res);
        const timer = setInterval(() => {
          const chunk = chunks.shift();
          if (chunk === undefined) {
            clearInterval(timer);
            this.open.delete(res);
            res.end();
          } else res.write(chunk);
        }, reply.drip.intervalMs);
        res.on('close', () => clearInterval(timer));
        return;
      }
      if (reply.hangBody) {
        res.write(reply.body ?? Buffer.alloc(0));
        this.open.add(res);
        return;
      }
      res.end(reply.body);
    });
  }

  private next(key: string): FakeReply | undefined {
    const replies = this.routes.get(key);
    if (!replies || replies.length === 0) return undefined;
    return replies.length > 1 ? replies.shift() : replies[0];
  }

  private fallback(method: string, path: string): FakeReply {
    if (method === 'GET' && path === '/eSCL/ScannerCapabilities') {
      return { status: 200, headers: { 'Content-Type': 'text/xml' }, body: CAPABILITIES };
    }
    if (method === 'GET' && path === '/eSCL/ScannerStatus') {
      return { status: 200, headers: { 'Content-Type': 'text/xml' }, body: statusXml(this.state) };
    }
    if (method === 'DELETE') return { status: 200 };
    return { status: 404 };
  }
}
