import type { User } from '@app/contracts';
import { el, fill } from '../dom';

/** Who is in the open room now (each user once, however many tabs). */
export class MembersView {
  readonly root: HTMLElement;
  private readonly list: HTMLUListElement;

  constructor() {
    this.list = el('ul', { className: 'member-list', attrs: { 'data-test': 'members' } });
    this.root = el('aside', { className: 'members', attrs: { 'aria-label': 'People in this room' } }, [el('h2', { text: 'Here now' }), this.list]);
  }

  render(members: User[], selfId: string | undefined): void {
    const sorted = [...members].sort((a, b) => a.username.localeCompare(b.username));
    fill(this.list, sorted.map((user) => el('li', { text: user.id === selfId ? `${user.username} (you)` : user.username, attrs: { 'data-user-id': user.id } })));
  }
}
