import { formatAge } from '../cli/format';
import type { DeadLetter } from './dead-letter';

export function formatDeadLetters(letters: readonly DeadLetter[], now: number): string[] {
  const rows = letters.map((letter) => [
    letter.messageId,
    letter.svixId ?? '-',
    letter.eventType ?? '-',
    letter.receiveCount === undefined ? '-' : String(letter.receiveCount),
    letter.sentAt === undefined ? '-' : formatAge(now - letter.sentAt),
    letter.errorReason ?? '(retries used up)',
  ]);
  const header = ['messageId', 'svixId', 'eventType', 'receives', 'age', 'errorReason'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const format = (row: readonly string[]) =>
    row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
  return rows.length === 0 ? [] : [format(header), ...rows.map(format)];
}

export function formatIds(letter: DeadLetter): string {
  return [letter.messageId, letter.svixId, letter.eventType].filter(Boolean).join(' ');
}
