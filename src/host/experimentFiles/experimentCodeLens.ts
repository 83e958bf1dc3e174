import * as vscode from 'vscode';
import { CommandId } from '../commands/commandId';

/** A "Start Run" lens at the top of every experiment file, running the same command as the palette. */
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
      new vscode.CodeLens(top, { title: 'Open Results', command: CommandId.OpenResults, tooltip: 'KD-UDA: show a run of this workspace' }),
    ];
  }
}
