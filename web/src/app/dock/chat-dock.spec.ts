import { provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { FakeChatSocket, alice } from '../../testing/fake-chat-socket';
import { groupRoom } from '../../testing/rooms';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { RoomsStore } from '../rooms/rooms.store';
import { ChatDock } from './chat-dock';
import { DockStore } from './dock.store';

function setUp() {
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      FakeChatSocket,
      { provide: ChatSocket, useExisting: FakeChatSocket },
      { provide: SessionStore, useValue: { user: signal(alice).asReadonly() } },
    ],
  });
  // Boxes on screen fetch their latest messages.
  TestBed.inject(FakeChatSocket).responders['room:history'] = () => ({ ok: true, messages: [] });
  const fixture = TestBed.createComponent(ChatDock);
  return { rooms: TestBed.inject(RoomsStore), dock: TestBed.inject(DockStore), fixture, element: fixture.nativeElement as HTMLElement };
}

const escapeOnPage = () => document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));

describe('ChatDock', () => {
  it('Escape in the "+N" menu closes it and gives the keyboard back to the "+N" button', async () => {
    const { rooms, dock, fixture, element } = setUp();
    dock.setLayout({ capacity: 1, overlay: false });
    for (const id of [1, 2]) {
      rooms.upsert(groupRoom(id, `Room ${id}`));
      dock.open(id);
    }
    await fixture.whenStable();

    const more = element.querySelector<HTMLButtonElement>('.more-button')!;
    expect(more.getAttribute('aria-label')).toBe('1 more open chat');
    more.click();
    await fixture.whenStable();
    const entry = element.querySelector<HTMLButtonElement>('#dock-more button')!;
    entry.focus();
    entry.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await fixture.whenStable();
    expect(element.querySelector('#dock-more')).toBeNull();
    expect(more.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(more);
  });

  it('on a phone, Escape that nothing else took closes the box covering the page, wherever the keyboard is', async () => {
    const { rooms, dock, fixture } = setUp();
    dock.setLayout({ capacity: 1, overlay: true });
    rooms.upsert(groupRoom(1, 'Room 1'));
    dock.open(1);
    await fixture.whenStable();
    escapeOnPage();
    expect(dock.shown()).toEqual([]);
  });

  it('beside the sidebar, Escape outside the boxes leaves them open', async () => {
    const { rooms, dock, fixture } = setUp();
    dock.setLayout({ capacity: 2, overlay: false });
    rooms.upsert(groupRoom(1, 'Room 1'));
    dock.open(1);
    await fixture.whenStable();
    escapeOnPage();
    expect(dock.shown()).toEqual([1]);
  });
});
