import { SESv2Client } from '@aws-sdk/client-sesv2';

/*
 * SES calls are bounded well inside the claim's lease (20 s, aborted 3 s early): three
 * attempts of at most 5 s each. A retried SendEmail whose first answer was lost can send
 * twice; that window is named in docs/notifications.md.
 */
const SES_MAX_ATTEMPTS = 3;
const SES_REQUEST_TIMEOUT_MS = 5_000;
const SES_CONNECTION_TIMEOUT_MS = 2_000;

/** The notifier's SES client; the replay script uses the same bounds, its region from the command line. */
export function createNotifierSesClient(options: { readonly region?: string } = {}): SESv2Client {
  return new SESv2Client({
    ...(options.region === undefined ? {} : { region: options.region }),
    maxAttempts: SES_MAX_ATTEMPTS,
    requestHandler: { requestTimeout: SES_REQUEST_TIMEOUT_MS, connectionTimeout: SES_CONNECTION_TIMEOUT_MS },
  });
}
