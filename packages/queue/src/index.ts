export * from './job-queue.js';
export { PgBoss, type Job } from 'pg-boss';
