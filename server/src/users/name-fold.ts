/**
 * A person's name, or a search for one, as the directory compares them: lower case, accents and other marks
 * dropped (compatibility decomposition, then marks removed, then recomposed, so that Hangul and the like stay
 * whole), white space runs made one space. `Émile`, `EMILE` and `emile` are one; a search matches a name by
 * prefix of this form, so `emi` finds all three.
 *
 * Stored folds are computed with this function: changing it needs a migration that recomputes them, as
 * migration 6 of each driver does.
 */
export function personNameFold(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .normalize('NFC')
    .replace(/\s+/gu, ' ');
}

/** What the directory's search matches a person's first name by: their whole name, so that "ada lo" finds Ada Lovelace. */
export function fullNameFold(firstName: string, lastName: string): string {
  return personNameFold(`${firstName} ${lastName}`);
}
