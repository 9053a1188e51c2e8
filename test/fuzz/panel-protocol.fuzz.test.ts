/**
 * Fuzz: the panel WebSocket protocol. decodeRequest (the one envelope and message validation) with
 * any text; then a real edge (with its simulator) over a real WebSocket: random text, binary, huge
 * and truncated frames, and valid envelopes of every request type with random payloads, both before
 * and after hello. The contract: every frame is answered with a reply whose error has a stable code
 * (never INTERNAL), or the socket is closed with a documented close code; the edge stays up and a
 * second, well-behaved panel keeps working throughout; the edge's heap stays bounded.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import WebSocket from 'ws';
import {
  CLOSE_CODES,
  ERROR_CODES,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  decodeRequest,
  requests,
} from '../../protocol/index.ts';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';
import { PanelClient } from '../helpers/panel-client.ts';
import {
  assertHeapBounded,
  fuzzParameters,
  heapAfterGc,
  printTally,
  withinContract,
} from './fuzz-support.ts';

const TYPES = Object.keys(requests);
const APP = { name: 'fuzz-panel', version: '1.0.0' };
const DOCUMENTED_CLOSE = new Set<number>([...Object.values(CLOSE_CODES), 1000, 1001]);

/** Request types a hostile panel may send with random payloads; fax.send and fax.preview would dial and scan. */
const SAFE_TYPES = TYPES.filter((type) => type !== 'fax.send' && type !== 'fax.preview');

const payloadValue = fc.oneof(
  { depthSize: 'small' },
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      protocolVersions: fc.oneof(fc.constant([PROTOCOL_VERSION]), fc.array(fc.integer(), { maxLength: 20 })),
      deviceToken: fc.string({ maxLength: 300 }),
      app: fc.oneof(fc.constant(APP), fc.jsonValue()),
      sessionToken: fc.string({ maxLength: 3000 }),
      email: fc.emailAddress(),
      password: fc.string({ maxLength: 300 }),
      code: fc.stringMatching(/^\d{0,8}$/),
      query: fc.string({ maxLength: 200 }),
      limit: fc.oneof(fc.integer(), fc.double()),
      jobId: fc.oneof(fc.uuid(), fc.string()),
      number: fc.string({ maxLength: 40 }),
    },
    { requiredKeys: [] },
  ),
);

/** Frames as a hostile or broken panel sends them. */
const frame: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  fc
    .record({
      type: fc.constantFrom(...SAFE_TYPES),
      id: fc.string({ minLength: 1, maxLength: 64 }),
      payload: payloadValue,
    })
    .map((value) => JSON.stringify(value)),
  fc
    .record({
      type: fc.oneof(
        fc.constantFrom(...TYPES),
        fc.string(),
        fc.constant('__proto__'),
        fc.constant('constructor'),
      ),
      id: fc.oneof(fc.string({ maxLength: 80 }), fc.integer(), fc.constant(null)),
      payload: fc.anything({ maxDepth: 3 }),
    })
    .map((value) => JSON.stringify(value)),
  // A valid request cut short.
  fc.tuple(fc.constantFrom(...SAFE_TYPES), fc.nat()).map(([type, cut]) => {
    const text = JSON.stringify({ type, id: 'cut', payload: { limit: 5, query: 'x' } });
    return text.slice(0, cut % text.length);
  }),
  // Deep nesting inside a valid envelope.
  fc
    .integer({ min: 1, max: 5000 })
    .map((depth) => `{"type":"jobs.list","id":"deep","payload":${'['.repeat(depth)}${']'.repeat(depth)}}`),
);

type Outcome = { kind: 'reply'; code: string | null } | { kind: 'close'; code: number };

/** One raw panel connection: sends a frame and reports the reply or the close that follows it. */
class RawPanel {
  #socket: WebSocket | null = null;
  readonly #url: string;
  helloed = false;
  constructor(url: string) {
    this.#url = url;
  }

  async open(hello: string | null): Promise<void> {
    this.#socket?.terminate();
    const socket = new WebSocket(this.#url);
    this.#socket = socket;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('connect timeout')), 5000);
      socket.once('open', () => (clearTimeout(timer), resolve()));
      socket.once('error', (error) => (clearTimeout(timer), reject(error)));
    });
    socket.on('error', () => undefined);
    this.helloed = false;
    if (hello !== null) {
      const outcome = await this.send(
        JSON.stringify({
          type: 'hello',
          id: 'hello',
          payload: { protocolVersions: [PROTOCOL_VERSION], deviceToken: hello, app: APP },
        }),
      );
      assert.deepEqual(outcome, { kind: 'reply', code: null }, 'hello with the device token');
      this.helloed = true;
    }
  }

  get open_(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  send(data: string | Buffer, timeoutMs = 5000): Promise<Outcome> {
    const socket = this.#socket!;
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        socket.off('message', onMessage);
        socket.off('close', onClose);
      };
      const onMessage = (raw: WebSocket.RawData) => {
        const parsed = JSON.parse(String(raw)) as { type: string; ok?: boolean; error?: { code: string } };
        if (parsed.type !== 'reply') return; // events (job.updated, session…) are not answers
        done();
        resolve({ kind: 'reply', code: parsed.ok ? null : (parsed.error?.code ?? 'MISSING') });
      };
      const onClose = (code: number) => {
        done();
        resolve({ kind: 'close', code });
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no reply and no close within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.on('message', onMessage);
      socket.on('close', onClose);
      socket.send(data, { binary: Buffer.isBuffer(data) });
    });
  }

  close(): void {
    this.#socket?.terminate();
  }
}

function assertOutcome(outcome: Outcome): void {
  if (outcome.kind === 'close') {
    assert.ok(DOCUMENTED_CLOSE.has(outcome.code), `closed with undocumented code ${outcome.code}`);
    return;
  }
  if (outcome.code === null) return;
  assert.ok(Object.hasOwn(ERROR_CODES, outcome.code), `unknown error code ${outcome.code}`);
  assert.notEqual(outcome.code, 'INTERNAL', 'a hostile frame made the edge fail (INTERNAL)');
}

describe('fuzz: panel WebSocket protocol', function () {
  this.timeout(600_000);
  after(printTally);

  it('decodeRequest: any text → a decoded request or BAD_MESSAGE / UNKNOWN_TYPE, never a throw', () => {
    fc.assert(
      fc.property(frame, (data) => {
        const text = typeof data === 'string' ? data : data.toString('utf8');
        const decoded = withinContract(
          () => decodeRequest(text),
          () => false,
          500,
        )!;
        if (!decoded.ok) assert.ok(['BAD_MESSAGE', 'UNKNOWN_TYPE'].includes(decoded.code), decoded.code);
        else assert.ok(Object.hasOwn(requests, decoded.request.type));
      }),
      fuzzParameters('panel decodeRequest', 200),
    );
  });

  describe('over a real WebSocket to a real edge', () => {
    let stack: Stack;
    let good: PanelClient;
    let hostile: RawPanel;

    before(async () => {
      stack = await startStack();
      good = await PanelClient.connect(stack.wsUrl);
      await good.request('hello', {
        protocolVersions: [PROTOCOL_VERSION],
        deviceToken: stack.token,
        app: APP,
      });
      hostile = new RawPanel(stack.wsUrl);
    });
    after(async () => {
      hostile?.close();
      good?.close();
      await stack?.stop();
    });

    const wellBehavedStillWorks = async () => {
      assert.equal(good.closed, null, 'the well-behaved panel was disconnected');
      const { jobs } = await good.request('jobs.list', { limit: 1 }, 5000);
      assert.ok(Array.isArray(jobs));
    };

    for (const helloFirst of [false, true]) {
      it(`random frames ${helloFirst ? 'after' : 'before'} hello → coded replies or documented closes; the edge stays up`, async () => {
        const before = heapAfterGc();
        await fc.assert(
          fc.asyncProperty(frame, async (data) => {
            if (!hostile.open_ || hostile.helloed !== helloFirst)
              await hostile.open(helloFirst ? stack.token : null);
            assertOutcome(await hostile.send(data));
            await wellBehavedStillWorks();
          }),
          fuzzParameters(`panel socket ${helloFirst ? 'after' : 'before'} hello`, 25),
        );
        hostile.close();
        assertHeapBounded(before, 64e6, 'panel socket');
      });
    }

    it('a frame over the size limit closes with 1009; twenty bad frames close with BAD_MESSAGE', async () => {
      await hostile.open(null);
      const big = await hostile.send(
        `{"type":"jobs.list","id":"x","payload":"${'x'.repeat(MAX_MESSAGE_BYTES)}"}`,
      );
      assert.deepEqual(big, { kind: 'close', code: CLOSE_CODES.MESSAGE_TOO_BIG });
      await hostile.open(null);
      let last: Outcome = { kind: 'reply', code: null };
      for (let i = 0; i < 25 && last.kind === 'reply'; i++) last = await hostile.send('{not json');
      assert.deepEqual(last, { kind: 'close', code: CLOSE_CODES.BAD_MESSAGE });
      await wellBehavedStillWorks();
    });
  });
});
