import * as vscode from 'vscode';

/** Records the error notifications the extension shows while `during` runs (and lets them show). */
export async function errorNotifications(during: () => Promise<void>): Promise<string[]> {
  return (await notifications('error', during)).map((shown) => shown.message);
}

/** A notification as the user sees it: its text and the buttons under it. */
export interface ShownNotification {
  message: string;
  actions: string[];
}

type Severity = 'error' | 'warning' | 'information';

const SHOW = { error: 'showErrorMessage', warning: 'showWarningMessage', information: 'showInformationMessage' } as const;

/** The three `show…Message` functions, under one type to replace them by. */
type Show = (message: string, ...rest: unknown[]) => Thenable<unknown>;

/**
 * Records the notifications of one severity that the extension shows while `during` runs. Each
 * still shows, unless `answer` picks a button for it (what a click on it would return) or gives
 * null (the user closed it), in which case it is answered at once and never shown. `during` sees
 * the list as it grows, to wait for a notification that comes after some work.
 */
export async function notifications(
  severity: Severity,
  during: (shown: readonly ShownNotification[]) => Promise<void>,
  answer?: (shown: ShownNotification) => string | null | undefined,
): Promise<ShownNotification[]> {
  const shown: ShownNotification[] = [];
  const shows = vscode.window as unknown as Record<string, Show>;
  const key = SHOW[severity];
  const original = shows[key];
  shows[key] = (message, ...rest) => {
    // After the message: an options object (modal, detail) or none, then the buttons.
    const actions = rest.flatMap((item) =>
      typeof item === 'string' ? [item] : item && typeof item === 'object' && 'title' in item ? [String(item.title)] : [],
    );
    const notification = { message, actions };
    shown.push(notification);
    const answered = answer?.(notification);
    if (answered === null) return Promise.resolve(undefined);
    if (answered !== undefined) return Promise.resolve(answered);
    return original(message, ...rest);
  };
  try {
    await during(shown);
  } finally {
    shows[key] = original;
  }
  return shown;
}
