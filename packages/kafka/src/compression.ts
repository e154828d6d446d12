import { constants, zstdCompress, zstdDecompress } from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';

/**
 * Zstandard for kafkajs, from Node's own zlib (kafkajs ships only gzip). The internal
 * topics carry JSON that repeats itself from message to message, so a record batch shrinks
 * several times over. Measured with kafkajs' produce encoder on outcome-shaped messages,
 * encoding a compressed batch costs less CPU than encoding it uncompressed (less to copy
 * and to checksum), and the broker, the network and the consumers handle a fraction of
 * the bytes. The work runs on libuv's thread pool, off the event loop.
 *
 * Registered when this module loads, so every process that imports `@hookstream/kafka`
 * can read what another one compressed.
 */
const ZSTD_LEVEL = 1;

interface KafkajsEncoder {
  buffer: Buffer;
}

function compress(encoder: KafkajsEncoder): Promise<Buffer> {
  const input = encoder.buffer;
  return new Promise((resolve, reject) => {
    // The size up front lets zstd size its tables to the input: about a third cheaper.
    zstdCompress(input, { params: { [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL }, pledgedSrcSize: input.length }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

function decompress(buffer: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zstdDecompress(buffer, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

CompressionCodecs[CompressionTypes.ZSTD] = () => ({ compress, decompress });

export const COMPRESSION_NAMES = ['zstd', 'gzip', 'none'] as const;
export type CompressionName = (typeof COMPRESSION_NAMES)[number];

/**
 * Below this many bytes a request is sent uncompressed: each compressed record batch costs
 * a fixed ~0.1 ms of CPU to compress (and again to decompress), more than encoding and
 * checksumming a few KiB saves. Measured with Node's zlib on this repo's messages.
 */
export const MIN_COMPRESSED_REQUEST_BYTES = 32 * 1024;

/** The codec for one produce request of `bytes` bytes of values: none when it is small. */
export function compressionFor(configured: CompressionTypes | undefined, bytes: number): CompressionTypes | undefined {
  return bytes < MIN_COMPRESSED_REQUEST_BYTES ? CompressionTypes.None : configured;
}

/** The kafkajs `compression` value of a `KAFKA_COMPRESSION` name. */
export function compressionType(name: CompressionName): CompressionTypes {
  switch (name) {
    case 'zstd':
      return CompressionTypes.ZSTD;
    case 'gzip':
      return CompressionTypes.GZIP;
    case 'none':
      return CompressionTypes.None;
  }
}
