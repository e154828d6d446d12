import { assignedPartition, trackingPartitioner, type Producer } from '@hookstream/kafka';
import type { Logger } from '@hookstream/observability';
import { createBatchingPublisher, type OutgoingMessage } from './publisher';

type SendBatchArgument = Parameters<Producer['sendBatch']>[0];

const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionErrorCode: 0, partitionId, leader: partitionId, replicas: [partitionId], isr: [partitionId] }));

/**
 * A producer that records each request and answers it when the test says so. It places the
 * messages as a producer of `createKafka` does (the tracking partitioner, three partitions)
 * and answers with each partition written, except those `leaveOut` names once, as kafkajs
 * does when a leader moves during the request.
 */
function recordingProducer() {
  const requests: SendBatchArgument[] = [];
  const answers: Array<() => void> = [];
  const place = trackingPartitioner()();
  let leaveOut: Array<{ topic: string; partition: number }> = [];
  let failNext: Error | undefined;
  const producer = {
    sendBatch(request: SendBatchArgument) {
      requests.push(request);
      const failure = failNext;
      failNext = undefined;
      if (failure) return new Promise((_, reject) => answers.push(() => reject(failure)));
      const written = new Map<string, { topicName: string; partition: number; errorCode: number }>();
      for (const { topic, messages } of request.topicMessages ?? []) {
        for (const message of messages) {
          const partition = place({ topic, partitionMetadata, message });
          if (leaveOut.some((left) => left.topic === topic && left.partition === partition)) continue;
          written.set(`${topic}/${partition}`, { topicName: topic, partition, errorCode: 0 });
        }
      }
      leaveOut = [];
      return new Promise((resolve) => answers.push(() => resolve([...written.values()])));
    },
  } as unknown as Producer;
  const answerAll = () => answers.splice(0).forEach((answer) => answer());
  const leaveOutOnce = (partitions: Array<{ topic: string; partition: number }>) => void (leaveOut = partitions);
  const failOnce = (error: Error) => void (failNext = error);
  return { producer, requests, answerAll, leaveOutOnce, failOnce };
}

const logger = { warn: () => undefined } as unknown as Logger;
const outcome = (key: string): OutgoingMessage => ({ topic: 'outcomes', key, value: Buffer.from(`{"event_id":"${key}"}`) });
const keysOf = (request: SendBatchArgument | undefined) =>
  (request?.topicMessages ?? []).flatMap(({ messages }) => messages.map((message) => message.key));

const flushPromises = async () => {
  for (let round = 0; round < 10; round += 1) await Promise.resolve();
};

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

  it('sends a failed request again as it was, before the outcomes queued meanwhile', async () => {
    const { producer, requests, answerAll, failOnce } = recordingProducer();
    const publisher = createBatchingPublisher(producer, logger);
    failOnce(new Error('Connection closed'));
    const first = publisher.publish([outcome('a'), outcome('b')]);
    const second = publisher.publish([outcome('c'), outcome('d')]);
    expect(requests.map(keysOf)).toEqual([['a', 'b']]);

    answerAll();
    await flushPromises();
    jest.advanceTimersByTime(100);
    await flushPromises();
    // The broker may have written part of the failed request, and kafkajs took back its
    // sequence numbers: only the same record batches are taken for duplicates.
    expect(requests.map(keysOf)).toEqual([['a', 'b'], ['a', 'b']]);
    answerAll();
    await first;
    await flushPromises();
    expect(requests.map(keysOf)).toEqual([['a', 'b'], ['a', 'b'], ['c', 'd']]);
    answerAll();
    await second;
  });

  it('sends again only the messages of a partition the response left out, and resolves once they are written', async () => {
    const { producer, requests, answerAll, leaveOutOnce } = recordingProducer();
    const incomplete: unknown[] = [];
    const publisher = createBatchingPublisher(producer, logger, { onIncompleteSend: (missing) => incomplete.push(missing) });
    const messages = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map(outcome);
    leaveOutOnce([{ topic: 'outcomes', partition: 1 }]);
    const done = jest.fn();
    const published = publisher.publish(messages).then(done);
    expect(requests).toHaveLength(1);

    answerAll();
    await flushPromises();
    expect(done).not.toHaveBeenCalled();
    expect(requests).toHaveLength(2);
    const first = requests[0]?.topicMessages?.[0]?.messages ?? [];
    const onPartition1 = first.filter((message) => assignedPartition(message, 'outcomes') === 1).map((message) => message.key);
    expect(onPartition1.length).toBeGreaterThan(0);
    expect(keysOf(requests[1])).toEqual(onPartition1);
    expect(incomplete).toEqual([[{ topic: 'outcomes', partition: 1, messages: onPartition1.length }]]);

    answerAll();
    await published;
    expect(done).toHaveBeenCalledTimes(1);
    expect(requests).toHaveLength(2);
  });
});
