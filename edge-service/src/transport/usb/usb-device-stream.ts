/**
 * The thin `usb` part of IPP-over-USB: open a device, claim its 7/1/4 interfaces, and wrap each
 * interface's bulk IN/OUT endpoints as a Duplex that http-over-stream speaks HTTP/1.1 over; one
 * stream per interface gives as many requests in parallel.
 *
 * NOT verified against hardware: no USB bus exists on the machines this was written and tested on.
 * UsbBulkStream is tested over a fake device whose endpoints are a TCP connection to an HTTP server;
 * the `usb` calls themselves (open, claim, transfers with their timeouts) are untested.
 */
import { Duplex } from 'node:stream';
import { describeError } from '../../describe-error.ts';
import { createStreamFetch, type StreamFetch } from './http-over-stream.ts';
import {
  findIppUsbInterfaces,
  type IppUsbInterface,
  type UsbDeviceDescriptor,
} from './ipp-usb-interfaces.ts';
import { UsbTransportError } from './usb-transport-error.ts';

/** The WebUSB calls used here, as the `usb` package's devices provide them (third argument: its timeout in ms). */
export interface UsbTransferDevice extends UsbDeviceDescriptor {
  readonly opened: boolean;
  readonly configuration?: { configurationValue: number } | null;
  open(): Promise<void>;
  close(): Promise<void>;
  selectConfiguration(configurationValue: number): Promise<void>;
  claimInterface(interfaceNumber: number): Promise<void>;
  releaseInterface(interfaceNumber: number): Promise<void>;
  selectAlternateInterface(interfaceNumber: number, alternateSetting: number): Promise<void>;
  detachKernelDriver?(interfaceNumber: number): Promise<void>;
  transferIn(
    endpointNumber: number,
    length: number,
    timeoutMs?: number,
  ): Promise<{ data?: DataView; status?: string }>;
  transferOut(
    endpointNumber: number,
    data: Uint8Array,
    timeoutMs?: number,
  ): Promise<{ bytesWritten: number; status?: string }>;
  clearHalt(direction: 'in' | 'out', endpointNumber: number): Promise<void>;
}

export interface UsbBulkStreamOptions {
  /** Each bulk IN read waits this long; an idle interface simply reads again (default 1000 ms). */
  readPollMs?: number;
  /** Longest a bulk OUT transfer may take (default 30 s). */
  writeTimeoutMs?: number;
}

/** One IPP-USB interface's bulk endpoints as a byte stream. */
export class UsbBulkStream extends Duplex {
  readonly #device: UsbTransferDevice;
  readonly #iface: IppUsbInterface;
  readonly #readPollMs: number;
  readonly #writeTimeoutMs: number;
  #reading = false;
  #stopped = false;

  constructor(device: UsbTransferDevice, iface: IppUsbInterface, options: UsbBulkStreamOptions = {}) {
    super();
    this.#device = device;
    this.#iface = iface;
    this.#readPollMs = options.readPollMs ?? 1000;
    this.#writeTimeoutMs = options.writeTimeoutMs ?? 30_000;
  }

  override _read(): void {
    if (this.#reading) return;
    this.#reading = true;
    void this.#readLoop();
  }

  async #readLoop(): Promise<void> {
    // Ask for many packets at once: a short packet ends the transfer early anyway.
    const length = Math.max(512, this.#iface.packetSize) * 32;
    while (!this.#stopped) {
      let result: { data?: DataView; status?: string };
      try {
        result = await this.#device.transferIn(this.#iface.inEndpoint, length, this.#readPollMs);
      } catch (error) {
        if (this.#stopped) return;
        if (isTimeout(error)) continue; // idle interface: nothing to read yet
        this.destroy(transferError(error, 'bulk IN transfer failed'));
        return;
      }
      if (this.#stopped) return;
      if (result.status === 'stall' || result.data === undefined) {
        await this.#device.clearHalt('in', this.#iface.inEndpoint).catch(() => {});
        continue;
      }
      const data = result.data;
      if (data.byteLength === 0) continue;
      if (!this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength))) {
        this.#reading = false;
        return;
      }
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    void this.#writeAll(chunk).then(
      () => callback(),
      (error: unknown) => callback(transferError(error, 'bulk OUT transfer failed')),
    );
  }

  async #writeAll(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const piece = chunk.subarray(offset);
      const result = await this.#device.transferOut(this.#iface.outEndpoint, piece, this.#writeTimeoutMs);
      if (result.status === 'stall') {
        await this.#device.clearHalt('out', this.#iface.outEndpoint);
        continue;
      }
      if (result.bytesWritten <= 0)
        throw new UsbTransportError('TRANSFER_FAILED', 'bulk OUT transfer wrote nothing');
      offset += result.bytesWritten;
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#stopped = true;
    callback(error);
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && /time ?d? ?out/i.test(`${error.name} ${error.message}`);
}

function transferError(error: unknown, what: string): UsbTransportError {
  if (error instanceof UsbTransportError) return error;
  return new UsbTransportError('TRANSFER_FAILED', `${what}: ${describeError(error)}`, { cause: error });
}

export interface IppUsbConnection {
  /** A `fetch` for EsclClient/EsclScanner and IppClient/IppFaxLine; use `http://localhost/…` URLs. */
  fetch: StreamFetch;
  interfaces: IppUsbInterface[];
  close(): Promise<void>;
}

/**
 * Opens an IPP-USB device: selects the configuration, detaches the kernel's usblp driver where it
 * holds the interfaces (Linux), claims every 7/1/4 interface and returns a `fetch` over all of them.
 * When any step fails, what was claimed is released (and the device closed if opened here), so
 * another attempt or another program can have it.
 */
export async function openIppUsbDevice(
  device: UsbTransferDevice,
  options: UsbBulkStreamOptions = {},
): Promise<IppUsbConnection> {
  const interfaces = findIppUsbInterfaces(device);
  if (interfaces.length === 0)
    throw new UsbTransportError(
      'NO_IPP_USB_INTERFACE',
      `${deviceName(device)} has no IPP-over-USB (7/1/4) interface`,
    );
  const openedHere = !device.opened;
  const claimed: number[] = [];
  try {
    if (openedHere) await device.open();
    const configurationValue = interfaces[0]!.configurationValue;
    if (device.configuration?.configurationValue !== configurationValue) {
      await device.selectConfiguration(configurationValue);
    }
    for (const iface of interfaces) {
      await device.detachKernelDriver?.(iface.interfaceNumber).catch(() => {});
      await device.claimInterface(iface.interfaceNumber);
      claimed.push(iface.interfaceNumber);
      await device.selectAlternateInterface(iface.interfaceNumber, iface.alternateSetting);
    }
  } catch (error) {
    for (const interfaceNumber of claimed) await device.releaseInterface(interfaceNumber).catch(() => {});
    if (openedHere) await device.close().catch(() => {});
    throw new UsbTransportError(
      'CLAIM_FAILED',
      `cannot claim the IPP-over-USB interfaces of ${deviceName(device)}: ${describeError(error)}`,
      { cause: error },
    );
  }
  const fetch = createStreamFetch(interfaces.map((iface) => () => new UsbBulkStream(device, iface, options)));
  return {
    fetch,
    interfaces,
    close: async () => {
      await fetch.close();
      for (const iface of interfaces) await device.releaseInterface(iface.interfaceNumber).catch(() => {});
      await device.close().catch(() => {});
    },
  };
}

function deviceName(device: UsbDeviceDescriptor): string {
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  const name = [device.manufacturerName, device.productName].filter(Boolean).join(' ');
  return `${name === '' ? 'the USB device' : name} (${hex(device.vendorId)}:${hex(device.productId)})`;
}

/** IPP-USB devices on this machine's USB buses (the `usb` package is loaded only when asked). */
export async function listIppUsbDevices(): Promise<UsbTransferDevice[]> {
  const { usb } = await import('usb');
  let devices: UsbTransferDevice[];
  try {
    devices = (await usb.getDevices()) as unknown as UsbTransferDevice[];
  } catch (error) {
    // A machine without a USB bus (containers, VMs) has no IPP-USB devices: that is not an error.
    if (/not found|LIBUSB_ERROR_(NO_DEVICE|NOT_FOUND|OTHER)/i.test(String((error as Error).message)))
      return [];
    throw error;
  }
  return devices.filter((device) => findIppUsbInterfaces(device).length > 0);
}
