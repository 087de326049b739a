import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@airlock/core';
import onnxProto from 'onnx-proto';
import { randomMlpPolicy } from './onnx-builder.js';
import { defaultOpset, readModelHeader } from './onnx-header.js';
import { mulberry32 } from './seeded-random.js';

const { onnx } = onnxProto;
const columns = { features: ['side', 'imbalance_l1'], actions: ['participation'] };

const notOnnx = (bytes: Uint8Array): DomainError => {
  try {
    readModelHeader(bytes);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('readModelHeader accepted the bytes');
};

describe('readModelHeader', () => {
  it('reads IR version, producer, opsets and metadata without decoding the graph', () => {
    const { bytes } = randomMlpPolicy({ ...columns, seed: 1, hidden: [4], metadata: { owner: 'desk-7' } });
    const header = readModelHeader(bytes);
    expect(header.irVersion).toBe(8);
    expect(header.producerName).toBe('airlock-onnx-builder');
    expect(header.producerVersion).toBe('0.1.0');
    expect(header.opsets).toEqual([{ domain: '', version: 13 }]);
    expect(defaultOpset(header)).toBe(13);
    expect(header.metadata).toEqual({
      'airlock.features': '["side","imbalance_l1"]',
      'airlock.actions': '["participation"]',
      owner: 'desk-7',
    });
    expect(header.graphBytes).toBeGreaterThan(100);
    expect(header.graphBytes).toBeLessThan(bytes.length);
  });

  it('agrees with a full protobuf decode on a model from another producer, and skips unknown fields', () => {
    const bytes = onnx.ModelProto.encode({
      irVersion: 7,
      producerName: 'pytorch',
      producerVersion: '2.3.1',
      domain: 'com.example', // field 4, skipped
      modelVersion: 12, // field 5, skipped
      docString: 'trained on 2024Q1',
      opsetImport: [{ domain: 'ai.onnx.ml', version: 3 }, { domain: 'ai.onnx', version: 17 }],
      graph: { name: 'g' },
    }).finish();
    const header = readModelHeader(bytes);
    expect(header).toMatchObject({ irVersion: 7, producerName: 'pytorch', producerVersion: '2.3.1', metadata: {} });
    expect(defaultOpset(header)).toBe(17);
  });

  it('keeps a hostile "__proto__" metadata key as plain data', () => {
    const bytes = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: { name: 'g' },
      metadataProps: [{ key: '__proto__', value: 'x' }],
    }).finish();
    const header = readModelHeader(bytes);
    expect(Object.getPrototypeOf(header.metadata)).toBe(Object.prototype);
    expect(Object.hasOwn(header.metadata, '__proto__')).toBe(true);
  });

  it('rejects empty, random, JSON and truncated files with ARTIFACT_NOT_ONNX', () => {
    const { bytes } = randomMlpPolicy({ ...columns, seed: 1, hidden: [4] });
    const rng = mulberry32(99);
    const random = Uint8Array.from({ length: 4096 }, () => Math.floor(rng() * 256));
    const cases: [string, Uint8Array, RegExp][] = [
      ['empty', new Uint8Array(0), /empty/],
      ['random', random, /./],
      ['json', new TextEncoder().encode(JSON.stringify({ features: ['side'] })), /wire type/],
      ['truncated', bytes.subarray(0, Math.floor(bytes.length / 2)), /runs past the end/],
    ];
    for (const [, input, reason] of cases) {
      const error = notOnnx(input);
      expect(error.code).toBe('ARTIFACT_NOT_ONNX');
      expect(error.details).toMatchObject({ stage: 'header', sizeBytes: input.length });
      expect(String(error.details.reason)).toMatch(reason);
    }
  });

  it('rejects well-formed protobuf that is not a model: no graph, no IR version, no default opset', () => {
    const encode = (m: onnxProto.onnx.IModelProto) => onnx.ModelProto.encode(m).finish();
    expect(notOnnx(encode({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }] })).message).toMatch(/no graph/);
    expect(notOnnx(encode({ opsetImport: [{ domain: '', version: 13 }], graph: { name: 'g' } })).message).toMatch(/no ir_version/);
    expect(notOnnx(encode({ irVersion: 8, opsetImport: [{ domain: 'ai.onnx.ml', version: 3 }], graph: { name: 'g' } })).message).toMatch(
      /no default/,
    );
  });
});
