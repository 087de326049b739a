import { createHash } from 'node:crypto';

/**
 * The tamper-evident audit chain. Each event's hash is sha256 over the canonical JSON of its content
 * (seq, at, actor, action, subject, data) followed by the previous event's hash, so changing, deleting or
 * reordering any event breaks every hash after it. The same functions serve the database writer, the API's
 * /v1/audit/verify and the offline verifier of exported JSONL.
 */
export interface AuditEventContent {
  /** 1, 2, 3, … without gaps. */
  readonly seq: number;
  /** ISO-8601 UTC with milliseconds. */
  readonly at: string;
  /** Who acted: `key:<api-key-id>` for a person or automation, `system` for the platform itself. */
  readonly actor: string;
  /** Dotted verb, e.g. `model.created`, `version.registered`. */
  readonly action: string;
  /** What it acted on, e.g. `model:execution-alpha`, `model:execution-alpha@3`. */
  readonly subject: string;
  readonly data: unknown;
}

export interface AuditEvent extends AuditEventContent {
  readonly prevHash: string;
  readonly hash: string;
}

/** The previous hash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` members dropped (as JSON does).
 * Numbers use JSON's shortest round-trip form; non-finite numbers are refused rather than silently nulled.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  throw new TypeError(`canonicalJson: unsupported ${typeof value}`);
}

export function hashAuditEvent(event: AuditEventContent, prevHash: string): string {
  const { seq, at, actor, action, subject, data } = event;
  return createHash('sha256')
    .update(canonicalJson({ seq, at, actor, action, subject, data }))
    .update(prevHash)
    .digest('hex');
}

export type ChainVerification =
  | { readonly ok: true; readonly events: number; readonly lastHash: string }
  | {
      readonly ok: false;
      readonly events: number;
      /** seq of the first event that does not follow from the ones before it. */
      readonly brokenAt: number;
      readonly reason: 'seq-gap' | 'prev-hash-mismatch' | 'hash-mismatch';
      readonly expected: string;
      readonly actual: string;
    };

/** Incremental verifier: feed events in order; works over a stream of millions without holding them. */
export class AuditChainVerifier {
  private prevHash = GENESIS_HASH;
  private expectedSeq = 1;
  private count = 0;
  private failure: ChainVerification | undefined;

  add(event: AuditEvent): boolean {
    if (this.failure) return false;
    this.count += 1;
    const broken = (reason: 'seq-gap' | 'prev-hash-mismatch' | 'hash-mismatch', expected: string, actual: string) => {
      this.failure = { ok: false, events: this.count, brokenAt: event.seq, reason, expected, actual };
      return false;
    };
    if (event.seq !== this.expectedSeq) return broken('seq-gap', String(this.expectedSeq), String(event.seq));
    if (event.prevHash !== this.prevHash) return broken('prev-hash-mismatch', this.prevHash, event.prevHash);
    const recomputed = hashAuditEvent(event, this.prevHash);
    if (recomputed !== event.hash) return broken('hash-mismatch', recomputed, event.hash);
    this.prevHash = event.hash;
    this.expectedSeq += 1;
    return true;
  }

  result(): ChainVerification {
    return this.failure ?? { ok: true, events: this.count, lastHash: this.prevHash };
  }
}

export function verifyAuditChain(events: Iterable<AuditEvent>): ChainVerification {
  const verifier = new AuditChainVerifier();
  for (const event of events) if (!verifier.add(event)) break;
  return verifier.result();
}
