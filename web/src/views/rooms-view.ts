import type { Room } from '@app/contracts';
import { el, fill } from '../dom';

export interface RoomsHandlers {
  create: (name: string) => void;
  join: (roomId: string) => void;
  open: (roomId: string) => void;
  leave: (roomId: string) => void;
}

/** Every room with its member and message counts (joined ones first); create, join, open (joined ones), leave. */
export class RoomsView {
  readonly root: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly nameInput: HTMLInputElement;

  constructor(private readonly handlers: RoomsHandlers) {
    this.list = el('ul', { className: 'room-list', attrs: { 'data-test': 'room-list' } });
    this.nameInput = el('input', { attrs: { 'aria-label': 'New room name', placeholder: 'new room', maxlength: '64', required: '', 'data-test': 'room-name' } });
    const form = el('form', { className: 'create-room' }, [this.nameInput, el('button', { text: 'Create', attrs: { type: 'submit' } })]);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = this.nameInput.value.trim();
      if (!name) return;
      this.nameInput.value = '';
      handlers.create(name);
    });
    this.root = el('nav', { className: 'rooms', attrs: { 'aria-label': 'Rooms' } }, [el('h2', { text: 'Rooms' }), form, this.list]);
  }

  render(rooms: Room[], joined: Set<string>, activeId: string | undefined): void {
    // The rooms I am in first, then the others; by name within each.
    const sorted = [...rooms].sort((a, b) => Number(joined.has(b.id)) - Number(joined.has(a.id)) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    fill(this.list, sorted.length ? sorted.map((room) => this.item(room, joined.has(room.id), room.id === activeId)) : [el('li', { className: 'empty', text: 'No rooms yet: create one.' })]);
  }

  private item(room: Room, joined: boolean, active: boolean): HTMLLIElement {
    const counts = el('span', { className: 'counts', text: `${room.memberCount} online · ${room.messageCount} msgs`, attrs: { 'data-test': 'room-counts' } });
    const name = el('button', { className: 'room-name', text: room.name, attrs: { type: 'button', title: joined ? 'Open' : 'Join' } });
    name.addEventListener('click', () => (joined ? this.handlers.open(room.id) : this.handlers.join(room.id)));
    const action = joined
      ? el('button', { className: 'quiet', text: 'Leave', attrs: { type: 'button', 'data-test': 'leave' } })
      : el('button', { text: 'Join', attrs: { type: 'button', 'data-test': 'join' } });
    action.addEventListener('click', () => (joined ? this.handlers.leave(room.id) : this.handlers.join(room.id)));
    const classes = ['room', joined ? 'joined' : '', active ? 'active' : ''].filter(Boolean).join(' ');
    return el('li', { className: classes, attrs: { 'data-room-id': room.id, 'data-room-name': room.name } }, [name, counts, action]);
  }
}
