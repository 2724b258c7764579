import type { Logger } from '@aws-lambda-powertools/logger';

type Extra = Readonly<Record<string, unknown>>;

/** What the notifier logs per stream record; every line carries the record's ids. */
export interface RecordLog {
  info(message: string, extra?: Extra): void;
  warn(message: string, extra?: Extra): void;
  error(message: string, extra?: Extra): void;
}

/**
 * Adds the record's keys to every line of the given logger. Not `createChild`: a child is a
 * plain Logger that drops a custom logger's behaviour, and not `appendKeys`: invocations of
 * one handler may overlap locally and would share the keys.
 */
export function recordLog(logger: Logger, keys: Extra): RecordLog {
  return {
    info: (message, extra) => logger.info(message, { ...keys, ...extra }),
    warn: (message, extra) => logger.warn(message, { ...keys, ...extra }),
    error: (message, extra) => logger.error(message, { ...keys, ...extra }),
  };
}
