/** Injection tokens for values that are not classes. */
export const API_CONFIG = Symbol('API_CONFIG');
export const CLOCK = Symbol('CLOCK');
export const ARTIFACT_STORE = Symbol('ARTIFACT_STORE');
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
