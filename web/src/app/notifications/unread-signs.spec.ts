import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { FakeChatSocket } from '../../testing/fake-chat-socket';
import { directWithBob, groupRoom } from '../../testing/rooms';
import { ChatSocket } from '../core/chat-socket';
import { RoomsStore } from '../rooms/rooms.store';
import { UnreadSigns, titleFor } from './unread-signs';

describe('the signs of unread messages', () => {
  beforeEach(() => {
    document.title = 'Parley';
    document.head.querySelector('link[rel="icon"]')?.remove();
    const icon = document.createElement('link');
    icon.rel = 'icon';
    icon.setAttribute('href', 'favicon.png');
    document.head.append(icon);
  });

  it('put the count in the title', () => {
    expect(titleFor(0)).toBe('Parley');
    expect(titleFor(3)).toBe('(3) Parley');
  });

  it('follow the unread of unmuted chats, with a dot on the favicon, and go with the page', () => {
    TestBed.configureTestingModule({
      providers: [provideZonelessChangeDetection(), { provide: ChatSocket, useClass: FakeChatSocket }, UnreadSigns],
    });
    const rooms = TestBed.inject(RoomsStore);
    const signs = TestBed.inject(UnreadSigns);
    const icon = () => document.head.querySelector('link[rel="icon"]')!.getAttribute('href');

    rooms.upsert(directWithBob(1, { unread: 2 }));
    rooms.upsert(groupRoom(2, 'Muted', { unread: 9, muted: true }));
    TestBed.tick();
    expect(document.title).toBe('(2) Parley');
    expect(icon()).toBe('favicon-unread.png');

    rooms.upsert(directWithBob(1, { unread: 0 }));
    TestBed.tick();
    expect(document.title).toBe('Parley');
    expect(icon()).toBe('favicon.png');

    rooms.upsert(directWithBob(1, { unread: 1 }));
    TestBed.tick();
    signs.ngOnDestroy();
    expect(document.title).toBe('Parley');
  });
});
