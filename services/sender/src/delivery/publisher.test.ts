import type { Producer } from '@hookstream/kafka';
import type { Logger } from '@hookstream/observability';
import { createBatchingPublisher, type OutgoingMessage } from './publisher';

type SendBatchArgument = Parameters<Producer['sendBatch']>[0];

/** A producer that records each request and answers it when the test says so. */
function recordingProducer() {
  const requests: SendBatchArgument[] = [];
  const answers: Array<() => void> = [];
  const producer = {
    sendBatch(request: SendBatchArgument) {
      requests.push(request);
      return new Promise((resolve) => answers.push(() => resolve([])));
    },
  } as unknown as Producer;
  const answerAll = () => answers.splice(0).forEach((answer) => answer());
  return { producer, requests, answerAll };
}

const logger = { warn: () => undefined } as unknown as Logger;
const outcome = (key: string): OutgoingMessage => ({ topic: 'outcomes', key, value: Buffer.from(`{"event_id":"${key}"}`) });
const keysOf = (request: SendBatchArgument | undefined) =>
  (request?.topicMessages ?? []).flatMap(({ messages }) => messages.map((message) => message.key));

describe('createBatchingPublisher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('gathers the outcomes published within the linger into one request, and resolves them once it is answered', async () => {
    const { producer, requests, answerAll } = recordingProducer();
    const publisher = createBatchingPublisher(producer, logger, { lingerMs: 20 });
    const done = jest.fn();
    const first = publisher.publish([outcome('a')]).then(done);
    jest.advanceTimersByTime(10);
    const second = publisher.publish([outcome('b'), outcome('c')]).then(done);
    expect(requests).toHaveLength(0);

    jest.advanceTimersByTime(10);
    expect(requests.map(keysOf)).toEqual([['a', 'b', 'c']]);
    expect(requests[0]?.acks).toBe(-1);
    await Promise.resolve();
    expect(done).not.toHaveBeenCalled();

    answerAll();
    await Promise.all([first, second]);
    expect(done).toHaveBeenCalledTimes(2);
  });

  it('sends the next request as soon as the one on the wire is answered, without lingering again', async () => {
    const { producer, requests, answerAll } = recordingProducer();
    const publisher = createBatchingPublisher(producer, logger, { lingerMs: 20 });
    const first = publisher.publish([outcome('a')]);
    jest.advanceTimersByTime(20);
    const second = publisher.publish([outcome('b')]);
    expect(requests).toHaveLength(1);

    answerAll();
    await first;
    await Promise.resolve();
    expect(requests.map(keysOf)).toEqual([['a'], ['b']]);
    answerAll();
    await second;
  });

  it('sends a full request at once instead of waiting out the linger', () => {
    const { producer, requests } = recordingProducer();
    const publisher = createBatchingPublisher(producer, logger, { lingerMs: 20, maxMessagesPerRequest: 3 });
    void publisher.publish([outcome('a'), outcome('b')]);
    expect(requests).toHaveLength(0);
    void publisher.publish([outcome('c')]);
    expect(requests.map(keysOf)).toEqual([['a', 'b', 'c']]);
  });

  it('sends at once without a linger', () => {
    const { producer, requests } = recordingProducer();
    const publisher = createBatchingPublisher(producer, logger);
    void publisher.publish([outcome('a')]);
    expect(requests.map(keysOf)).toEqual([['a']]);
  });

  it('sends what is lingering when closed', () => {
    const { producer, requests } = recordingProducer();
    const publisher = createBatchingPublisher(producer, logger, { lingerMs: 1_000 });
    void publisher.publish([outcome('a')]);
    publisher.close();
    expect(requests.map(keysOf)).toEqual([['a']]);
  });
});
