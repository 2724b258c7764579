import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../cli/aws-client-config';
import type { LineIo } from '../cli/run-main';
import type { RedriveOptions } from './options';

/** The one client a redrive needs: SQS, with the default credential chain or the local emulator's dummy credentials. */
export function redriveClientsFor(options: RedriveOptions): SQSClient {
  return new SQSClient(awsClientConfig(options));
}

export function closeRedriveClients(sqs: SQSClient): void {
  sqs.destroy();
}

export interface RedriveIo extends LineIo {
  readonly now?: () => number;
  readonly pollIntervalMs?: number;
  readonly waitTimeSeconds?: number;
}
