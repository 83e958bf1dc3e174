import * as vscode from 'vscode';
import { addDatasetRootCommand } from './host/commands/addDatasetRoot';
import { CommandId } from './host/commands/commandId';
import { compareCheckpointsCommand } from './host/commands/compareCheckpoints';
import { compareRunsCommand } from './host/commands/compareRuns';
import { installNativeBackendCommand } from './host/commands/installNativeBackend';
import { createDigitsBenchmarkCommand } from './host/commands/createDigitsBenchmark';
import { deleteRunCommand } from './host/commands/deleteRun';
import { exportResultsCommand } from './host/commands/exportResults';
import { newExperimentCommand, onDidShowWizardStep, type WizardStepShown } from './host/commands/newExperiment';
import { openResultsCommand } from './host/commands/openResults';
import { resumeRunCommand } from './host/commands/resumeRun';
import { revealRunCommand } from './host/commands/revealRun';
import { startSourceOnlyBaselineCommand } from './host/commands/startSourceOnlyBaseline';
import { revealRunInOSCommand } from './host/commands/revealRunInOS';
import { showTrainerLogCommand } from './host/commands/showTrainerLog';
import { showDatasetCommand } from './host/commands/showDataset';
import { startRunCommand } from './host/commands/startRun';
import { stopRunCommand } from './host/commands/stopRun';
import { DatasetDiagnostics } from './host/datasetsView/datasetDiagnostics';
import { DatasetRoots } from './host/datasetsView/datasetRoots';
import { DatasetStore } from './host/datasetsView/datasetStore';
import { DatasetTreeProvider } from './host/datasetsView/datasetTreeProvider';
import { DatasetWatcher } from './host/datasetsView/datasetWatcher';
import { ExperimentCodeLens } from './host/experimentFiles/experimentCodeLens';
import { ExperimentDataScans } from './host/experimentFiles/experimentDataScans';
import { ExperimentDiagnostics } from './host/experimentFiles/experimentDiagnostics';
import { ExperimentDomainCompletion } from './host/experimentFiles/experimentDomainCompletion';
import { CheckpointDiffPanel } from './host/panels/checkpointDiffPanel';
import { CompareRunsPanel } from './host/panels/compareRunsPanel';
import { DatasetPanel } from './host/panels/datasetPanel';
import { ResultsPanel } from './host/panels/resultsPanel';
import { ActiveRuns } from './host/runsView/activeRuns';
import { RunsTreeProvider } from './host/runsView/runsTreeProvider';
import { SlurmRuns } from './host/slurm/slurmRuns';
import { CHECKPOINT_DIFF_PANEL_VIEW_TYPE } from './protocol/checkpointDiffMessages';
import { COMPARE_RUNS_PANEL_VIEW_TYPE } from './protocol/compareRunsMessages';
import { DATASET_PANEL_VIEW_TYPE } from './protocol/datasetMessages';
import { RESULTS_PANEL_VIEW_TYPE } from './protocol/resultsMessages';

/** What activate() hands to other extensions and to the integration tests. */
export interface KdUdaApi {
  datasets: { store: DatasetStore; tree: DatasetTreeProvider; roots: DatasetRoots };
  runs: RunsTreeProvider;
  activeRuns: ActiveRuns;
  slurm: SlurmRuns;
  /** Each step KD-UDA: New Experiment shows (its position, Back, preselected answer): for tests. */
  onDidShowWizardStep: vscode.Event<WizardStepShown>;
}

export function activate(context: vscode.ExtensionContext): KdUdaApi {
  const output = vscode.window.createOutputChannel('KD-UDA Lab', { log: true });
  const roots = new DatasetRoots();
  const store = new DatasetStore();
  const tree = new DatasetTreeProvider(store);
  const debounceMs = vscode.workspace.getConfiguration('kdUda').get<number>('datasetWatchDebounceMs') ?? 400;
  const watcher = new DatasetWatcher(
    debounceMs,
    (root) => void store.rescan(root),
    (message) => output.warn(message),
    // With ignoreInitial, chokidar reports nothing that appeared while it read the tree; a scan
    // made before then would keep missing it (seen in CI: a domain created just after its root was listed).
    (root) => {
      if (store.get(root)) void store.rescan(root);
    },
  );
  const scans = new ExperimentDataScans(store);
  const activeRuns = new ActiveRuns();
  const slurm = new SlurmRuns(context.extensionUri, activeRuns);
  const runs = new RunsTreeProvider(slurm.monitor);
  const panelDeps = { context, store, output };
  const compareRunsDeps = { context, output, runsChanged: runs.onDidChangeTreeData };

  // Roots are listed and scanned after activation returns, so activation itself stays light; every
  // listed root is scanned, not only those the Datasets view shows, so its problems reach the Problems panel.
  const syncRoots = async (): Promise<void> => {
    const listed = await roots.list();
    store.retain(listed);
    tree.setRoots(listed);
    watcher.setRoots(listed);
    for (const root of listed) store.ensure(root);
  };

  const datasetsView = vscode.window.createTreeView('kdUda.datasets', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(
    output,
    roots,
    store,
    tree,
    watcher,
    runs,
    activeRuns,
    slurm,
    activeRuns.onDidChange(() => runs.refresh()),
    datasetsView,
    new DatasetDiagnostics(store),
    new ExperimentDiagnostics(scans),
    vscode.languages.registerCompletionItemProvider({ pattern: '**/*.kdexp.json' }, new ExperimentDomainCompletion(scans), '"'),
    vscode.languages.registerCodeLensProvider({ pattern: '**/*.kdexp.json' }, new ExperimentCodeLens()),
    vscode.window.registerTreeDataProvider('kdUda.runs', runs),
    roots.onDidChange(() => void syncRoots()),
    vscode.window.registerWebviewPanelSerializer(DATASET_PANEL_VIEW_TYPE, DatasetPanel.serializer(panelDeps, roots)),
    vscode.window.registerWebviewPanelSerializer(RESULTS_PANEL_VIEW_TYPE, ResultsPanel.serializer(panelDeps)),
    vscode.window.registerWebviewPanelSerializer(CHECKPOINT_DIFF_PANEL_VIEW_TYPE, CheckpointDiffPanel.serializer(panelDeps)),
    vscode.commands.registerCommand(CommandId.CompareCheckpoints, compareCheckpointsCommand(context.extensionUri, panelDeps)),
    vscode.window.registerWebviewPanelSerializer(COMPARE_RUNS_PANEL_VIEW_TYPE, CompareRunsPanel.serializer(compareRunsDeps)),
    vscode.commands.registerCommand(CommandId.CompareRuns, compareRunsCommand(compareRunsDeps)),
    vscode.commands.registerCommand(CommandId.OpenResults, openResultsCommand(panelDeps)),
    vscode.commands.registerCommand(CommandId.ExportResults, exportResultsCommand()),
    vscode.commands.registerCommand(CommandId.ResumeRun, resumeRunCommand(context.extensionUri, activeRuns, slurm, scans)),
    vscode.commands.registerCommand(CommandId.ShowTrainerLog, showTrainerLogCommand()),
    vscode.commands.registerCommand(CommandId.ShowDataset, showDatasetCommand(panelDeps, roots)),
    vscode.commands.registerCommand(CommandId.AddDatasetRoot, addDatasetRootCommand(roots)),
    vscode.commands.registerCommand(CommandId.RefreshDatasets, async () => {
      await syncRoots();
      await Promise.all((await roots.list()).map((root) => store.rescan(root)));
    }),
    vscode.commands.registerCommand(CommandId.RefreshRuns, () => runs.refresh()),
    vscode.commands.registerCommand(CommandId.NewExperiment, newExperimentCommand(roots, store)),
    vscode.commands.registerCommand(CommandId.StartRun, startRunCommand({ extensionUri: context.extensionUri, activeRuns, slurm, scans })),
    vscode.commands.registerCommand(CommandId.StopRun, stopRunCommand(activeRuns, slurm)),
    vscode.commands.registerCommand(CommandId.DeleteRun, deleteRunCommand(activeRuns)),
    vscode.commands.registerCommand(CommandId.RevealRun, revealRunCommand()),
    vscode.commands.registerCommand(CommandId.RevealRunInOS, revealRunInOSCommand()),
    vscode.commands.registerCommand(CommandId.StartSourceOnlyBaseline, startSourceOnlyBaselineCommand()),
    vscode.commands.registerCommand(CommandId.CreateDigitsBenchmark, createDigitsBenchmarkCommand(context.extensionUri, roots, output)),
    vscode.commands.registerCommand(CommandId.InstallNativeBackend, installNativeBackendCommand(output, context.extensionUri)),
  );
  void syncRoots();
  return { datasets: { store, tree, roots }, runs, activeRuns, slurm, onDidShowWizardStep };
}
