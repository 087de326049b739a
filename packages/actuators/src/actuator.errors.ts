/**
 * A backend failure while actuating (Kubernetes API error, unreachable server, the caller's record callback
 * failing). Not a DomainError: the caller's reconcile loop retries it, it is not the caller's input that is wrong.
 */
export class ActuatorError extends Error {
  constructor(
    message: string,
    /** What was attempted, e.g. `GET Deployment d-stable in airlock`. */
    readonly operation: string,
    /** HTTP status the backend answered with; undefined when there was no answer (network error). */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ActuatorError';
  }
}

export const isActuatorError = (error: unknown): error is ActuatorError => error instanceof ActuatorError;
