import * as vscode from 'vscode';

/** A "Start Run" lens at the top of every experiment file, running the same command as the palette. */
export class ExperimentCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, { title: '$(play) Start Run', command: 'kdUda.startRun', arguments: [document.uri], tooltip: 'KD-UDA: validate this experiment and start training' }),
      new vscode.CodeLens(top, { title: 'Open Results', command: 'kdUda.openResults', tooltip: 'KD-UDA: show a run of this workspace' }),
    ];
  }
}
