/** The tests read mail back with the same MIME reader the console's outbox uses. */
export { parseMime, type MimePart } from '../../../edge-service/src/mail/mime-reader.ts';
