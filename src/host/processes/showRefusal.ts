import * as vscode from 'vscode';
import { CommandId } from '../commands/commandId';
import { offersNativeInstall, refusalProblems, refusalText } from './refusalProblems';

/** The button that runs KD-UDA: Install Native TensorFlow Backend, where a problem's fix is that command. */
export const INSTALL_NATIVE_BUTTON = 'Install Native Backend';

/**
 * A run the trainer refused to start (nothing was created): its problems, which are the user's to
 * fix, with `action` (open the file, show the log) and, when a fix is the palette command that
 * fetches a native backend, a button that runs it. Resolves to whether `action` was chosen.
 */
export async function showRefusal(label: string, reason: string, action: { title: string; more: string }): Promise<boolean> {
  const problems = refusalProblems(reason);
  const install = offersNativeInstall(problems);
  const choice = await vscode.window.showErrorMessage(refusalText(label, problems, action.more), action.title, ...(install ? [INSTALL_NATIVE_BUTTON] : []));
  if (choice === INSTALL_NATIVE_BUTTON) void vscode.commands.executeCommand(CommandId.InstallNativeBackend);
  return choice === action.title;
}
