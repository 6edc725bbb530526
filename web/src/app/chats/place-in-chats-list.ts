/**
 * Where the keyboard goes in the Chats list: a chat's row (the row's button is described by its preview, by room id),
 * or with no chat named the first row; else the list's heading. While another of the sidebar's views shows, the list
 * is hidden and can take no focus: the keyboard goes to the Chats tab, one key away from it.
 */
export function placeInChatsList(document: Document, roomId: number | null): HTMLElement | null {
  const tab = document.getElementById('view-tab-chats');
  if (tab?.getAttribute('aria-selected') === 'false') return tab;
  const described = roomId === null ? '^="chat-preview-"' : `="chat-preview-${roomId}"`;
  const row = document.querySelector<HTMLElement>(`button[aria-describedby${described}]`);
  if (row) return row;
  const heading = document.getElementById('chats-heading');
  // A heading takes the focus only when told it may, and stays out of the Tab order.
  heading?.setAttribute('tabindex', '-1');
  return heading;
}
