export {
  TOPIC,
  RETRY_TIER_TOPICS,
  topicNames,
  topicSpecs,
  type TopicKey,
  type TopicNames,
  type TopicLayout,
  type TopicSpec,
} from './topics';
export { COMPRESSION_NAMES, MIN_COMPRESSED_REQUEST_BYTES, compressionFor, compressionType, type CompressionName } from './compression';
export { COORDINATOR_CACHE_TTL_MS } from './coordinator-cache';
export { sendCoverage, assignedPartition, trackingPartitioner, IncompleteSendError, type SendCoverage, type UnwrittenPartition } from './produce-coverage';
export { kafkaLogLevel } from './log-level';
export { createKafka, ensureTopics, waitForBroker, BrokerUnreachableError } from './client';
export { CONSUMER_RETRY, PRODUCER_RETRY, consumerSettings } from './client-settings';
// A batch failing with a KafkaJSError is retried by kafkajs without an error-level log line.
export { KafkaJSError } from 'kafkajs';
export { Kafka, CompressionTypes, type Admin, type Producer, type ProducerConfig, type Consumer, type EachBatchPayload, type IHeaders, type KafkaMessage, type RecordMetadata, type Message, type RetryOptions } from 'kafkajs';
export { prepareKafka, type KafkaTopicConfig } from './connect';
export { startConsumerLagMetric } from './lag';
export { offsetsOfTimeRange, oldestRetainedTime, type PartitionRange } from './log-range';
