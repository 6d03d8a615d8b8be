import { el } from '../dom';

/** The sign-in form: a username, no password (PROTOCOL.md "Identity"). */
export class LoginView {
  readonly root: HTMLFormElement;
  private readonly input: HTMLInputElement;
  private readonly error: HTMLParagraphElement;
  private readonly button: HTMLButtonElement;

  constructor(onSubmit: (username: string) => void) {
    this.input = el('input', {
      attrs: { id: 'login-name', name: 'username', autocomplete: 'username', required: '', maxlength: '32', placeholder: 'e.g. alice' },
    });
    this.button = el('button', { text: 'Sign in', attrs: { type: 'submit' } });
    this.error = el('p', { className: 'error', attrs: { role: 'alert', 'data-test': 'login-error' } });
    this.root = el('form', { className: 'login', attrs: { 'data-test': 'login' } }, [
      el('h1', { text: 'chatstream' }),
      el('label', { text: 'Username', attrs: { for: 'login-name' } }),
      this.input,
      this.button,
      this.error,
    ]);
    this.root.addEventListener('submit', (event) => {
      event.preventDefault();
      const username = this.input.value.trim();
      if (username) onSubmit(username);
    });
  }

  busy(busy: boolean): void {
    this.button.disabled = busy;
  }

  showError(message: string): void {
    this.error.textContent = message;
  }
}
