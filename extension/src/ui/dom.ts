// Small DOM helpers shared by the popup's modules. Text is always set with textContent: nothing
// from a message or from storage is ever parsed as HTML.

/** The element with this id, checked to be of the expected type. */
export function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) {
    throw new Error(`popup.html has no <${type.name}> with id "${id}"`);
  }
  return found;
}

type Child = Node | string | undefined;

/** Creates an element with attributes (strings; `hidden` as a boolean) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'class') {
      node.className = String(value);
    } else if (typeof value === 'boolean') {
      node.toggleAttribute(name, value);
    } else {
      node.setAttribute(name, value);
    }
  }
  for (const child of children) {
    if (child !== undefined) {
      node.append(child);
    }
  }
  return node;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A destructive action that asks first: `trigger` opens an inline confirmation (a group named
 * `label`, with `question` and the buttons `confirmText` and Cancel), which takes the focus.
 * Cancel hides it and gives the focus back to `trigger`; confirming runs `onConfirm`.
 * Returns the confirmation element, hidden, for the caller to place after its actions.
 */
export function confirmation(
  trigger: HTMLButtonElement,
  { label, question, confirmText, onConfirm }: { label: string; question: string; confirmText: string; onConfirm: () => void },
): HTMLDivElement {
  const yes = h('button', { type: 'button', class: 'danger' }, confirmText);
  const no = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const box = h(
    'div',
    { class: 'confirm', role: 'group', 'aria-label': label, hidden: true },
    h('p', {}, question),
    h('div', { class: 'actions' }, yes, no),
  );
  trigger.addEventListener('click', () => {
    box.hidden = false;
    yes.focus();
  });
  no.addEventListener('click', () => {
    box.hidden = true;
    trigger.focus();
  });
  yes.addEventListener('click', onConfirm);
  return box;
}
