/**
 * The only module that knows about @vscode/webview-ui-toolkit (deprecated upstream): panels build
 * their controls through these functions, so swapping the toolkit touches this file alone.
 */
import { provideVSCodeDesignSystem, vsCodeButton, vsCodePanels, vsCodePanelTab, vsCodePanelView, vsCodeProgressRing } from '@vscode/webview-ui-toolkit';
import { el } from './dom';

// `el` lives in dom.ts so that a panel needing no toolkit control loads without the toolkit (a smaller, faster bundle).
export { el };

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodePanels(), vsCodePanelTab(), vsCodePanelView(), vsCodeProgressRing());

export function button(label: string, onClick: () => void, options: { appearance?: 'primary' | 'secondary' | 'icon'; title?: string } = {}): HTMLElement {
  const element = document.createElement('vscode-button');
  element.setAttribute('appearance', options.appearance ?? 'secondary');
  if (options.title) element.setAttribute('title', options.title);
  element.textContent = label;
  element.addEventListener('click', onClick);
  return element;
}

/** A count badge. Not the toolkit's: its template sets a `style` attribute, which the strict CSP refuses. */
export function badge(text: string, title?: string): HTMLElement {
  return el('span', title ? { class: 'badge', title } : { class: 'badge' }, text);
}

export function progressRing(label: string): HTMLElement {
  const element = document.createElement('vscode-progress-ring');
  element.setAttribute('aria-label', label);
  return element;
}

export interface Tab {
  id: string;
  label: string;
  content: Node;
}

/** Tabs with keyboard navigation (arrow keys) from the toolkit; `onSelect` reports the active tab. */
export function tabs(items: Tab[], activeId: string | undefined, onSelect: (id: string) => void): HTMLElement {
  const panels = document.createElement('vscode-panels');
  if (activeId && items.some((item) => item.id === activeId)) panels.setAttribute('activeid', `tab-${activeId}`);
  for (const item of items) {
    const tab = document.createElement('vscode-panel-tab');
    tab.id = `tab-${item.id}`;
    tab.textContent = item.label;
    panels.append(tab);
  }
  for (const item of items) {
    const view = document.createElement('vscode-panel-view');
    view.id = `view-${item.id}`;
    view.append(item.content);
    panels.append(view);
  }
  panels.addEventListener('change', (event) => {
    const active = (event as CustomEvent<HTMLElement | undefined>).detail;
    if (active?.id?.startsWith('tab-')) onSelect(active.id.slice(4));
  });
  return panels;
}
