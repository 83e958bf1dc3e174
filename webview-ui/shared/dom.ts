/** Builds an element with attributes and children (no innerHTML: nothing a run folder holds is parsed as markup). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** Builds an SVG element the same way (attributes as strings, so numbers may be given). */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

/** A box that scrolls what is too wide for the panel; focusable and named, so the keyboard scrolls it too. */
export function scrollRegion(label: string, content: Node): HTMLElement {
  return el('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': label }, content);
}

export interface RadioOption<Value extends string> {
  /** Unique in the page: the input's id, which its label names. */
  id: string;
  value: Value;
  label: string;
}

/** Radio buttons in one named group, so that arrow keys move between them; `onChange` gets the value chosen. */
export function radioGroup<Value extends string>(
  label: string,
  name: string,
  options: readonly RadioOption<Value>[],
  checked: Value | undefined,
  onChange: (value: Value) => void,
): HTMLElement {
  const group = el('div', { class: 'metric', role: 'radiogroup', 'aria-label': label });
  for (const option of options) {
    const input = el('input', { type: 'radio', name, id: option.id, value: option.value });
    input.checked = option.value === checked;
    input.addEventListener('change', () => onChange(option.value));
    group.append(input, el('label', { for: option.id }, option.label));
  }
  return group;
}
