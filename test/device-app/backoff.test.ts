import assert from 'node:assert/strict';
import sinon from 'sinon';
import { Backoff } from '../../device-app/src/backoff.ts';
import {
  EdgeConnection,
  ConnectionError,
  RECONNECT_CAP_MS,
  type ConnectionEnvironment,
} from '../../device-app/src/edge-connection.ts';

/** A WebSocket stand-in: the test opens and closes it (the layer under EdgeConnection). */
class FakeSocket {
  static made: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
  send(text: string): void {
    this.sent.push(text);
  }
  close(): void {
    this.drop(1000);
  }
}

describe('panel reconnect back-off', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
    FakeSocket.made = [];
  });
  afterEach(() => clock.restore());

  function connection(random: () => number, onDown: (reason: string, code: number) => void = () => {}) {
    const env: Partial<ConnectionEnvironment> = {
      createSocket: (url) => new FakeSocket(url) as unknown as WebSocket,
      setTimeout: (run, ms) => setTimeout(run, ms) as unknown as number,
      clearTimeout: (timer) => clearTimeout(timer),
      random,
    };
    return new EdgeConnection('ws://127.0.0.1/ws', { onOpen: () => {}, onDown }, env);
  }

  it('doubles the ceiling from 0.5 s up to the 30 s cap, each delay drawn below it (full jitter)', () => {
    const top = new Backoff(500, 30000, () => 0.999999);
    const ceilings = [];
    for (let i = 0; i < 10; i++) ceilings.push(top.next() + 1);
    assert.deepEqual(ceilings, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
    const bottom = new Backoff(500, 30000, () => 0);
    assert.equal(bottom.next(), 0);
    const half = new Backoff(500, 30000, () => 0.5);
    assert.deepEqual([half.next(), half.next(), half.next()], [250, 500, 1000]);
    half.reset();
    assert.equal(half.next(), 250);
  });

  it('reconnects after the drawn delay, never sooner, and starts small again once connected', () => {
    const edge = connection(() => 0.5);
    edge.connect();
    assert.equal(FakeSocket.made.length, 1);
    FakeSocket.made[0]!.drop(); // first attempt failed: wait 250 ms (half of 500)
    clock.tick(249);
    assert.equal(FakeSocket.made.length, 1);
    clock.tick(1);
    assert.equal(FakeSocket.made.length, 2);
    FakeSocket.made[1]!.drop(); // 500 ms
    clock.tick(499);
    assert.equal(FakeSocket.made.length, 2);
    clock.tick(1);
    assert.equal(FakeSocket.made.length, 3);
    FakeSocket.made[2]!.open();
    FakeSocket.made[2]!.drop(); // connected in between: back to 250 ms
    clock.tick(250);
    assert.equal(FakeSocket.made.length, 4);
  });

  it('never waits more than the cap, however long the edge stays away', () => {
    const edge = connection(() => 0.999999);
    edge.connect();
    for (let i = 0; i < 20; i++) {
      FakeSocket.made[FakeSocket.made.length - 1]!.drop();
      clock.tick(RECONNECT_CAP_MS);
      assert.equal(FakeSocket.made.length, i + 2, `attempt ${i + 2}`);
    }
  });

  it('does not retry a revoked credential, and keeps one socket at a time', () => {
    const downs: number[] = [];
    const edge = connection(
      () => 0,
      (_reason, code) => downs.push(code),
    );
    edge.connect();
    edge.connect();
    assert.equal(FakeSocket.made.length, 1);
    FakeSocket.made[0]!.drop(4403);
    clock.tick(60000);
    assert.equal(FakeSocket.made.length, 1);
    assert.deepEqual(downs, [4403]);
  });

  it('fails a request made while offline at once, and one in flight when the socket drops', async () => {
    const edge = connection(() => 0);
    edge.connect();
    await assert.rejects(edge.request('jobs.list', { limit: 1 }), (error: unknown) => {
      return error instanceof ConnectionError && error.kind === 'offline';
    });
    FakeSocket.made[0]!.open();
    assert.equal(edge.online, true);
    const pending = edge.request('jobs.list', { limit: 1 });
    assert.equal(FakeSocket.made[0]!.sent.length, 1);
    FakeSocket.made[0]!.drop();
    await assert.rejects(
      pending,
      (error: unknown) => error instanceof ConnectionError && error.kind === 'lost',
    );
  });
});
