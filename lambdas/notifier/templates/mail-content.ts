import { NOTIFIER_DEFAULTS } from '../notifier-config';
import { MAX_FIRST_NAME_LENGTH, safeName } from './user-text';

/** What a template produces; the notifier adds the recipient and the ids. */
export interface MailContent {
  readonly subject: string;
  /** Plain text, lines separated by `\n`. */
  readonly text: string;
}

/**
 * The app's name comes from the configuration: a line break in it must not end the subject
 * header (header injection) or break a template line, so every run of whitespace becomes one
 * space. Names users type go through `safeName` instead (user-text.ts).
 */
export function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** `Hi <first name>,` with the name made safe (user-text.ts), or `Hello,` when nothing of it is left. */
export function greeting(firstName: string | undefined): string {
  const name = firstName === undefined ? '' : safeName(firstName, MAX_FIRST_NAME_LENGTH);
  return name === '' ? 'Hello,' : `Hi ${name},`;
}

/** The closing lines: signed by the app's team when an app name is configured ("The our app team" reads badly). */
export function signOff(app: string): string[] {
  return app === NOTIFIER_DEFAULTS.appName ? [] : ['', `The ${app} team`];
}
