/**
 * Run inside an AvahiNamespace (never directly): a simulator on 127.0.0.1 with DNS-SD on.
 * Messages: `ready` {url, port, scannerUuid}, then it stops when stdin closes.
 */
import { onParentGone, sendMessage } from '../../helpers/avahi-namespace.ts';
import { Simulator } from '../../../simulator/src/simulator.ts';
import { createLogger } from '../../../simulator/src/logger.ts';

const simulator = new Simulator({
  host: '127.0.0.1',
  port: 0,
  dnsSd: true,
  timeFactor: 0.01,
  logger: createLogger({ level: process.env.LOG_LEVEL ?? 'silent' }),
});
await simulator.start();
sendMessage('ready', {
  url: simulator.url,
  port: Number(new URL(simulator.url).port),
  scannerUuid: simulator.scanner.identity.uuid,
});
onParentGone(async () => {
  await simulator.stop();
  sendMessage('stopped');
});
