/**
 * The load run's MFPs in one process of their own (`node --import tsx simulator-farm.ts COUNT
 * TIME_FACTOR`): their scanning and fax decoding must not slow the panels' event loop, whose reply
 * times are the figures. Prints one line `READY ["http://127.0.0.1:port", …]`; stops every simulator
 * and exits when its standard input closes (the load process ended, however it ended) or on SIGTERM.
 */
import { Simulator } from '../../../simulator/src/simulator.ts';
import { createLogger } from '../../../simulator/src/logger.ts';

const count = Number(process.argv[2]);
const timeFactor = Number(process.argv[3]);
if (!Number.isInteger(count) || count < 1 || !(timeFactor > 0)) {
  process.stderr.write('usage: simulator-farm.ts COUNT TIME_FACTOR\n');
  process.exit(2);
}
const simulators: Simulator[] = [];
let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled(simulators.map((s) => s.stop()));
  process.exit(0);
}
process.once('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
for (let i = 0; i < count; i++) {
  const simulator = new Simulator({ port: 0, timeFactor, logger: createLogger({ level: 'silent' }) });
  await simulator.start();
  simulators.push(simulator);
}
process.stdout.write(`READY ${JSON.stringify(simulators.map((s) => s.url))}\n`);
