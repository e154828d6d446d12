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
  return new Promise((resolve, reject) => {
    zstdCompress(encoder.buffer, { params: { [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } }, (error, result) =>
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
