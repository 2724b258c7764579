import { SESv2Client, type SESv2ClientConfig } from '@aws-sdk/client-sesv2';
import { clientOptions } from '../shared/sdk-client-options';
import { NOTIFIER_DEFAULTS } from './notifier-config';

/** The notifier's SES client, every call bounded by NOTIFIER_DEFAULTS.sesCalls; the replay script uses the same, its region from the command line. */
export function createNotifierSesClient(target: Pick<SESv2ClientConfig, 'region' | 'endpoint' | 'credentials'> = {}): SESv2Client {
  return new SESv2Client({ ...clientOptions(NOTIFIER_DEFAULTS.sesCalls), ...target });
}
