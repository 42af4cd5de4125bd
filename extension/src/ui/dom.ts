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
