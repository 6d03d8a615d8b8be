import type { ChatMessage } from '@app/contracts';
import { el } from '../dom';
import type { RoomTimeline } from '../timeline';

export interface MessagesHandlers {
  send: (text: string) => void;
  typing: (typing: boolean) => void;
  loadOlder: () => void;
}

/** Scrolled this close to the top, older messages are read; this close to the bottom, new ones keep it at the bottom. */
const EDGE_PX = 48;

/** The open room: its messages (scroll up for older ones), who is typing, and the composer. */
export class MessagesView {
  readonly root: HTMLElement;
  private readonly title: HTMLHeadingElement;
  private readonly scroller: HTMLDivElement;
  private readonly list: HTMLOListElement;
  private readonly older: HTMLButtonElement;
  private readonly typingLine: HTMLParagraphElement;
  private readonly input: HTMLInputElement;
  private readonly composer: HTMLFormElement;
  private shown: RoomTimeline | undefined;
  private newestShown = -Infinity;

  constructor(private readonly handlers: MessagesHandlers) {
    this.title = el('h2', { className: 'room-title', attrs: { 'data-test': 'room-title' }, text: 'Join or create a room' });
    this.older = el('button', { className: 'older quiet', text: 'Load older messages', attrs: { type: 'button', 'data-test': 'load-older' } });
    this.older.addEventListener('click', () => handlers.loadOlder());
    this.list = el('ol', { className: 'message-list', attrs: { 'data-test': 'messages', 'aria-live': 'polite' } });
    this.scroller = el('div', { className: 'scroller', attrs: { 'data-test': 'scroller' } }, [this.older, this.list]);
    this.scroller.addEventListener('scroll', () => {
      if (this.scroller.scrollTop < EDGE_PX && this.shown?.hasOlder && !this.shown.loadingOlder) handlers.loadOlder();
    });
    this.typingLine = el('p', { className: 'typing', attrs: { 'data-test': 'typing', 'aria-live': 'polite' } });
    this.input = el('input', { attrs: { 'aria-label': 'Message', placeholder: 'Write a message', maxlength: '4000', autocomplete: 'off', 'data-test': 'composer' } });
    this.composer = el('form', { className: 'composer' }, [this.input, el('button', { text: 'Send', attrs: { type: 'submit' } })]);
    this.input.addEventListener('input', () => handlers.typing(this.input.value.trim() !== ''));
    this.composer.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = '';
      handlers.typing(false);
      handlers.send(text);
    });
    this.root = el('section', { className: 'chat' }, [this.title, this.scroller, this.typingLine, this.composer]);
    this.show(undefined, '');
  }

  /** Shows a room (or none), scrolled to its newest message. */
  show(timeline: RoomTimeline | undefined, name: string): void {
    this.shown = timeline;
    this.title.textContent = timeline ? name : 'Join or create a room';
    this.root.dataset.roomId = timeline?.roomId ?? '';
    this.composer.hidden = !timeline;
    this.typingLine.textContent = '';
    this.rebuild();
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  get roomId(): string | undefined {
    return this.shown?.roomId;
  }

  /** New messages of a room: appended at the bottom (and followed if the reader was there), or older ones inserted above without moving what the reader sees. */
  added(timeline: RoomTimeline, fresh: ChatMessage[]): void {
    if (timeline !== this.shown || fresh.length === 0) return;
    if (fresh.every((m) => m.seq > this.newestShown)) {
      const atBottom = this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < EDGE_PX;
      this.list.append(...fresh.map(messageItem));
      this.newestShown = fresh.at(-1)!.seq;
      if (atBottom) this.scroller.scrollTop = this.scroller.scrollHeight;
    } else {
      const fromBottom = this.scroller.scrollHeight - this.scroller.scrollTop;
      this.rebuild();
      this.scroller.scrollTop = this.scroller.scrollHeight - fromBottom;
    }
    this.updateOlder();
  }

  /** The older-messages control follows the timeline's state (loading, more, or the room's beginning). */
  updateOlder(): void {
    const timeline = this.shown;
    this.older.hidden = !timeline;
    if (!timeline) return;
    this.older.disabled = !timeline.hasOlder || timeline.loadingOlder;
    this.older.textContent = timeline.loadingOlder ? 'Loading…' : timeline.hasOlder ? 'Load older messages' : 'Beginning of the room';
    this.older.dataset.state = timeline.loadingOlder ? 'loading' : timeline.hasOlder ? 'more' : 'start';
  }

  showTyping(line: string): void {
    this.typingLine.textContent = line;
  }

  focusComposer(): void {
    this.input.focus();
  }

  private rebuild(): void {
    const messages = this.shown?.messages ?? [];
    this.list.replaceChildren(...messages.map(messageItem));
    this.newestShown = messages.at(-1)?.seq ?? -Infinity;
    this.updateOlder();
  }
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

function messageItem(message: ChatMessage): HTMLLIElement {
  const sentAt = new Date(message.sentAt);
  return el('li', { className: 'message', attrs: { 'data-seq': String(message.seq), 'data-id': message.id } }, [
    el('span', { className: 'author', text: message.user.username }),
    el('time', { className: 'sent-at', text: timeFormat.format(sentAt), attrs: { datetime: message.sentAt } }),
    el('span', { className: 'text', text: message.text, attrs: { 'data-test': 'message-text' } }),
  ]);
}
