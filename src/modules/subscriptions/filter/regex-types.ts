/** A test of one code point; character classes, literals and `.` all compile to one. */
export type CharTest = (cp: number) => boolean;

export class RegexSyntaxError extends Error {}
