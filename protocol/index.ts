export * from './version.ts';
export * from './limits.ts';
export * from './error-codes.ts';
export * from './messages.ts';
export * from './envelope.ts';
export * from './job-states.ts';
