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
      if (request !== 'auto' && report.name !== request) throw new Error(`this process already runs the ${report.name} backend; "${request}" cannot be started beside it`);
      return report;
    });
  }
  started ??= { request, report: initBackend(request, log) };
  return started.report;
}
