import type {
  UsbAlternateDescriptor,
  UsbDeviceDescriptor,
} from '../../../../edge-service/src/transport/usb/ipp-usb-interfaces.ts';

export function alternate(
  setting: number,
  [interfaceClass, interfaceSubclass, interfaceProtocol]: [number, number, number],
  endpoints: [number, 'in' | 'out', 'bulk' | 'interrupt'][],
): UsbAlternateDescriptor {
  return {
    alternateSetting: setting,
    interfaceClass,
    interfaceSubclass,
    interfaceProtocol,
    endpoints: endpoints.map(([endpointNumber, direction, type]) => ({
      endpointNumber,
      direction,
      type,
      packetSize: 512,
    })),
  };
}

/** Shaped like a typical IPP-USB MFP: a legacy printer interface whose alternates include 7/1/4, two plain 7/1/4 interfaces, a vendor one. */
export const MFP: UsbDeviceDescriptor = {
  vendorId: 0x03f0,
  productId: 0x5a2a,
  manufacturerName: 'HP',
  productName: 'Color LaserJet MFP M479fdw',
  serialNumber: 'CNB1A2B3C4',
  configurations: [
    {
      configurationValue: 1,
      interfaces: [
        {
          interfaceNumber: 0,
          alternates: [
            alternate(
              0,
              [7, 1, 2],
              [
                [1, 'out', 'bulk'],
                [2, 'in', 'bulk'],
              ],
            ),
            alternate(
              1,
              [7, 1, 4],
              [
                [1, 'out', 'bulk'],
                [2, 'in', 'bulk'],
              ],
            ),
          ],
        },
        { interfaceNumber: 1, alternates: [alternate(0, [255, 4, 1], [[3, 'in', 'interrupt']])] },
        {
          interfaceNumber: 2,
          alternates: [
            alternate(
              0,
              [7, 1, 4],
              [
                [4, 'out', 'bulk'],
                [5, 'in', 'bulk'],
              ],
            ),
          ],
        },
        {
          interfaceNumber: 3,
          alternates: [
            alternate(
              0,
              [7, 1, 4],
              [
                [6, 'out', 'bulk'],
                [7, 'in', 'bulk'],
              ],
            ),
          ],
        },
        // 7/1/4 but without a bulk IN endpoint: unusable.
        { interfaceNumber: 4, alternates: [alternate(0, [7, 1, 4], [[8, 'out', 'bulk']])] },
      ],
    },
  ],
};
