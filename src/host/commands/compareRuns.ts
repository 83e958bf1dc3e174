import { CompareRunsPanel, type CompareRunsPanelDeps } from '../panels/compareRunsPanel';

/** KD-UDA: Compare Runs — every run in the runs folder in one sortable, filterable table. */
export function compareRunsCommand(deps: CompareRunsPanelDeps) {
  return (): CompareRunsPanel => CompareRunsPanel.show(deps);
}
