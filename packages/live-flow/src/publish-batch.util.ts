/**
 * What both publishers do before sending anything: validate the whole batch with the consumers' own decoder
 * (so nothing a consumer would reject is ever published by Airlock's code) and return the canonical events.
 */
import { DomainError, type FieldProblem } from '@airlock/core';
import { validateLiveEvent } from './live-event.decoder.js';
import type { LiveEvent } from './live-event.schema.js';

/** Problems listed in one VALIDATION_FAILED error at most. */
const MAX_LISTED = 100;

export function validatePublishBatch(events: readonly LiveEvent[]): LiveEvent[] {
  if (!Array.isArray(events)) {
    throw new DomainError('VALIDATION_FAILED', 'publish() takes an array of events', { errors: [{ field: 'events', message: 'must be an array' }] });
  }
  const canonical: LiveEvent[] = new Array<LiveEvent>(events.length);
  const problems: FieldProblem[] = [];
  for (let i = 0; i < events.length; i += 1) {
    const result = validateLiveEvent(events[i]);
    if (result.ok) canonical[i] = result.event;
    else if (problems.length < MAX_LISTED) problems.push({ field: `events[${i}]`, message: result.reason });
    else break;
  }
  if (problems.length > 0) {
    throw new DomainError('VALIDATION_FAILED', `${problems.length}${problems.length === MAX_LISTED ? '+' : ''} invalid event(s): nothing was published`, { errors: problems });
  }
  return canonical;
}
