import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OutgoingMail } from './mail-sender';
import { createMailboxMailSender, LOCAL_MAIL_FROM } from './mailbox-mail-sender';

/** The local mailbox: each mail one complete RFC 822 file that a mail client (here: a small parser) reads back. */

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'mailbox-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

const welcome: OutgoingMail = {
  kind: 'welcome',
  to: 'ada.lovelace@example.com',
  subject: 'Welcome to Acme',
  text: 'Hello Ada,\n\nwelcome to Acme.\n',
  userId: 'user_2abc',
};

interface ParsedMail {
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly raw: string;
}

/** Splits headers from body, unfolds headers, decodes RFC 2047 words and the transfer encoding. */
function parseMail(raw: Buffer): ParsedMail {
  const split = raw.indexOf('\r\n\r\n');
  const headerBlock = raw.subarray(0, split).toString('utf8');
  const headers: Record<string, string> = {};
  for (const line of headerBlock.replace(/\r\n[ \t]/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon)] = decodeWords(line.slice(colon + 1).trim());
  }
  const encodedBody = raw.subarray(split + 4);
  const body =
    headers['Content-Transfer-Encoding'] === 'quoted-printable'
      ? decodeQuotedPrintable(encodedBody.toString('ascii')).toString('utf8')
      : encodedBody.toString('utf8');
  return { headers, body, raw: raw.toString('utf8') };
}

/** Runs of adjacent encoded-words (whitespace between them does not count) decode as one byte sequence. */
function decodeWords(value: string): string {
  return value.replace(/=\?UTF-8\?B\?[^?]*\?=(?:\s+=\?UTF-8\?B\?[^?]*\?=)*/g, (run) =>
    Buffer.concat([...run.matchAll(/=\?UTF-8\?B\?([^?]*)\?=/g)].map((word) => Buffer.from(word[1]!, 'base64'))).toString('utf8'),
  );
}

function decodeQuotedPrintable(text: string): Buffer {
  const unfolded = text.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let index = 0; index < unfolded.length; index += 1) {
    if (unfolded[index] === '=') {
      bytes.push(parseInt(unfolded.slice(index + 1, index + 3), 16));
      index += 2;
    } else {
      bytes.push(unfolded.charCodeAt(index));
    }
  }
  return Buffer.from(bytes);
}

function files(): string[] {
  return readdirSync(directory).sort();
}

describe('mailbox mail sender', () => {
  it('writes one RFC 822 message with the headers, CRLF line ends and the body, named by time, kind and id', async () => {
    const sender = createMailboxMailSender({ directory, now: () => new Date(Date.UTC(2024, 5, 4, 12, 0, 0, 123)) });

    const { messageId } = await sender.send(welcome);

    expect(files()).toEqual([messageId]);
    expect(messageId).toMatch(/^2024-06-04T12-00-00\.123Z_welcome_user_2abc_[0-9a-f]{6}\.eml$/);
    const raw = readFileSync(path.join(directory, messageId));
    const mail = parseMail(raw);
    expect(mail.headers).toEqual({
      From: LOCAL_MAIL_FROM,
      To: 'ada.lovelace@example.com',
      Subject: 'Welcome to Acme',
      Date: 'Tue, 04 Jun 2024 12:00:00 +0000',
      'Message-ID': `<${messageId.replace(/\.eml$/, '')}@clerk-webhook-sync.local>`,
      'MIME-Version': '1.0',
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Transfer-Encoding': '8bit',
      'X-Mail-Kind': 'welcome',
    });
    expect(mail.body).toBe('Hello Ada,\r\n\r\nwelcome to Acme.\r\n\r\n');
    // No bare LF or CR anywhere.
    expect(mail.raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('encodes a non-ASCII subject and sender name as RFC 2047 words, and keeps a UTF-8 body in 8bit', async () => {
    const subject = 'Willkommen bei Äcme, Zoë — 日本語のテキストも大丈夫です。これは長い件名です 🎉';
    const sender = createMailboxMailSender({ directory, from: 'Äcme Téam <welcome@acme.example>' });

    const { messageId } = await sender.send({ ...welcome, subject, text: 'Grüße, Zoë 👋' });

    const mail = parseMail(readFileSync(path.join(directory, messageId)));
    expect(mail.headers.Subject).toBe(subject);
    expect(mail.headers.From).toBe('Äcme Téam <welcome@acme.example>');
    expect(mail.headers['Content-Transfer-Encoding']).toBe('8bit');
    expect(mail.body).toBe('Grüße, Zoë 👋\r\n');
    const headerBlock = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'));
    // The header itself is plain ASCII; lines with encoded-words stay within RFC 2047's 76 characters.
    expect(headerBlock).toMatch(/^[\x00-\x7f]*$/);
    for (const line of headerBlock.split('\r\n').filter((candidate) => candidate.includes('=?'))) {
      expect(line.length).toBeLessThanOrEqual(76);
    }
    expect(headerBlock.match(/=\?UTF-8\?B\?[^?]*\?=/g)!.length).toBeGreaterThan(1);
  });

  it('switches to quoted-printable when a body line is longer than RFC 5322 allows', async () => {
    const long = `${'Bienvenue à bord, '.repeat(70)}fin.  `;
    const text = `Hello,\n${long}\nend = done\t`;
    const sender = createMailboxMailSender({ directory });

    const { messageId } = await sender.send({ ...welcome, text });

    const mail = parseMail(readFileSync(path.join(directory, messageId)));
    expect(mail.headers['Content-Transfer-Encoding']).toBe('quoted-printable');
    expect(mail.body).toBe(`${text.replace(/\n/g, '\r\n')}\r\n`);
    const encodedBody = mail.raw.slice(mail.raw.indexOf('\r\n\r\n') + 4);
    for (const line of encodedBody.split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(76);
      expect(line).toMatch(/^[\x21-\x7e \t]*$/);
      expect(line).not.toMatch(/[ \t]$/);
    }
  });

  it('gives every mail its own file, in time order, and names admin welcomes by membership', async () => {
    let clock = Date.UTC(2024, 5, 4, 12);
    const sender = createMailboxMailSender({ directory, now: () => new Date(clock) });
    const admin: OutgoingMail = { ...welcome, kind: 'admin-welcome', orgId: 'org_2x', membershipId: 'orgmem_2y' };

    const sent = [await sender.send(welcome), await sender.send(welcome)];
    clock += 1;
    sent.push(await sender.send(admin));

    expect(new Set(sent.map((mail) => mail.messageId)).size).toBe(3);
    expect(files()).toHaveLength(3);
    expect(files()[2]).toMatch(/_admin-welcome_orgmem_2y_[0-9a-f]{6}\.eml$/);
    expect(parseMail(readFileSync(path.join(directory, files()[2]!))).headers['X-Mail-Kind']).toBe('admin-welcome');
  });

  it('creates a missing directory', async () => {
    const nested = path.join(directory, 'a', 'b');
    const { messageId } = await createMailboxMailSender({ directory: nested }).send(welcome);
    expect(readdirSync(nested)).toEqual([messageId]);
  });

  it('asks again for a directory it could not create: a retried send works once the cause is gone', async () => {
    const blocked = path.join(directory, 'mail');
    writeFileSync(blocked, 'a file where the directory should be');
    const sender = createMailboxMailSender({ directory: path.join(blocked, 'inbox') });
    await expect(sender.send(welcome)).rejects.toThrow(/EEXIST|ENOTDIR/);

    rmSync(blocked);
    const { messageId } = await sender.send(welcome);
    expect(readdirSync(path.join(blocked, 'inbox'))).toEqual([messageId]);
  });

  it('leaves nothing behind when the claim deadline has passed before or during the write', async () => {
    const sender = createMailboxMailSender({ directory });
    const expired = AbortSignal.abort(new Error('lease ends'));
    await expect(sender.send(welcome, { signal: expired })).rejects.toThrow('lease ends');

    // Not yet aborted when the send starts, aborted by the time the file would be published.
    let checks = 0;
    const lateAbort = {
      get aborted() {
        return checks > 0;
      },
      throwIfAborted() {
        checks += 1;
        if (checks > 1) throw new Error('aborted while writing');
      },
    } as unknown as AbortSignal;
    await expect(sender.send(welcome, { signal: lateAbort })).rejects.toThrow('aborted while writing');

    expect(files()).toEqual([]);
  });
});
