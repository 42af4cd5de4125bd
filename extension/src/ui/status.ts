// The popup's status areas (one per form): busy with a spinner, a success summary, or an error.
// `data-kind` and `data-error-code` let tests and styles read the state; `role` makes screen
// readers announce it (errors as alerts).

export type StatusKind = 'ok' | 'error' | 'busy';

function mark(target: HTMLElement, kind: StatusKind, code?: string): void {
  target.hidden = false;
  target.dataset.kind = kind;
  target.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  if (code === undefined) {
    delete target.dataset.errorCode;
  } else {
    target.dataset.errorCode = code;
  }
}

/** One line of text. */
export function showStatusText(target: HTMLElement, text: string, kind: StatusKind, code?: string): void {
  mark(target, kind, code);
  target.textContent = text;
}

export function showBusy(target: HTMLElement, text: string): void {
  mark(target, 'busy');
  const spinner = document.createElement('span');
  spinner.className = 'spinner';
  spinner.setAttribute('aria-hidden', 'true');
  target.replaceChildren(spinner, document.createTextNode(text));
}

/** A heading, a term/value list and an optional note. */
export function showSuccess(target: HTMLElement, title: string, rows: [string, string][], note?: string): void {
  mark(target, 'ok');
  const heading = document.createElement('h2');
  heading.textContent = title;
  const list = document.createElement('dl');
  for (const [term, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    list.append(dt, dd);
  }
  const children: Node[] = [heading, list];
  if (note !== undefined) {
    const p = document.createElement('p');
    p.className = 'hint';
    p.textContent = note;
    children.push(p);
  }
  target.replaceChildren(...children);
}

export function showError(target: HTMLElement, text: string, code?: string): void {
  mark(target, 'error', code);
  const p = document.createElement('p');
  p.textContent = text;
  target.replaceChildren(p);
}
