/**
 * What Lambda delivers to CloudWatch Logs of what a function writes, under the JSON log format
 * with an application log level (advanced logging controls), by the rule Lambda documents
 * ("Log-level filtering"): a line that is a JSON object with a valid `level` has that level;
 * any other line, including a JSON object without `level`, is filed as INFO. Lines below the
 * configured level are dropped.
 */

export const APPLICATION_LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type ApplicationLogLevel = (typeof APPLICATION_LOG_LEVELS)[number];

/** The level Lambda gives one line of output. */
export function lambdaLevelOf(line: string): ApplicationLogLevel {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return 'INFO';
  }
  const level = typeof parsed === 'object' && parsed !== null ? (parsed as { level?: unknown }).level : undefined;
  if (typeof level !== 'string') return 'INFO';
  return APPLICATION_LOG_LEVELS.find((candidate) => candidate === level.toUpperCase()) ?? 'INFO';
}

/** Whether Lambda delivers `line` when the function's application log level is `configured`. */
export function deliveredByLambda(line: string, configured: ApplicationLogLevel): boolean {
  return APPLICATION_LOG_LEVELS.indexOf(lambdaLevelOf(line)) >= APPLICATION_LOG_LEVELS.indexOf(configured);
}
