import { ChangeDetectionStrategy, Component, ElementRef, afterNextRender, inject, viewChild } from '@angular/core';
import { RouterLink } from '@angular/router';
import { SignedIn } from '../shell/signed-in';
import { Icon } from '../ui/icon';
import { AccountStore } from './account.store';
import { BlockedSection } from './blocked-section';
import { DeleteAccountSection } from './delete-account-section';
import { NameSection } from './name-section';
import { PasswordSection } from './password-section';
import { SessionsSection } from './sessions-section';
import { SessionsStore } from './sessions.store';

/**
 * My account: my name, my password, where I am logged in, whom I blocked, and deleting it. Each section is a form or a
 * list of its own that says when it is done. The connection stays up here (unblocking goes over it, and names and
 * blocks change live), so the chats are current when I go back to them.
 */
@Component({
  selector: 'app-settings-page',
  imports: [BlockedSection, DeleteAccountSection, Icon, NameSection, PasswordSection, RouterLink, SessionsSection],
  providers: [AccountStore, SessionsStore],
  template: `
    <header class="topbar">
      <a class="back" routerLink="/"><app-icon name="back" />Back to chats</a>
      <h1 #heading tabindex="-1">Settings</h1>
    </header>
    <main class="settings">
      <app-name-section />
      <app-password-section />
      <app-sessions-section />
      <app-blocked-section />
      <app-delete-account-section />
    </main>
  `,
  styleUrl: './settings-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SettingsPage {
  private readonly heading = viewChild.required<ElementRef<HTMLElement>>('heading');

  constructor() {
    inject(SignedIn).connect();
    // A new page: a screen reader starts from its title, and Tab from there goes into the first section.
    afterNextRender(() => this.heading().nativeElement.focus());
  }
}
