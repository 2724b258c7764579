import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { encodedWords } from './encoded-words';
import { isPrintableAscii, parseMailAddress } from './mail-address';
import type { MailSender, OutgoingMail, SentMail } from './mail-sender';

/**
 * The local transport: every mail becomes one RFC 822 message (`.eml`) in a directory, which
 * any mail client opens and any watcher can pick up. A file appears complete or not at all
 * (written under a hidden temporary name, then renamed), and its name is the message id the
 * notifier records in the ledger.
 */

export interface MailboxMailSenderOptions {
  /** Created when missing. */
  readonly directory: string;
  /** The From header, as the notifier's parser reads it (lambdas/notifier/mail-address.ts). @default LOCAL_MAIL_FROM */
  readonly from?: string;
  /** @default the system clock */
  readonly now?: () => Date;
}

/** Local mail's own domain (`.local` never reaches a real mail server), with a dot like every sender the notifier takes. */
const LOCAL_DOMAIN = 'clerk-webhook-sync.local';

export const LOCAL_MAIL_FROM = `clerk-webhook-sync <no-reply@${LOCAL_DOMAIN}>`;

const CRLF = '\r\n';
/** RFC 5322: a line is at most 998 octets; longer body lines need quoted-printable. */
const MAX_LINE_OCTETS = 998;
/** RFC 2045: quoted-printable lines are at most 76 characters, the soft break's `=` included. */
const QP_LINE = 76;

export function createMailboxMailSender(options: MailboxMailSenderOptions): MailSender {
  const directory = path.resolve(options.directory);
  // Parsed once: a sender the notifier would refuse fails here, not at the first mail.
  const from = encodeSender(options.from ?? LOCAL_MAIL_FROM, 'From: '.length);
  const now = options.now ?? (() => new Date());
  let ready: Promise<unknown> | undefined;

  return {
    async send(mail: OutgoingMail, sendOptions?: { readonly signal?: AbortSignal }): Promise<SentMail> {
      const signal = sendOptions?.signal;
      signal?.throwIfAborted();
      // A failed mkdir is asked again by the next send (the stream source retries), not kept.
      ready ??= mkdir(directory, { recursive: true }).catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
      await ready;
      const date = now();
      const fileName = mailFileName(mail, date);
      const message = formatMessage(mail, { from, date, messageId: `<${fileName.replace(/\.eml$/, '')}@${LOCAL_DOMAIN}>` });
      // Hidden while incomplete: watchers and `ls *.eml` never see a half-written mail.
      const temporary = path.join(directory, `.${fileName}.tmp`);
      try {
        const file = await open(temporary, 'wx');
        try {
          await file.writeFile(message);
          // On disk before it becomes visible: a crash leaves a stray temporary file, never a truncated mail.
          await file.sync();
        } finally {
          await file.close();
        }
        // The last moment the claim's deadline can still stop the mail; after the rename it is delivered.
        signal?.throwIfAborted();
        await rename(temporary, path.join(directory, fileName));
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      return { messageId: fileName };
    },
  };
}

/**
 * `<time>_<kind>_<id>_<random>.eml`: sorts by time in any file listing; the id is the user's for
 * a welcome and the membership's for an admin welcome; the random part keeps two mails of the
 * same millisecond apart.
 */
export function mailFileName(mail: OutgoingMail, date: Date): string {
  const time = date.toISOString().replace(/:/g, '-');
  const id = (mail.kind === 'admin-welcome' ? mail.membershipId : undefined) ?? mail.userId;
  return `${time}_${mail.kind}_${id.replace(/[^A-Za-z0-9_-]/g, '-')}_${randomBytes(3).toString('hex')}.eml`;
}

interface Envelope {
  /** The From header's value, already encoded (encodeSender). */
  readonly from: string;
  readonly date: Date;
  readonly messageId: string;
}

/** The whole message: headers, a blank line, the body; CRLF line ends throughout. */
export function formatMessage(mail: OutgoingMail, envelope: Envelope): Buffer {
  const lines = mail.text.replace(/\r\n?/g, '\n').split('\n');
  const eightBitFits = lines.every((line) => Buffer.byteLength(line, 'utf8') <= MAX_LINE_OCTETS);
  const body = eightBitFits ? lines.join(CRLF) : encodeQuotedPrintable(lines);
  const headers = [
    `From: ${envelope.from}`,
    // The user's primary e-mail as Clerk holds it: a bare address, never a display name.
    `To: ${mail.to.trim()}`,
    `Subject: ${encodeHeaderText(mail.subject, 'Subject: '.length)}`,
    `Date: ${rfc5322Date(envelope.date)}`,
    `Message-ID: ${envelope.messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Transfer-Encoding: ${eightBitFits ? '8bit' : 'quoted-printable'}`,
    `X-Mail-Kind: ${mail.kind}`,
  ];
  return Buffer.from(`${headers.join(CRLF)}${CRLF}${CRLF}${body}${CRLF}`, 'utf8');
}

/** `Tue, 04 Jun 2024 12:00:00 +0000` */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * RFC 2047 `B` encoded-words for text that is not printable ASCII, folded so that no line
 * passes 76 characters; `used` is what precedes the text on its first line (`Subject: `).
 */
export function encodeHeaderText(text: string, used = 0): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ');
  return isPrintableAscii(oneLine) ? oneLine : encodedWords(oneLine, { used, separator: `${CRLF} ` });
}

/** `Display Name <address>` with a non-ASCII display name encoded, other names quoted when they must be; a bare address as it is. */
export function encodeSender(from: string, used: number): string {
  const { displayName, address } = parseMailAddress(from, 'the mailbox sender');
  if (displayName === undefined) return from.trim();
  if (!isPrintableAscii(displayName)) return `${encodeHeaderText(displayName, used)} <${address}>`;
  return /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]*$/.test(displayName)
    ? `${displayName} <${address}>`
    : `"${displayName.replace(/(["\\])/g, '\\$1')}" <${address}>`;
}

/** RFC 2045 §6.7 over UTF-8; hard line breaks stay CRLF, long lines get soft breaks. */
export function encodeQuotedPrintable(lines: readonly string[]): string {
  return lines.map(encodeQuotedPrintableLine).join(CRLF);
}

function encodeQuotedPrintableLine(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  const tokens: string[] = [];
  bytes.forEach((byte, index) => {
    const last = index === bytes.length - 1;
    const literal = (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last);
    tokens.push(literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`);
  });
  const out: string[] = [];
  let current = '';
  for (const token of tokens) {
    // Leave room for the soft break's `=`; an escape is never split.
    if (current.length + token.length > QP_LINE - 1) {
      out.push(`${current}=`);
      current = '';
    }
    current += token;
  }
  out.push(current);
  return out.join(CRLF);
}
