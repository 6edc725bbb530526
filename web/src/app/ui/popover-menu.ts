/**
 * A box header's menu, built on the `popover` attribute (the room menu, a direct chat's menu): the keyboard
 * behaviour they share, as a menu is expected to have it.
 */

/** Hides the menu if it is open. */
export function hideMenu(menu: HTMLElement): void {
  if (menu.matches(':popover-open')) menu.hidePopover();
}

/**
 * Escape while the menu is open closes it alone (the box it sits in stays open) and gives the keyboard back to the
 * button that opened it.
 */
export function closeMenuOnEscape(event: Event, menu: HTMLElement, trigger: HTMLElement): void {
  if (!menu.matches(':popover-open')) return;
  event.preventDefault();
  hideMenu(menu);
  trigger.focus();
}

/** Opened, the menu takes the keyboard to its first item. */
export function focusFirstItemWhenOpened(event: Event, menu: HTMLElement): void {
  if ((event as ToggleEvent).newState === 'open') menu.querySelector('button')?.focus();
}
