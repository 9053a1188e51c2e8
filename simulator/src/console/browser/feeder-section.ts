import { api, type FeederContents } from './api.ts';
import { byId, h, replace } from './dom.ts';
import { attempt } from './notices.ts';

const SAMPLES = ['letter', 'form', 'photo', 'blank', 'skewed', 'legal'];
const UPLOAD_TYPES = /^(image\/|application\/pdf$)/;

/** The ADF: what is loaded, the built-in samples, and the tester's own images. */
export function setUpFeeder(): { refresh: () => Promise<void> } {
  const summary = byId('feeder-summary', HTMLElement);
  const list = byId('feeder-contents', HTMLUListElement);
  const samples = byId('feeder-samples', HTMLElement);
  const reload = byId('feeder-reload', HTMLInputElement);
  const file = byId('feeder-file', HTMLInputElement);
  const drop = byId('feeder-drop', HTMLElement);
  const alert = byId('feeder-alert', HTMLElement);
  let current: FeederContents | null = null;

  const render = (contents: FeederContents) => {
    current = contents;
    reload.checked = contents.reload;
    summary.textContent =
      contents.sheets === 0
        ? 'The feeder is empty.'
        : `${contents.sheets} sheet${contents.sheets === 1 ? '' : 's'} loaded` +
          (contents.reload ? ', put back after each job.' : ', each fed once.');
    replace(
      list,
      ...contents.originals.map((o) => h('li', {}, `${o.name} — ${o.pages} page${o.pages === 1 ? '' : 's'}`)),
    );
  };

  const refresh = async () => render(await api.get<FeederContents>('/sim/api/feeder'));

  const upload = (chosen: File) =>
    attempt(alert, async () => {
      // Some systems give no type for a file they do not know; a .pdf is still a PDF.
      const type =
        chosen.type || (/\.pdf$/i.test(chosen.name) ? 'application/pdf' : 'application/octet-stream');
      if (!UPLOAD_TYPES.test(type)) throw new Error(`${chosen.name} is not an image or a PDF.`);
      const query = new URLSearchParams({ name: chosen.name, reload: String(reload.checked) });
      render(await api.putFile<FeederContents>(`/sim/api/feeder?${query}`, chosen, type));
    });

  for (const name of SAMPLES) {
    samples.appendChild(
      h(
        'button',
        {
          type: 'button',
          onclick: () =>
            attempt(alert, async () =>
              render(
                await api.putJson<FeederContents>('/sim/api/feeder', {
                  originals: [name],
                  reload: reload.checked,
                }),
              ),
            ),
        },
        `Load ${name}`,
      ),
    );
  }

  // Reload is a property of a load: re-load the same samples with the new setting when we can.
  reload.addEventListener('change', () =>
    attempt(alert, async () => {
      const names = current?.originals.map((o) => o.name) ?? [];
      if (names.length > 0 && names.every((n) => SAMPLES.includes(n))) {
        render(
          await api.putJson<FeederContents>('/sim/api/feeder', { originals: names, reload: reload.checked }),
        );
      } else if (names.length > 0) {
        throw new Error('Uploads keep their setting; the new one applies to the next load.');
      }
    }),
  );

  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (chosen) void upload(chosen).then(() => (file.value = ''));
  });
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('dragging');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('dragging');
    const chosen = event.dataTransfer?.files[0];
    if (chosen) void upload(chosen);
  });

  return { refresh };
}
