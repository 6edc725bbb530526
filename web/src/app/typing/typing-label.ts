/** What a chat shows while people type in it, by their first names, first to start first. */
export function typingLabel(firstNames: readonly string[]): string {
  switch (firstNames.length) {
    case 0:
      return '';
    case 1:
      return `${firstNames[0]} is typing…`;
    case 2:
      return `${firstNames[0]} and ${firstNames[1]} are typing…`;
    default:
      return 'Several people are typing…';
  }
}
