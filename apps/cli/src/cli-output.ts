import { SingleBar } from 'cli-progress';

/**
 * Output shared by the API commands: aligned tables for people, JSON for scripts (`--json`), and progress on
 * stderr so that stdout carries only the result.
 */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Columns padded to their widest cell; `right` lists the columns of numbers. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], right: readonly number[] = []): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, c) => (right.includes(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  return all.map(line).join('\n');
}

/** `label  value` lines, labels aligned. */
export function fields(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A measured value: up to 4 decimals, trailing zeros dropped; null (nothing measured) as an em dash. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(Math.abs(value) >= 100 ? 1 : 4)));
}

export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Draw a progress bar only when a person is watching: both streams on a terminal (a pipe gets plain lines). */
export const isInteractive = (): boolean => process.stdout.isTTY === true && process.stderr.isTTY === true;

/** A cli-progress bar on stderr; `{…}` placeholders in `format` are filled from the payload given to update. */
export function progressBar(format: string): SingleBar {
  return new SingleBar({ format, stream: process.stderr, hideCursor: false, clearOnComplete: false, barsize: 30, etaBuffer: 20 });
}

/** Below this an upload is over before a bar could be read: no bar. */
const UPLOAD_BAR_MIN_BYTES = 1024 * 1024;

/**
 * Upload progress for the client's `onProgress`: a bar on a terminal for files of a MiB or more, silence
 * otherwise (a log gains nothing from a byte count). Call `stop` in finally.
 */
export function uploadProgress(): { onProgress: (sent: number, total: number) => void; stop(): void } {
  const bar = isInteractive() ? progressBar('upload [{bar}] {percentage}% | {sent} of {size} | {eta_formatted} left') : null;
  let started = false;
  return {
    onProgress(sent, total) {
      if (!bar || total < UPLOAD_BAR_MIN_BYTES) return;
      if (!started) bar.start(total, 0, { sent: formatBytes(0), size: formatBytes(total) });
      started = true;
      bar.update(sent, { sent: formatBytes(sent) });
    },
    stop() {
      if (started) bar?.stop();
      started = false;
    },
  };
}
