import assert from 'node:assert/strict';
import {
  failureFromReasons,
  specificFailureCode,
} from '../../../../edge-service/src/drivers/ipp/fax-failure-reasons.ts';

describe('fax failure reasons', () => {
  for (const [reason, code] of [
    ['fax-busy', 'FAX_BUSY'],
    ['line-busy-error', 'FAX_BUSY'],
    ['fax-no-answer', 'FAX_NO_ANSWER'],
    ['no-answer-report', 'FAX_NO_ANSWER'],
    ['fax-dropped', 'FAX_DROPPED'],
    ['connection-lost', 'FAX_DROPPED'],
    ['fax-modem-line-down', 'FAX_LINE_DOWN'],
    ['no-dial-tone', 'FAX_LINE_DOWN'],
    ['phone-line-disconnected-error', 'FAX_LINE_DOWN'],
  ] as const) {
    it(`${reason} → ${code}`, () => assert.equal(specificFailureCode([reason]), code));
  }

  it('falls back to FAX_ERROR naming the telling reasons', () => {
    assert.deepEqual(failureFromReasons(['none', 'destination-uri-failed', 'vendor-weird']), {
      code: 'FAX_ERROR',
      message: 'The fax modem reported an error. (vendor-weird)',
    });
    assert.deepEqual(failureFromReasons([]), {
      code: 'FAX_ERROR',
      message: 'The fax modem reported an error. (the device gave no reason)',
    });
  });

  it('ignores benign reasons beside a telling one', () => {
    assert.equal(failureFromReasons(['job-printing', 'fax-busy']).code, 'FAX_BUSY');
  });
});
