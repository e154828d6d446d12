import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { MIN_COMPRESSED_REQUEST_BYTES, compressionFor, compressionType } from './compression';

describe('the zstd codec registered with kafkajs', () => {
  const codec = () => CompressionCodecs[CompressionTypes.ZSTD]();

  it('restores the exact bytes of a record batch body and shrinks repetitive JSON', async () => {
    const records = Buffer.from(
      Array.from({ length: 200 }, (_, index) => JSON.stringify({ index, event: 'Case.Updated', body: 'é✓🚀 the same words again '.repeat(20) })).join(''),
    );
    const compressed = await codec().compress({ buffer: records } as never);
    expect(compressed.length).toBeLessThan(records.length / 10);
    expect((await codec().decompress(compressed)).equals(records)).toBe(true);
  });

  it('rejects bytes that are not a zstd frame instead of returning garbage', async () => {
    await expect(codec().decompress(Buffer.from('not zstd at all'))).rejects.toThrow();
  });

  it('maps KAFKA_COMPRESSION names to kafkajs types', () => {
    expect(compressionType('zstd')).toBe(CompressionTypes.ZSTD);
    expect(compressionType('gzip')).toBe(CompressionTypes.GZIP);
    expect(compressionType('none')).toBe(CompressionTypes.None);
  });

  it('leaves small requests uncompressed, where a codec costs more than it saves', () => {
    expect(compressionFor(CompressionTypes.ZSTD, MIN_COMPRESSED_REQUEST_BYTES - 1)).toBe(CompressionTypes.None);
    expect(compressionFor(CompressionTypes.ZSTD, MIN_COMPRESSED_REQUEST_BYTES)).toBe(CompressionTypes.ZSTD);
    expect(compressionFor(undefined, 10 * MIN_COMPRESSED_REQUEST_BYTES)).toBeUndefined();
  });
});
