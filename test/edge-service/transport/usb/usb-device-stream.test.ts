import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { EsclScanner } from '../../../../edge-service/src/drivers/escl/escl-scanner.ts';
import { IppFaxLine } from '../../../../edge-service/src/drivers/ipp/ipp-fax-line.ts';
import {
  openIppUsbDevice,
  type IppUsbConnection,
  type UsbTransferDevice,
} from '../../../../edge-service/src/transport/usb/usb-device-stream.ts';
import { Simulator } from '../../../../simulator/src/simulator.ts';
import { createLogger } from '../../../../simulator/src/logger.ts';
import { MFP } from './mfp-usb-descriptor.ts';
import { findIppUsbInterfaces } from '../../../../edge-service/src/transport/usb/ipp-usb-interfaces.ts';
import { UsbTransportError } from '../../../../edge-service/src/transport/usb/usb-transport-error.ts';

/**
 * A stand-in for a `usb` device (no USB bus here): each claimed interface's bulk OUT endpoint
 * writes to its own TCP connection to the simulator and its bulk IN endpoint reads from it, with the
 * behaviours of a real bulk pipe: reads time out when idle, an endpoint may stall once.
 */
class FakeIppUsbDevice implements UsbTransferDevice {
  readonly vendorId = MFP.vendorId;
  readonly productId = MFP.productId;
  readonly configurations = MFP.configurations;
  opened = false;
  configuration: { configurationValue: number } | null = null;
  readonly claimed = new Set<number>();
  readonly calls: string[] = [];
  timeouts = 0;
  stallNextRead = true;
  /** The interface whose claim fails, as when another program holds it. */
  failClaim: number | undefined;
  /** Bulk OUT transfers report that they wrote nothing. */
  writesNothing = false;
  readonly #sockets = new Map<number, { socket: Socket; buffered: Buffer[]; wake: (() => void) | null }>();

  constructor(private readonly port: number) {}

  async open() {
    this.opened = true;
  }
  async close() {
    this.opened = false;
    for (const { socket } of this.#sockets.values()) socket.destroy();
  }
  async selectConfiguration(value: number) {
    this.configuration = { configurationValue: value };
  }
  async detachKernelDriver(interfaceNumber: number) {
    this.calls.push(`detach ${interfaceNumber}`);
  }
  async claimInterface(interfaceNumber: number) {
    if (interfaceNumber === this.failClaim) throw new Error('LIBUSB_ERROR_BUSY');
    this.claimed.add(interfaceNumber);
    this.calls.push(`claim ${interfaceNumber}`);
  }
  async releaseInterface(interfaceNumber: number) {
    this.claimed.delete(interfaceNumber);
    this.calls.push(`release ${interfaceNumber}`);
  }
  async selectAlternateInterface(interfaceNumber: number, setting: number) {
    this.calls.push(`alternate ${interfaceNumber}/${setting}`);
  }
  async clearHalt(direction: 'in' | 'out', endpoint: number) {
    this.calls.push(`clear-halt ${direction} ${endpoint}`);
  }

  /** One TCP connection per interface, found from either of its endpoints. */
  #pipe(endpoint: number) {
    const key = findIppUsbInterfaces(MFP).find(
      (i) => i.inEndpoint === endpoint || i.outEndpoint === endpoint,
    )!.interfaceNumber;
    let pipe = this.#sockets.get(key);
    if (!pipe) {
      const socket = connect(this.port, '127.0.0.1');
      const created = { socket, buffered: [] as Buffer[], wake: null as (() => void) | null };
      socket.on('data', (chunk: Buffer) => {
        created.buffered.push(chunk);
        created.wake?.();
      });
      socket.on('error', () => {});
      this.#sockets.set(key, created);
      pipe = created;
    }
    return pipe;
  }

  async transferOut(endpoint: number, data: Uint8Array) {
    assert.ok(this.opened, 'transfer on a closed device');
    if (this.writesNothing) return { bytesWritten: 0, status: 'ok' };
    // A real bulk pipe takes at most a few packets per transfer: make the stream loop.
    const taken = Math.min(data.length, 4096);
    this.#pipe(endpoint).socket.write(Buffer.from(data.subarray(0, taken)));
    return { bytesWritten: taken, status: 'ok' };
  }

  async transferIn(endpoint: number, length: number, timeoutMs = 1000) {
    if (this.stallNextRead) {
      this.stallNextRead = false;
      return { status: 'stall' };
    }
    const pipe = this.#pipe(endpoint);
    if (pipe.buffered.length === 0) {
      const arrived = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), Math.min(timeoutMs, 50));
        pipe.wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      pipe.wake = null;
      if (!arrived) {
        this.timeouts++;
        throw new Error('Transfer timed out');
      }
    }
    const all = Buffer.concat(pipe.buffered);
    const piece = all.subarray(0, Math.min(length, 1000)); // short reads, as packets come
    pipe.buffered = piece.length < all.length ? [all.subarray(piece.length)] : [];
    return { data: new DataView(piece.buffer, piece.byteOffset, piece.byteLength), status: 'ok' };
  }
}

describe('IPP-over-USB device streams (fake device: no USB bus here)', function () {
  this.timeout(30_000);
  const simulator = new Simulator({ port: 0, timeFactor: 0.01, logger: createLogger({ level: 'silent' }) });
  let device: FakeIppUsbDevice;
  let connection: IppUsbConnection;

  before(async () => {
    await simulator.start();
  });

  beforeEach(async () => {
    device = new FakeIppUsbDevice(Number(new URL(simulator.url).port));
    connection = await openIppUsbDevice(device, { readPollMs: 50 });
  });

  afterEach(async () => {
    await connection.close();
  });

  after(async () => {
    await simulator.stop();
  });

  it('opens the device and claims every IPP-USB interface in its alternate setting', () => {
    assert.equal(device.configuration?.configurationValue, 1);
    assert.deepEqual([...device.claimed], [0, 2, 3]);
    assert.ok(device.calls.includes('alternate 0/1'));
    assert.ok(device.calls.includes('detach 0'));
  });

  it('carries eSCL and IPP FaxOut requests, in parallel, over the bulk endpoints', async () => {
    const scanner = new EsclScanner({ baseUrl: 'http://localhost/eSCL', fetch: connection.fetch });
    const line = new IppFaxLine({ url: 'ipp://localhost/ipp/faxout', fetch: connection.fetch });
    const [scannerCaps, faxCaps, status] = await Promise.all([
      scanner.capabilities(),
      line.capabilities(),
      scanner.status(),
    ]);
    assert.equal(scannerCaps.makeAndModel, 'mfp-edge Virtual MFP');
    assert.equal(faxCaps.makeAndModel, 'mfp-edge Virtual MFP');
    assert.equal(status.state, 'idle');
    assert.ok(
      device.calls.some((c) => c.startsWith('clear-halt in')),
      'the stalled endpoint was cleared',
    );
  });

  it('scans a page through it, surviving idle read timeouts', async () => {
    const scanner = new EsclScanner({ baseUrl: 'http://localhost/eSCL', fetch: connection.fetch });
    const pages = [];
    for await (const page of scanner.scan({
      source: 'platen',
      duplex: false,
      colorMode: 'color',
      resolution: 100,
      width: 2480,
      height: 3508,
      documentFormat: 'image/jpeg',
    })) {
      pages.push(page);
    }
    assert.equal(pages.length, 1);
    assert.deepEqual([...pages[0]!.data.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  });

  it('releases what it claimed and closes the device when a claim fails', async () => {
    const busy = new FakeIppUsbDevice(Number(new URL(simulator.url).port));
    busy.failClaim = 2;
    await assert.rejects(
      openIppUsbDevice(busy),
      (e: unknown) =>
        e instanceof UsbTransportError &&
        e.code === 'CLAIM_FAILED' &&
        /of the USB device \(03f0:5a2a\): LIBUSB_ERROR_BUSY/.test(e.message),
    );
    assert.ok(busy.calls.includes('claim 0') && busy.calls.includes('release 0'), busy.calls.join(', '));
    assert.deepEqual([...busy.claimed], []);
    assert.equal(busy.opened, false);
  });

  it('leaves a device it did not open open, but releases its claims', async () => {
    const busy = new FakeIppUsbDevice(Number(new URL(simulator.url).port));
    busy.failClaim = 3;
    await busy.open();
    await assert.rejects(openIppUsbDevice(busy), UsbTransportError);
    assert.deepEqual([...busy.claimed], []);
    assert.equal(busy.opened, true);
  });

  it('refuses a device without IPP-USB interfaces with a coded error', async () => {
    const plain = { ...MFP, configurations: [] } as unknown as UsbTransferDevice;
    await assert.rejects(
      openIppUsbDevice(plain),
      (e: unknown) => e instanceof UsbTransportError && e.code === 'NO_IPP_USB_INTERFACE',
    );
  });

  it('fails a request with TRANSFER_FAILED when the bulk OUT endpoint takes nothing', async () => {
    device.writesNothing = true;
    await assert.rejects(
      connection.fetch('http://localhost/eSCL/ScannerStatus'),
      (e: unknown) => e instanceof UsbTransportError && e.code === 'TRANSFER_FAILED',
    );
  });

  it('releases the interfaces and closes the device on close()', async () => {
    await connection.close();
    assert.deepEqual([...device.claimed], []);
    assert.equal(device.opened, false);
  });
});
