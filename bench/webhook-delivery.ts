import { type Agent, request } from 'node:http';
import { signDelivery } from './payloads';
import { sleep } from './timing';

/** Processor results after which SQS does not deliver the event again. */
export const TERMINAL_RESULTS: ReadonlySet<string> = new Set(['applied', 'duplicate', 'stale', 'ignored']);

const MAX_ATTEMPTS = 5;

function post(agent: Agent, url: URL, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

/**
 * Posts one webhook delivery as Svix does: signed afresh for each attempt, and retried after a
 * short backoff while the answer is not a 2xx (or there is none). Returns how many retries it
 * took; throws after the fifth failed attempt.
 */
export async function postSignedDelivery(agent: Agent, url: URL, secret: string, svixId: string, body: string): Promise<number> {
  for (let attempt = 1; ; attempt += 1) {
    const signed = signDelivery(secret, svixId, body, Date.now());
    const status = await post(agent, url, signed.headers, signed.body).catch(() => 0);
    if (status >= 200 && status < 300) return attempt - 1;
    if (attempt === MAX_ATTEMPTS) throw new Error(`delivery ${svixId} failed ${MAX_ATTEMPTS} times (last ${status})`);
    await sleep(50 * attempt);
  }
}
