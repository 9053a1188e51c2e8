import assert from 'node:assert/strict';
import { describeJob } from '../../device-app/src/job-text.ts';
import type { JobView } from '../../protocol/index.ts';
import { setLanguage } from '../../device-app/src/i18n/index.ts';
import { actionText, jobError } from '../../device-app/src/error-text.ts';

const base: JobView = {
  id: 'j1',
  state: 'retry-wait',
  createdAt: '2026-11-28T10:00:00.000Z',
  updatedAt: '2026-11-28T10:01:00.000Z',
  resolution: 'fine',
  pagesScanned: 2,
  pagesSent: 2,
  totalPages: 2,
  recipients: [
    { number: '+12125550100', state: 'retry-wait', error: { code: 'FAX_BUSY', message: 'busy' } },
    { number: '+12125550111', state: 'delivered' },
  ],
  error: { code: 'FAX_BUSY', message: 'The line was busy.' },
};

describe('panel job text', () => {
  afterEach(() => setLanguage('en'));

  it('says why a fax waits and when it dials again, in local time', () => {
    const at = new Date(2026, 10, 28, 14, 5);
    const text = describeJob({ ...base, retryAt: at.toISOString() });
    assert.equal(text.title, 'Waiting to retry');
    assert.equal(text.detail, 'busy — retry at 14:05 (+12125550100)');
  });

  it('names no answer, and does without a retry time', () => {
    const text = describeJob({ ...base, error: { code: 'FAX_NO_ANSWER', message: 'no answer' } });
    assert.equal(text.detail, 'no answer (+12125550100)');
  });

  it('says when the printer restarted and the fax is sent again, and that a delivered one was resent', () => {
    const lost = { code: 'FAX_JOB_LOST' as const, message: 'The printer restarted.' };
    const at = new Date(2026, 10, 28, 14, 5);
    assert.equal(
      describeJob({ ...base, error: lost, retryAt: at.toISOString() }).detail,
      'the printer restarted while sending — retry at 14:05 (+12125550100)',
    );
    const delivered: JobView = {
      ...base,
      state: 'delivered',
      recipients: [{ number: '+12125550100', state: 'delivered' }],
      resentAfterRestart: 1,
    };
    assert.equal(
      describeJob(delivered).detail,
      '2 page(s) to +12125550100 (sent again after the printer restarted)',
    );
  });

  it('needs-attention: names the stop and the sheets to put back, in pages or duplex sheets', () => {
    const attention = { pagesKept: 2, fromPage: 3, fromSheet: 3, duplex: false, until: base.updatedAt };
    const jam = describeJob({
      ...base,
      state: 'needs-attention',
      error: { code: 'SCANNER_JAM', message: 'x' },
      attention,
    });
    assert.equal(jam.title, 'Paper jam');
    assert.equal(
      jam.detail,
      'Clear the jam, put pages 3 to the last back in the feeder, then press Resume. Pages 1–2 are kept.',
    );
    const cover = describeJob({
      ...base,
      state: 'needs-attention',
      error: { code: 'COVER_OPEN', message: 'x' },
      attention: { ...attention, pagesKept: 4, fromPage: 5, duplex: true },
    });
    assert.equal(cover.title, 'Scanner cover open');
    assert.match(cover.detail, /^Close the scanner cover, put sheets 3 to the last back/);
  });

  it('needs-attention in French and German names the button to press; nothing kept says nothing about it', () => {
    const attention = { pagesKept: 2, fromPage: 3, fromSheet: 3, duplex: false, until: base.updatedAt };
    const jam: JobView = {
      ...base,
      state: 'needs-attention',
      error: { code: 'SCANNER_JAM', message: 'x' },
      attention,
    };
    setLanguage('fr');
    assert.equal(describeJob(jam).title, 'Bourrage papier');
    assert.equal(
      describeJob(jam).detail,
      'Dégagez le bourrage, remettez dans le chargeur les pages 3 et suivantes, puis appuyez sur Reprendre. Les pages 1 à 2 sont conservées.',
    );
    setLanguage('de');
    assert.equal(
      describeJob({ ...jam, error: { code: 'FEEDER_EMPTY', message: 'x' } }).title,
      'Der Einzug ist leer',
    );
    assert.match(
      describeJob(jam).detail,
      /ab Seite 3 wieder in den Einzug und tippen Sie auf „Fortsetzen“\. Die Seiten 1–2 bleiben erhalten\.$/,
    );
    setLanguage('en');
    const first = describeJob({ ...jam, attention: { ...attention, pagesKept: 0, fromPage: 1 } });
    assert.equal(
      first.detail,
      'Clear the jam, put pages 1 to the last back in the feeder, then press Resume.',
    );
  });

  it('says how many blank pages were left out of a delivered fax', () => {
    const delivered: JobView = {
      ...base,
      state: 'delivered',
      recipients: [{ number: '+12125550100', state: 'delivered' }],
      pagesSkipped: 2,
    };
    assert.equal(describeJob(delivered).detail, '2 page(s) to +12125550100 (2 blank pages left out)');
  });

  it('says it in French and German', () => {
    const at = new Date(2026, 10, 28, 14, 5);
    setLanguage('fr');
    assert.equal(
      describeJob({ ...base, retryAt: at.toISOString() }).detail,
      'occupé — nouvel essai à 14:05 (+12125550100)',
    );
    setLanguage('de');
    assert.equal(describeJob({ ...base, state: 'cancelled' }).title, 'Abgebrochen');
  });

  it('names the action to take for a failed fax, by code, in each language', () => {
    const failed: JobView = {
      ...base,
      state: 'failed',
      recipients: [{ number: '+12125550100', state: 'failed' }],
      error: { code: 'SCANNER_JAM', message: 'Paper is jammed in the feeder.' },
    };
    assert.match(describeJob(failed).detail, /^Clear the jam/);
    setLanguage('fr');
    assert.match(describeJob(failed).detail, /^Dégagez le bourrage/);
    setLanguage('de');
    assert.match(describeJob(failed).detail, /^Beseitigen Sie den Papierstau/);
  });
});

describe('panel error actions', () => {
  afterEach(() => setLanguage('en'));
  const at = new Date(2026, 10, 28, 14, 32).toISOString();

  it('says when a busy or unanswered line is tried again, and what to do when it is not', () => {
    assert.equal(actionText({ code: 'FAX_BUSY', message: '' }, at), 'Line busy — retrying at 14:32.');
    assert.equal(actionText({ code: 'FAX_NO_ANSWER', message: '' }, at), 'No answer — retrying at 14:32.');
    assert.match(actionText({ code: 'FAX_NO_ANSWER', message: '' }), /Check the number/);
    setLanguage('de');
    assert.equal(
      actionText({ code: 'FAX_BUSY', message: '' }, at),
      'Leitung besetzt — neuer Versuch um 14:32.',
    );
  });

  it('has an action for each scanner and line code, in all three languages', () => {
    const codes = [
      'SCANNER_JAM',
      'FEEDER_EMPTY',
      'COVER_OPEN',
      'SCANNER_OFFLINE',
      'FAX_LINE_DOWN',
      'FAX_UNREACHABLE',
      'FAX_DROPPED',
    ] as const;
    for (const language of ['en', 'fr', 'de'] as const) {
      setLanguage(language);
      for (const code of codes) {
        const text = actionText({ code, message: 'EDGE TEXT' });
        assert.notEqual(text, 'EDGE TEXT', `${language} ${code}`);
      }
    }
  });

  it("names the refused number, and falls back to the edge's words for a code it does not know", () => {
    assert.equal(
      actionText({ code: 'INVALID_NUMBER', message: 'x', recipient: '12' }),
      '12 is not a valid fax number. Check the digits and the country code.',
    );
    assert.equal(actionText({ code: 'INVALID_NUMBER', message: 'edge words' }), 'edge words');
    assert.equal(
      actionText({ code: 'SOMETHING_NEW' as 'INTERNAL', message: 'Rule "premium-rate" blocks it.' }),
      'Rule "premium-rate" blocks it.',
    );
  });

  it('finds the error of a job on its recipients', () => {
    const job: JobView = { ...base, error: undefined, state: 'failed' };
    assert.equal(jobError(job)?.code, 'FAX_BUSY');
  });
});
