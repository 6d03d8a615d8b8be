import type { ConnectionState, StateChange } from '@app/client';
import { el } from '../dom';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'connecting…',
  'catching-up': 'catching up',
  live: 'live',
  reconnecting: 'reconnecting…',
  closed: 'disconnected',
};

/**
 * The header: who I am (with rename), and the connection as the SDK reports it: its state and
 * the replica (`session.instance`) serving it, or the one just lost while reconnecting.
 */
export class StatusView {
  readonly root: HTMLElement;
  private readonly state: HTMLSpanElement;
  private readonly instance: HTMLSpanElement;
  private readonly name: HTMLSpanElement;
  private readonly renameInput: HTMLInputElement;
  private readonly notice: HTMLParagraphElement;

  constructor(handlers: { rename: (username: string) => void; signOut: () => void }) {
    this.state = el('span', { className: 'state', attrs: { 'data-test': 'connection-state', 'data-state': 'connecting' }, text: LABELS.connecting });
    this.instance = el('span', { className: 'instance', attrs: { 'data-test': 'instance' } });
    this.name = el('span', { className: 'me', attrs: { 'data-test': 'me' } });
    this.renameInput = el('input', { attrs: { 'aria-label': 'New username', placeholder: 'new name', maxlength: '32', 'data-test': 'rename-input' } });
    const renameForm = el('form', { className: 'rename' }, [this.renameInput, el('button', { text: 'Rename', attrs: { type: 'submit' } })]);
    renameForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const username = this.renameInput.value.trim();
      if (username) handlers.rename(username);
    });
    const signOut = el('button', { text: 'Sign out', className: 'quiet', attrs: { type: 'button' } });
    signOut.addEventListener('click', handlers.signOut);
    this.notice = el('p', { className: 'notice', attrs: { role: 'status', 'data-test': 'notice' } });
    this.root = el('header', { className: 'status' }, [
      el('strong', { className: 'brand', text: 'chatstream' }),
      el('span', { className: 'connection' }, [this.state, this.instance]),
      el('span', { className: 'who' }, [this.name, renameForm, signOut]),
      this.notice,
    ]);
  }

  showState(change: StateChange): void {
    this.state.textContent = LABELS[change.state];
    this.state.dataset.state = change.state;
    const instance = change.session?.instance ?? '';
    this.instance.textContent = instance ? (change.state === 'reconnecting' ? `was on ${instance}` : `on ${instance}`) : '';
    this.instance.dataset.instance = change.state === 'reconnecting' ? '' : instance;
  }

  showUser(username: string): void {
    this.name.textContent = username;
  }

  clearRename(): void {
    this.renameInput.value = '';
  }

  /** A short message (an error of the last action, or what just happened). */
  say(message: string, kind: 'info' | 'error' = 'info'): void {
    this.notice.textContent = message;
    this.notice.dataset.kind = kind;
  }
}
