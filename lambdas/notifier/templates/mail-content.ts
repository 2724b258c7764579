import { NOTIFIER_DEFAULTS } from '../notifier-config';

/** What a template produces; the notifier adds the recipient and the ids. */
export interface MailContent {
  readonly subject: string;
  /** Plain text, lines separated by `\n`. */
  readonly text: string;
}

/**
 * Names come from Clerk and the configuration: a line break in one must not end the subject
 * header (header injection) or break a template line, so every run of whitespace becomes one space.
 */
export function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

export function greeting(firstName: string | undefined): string {
  const name = firstName === undefined ? '' : oneLine(firstName);
  return name === '' ? 'Hello,' : `Hi ${name},`;
}

/** The closing lines: signed by the app's team when an app name is configured ("The our app team" reads badly). */
export function signOff(app: string): string[] {
  return app === NOTIFIER_DEFAULTS.appName ? [] : ['', `The ${app} team`];
}
