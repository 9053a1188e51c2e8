import assert from 'node:assert/strict';
import {
  findIppUsbInterfaces,
  isIppUsbDevice,
  type UsbDeviceDescriptor,
} from '../../../../edge-service/src/transport/usb/ipp-usb-interfaces.ts';
import { alternate, MFP } from './mfp-usb-descriptor.ts';

describe('IPP-USB interface selection', () => {
  it('finds every 7/1/4 interface with its bulk endpoints, in the alternate that offers it', () => {
    assert.deepEqual(findIppUsbInterfaces(MFP), [
      {
        configurationValue: 1,
        interfaceNumber: 0,
        alternateSetting: 1,
        inEndpoint: 2,
        outEndpoint: 1,
        packetSize: 512,
      },
      {
        configurationValue: 1,
        interfaceNumber: 2,
        alternateSetting: 0,
        inEndpoint: 5,
        outEndpoint: 4,
        packetSize: 512,
      },
      {
        configurationValue: 1,
        interfaceNumber: 3,
        alternateSetting: 0,
        inEndpoint: 7,
        outEndpoint: 6,
        packetSize: 512,
      },
    ]);
    assert.equal(isIppUsbDevice(MFP), true);
  });

  it('takes the first configuration that has IPP-USB', () => {
    const device: UsbDeviceDescriptor = {
      ...MFP,
      configurations: [
        {
          configurationValue: 1,
          interfaces: [{ interfaceNumber: 0, alternates: [alternate(0, [7, 1, 2], [])] }],
        },
        { ...MFP.configurations[0]!, configurationValue: 2 },
      ],
    };
    const found = findIppUsbInterfaces(device);
    assert.equal(found.length, 3);
    assert.ok(found.every((i) => i.configurationValue === 2));
  });

  it('rejects a plain USB printer (7/1/2 only) and a non-printer', () => {
    const printer: UsbDeviceDescriptor = {
      ...MFP,
      configurations: [
        {
          configurationValue: 1,
          interfaces: [
            { interfaceNumber: 0, alternates: [MFP.configurations[0]!.interfaces[0]!.alternates[0]!] },
          ],
        },
      ],
    };
    assert.equal(isIppUsbDevice(printer), false);
    assert.deepEqual(findIppUsbInterfaces({ ...MFP, configurations: [] }), []);
  });
});
