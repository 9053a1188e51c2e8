import { gzipSync } from 'node:zlib';
import express, { type NextFunction, type Request, type Response } from 'express';
import sharp from 'sharp';
import { jobIdOf, quirkyXml, uuidOfJobId, type EsclQuirks } from './escl-quirks.ts';
import { capabilitiesXml, scanImageInfoXml, statusXml } from './escl-xml.ts';
import { parseScanSettings } from './scan-settings.ts';
import { ScannerError } from './scanner-error.ts';
import { errorReply, SimulatorError } from '../control-api/http-errors.ts';
import type { Logger } from '../logger.ts';
import type { ScannedImage } from './page-renderer.ts';
import type { ScanJob } from './scan-job.ts';
import type { VirtualScanner } from './virtual-scanner.ts';

/** The device's own address as this client reached it; real devices build Location from it too. */
function deviceUrl(req: Request): string {
  const host = req.get('host');
  if (host) return `${req.protocol}://${host}`;
  const address = req.socket.localAddress ?? '127.0.0.1';
  const hostname = address.includes(':') ? `[${address}]` : address;
  return `${req.protocol}://${hostname}:${req.socket.localPort}`;
}

function sendXml(req: Request, res: Response, xml: string, quirks: EsclQuirks): void {
  const body = quirks.bareXml ? quirkyXml(xml) : xml;
  res.set('Cache-Control', 'no-cache');
  if (quirks.gzipXml && req.acceptsEncodings('gzip') === 'gzip') {
    // As the HP trace shows it: gzip, chunked (no Content-Length), bare text/xml.
    // setHeader, not res.set: express would add "; charset=utf-8", which HP does not send.
    res.status(200).setHeader('Content-Type', 'text/xml');
    res.setHeader('Content-Encoding', 'gzip');
    res.write(gzipSync(body));
    res.end();
    return;
  }
  res.type('text/xml; charset=utf-8').send(body);
}

/** Per-job state of the quirks that depend on what the client did before. */
const first404Served = new WeakSet<ScanJob>();

function jobOf(scanner: VirtualScanner, req: Request) {
  const uuid = uuidOfJobId(String(req.params.uuid));
  const job = scanner.job(uuid);
  if (!job) throw new ScannerError('JOB_NOT_FOUND', `no scan job ${uuid}`);
  return job;
}

/** The next image, holding the request up to `holdMs` while it is being scanned. */
async function nextDocument(job: ScanJob, holdMs: number): Promise<ScannedImage> {
  const deadline = Date.now() + holdMs;
  for (;;) {
    try {
      return job.nextDocument();
    } catch (error) {
      const left = deadline - Date.now();
      if (!(error instanceof ScannerError) || error.code !== 'NOT_READY' || left <= 0) throw error;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([job.changed(), new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
      clearTimeout(timer);
    }
  }
}

let icon: Promise<Buffer> | undefined;
function iconPng(): Promise<Buffer> {
  icon ??= sharp(
    Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128"><rect x="8" y="40" width="112" height="64" rx="10" fill="#1f4e8c"/>' +
        '<rect x="28" y="16" width="72" height="32" fill="#fff" stroke="#1f4e8c" stroke-width="4"/>' +
        '<rect x="20" y="80" width="88" height="8" fill="#9cc3f5"/></svg>',
    ),
  )
    .png()
    .toBuffer();
  return icon;
}

/**
 * eSCL over HTTP (mounted at /eSCL). Status codes follow what sane-airscan and libsane's escl backend
 * expect from real devices: 201 + absolute Location, 503 = retry, 404 = end of feeder, 409 = paper
 * condition. When the scanner-offline fault is raised every request gets 503, as an MFP whose scan
 * unit is down answers from its still-running web server.
 */
export function createEsclRouter(scanner: VirtualScanner, options: { logger?: Logger } = {}): express.Router {
  const router = express.Router();
  const quirks = scanner.quirks;
  const jobId = (uuid: string): string => jobIdOf(uuid, quirks);

  router.use((_req, _res, next) => {
    if (scanner.offline) throw new ScannerError('SCANNER_OFFLINE', 'the scanner is offline');
    next();
  });

  router.get('/ScannerCapabilities', (req, res) => {
    sendXml(req, res, capabilitiesXml(scanner.identity, deviceUrl(req)), quirks);
  });

  router.get('/ScannerStatus', (req, res) => {
    const status = scanner.status();
    const jobs = status.jobs.map((job) => ({ ...job, uuid: jobId(job.uuid) }));
    sendXml(req, res, statusXml({ ...status, jobs }, `${req.baseUrl}/ScanJobs`), quirks);
  });

  router.get('/icon.png', async (_req, res) => {
    res.type('image/png').send(await iconPng());
  });

  // Clients send ScanSettings as text/xml, application/xml, text/plain (HP Smart) or untyped.
  router.post('/ScanJobs', express.text({ type: () => true, limit: '256kb' }), (req, res) => {
    const body: unknown = req.body;
    const settings = parseScanSettings(typeof body === 'string' ? body : '');
    const job = scanner.createJob(settings);
    const path = `${req.baseUrl}/ScanJobs/${jobId(job.uuid)}`;
    res
      .status(201)
      .location(quirks.relativeLocation ? `${path}/` : `${deviceUrl(req)}${path}`)
      .end();
  });

  router.get('/ScanJobs/:uuid/NextDocument', async (req, res) => {
    const job = jobOf(scanner, req);
    if (quirks.firstNextDocument404 && job.active && !first404Served.has(job)) {
      first404Served.add(job);
      throw new ScannerError('JOB_NOT_FOUND', 'not there yet (the Brother race)');
    }
    if (quirks.warmUpMs > 0 && Date.now() < job.createdAt + quirks.warmUpMs * scanner.timeFactor) {
      throw new ScannerError('NOT_READY', 'the scanner is warming up');
    }
    const image = await nextDocument(job, scanner.nextDocumentHoldMs);
    if (!quirks.noContentLocation) {
      res.set('Content-Location', `${req.baseUrl}/ScanJobs/${jobId(job.uuid)}/page-${job.transferred}`);
    }
    res.status(200).set('Cache-Control', 'no-cache').type(image.contentType).send(image.data);
  });

  router.get('/ScanJobs/:uuid/ScanImageInfo', (req, res) => {
    const job = jobOf(scanner, req);
    const image = job.lastImage;
    if (!image) throw new ScannerError('NOT_READY', 'no image has been transferred yet');
    const info = {
      jobUuid: job.uuid,
      width: image.width,
      height: image.height,
      bytesPerLine: image.bytesPerLine,
    };
    sendXml(
      req,
      res,
      scanImageInfoXml({ ...info, jobUuid: jobId(info.jobUuid) }, `${req.baseUrl}/ScanJobs`),
      quirks,
    );
  });

  router.delete('/ScanJobs/:uuid', (req, res) => {
    scanner.cancelJob(uuidOfJobId(String(req.params.uuid)));
    res.status(200).end();
  });

  router.use((req) => {
    throw new SimulatorError('NOT_FOUND', `Nothing at ${req.method} ${req.baseUrl}${req.path}.`, 404);
  });

  // The control API's codes and statuses, in the text/plain body eSCL clients log: "CODE: message".
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const reply = errorReply(error);
    if (reply.status >= 500 && !(error instanceof SimulatorError)) {
      options.logger?.error({ err: error, method: req.method, path: req.path }, 'unexpected eSCL error');
    }
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    const conflict = quirks.busyConflict && reply.code === 'SCANNER_BUSY' && req.method === 'POST';
    res
      .status(conflict ? 409 : reply.status)
      .type('text/plain')
      .send(`${reply.code}: ${reply.message}`);
  });

  return router;
}
