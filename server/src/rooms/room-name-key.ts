import unhomoglyph from 'unhomoglyph';

/**
 * The confusable skeleton of UTS #39 (§4): NFD, drop default-ignorable code points, map each character to
 * its prototype in Unicode's confusables.txt (the `unhomoglyph` package's copy), NFD again.
 */
function skeleton(text: string): string {
  return unhomoglyph(text.normalize('NFD').replace(/\p{Default_Ignorable_Code_Point}/gu, '')).normalize('NFD');
}

/**
 * The form of a room name that uniqueness and search use: names that look alike have one key, so `Lobby`,
 * `lobby`, `ＬＯＢＢＹ`, `L0BBY`, `Lоbby` (a Cyrillic о) and `ВООК` / `Book` (Cyrillic capitals) are each one
 * name.
 *
 * The skeleton alone is case-sensitive, and a name must match whatever its case. So the key is the skeleton
 * of the upper case (which catches capitals that only look Latin, like Cyrillic В and К), lowercased, and
 * skeletonised again (which catches what only looks alike in lower case, like `rn` and `m`). One key can only
 * be an equivalence, so what is alike in either case is one name: `MaIl` (capital i) looks like `Mall`, so
 * `mail` and `mall` are one name too. A key is for comparing only, never for display.
 *
 * Stored keys are computed with this function: changing it needs a migration that recomputes them, as
 * migration 3 of each driver does.
 */
export function roomNameKey(name: string): string {
  return skeleton(skeleton(name.normalize('NFKC').toUpperCase()).toLowerCase());
}

/**
 * A room name folded for case and width (NFKC, lower case): what search matches, by prefix, and what lists
 * of rooms are ordered by. Unlike the key it keeps letters and digits as they read, so `Room 2` sorts before
 * `Room 10`'s neighbours as people expect, and a search for `open` finds `Open Room` and not its Cyrillic
 * look-alike.
 */
export function roomNameFold(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}
