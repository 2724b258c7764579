import { createHash } from 'node:crypto';
import { type AwsJsonEndpoint, type EndpointAnswer, startAwsJsonEndpoint, TEST_CLIENT_SETTINGS } from '../../test/support/aws-json-endpoint';
import { createSqsMessageSender, MessageChecksumError, type SqsMessageSender } from './sqs-message-sender';

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
const QUEUE_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/clerk-events';
const MESSAGE = { queueUrl: QUEUE_URL, body: '{"version":2,"body":"Zoë 🚀"}', attributes: { svixId: 'msg_2abc', eventType: 'user.created' } };

let endpoint: AwsJsonEndpoint;
let sender: SqsMessageSender;
afterEach(async () => {
  sender.destroy();
  await endpoint.close();
});

async function senderAnswering(answer: (body: { MessageBody: string }) => EndpointAnswer): Promise<SqsMessageSender> {
  endpoint = await startAwsJsonEndpoint((request) => answer(JSON.parse(request.body) as { MessageBody: string }));
  sender = createSqsMessageSender({ ...TEST_CLIENT_SETTINGS, endpoint: endpoint.url });
  return sender;
}

describe('createSqsMessageSender', () => {
  it('sends SendMessage with the body and String attributes, and resolves with the message id once the MD5 matches', async () => {
    const sender = await senderAnswering(({ MessageBody }) => ({ status: 200, json: { MessageId: 'm-1', MD5OfMessageBody: md5(MessageBody) } }));
    expect(await sender.sendMessage(MESSAGE)).toEqual({ messageId: 'm-1' });
    expect(endpoint.requests).toHaveLength(1);
    expect(endpoint.requests[0]!.target).toBe('AmazonSQS.SendMessage');
    expect(JSON.parse(endpoint.requests[0]!.body)).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: MESSAGE.body,
      MessageAttributes: {
        svixId: { DataType: 'String', StringValue: 'msg_2abc' },
        eventType: { DataType: 'String', StringValue: 'user.created' },
      },
    });
  });

  it.each([
    ['the MD5 of another body', (body: string) => md5(`${body} `)],
    ['no MD5 at all', () => undefined],
  ])('fails, without retrying, when SQS answers %s', async (_case, reported) => {
    const sender = await senderAnswering(({ MessageBody }) => ({ status: 200, json: { MessageId: 'm-1', MD5OfMessageBody: reported(MessageBody) } }));
    await expect(sender.sendMessage(MESSAGE)).rejects.toThrow(
      new MessageChecksumError('the MD5OfMessageBody SQS answered is not the MD5 of the body sent'),
    );
    expect(endpoint.requests).toHaveLength(1);
  });
});
