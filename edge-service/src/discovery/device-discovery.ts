/** Devices found on the network, for the admin to pick instead of typing URLs. */

export interface DiscoveredDevice {
  /** Stable while the device is seen: its UUID when it advertises one, else its host. */
  id: string;
  /** What to show: the advertised make and model (`ty`), else the DNS-SD instance name. */
  name: string;
  /** The address the URLs use (an IPv4 address when the device has one). */
  host: string;
  /** The DNS-SD host name (SRV target), e.g. `NPI1A2B3C.local`. */
  hostName: string;
  uuids: string[];
  /** eSCL root, e.g. `http://192.168.1.20:8080/eSCL`, when the device advertises `_uscan._tcp`. */
  scannerUrl?: string;
  /** IPP FaxOut, e.g. `ipp://192.168.1.20:631/ipp/faxout`, when `_ipp._tcp` carries `rfo`. */
  faxUrl?: string;
  adminUrl?: string;
}

export interface DeviceDiscoveryEvents {
  /** A device seen for the first time. */
  up: [device: DiscoveredDevice];
  /** A known device changed (a second service arrived, an address changed). */
  update: [device: DiscoveredDevice];
  /** A device whose services all went away. */
  down: [device: DiscoveredDevice];
}

export interface DeviceDiscovery {
  /** Starts browsing; devices arrive through the events and list(). */
  start(): Promise<void>;
  stop(): Promise<void>;
  list(): DiscoveredDevice[];
  on<E extends keyof DeviceDiscoveryEvents>(
    event: E,
    listener: (...args: DeviceDiscoveryEvents[E]) => void,
  ): this;
  off<E extends keyof DeviceDiscoveryEvents>(
    event: E,
    listener: (...args: DeviceDiscoveryEvents[E]) => void,
  ): this;
}
