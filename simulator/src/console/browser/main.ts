import { setUpDeviceLogin } from './device-login-section.ts';
import { setUpFaults } from './faults-section.ts';
import { setUpFeeder } from './feeder-section.ts';
import { setUpLineMonitor } from './line-monitor-section.ts';
import { byId } from './dom.ts';
import { notice } from './notices.ts';
import { setUpPanel } from './panel-section.ts';
import { setUpPower } from './power-section.ts';

/** How often the console re-reads the device; the control API is cheap and local. */
const POLL_MS = 2000;

function start(): void {
  setUpPanel();
  const power = setUpPower();
  const sections = [setUpFeeder(), setUpLineMonitor(), setUpFaults(), power, setUpDeviceLogin()];
  const connection = byId('console-connection', HTMLElement);
  let timer: number | undefined;
  const poll = async () => {
    try {
      // Nothing answers while the device restarts; read it again once it is back.
      await power.whenOn();
      await Promise.all(sections.map((section) => section.refresh()));
      connection.textContent = `Live — updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      notice(connection, error);
    } finally {
      // A hidden tab does not need the device's state every two seconds; it catches up when shown.
      timer = document.hidden ? undefined : window.setTimeout(poll, POLL_MS);
    }
  };
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && timer === undefined) void poll();
  });
  void poll();
}

start();
