import assert from 'node:assert/strict';
import { describeJob } from '../../device-app/src/job-text.ts';
import type { JobView } from '../../protocol/index.ts';

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
});
