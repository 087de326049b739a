import { describe, expect, it } from '@jest/globals';
import { parseLiveFlowUri } from './live-flow.factory.js';

describe('parseLiveFlowUri', () => {
  it.each([
    ['nats://127.0.0.1:4222/live', { kind: 'nats', servers: '127.0.0.1:4222', stream: 'live' }],
    ['nats://nats.prod:4333/airlock-live', { kind: 'nats', servers: 'nats.prod:4333', stream: 'airlock-live' }],
    ['nats://localhost', { kind: 'nats', servers: 'localhost:4222', stream: 'live' }],
    ['nats://svc:p%40ss@nats:4222/live', { kind: 'nats', servers: 'nats:4222', stream: 'live', user: 'svc', pass: 'p@ss' }],
    ['file:///var/lib/airlock/live', { kind: 'file', dir: '/var/lib/airlock/live', stream: 'live' }],
    ['file:///var/lib/airlock/live?stream=replay-1', { kind: 'file', dir: '/var/lib/airlock/live', stream: 'replay-1' }],
    ['file:///tmp/with%20space', { kind: 'file', dir: '/tmp/with space', stream: 'live' }],
    ['file:./.airlock/live', { kind: 'file', dir: '/base/.airlock/live', stream: 'live' }],
    ['file:data/live?stream=s1', { kind: 'file', dir: '/base/data/live', stream: 's1' }],
    ['./data/live', { kind: 'file', dir: '/base/data/live', stream: 'live' }],
    ['data/live', { kind: 'file', dir: '/base/data/live', stream: 'live' }],
    ['/abs/live', { kind: 'file', dir: '/abs/live', stream: 'live' }],
  ])('parses %s', (uri, location) => {
    expect(parseLiveFlowUri(uri, '/base')).toEqual(location);
  });

  it.each([
    ['', /empty/],
    ['kafka://broker:9092/topic', /unsupported scheme/],
    ['nats://host:4222/a/b', /one segment/],
    ['nats://host:4222/bad.name', /stream "bad\.name" must be/],
    ['nats://host:4222/live?x=1', /no query/],
    ['file://host/dir', /"host" would be a host/],
    ['file:///dir?stream=a&stream=b', /only \?stream=/],
    ['file:///dir?other=1', /only \?stream=/],
    ['file:', /no path/],
  ])('refuses %s with VALIDATION_FAILED', (uri, message) => {
    expect(() => parseLiveFlowUri(uri, '/base')).toThrow(message);
    try {
      parseLiveFlowUri(uri, '/base');
    } catch (error) {
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { errors: [{ field: 'uri' }] } });
    }
  });

  it('never echoes a password', () => {
    expect(() => parseLiveFlowUri('nats://svc:secret@host:4222/a/b')).toThrow(/nats:\/\/svc:\*\*\*@host/);
    expect(() => parseLiveFlowUri('nats://svc:secret@host:4222/a/b')).not.toThrow(/secret/);
  });
});
