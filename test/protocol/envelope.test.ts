import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  decodeRequest,
  decodeServerFrame,
  encodeError,
  encodeEvent,
  encodeReply,
  negotiateVersion,
  ERROR_CODE_LIST,
  isErrorCode,
  requests,
} from '../../protocol/index.ts';
import { protocolJsonSchema } from '../../protocol/json-schema.ts';

const TOKEN = 'x'.repeat(43);

describe('protocol envelope', () => {
  describe('decodeRequest', () => {
    it('accepts a valid hello and applies nothing extra', () => {
      const result = decodeRequest(
        JSON.stringify({
          type: 'hello',
          id: '1',
          payload: { protocolVersions: [1], deviceToken: TOKEN, app: { name: 'p', version: '1' } },
        }),
      );
      assert.equal(result.ok, true);
      assert.ok(result.ok && result.request.type === 'hello');
    });

    it('fills defaults of fax.send', () => {
      const result = decodeRequest(
        JSON.stringify({ type: 'fax.send', id: 'a', payload: { recipients: ['+12125550100'] } }),
      );
      assert.ok(result.ok);
      assert.deepEqual(result.request.payload, {
        recipients: ['+12125550100'],
        resolution: 'fine',
        source: 'adf',
        duplex: false,
        originalSize: 'auto',
        contentType: 'text',
        skipBlankPages: false,
      });
    });

    const bad: [string, string, string, string | null][] = [
      ['not JSON', '{nope', 'BAD_MESSAGE', null],
      ['an array', '[1,2]', 'BAD_MESSAGE', null],
      ['no id', JSON.stringify({ type: 'jobs.list' }), 'BAD_MESSAGE', null],
      ['an unknown type', JSON.stringify({ type: 'fax.burn', id: '7' }), 'UNKNOWN_TYPE', '7'],
      [
        'a wrong payload',
        JSON.stringify({ type: 'fax.send', id: '8', payload: { recipients: 'x' } }),
        'BAD_MESSAGE',
        '8',
      ],
      [
        'an unknown resolution',
        JSON.stringify({ type: 'fax.send', id: '9', payload: { recipients: [], resolution: 'ultra' } }),
        'BAD_MESSAGE',
        '9',
      ],
      [
        'a short token',
        JSON.stringify({
          type: 'hello',
          id: '10',
          payload: { protocolVersions: [1], deviceToken: 'x', app: { name: 'p', version: '1' } },
        }),
        'BAD_MESSAGE',
        '10',
      ],
      [
        'a huge id',
        JSON.stringify({ type: 'jobs.list', id: 'i'.repeat(100) }),
        'BAD_MESSAGE',
        'i'.repeat(64),
      ],
    ];
    for (const [what, text, code, id] of bad) {
      it(`refuses ${what} with ${code}`, () => {
        const result = decodeRequest(text);
        assert.equal(result.ok, false);
        assert.ok(!result.ok);
        assert.equal(result.code, code);
        assert.equal(result.id, id);
        assert.ok(result.message.length > 0);
      });
    }
  });

  it('encodes replies, errors and events that a panel decodes', () => {
    const reply = decodeServerFrame(encodeReply('1', { jobs: [] }));
    assert.equal(reply.kind, 'reply');
    const error = decodeServerFrame(encodeError('2', { code: 'INVALID_NUMBER', message: 'bad' }));
    assert.ok(error.kind === 'reply' && !error.frame.ok && error.frame.error.code === 'INVALID_NUMBER');
    const job = {
      id: 'j',
      state: 'sending' as const,
      createdAt: 'now',
      updatedAt: 'now',
      resolution: 'fine' as const,
      pagesScanned: 3,
      pagesSent: 1,
      totalPages: 3,
      recipients: [{ number: '+12125550100', state: 'sending' as const }],
    };
    const event = decodeServerFrame(encodeEvent('job.updated', { job }));
    assert.ok(event.kind === 'event' && event.frame.event === 'job.updated');
    assert.equal(decodeServerFrame('{"type":"reply"}').kind, 'invalid');
  });

  it('negotiates the highest shared version', () => {
    assert.equal(negotiateVersion([1, 2, 3], [1, 2]), 2);
    assert.equal(negotiateVersion([5], [1]), null);
  });

  it('has stable, unique error codes', () => {
    assert.equal(new Set(ERROR_CODE_LIST).size, ERROR_CODE_LIST.length);
    assert.ok(ERROR_CODE_LIST.every((code) => /^[A-Z_]+$/.test(code)));
    assert.ok(isErrorCode('SCANNER_JAM'));
    assert.ok(!isErrorCode('toString'));
  });

  it('ships a JSON Schema that matches the code (run `npm run schema` after a change)', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../protocol/schema.json', import.meta.url), 'utf8'),
    );
    assert.deepEqual(committed, JSON.parse(JSON.stringify(protocolJsonSchema())));
    assert.deepEqual(Object.keys(committed.requests).sort(), Object.keys(requests).sort());
  });
});
