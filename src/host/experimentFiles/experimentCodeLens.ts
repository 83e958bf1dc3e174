import * as vscode from 'vscode';
import { CommandId } from '../commands/commandId';

/**
 * "Start Run" and "Open Results" lenses at the top of every experiment file, running the same
 * commands as the palette: Open Results on this experiment's runs (a pick when it has several).
 */
export class ExperimentCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, {
        title: '$(play) Start Run',
        command: CommandId.StartRun,
        arguments: [document.uri],
        tooltip: 'KD-UDA: validate this experiment and start training',
      }),
      new vscode.CodeLens(top, {
        title: 'Open Results',
        command: CommandId.OpenResults,
        arguments: [document.uri],
        tooltip: 'KD-UDA: show the results of a run of this experiment',
      }),
    ];
  }
}
