import { api } from './api.ts';
import { byId, replace } from './dom.ts';
import { attempt } from './notices.ts';

interface PowerStatus {
  state: 'on';
  boot: number;
  poweredOnAt: string;
}

/**
 * "Restart device": POST /sim/api/power-cycle, which answers once the device is back. While it is off
 * the device is gone from the network, so the console's polling waits for the restart (`whenOn`)
 * instead of failing against a closed port.
 */
export function setUpPower(): { refresh: () => Promise<void>; whenOn: () => Promise<void> } {
  const button = byId('power-cycle', HTMLButtonElement);
  const status = byId('power-status', HTMLElement);
  const alert = byId('power-alert', HTMLElement);
  let restarting: Promise<void> | null = null;

  const render = (power: PowerStatus) =>
    replace(status, `On since ${new Date(power.poweredOnAt).toLocaleTimeString()} (power-on ${power.boot}).`);

  button.addEventListener('click', () => {
    if (restarting) return;
    button.disabled = true;
    replace(status, 'Restarting… (the device is off)');
    restarting = attempt(alert, async () => {
      render(await api.postJson<PowerStatus>('/sim/api/power-cycle', {}));
    }).finally(() => {
      restarting = null;
      button.disabled = false;
    });
  });

  return {
    refresh: async () => {
      if (!restarting) render(await api.get<PowerStatus>('/sim/api/power'));
    },
    whenOn: async () => {
      await restarting;
    },
  };
}
