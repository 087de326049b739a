/**
 * Reads the top-level fields of an ONNX ModelProto (IR version, producer, opset imports, metadata_props)
 * straight from the protobuf wire format, skipping the graph without decoding it. The API process runs this on
 * untrusted bytes before anything else: it is plain bounds-checked JS, allocates only the few small strings it
 * returns, and is linear in the number of top-level fields, so a malformed or hostile file cannot hurt the
 * caller. The graph itself is only ever parsed by onnxruntime inside the bounded child process.
 *
 * Field numbers from onnx.proto (ModelProto): 1 ir_version, 2 producer_name, 3 producer_version, 7 graph,
 * 8 opset_import (OperatorSetIdProto: 1 domain, 2 version), 14 metadata_props (StringStringEntryProto: 1 key,
 * 2 value). Other fields are skipped, so newer IR versions still read.
 */
import { DomainError } from '@airlock/core';

export interface OpsetImport {
  /** '' (or 'ai.onnx') is the default operator set. */
  readonly domain: string;
  readonly version: number;
}

export interface ModelHeader {
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly opsets: readonly OpsetImport[];
  /** metadata_props; a repeated key keeps its last value. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Size of the serialized graph, bytes. */
  readonly graphBytes: number;
}

/** Thrown inside the reader; turned into ARTIFACT_NOT_ONNX by readModelHeader. */
class WireError extends Error {}

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

class WireReader {
  pos: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Unsigned varint as a JS number (exact up to 2^53, which covers every length and version that matters). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i += 1) {
      if (this.pos >= this.end) throw new WireError(`truncated varint at byte ${this.pos}`);
      const byte = this.bytes[this.pos] ?? 0;
      this.pos += 1;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new WireError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** Returns [start, end) of a length-delimited field's payload and moves past it. */
  span(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    if (length > this.end - start) {
      throw new WireError(`field of ${length} bytes at byte ${start} runs past the end (${this.end - start} left)`);
    }
    this.pos = start + length;
    return [start, start + length];
  }

  string(): string {
    const [start, end] = this.span();
    return new TextDecoder('utf-8', { fatal: false }).decode(this.bytes.subarray(start, end));
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_I64:
        this.advance(8);
        return;
      case WIRE_LEN:
        this.span();
        return;
      case WIRE_I32:
        this.advance(4);
        return;
      default:
        // 3/4 are the deprecated groups (never used by onnx.proto); 6/7 do not exist.
        throw new WireError(`unsupported wire type ${wireType} at byte ${this.pos}`);
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw new WireError(`truncated fixed-width field at byte ${this.pos}`);
    this.pos += n;
  }

  /** Iterates (fieldNumber, wireType) tags until the end of this reader's range. */
  *fields(): Generator<[number, number]> {
    while (!this.done) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      if (field === 0) throw new WireError(`field number 0 at byte ${this.pos}`);
      yield [field, tag % 8];
    }
  }

  sub([start, end]: [number, number]): WireReader {
    return new WireReader(this.bytes, start, end);
  }
}

function expectWire(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new WireError(`${what} has wire type ${actual}, expected ${expected}`);
}

function readOpset(reader: WireReader): OpsetImport {
  let domain = '';
  let version = 0;
  for (const [field, wire] of reader.fields()) {
    if (field === 1 && wire === WIRE_LEN) domain = reader.string();
    else if (field === 2 && wire === WIRE_VARINT) version = reader.varint();
    else reader.skip(wire);
  }
  return { domain, version };
}

function readEntry(reader: WireReader): [string, string] {
  let key = '';
  let value = '';
  for (const [field, wire] of reader.fields()) {
    if (field === 1 && wire === WIRE_LEN) key = reader.string();
    else if (field === 2 && wire === WIRE_LEN) value = reader.string();
    else reader.skip(wire);
  }
  return [key, value];
}

/**
 * Parses the ModelProto header or throws DomainError('ARTIFACT_NOT_ONNX') saying what is wrong: not protobuf,
 * truncated, no graph, no IR version or no default opset. Passing this does not mean the model loads.
 */
export function readModelHeader(bytes: Uint8Array): ModelHeader {
  try {
    if (bytes.length === 0) throw new WireError('the file is empty');
    const reader = new WireReader(bytes, 0, bytes.length);
    let irVersion = 0;
    let producerName = '';
    let producerVersion = '';
    let graphBytes = -1;
    const opsets: OpsetImport[] = [];
    // A Map, then Object.fromEntries: a hostile key such as `__proto__` becomes a plain own property.
    const metadata = new Map<string, string>();
    for (const [field, wire] of reader.fields()) {
      switch (field) {
        case 1:
          expectWire(wire, WIRE_VARINT, 'ir_version');
          irVersion = reader.varint();
          break;
        case 2:
          expectWire(wire, WIRE_LEN, 'producer_name');
          producerName = reader.string();
          break;
        case 3:
          expectWire(wire, WIRE_LEN, 'producer_version');
          producerVersion = reader.string();
          break;
        case 7: {
          expectWire(wire, WIRE_LEN, 'graph');
          const [start, end] = reader.span();
          graphBytes = end - start;
          break;
        }
        case 8:
          expectWire(wire, WIRE_LEN, 'opset_import');
          opsets.push(readOpset(reader.sub(reader.span())));
          break;
        case 14: {
          expectWire(wire, WIRE_LEN, 'metadata_props');
          const [key, value] = readEntry(reader.sub(reader.span()));
          metadata.set(key, value);
          break;
        }
        default:
          reader.skip(wire);
      }
    }
    if (irVersion <= 0) throw new WireError('no ir_version');
    if (graphBytes < 0) throw new WireError('no graph');
    if (!opsets.some((o) => o.domain === '' || o.domain === 'ai.onnx')) throw new WireError('no default (ai.onnx) opset_import');
    return { irVersion, producerName, producerVersion, opsets, metadata: Object.fromEntries(metadata), graphBytes };
  } catch (error) {
    if (error instanceof WireError) {
      throw new DomainError('ARTIFACT_NOT_ONNX', `the artifact is not an ONNX model: ${error.message}`, {
        stage: 'header',
        reason: error.message,
        sizeBytes: bytes.length,
      });
    }
    throw error;
  }
}

/** The default-domain opset version (0 if none). */
export const defaultOpset = (header: Pick<ModelHeader, 'opsets'>): number =>
  header.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
