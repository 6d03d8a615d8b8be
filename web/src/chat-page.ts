import type { ChatClient, StateChange } from '@app/client';
import type { ChatMessage, Room } from '@app/contracts';
import { el, errorText } from './dom';
import { RoomTimeline } from './timeline';
import { TypingRoster, typingLine } from './typing-roster';
import { MembersView } from './views/members-view';
import { MessagesView } from './views/messages-view';
import { RoomsView } from './views/rooms-view';
import { StatusView } from './views/status-view';

const ROOMS_REFRESH_MS = 5_000;
const TYPING_TICK_MS = 1_000;
const OLDER_PAGE = 50;

/**
 * The signed-in page: wires the SDK's events to the views and the views' actions to the SDK.
 * Messages are rendered only from what the SDK delivers per room (join, live, and its catch-up
 * after a reconnect to any replica) plus history pages read backwards; each room's RoomTimeline
 * keeps every seq once, so nothing shows twice or out of order.
 */
export class ChatPage {
  readonly root: HTMLElement;
  private readonly status: StatusView;
  private readonly roomsView: RoomsView;
  private readonly messages: MessagesView;
  private readonly members: MembersView;
  private readonly timelines = new Map<string, RoomTimeline>();
  private readonly typing = new TypingRoster();
  private rooms = new Map<string, Room>();
  private activeId: string | undefined;
  private readonly timers: ReturnType<typeof setInterval>[] = [];

  constructor(
    private readonly client: ChatClient,
    onSignOut: () => void,
  ) {
    this.status = new StatusView({ rename: (name) => void this.rename(name), signOut: onSignOut });
    this.roomsView = new RoomsView({
      create: (name) => void this.createRoom(name),
      join: (roomId) => void this.join(roomId),
      open: (roomId) => this.open(roomId),
      leave: (roomId) => void this.leave(roomId),
    });
    this.messages = new MessagesView({
      send: (text) => void this.send(text),
      typing: (typing) => this.sendTyping(typing),
      loadOlder: () => void this.loadOlder(),
    });
    this.members = new MembersView();
    this.root = el('div', { className: 'page' }, [this.status.root, el('main', { className: 'layout' }, [this.roomsView.root, this.messages.root, this.members.root])]);
    this.listen();
    this.status.showUser(client.user?.username ?? '');
    this.status.showState({ state: client.state, session: client.session });
    this.timers.push(setInterval(() => void this.refreshRooms(), ROOMS_REFRESH_MS));
    this.timers.push(setInterval(() => this.renderTyping(), TYPING_TICK_MS));
    void this.refreshRooms();
  }

  dispose(): void {
    this.timers.forEach(clearInterval);
    this.client.close();
  }

  private listen(): void {
    this.client.on('state', (change: StateChange) => {
      this.status.showState(change);
      if (this.client.user) this.status.showUser(this.client.user.username);
      if (change.state === 'live') void this.refreshRooms();
    });
    this.client.on('message', (message: ChatMessage) => {
      const timeline = this.timeline(message.roomId);
      this.messages.added(timeline, timeline.add([message]));
    });
    this.client.on('presence', ({ roomId, event, user, members }) => {
      if (roomId === this.activeId) this.members.render(members, this.client.user?.id);
      if (event === 'rename' && user.id === this.client.user?.id) this.status.showUser(user.username);
    });
    this.client.on('typing', ({ roomId, user, typing }) => {
      this.typing.update(roomId, user, typing, Date.now());
      if (roomId === this.activeId) this.renderTyping();
    });
    this.client.on('room:deleted', ({ roomId }) => this.dropRoom(roomId, 'was deleted'));
    this.client.on('room:lost', ({ roomId, error }) => this.dropRoom(roomId, `could not be re-joined (${error.code})`));
  }

  private timeline(roomId: string): RoomTimeline {
    let timeline = this.timelines.get(roomId);
    if (!timeline) {
      timeline = new RoomTimeline(roomId);
      this.timelines.set(roomId, timeline);
    }
    return timeline;
  }

  private async refreshRooms(): Promise<void> {
    if (this.client.state !== 'live' && this.client.state !== 'catching-up') return;
    try {
      this.rooms = new Map((await this.client.rooms()).map((room) => [room.id, room]));
      this.renderRooms();
    } catch {
      // The next refresh (a timer, or the connection going live) tries again.
    }
  }

  private renderRooms(): void {
    this.roomsView.render([...this.rooms.values()], new Set(this.client.joinedRooms()), this.activeId);
  }

  private async createRoom(name: string): Promise<void> {
    try {
      const room = await this.client.createRoom(name);
      this.rooms.set(room.id, room);
      await this.join(room.id);
    } catch (error) {
      this.status.say(`Could not create “${name}”: ${errorText(error)}`, 'error');
    }
  }

  private async join(roomId: string): Promise<void> {
    const timeline = this.timeline(roomId);
    try {
      const joined = await this.client.join(roomId);
      this.rooms.set(roomId, joined.room);
      timeline.hasOlder = joined.hasOlder;
      this.messages.added(timeline, timeline.add(joined.messages));
      this.open(roomId);
      void this.refreshRooms();
    } catch (error) {
      if (!this.client.joinedRooms().includes(roomId)) this.timelines.delete(roomId);
      this.status.say(`Could not join: ${errorText(error)}`, 'error');
    }
  }

  private open(roomId: string): void {
    this.activeId = roomId;
    this.messages.show(this.timeline(roomId), this.rooms.get(roomId)?.name ?? roomId);
    this.members.render(this.client.members(roomId), this.client.user?.id);
    this.renderTyping();
    this.renderRooms();
    this.messages.focusComposer();
  }

  private async leave(roomId: string): Promise<void> {
    try {
      await this.client.leave(roomId);
    } catch (error) {
      this.status.say(`Leaving: ${errorText(error)}`, 'error');
    }
    this.dropRoom(roomId);
    void this.refreshRooms();
  }

  private dropRoom(roomId: string, why?: string): void {
    this.timelines.delete(roomId);
    if (why) this.status.say(`Room “${this.rooms.get(roomId)?.name ?? roomId}” ${why}.`, 'error');
    if (this.activeId === roomId) {
      const next = this.client.joinedRooms()[0];
      if (next) this.open(next);
      else {
        this.activeId = undefined;
        this.messages.show(undefined, '');
        this.members.render([], undefined);
      }
    }
    this.renderRooms();
  }

  private async send(text: string): Promise<void> {
    const roomId = this.activeId;
    if (!roomId) return;
    try {
      // The SDK retries with one clientMsgId until answered; the message itself arrives as a `message` event.
      await this.client.send(roomId, text);
    } catch (error) {
      this.status.say(`Not sent: ${errorText(error)}`, 'error');
    }
  }

  private sendTyping(typing: boolean): void {
    if (this.activeId) this.client.typing(this.activeId, typing).catch(() => undefined);
  }

  private async loadOlder(): Promise<void> {
    const timeline = this.activeId ? this.timelines.get(this.activeId) : undefined;
    if (!timeline || !timeline.hasOlder || timeline.loadingOlder) return;
    const before = timeline.oldestSeq;
    if (before === undefined) {
      timeline.hasOlder = false;
      this.messages.updateOlder();
      return;
    }
    timeline.loadingOlder = true;
    this.messages.updateOlder();
    try {
      const page = await this.client.history(timeline.roomId, { before, limit: OLDER_PAGE });
      timeline.hasOlder = page.hasMore;
      timeline.loadingOlder = false;
      this.messages.added(timeline, timeline.add(page.messages));
    } catch (error) {
      timeline.loadingOlder = false;
      this.status.say(`Could not load older messages: ${errorText(error)}`, 'error');
    }
    this.messages.updateOlder();
  }

  private async rename(username: string): Promise<void> {
    try {
      const user = await this.client.rename(username);
      this.status.showUser(user.username);
      this.status.clearRename();
      this.status.say(`You are now ${user.username}.`);
    } catch (error) {
      this.status.say(`Could not rename: ${errorText(error)}`, 'error');
    }
  }

  private renderTyping(): void {
    if (!this.activeId) return;
    this.messages.showTyping(typingLine(this.typing.typing(this.activeId, this.client.user?.id, Date.now())));
  }
}
