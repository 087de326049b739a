// Jest gives each test file its own realm with its own typed-array constructors, and onnxruntime-node's
// native binding rejects a Float32Array from another realm ("must be type of function Float32Array()").
// Sharing the host realm's binary-data constructors with the test realm makes tensors cross the boundary.
import { TestEnvironment } from 'jest-environment-node';

const HOST_CONSTRUCTORS = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Buffer',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

export default class NodeRealmEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of HOST_CONSTRUCTORS) this.global[name] = globalThis[name];
  }
}
