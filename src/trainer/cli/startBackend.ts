import { initBackend } from '../backends/initBackend';
import type { BackendChoice, BackendReport } from '../backends/backendTypes';

let started: { request: BackendChoice; report: Promise<BackendReport> } | undefined;

/**
 * Starts the backend once per process (initBackend must run before any tensor exists); later
 * calls, as from tests that train several runs in one process, get the same report.
 */
export function startBackend(request: BackendChoice, log: (line: string) => void): Promise<BackendReport> {
  if (started && started.request !== request) {
    return started.report.then((report) => {
      if (request !== 'auto' && report.name !== request)
        throw new Error(`this process already runs the ${report.name} backend; "${request}" cannot be started beside it`);
      return report;
    });
  }
  if (!started) {
    const attempt = { request, report: initBackend(request, log) };
    // A backend that failed to start made no tensor: a later request (another run in this process) may try another.
    attempt.report.catch(() => {
      if (started === attempt) started = undefined;
    });
    started = attempt;
  }
  return started.report;
}
