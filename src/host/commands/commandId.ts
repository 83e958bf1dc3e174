/** Every command the extension contributes; package.json lists the same ids. */
export enum CommandId {
  ShowDataset = 'kdUda.showDataset',
  RefreshDatasets = 'kdUda.refreshDatasets',
  AddDatasetRoot = 'kdUda.addDatasetRoot',
  RefreshRuns = 'kdUda.refreshRuns',
  CreateDigitsBenchmark = 'kdUda.createDigitsBenchmark',
  StartRun = 'kdUda.startRun',
  StopRun = 'kdUda.stopRun',
  OpenResults = 'kdUda.openResults',
  ExportResults = 'kdUda.exportResults',
  ResumeRun = 'kdUda.resumeRun',
  ShowTrainerLog = 'kdUda.showTrainerLog',
  NewExperiment = 'kdUda.newExperiment',
  CompareCheckpoints = 'kdUda.compareCheckpoints',
  CompareRuns = 'kdUda.compareRuns',
}
