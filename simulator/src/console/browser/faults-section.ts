import { api, type FaultState } from './api.ts';
import { byId, h, replace } from './dom.ts';
import { attempt } from './notices.ts';

const LABELS: Record<string, string> = {
  jam: 'Paper jam',
  'feeder-empty': 'Feeder empty',
  'cover-open': 'Cover open',
  'scanner-busy': 'Scanner busy',
  'scanner-offline': 'Scanner offline',
  'line-down': 'Fax line down',
};

/** One switch per fault the device can show; the state always comes back from the API. */
export function setUpFaults(): { refresh: () => Promise<void> } {
  const list = byId('fault-switches', HTMLUListElement);
  const summary = byId('fault-summary', HTMLElement);
  const alert = byId('fault-alert', HTMLElement);
  const switches = new Map<string, HTMLInputElement>();

  const render = (state: FaultState) => {
    for (const fault of state.available ?? []) {
      if (switches.has(fault)) continue;
      const input = h('input', {
        type: 'checkbox',
        role: 'switch',
        id: `fault-${fault}`,
      }) as HTMLInputElement;
      input.addEventListener('change', () =>
        attempt(alert, async () => {
          // These answers list only the raised faults; the switches already exist.
          render(
            input.checked
              ? await api.postJson<FaultState>('/sim/api/faults', { fault })
              : await api.delete<FaultState>(`/sim/api/faults/${encodeURIComponent(fault)}`),
          );
        }),
      );
      switches.set(fault, input);
      list.appendChild(h('li', {}, input, h('label', { for: input.id }, LABELS[fault] ?? fault)));
    }
    for (const [fault, input] of switches) input.checked = state.faults.includes(fault);
    replace(
      summary,
      state.faults.length === 0
        ? 'No fault raised.'
        : `Raised: ${state.faults.map((f) => LABELS[f] ?? f).join(', ')}.`,
    );
  };

  return {
    refresh: async () => {
      render(await api.get<FaultState>('/sim/api/faults'));
    },
  };
}
