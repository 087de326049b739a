import { pino, type Logger } from 'pino';

/** Structured JSON logs, one logger per app, named by the `app` field. */
export const createLogger = (app: string, level: string): Logger => pino({ level, base: { app } });
export type { Logger };
