/**
 * Which USB interfaces carry IPP-over-USB (no I/O): class 7 (printer), subclass 1, protocol 4
 * ("IPP over USB", USB-IF IPP-USB 1.0), each with one bulk IN and one bulk OUT endpoint. A device
 * exposes at least two such interfaces so that requests can run in parallel. The shapes below are
 * WebUSB's descriptors, which the `usb` package (v3) reports.
 */

export interface UsbEndpointDescriptor {
  endpointNumber: number;
  direction: 'in' | 'out';
  type: 'bulk' | 'interrupt' | 'isochronous';
  packetSize: number;
}

export interface UsbAlternateDescriptor {
  alternateSetting: number;
  interfaceClass: number;
  interfaceSubclass: number;
  interfaceProtocol: number;
  endpoints: UsbEndpointDescriptor[];
}

export interface UsbInterfaceDescriptor {
  interfaceNumber: number;
  alternates: UsbAlternateDescriptor[];
}

export interface UsbConfigurationDescriptor {
  configurationValue: number;
  interfaces: UsbInterfaceDescriptor[];
}

export interface UsbDeviceDescriptor {
  vendorId: number;
  productId: number;
  manufacturerName?: string | null;
  productName?: string | null;
  serialNumber?: string | null;
  configurations: UsbConfigurationDescriptor[];
}

export interface IppUsbInterface {
  configurationValue: number;
  interfaceNumber: number;
  alternateSetting: number;
  inEndpoint: number;
  outEndpoint: number;
  /** Bulk IN max packet size: reads are asked for in multiples of it. */
  packetSize: number;
}

export const IPP_USB_CLASS = { interfaceClass: 7, interfaceSubclass: 1, interfaceProtocol: 4 } as const;

function isIppUsb(alternate: UsbAlternateDescriptor): boolean {
  return (
    alternate.interfaceClass === IPP_USB_CLASS.interfaceClass &&
    alternate.interfaceSubclass === IPP_USB_CLASS.interfaceSubclass &&
    alternate.interfaceProtocol === IPP_USB_CLASS.interfaceProtocol
  );
}

/**
 * The IPP-USB interfaces of the first configuration that has any, one per interface number (its
 * first 7/1/4 alternate with both bulk endpoints). Empty when the device does not speak IPP-USB.
 */
export function findIppUsbInterfaces(device: UsbDeviceDescriptor): IppUsbInterface[] {
  for (const configuration of device.configurations) {
    const found: IppUsbInterface[] = [];
    for (const usbInterface of configuration.interfaces) {
      for (const alternate of usbInterface.alternates) {
        if (!isIppUsb(alternate)) continue;
        const bulkIn = alternate.endpoints.find((e) => e.type === 'bulk' && e.direction === 'in');
        const bulkOut = alternate.endpoints.find((e) => e.type === 'bulk' && e.direction === 'out');
        if (!bulkIn || !bulkOut) continue;
        found.push({
          configurationValue: configuration.configurationValue,
          interfaceNumber: usbInterface.interfaceNumber,
          alternateSetting: alternate.alternateSetting,
          inEndpoint: bulkIn.endpointNumber,
          outEndpoint: bulkOut.endpointNumber,
          packetSize: bulkIn.packetSize,
        });
        break;
      }
    }
    if (found.length > 0) return found;
  }
  return [];
}

export function isIppUsbDevice(device: UsbDeviceDescriptor): boolean {
  return findIppUsbInterfaces(device).length > 0;
}
