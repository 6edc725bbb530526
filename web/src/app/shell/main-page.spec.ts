import { CUSTOM_ELEMENTS_SCHEMA, provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { FakeChatSocket, alice } from '../../testing/fake-chat-socket';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { DesktopNotifications, type NotificationState } from '../notifications/desktop-notifications';
import { DirectoryStore } from '../people/directory.store';
import { MainPage } from './main-page';
import { SignedIn } from './signed-in';

async function setUp(permission: NotificationState) {
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observe(): void {}
      disconnect(): void {}
    },
  );
  const toggle = vi.fn(async () => undefined);
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      provideRouter([]),
      { provide: ChatSocket, useClass: FakeChatSocket },
      { provide: SessionStore, useValue: { user: signal(alice).asReadonly() } },
      { provide: DirectoryStore, useValue: { showing: () => undefined } },
      { provide: SignedIn, useValue: { connect: () => undefined } },
      {
        provide: DesktopNotifications,
        useValue: { permission: signal(permission).asReadonly(), on: signal(false).asReadonly(), sound: signal(false).asReadonly(), toggle },
      },
    ],
  });
  // The lists and the dock have their own tests: only the top bar is looked at here.
  TestBed.overrideComponent(MainPage, { set: { imports: [], schemas: [CUSTOM_ELEMENTS_SCHEMA] } });
  // The dock is a deferred block: its (overridden) dependencies are resolved first.
  await TestBed.compileComponents();
  const fixture = TestBed.createComponent(MainPage);
  fixture.detectChanges();
  const button = () => [...(fixture.nativeElement as HTMLElement).querySelectorAll('button')].find((b) => b.textContent?.includes('otifications'))!;
  return { fixture, button, toggle };
}

describe('MainPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('keeps the notifications button focusable when the browser blocks them, and shows why on a click', async () => {
    const { fixture, button, toggle } = await setUp('denied');
    expect(button().disabled).toBe(false);
    expect(button().getAttribute('aria-disabled')).toBe('true');
    expect(button().textContent).toContain('Notifications blocked');

    button().click();
    await fixture.whenStable();
    const hint = (fixture.nativeElement as HTMLElement).querySelector('#notifications-blocked');
    expect(hint?.textContent).toContain('blocked for this site in the browser’s settings');
    expect(button().getAttribute('aria-describedby')).toBe('notifications-blocked');
    expect(toggle).not.toHaveBeenCalled();
  });

  it('turns notifications on when the browser allows asking', async () => {
    const { button, toggle } = await setUp('default');
    expect(button().hasAttribute('aria-disabled')).toBe(false);
    button().click();
    expect(toggle).toHaveBeenCalledTimes(1);
  });
});
