import type { DeviceIdentity, DevicePerson } from '../../edge-service/src/domain/device-identity.ts';

/**
 * TEST STAND-IN for the device-login driver (branch `identity`, not merged into `people-edge` yet):
 * polls the simulator's device API (`GET /device/api/v1/session`, HTTP Basic with the device's
 * admin credential) and reports each change, so the panel's device-login path runs end to end
 * against the real edge and simulator. Replace it with `NetworkDeviceDrivers.identity()` once merged.
 */
export class PolledDeviceIdentity implements DeviceIdentity {
  constructor(
    private readonly baseUrl: string,
    private readonly credential: { username: string; password: string },
    private readonly intervalMs = 150,
  ) {}

  async current(signal?: AbortSignal): Promise<DevicePerson | null> {
    const basic = Buffer.from(`${this.credential.username}:${this.credential.password}`).toString('base64');
    const response = await fetch(`${this.baseUrl}/device/api/v1/session`, {
      headers: { authorization: `Basic ${basic}` },
      ...(signal ? { signal } : {}),
    });
    if (!response.ok) throw new Error(`device API: ${response.status}`);
    const body = (await response.json()) as { user: { name: string; email: string | null } | null };
    return body.user ? { name: body.user.name, email: body.user.email ?? null } : null;
  }

  watch(onChange: (person: DevicePerson | null) => void, onError?: (error: unknown) => void): () => void {
    let last: string | undefined;
    let stopped = false;
    const poll = async () => {
      while (!stopped) {
        try {
          const person = await this.current();
          const key = JSON.stringify(person);
          if (key !== last && !stopped) {
            last = key;
            onChange(person);
          }
        } catch (error) {
          onError?.(error);
        }
        await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
      }
    };
    void poll();
    return () => {
      stopped = true;
    };
  }
}
