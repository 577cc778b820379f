// Values at the edges of a contract field's rule, derived from its pattern: the shortest and the longest, each end of
// every character range and every single allowed character at the first and last place of its part, each
// alternative, and the just-invalid neighbours (one character outside a class, one repetition too few or too many,
// one character over the maximum length). Tests feed them to every validator of the field (HTTP DTO, command and
// event schemas) to show that all of them draw the line in the same place.
import type { FieldRule } from './index';

/** Characters tried inside and outside each class: printable ASCII, whitespace, non-ASCII, a surrogate pair and a
 *  variation selector (length counters disagree on the last two). */
const probes: string[] = [
  ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)),
  '\t',
  '\n',
  '\r',
  '\u0000',
  'é',
  '\u2028',
  '😀',
  '\uFE0F',
];

interface CharClass {
  kind: 'class';
  /** One fixed character (a literal): a few neighbours stand for "anything else" instead of every probe. */
  literal?: boolean;
  /** The edge members tried as valid characters: both ends of each range, every single character. */
  edges: string[];
  test(char: string): boolean;
}
interface Group {
  kind: 'group';
  alternatives: Term[][];
}
interface Term {
  atom: CharClass | Group;
  min: number;
  max: number;
}

export interface EdgeValues {
  /** Edge values the rule accepts, shortest first. */
  valid: string[];
  /** Edge values the rule refuses. */
  invalid: string[];
}

/** Edge values of a field rule, each classified by the rule itself (pattern and maximum length). */
export function edgeValues(rule: Pick<FieldRule, 'pattern' | 'regex' | 'maxLength'>): EdgeValues {
  const sequence = parsePattern(rule.pattern);
  const candidates = new Set<string>(['', ...sequenceVariants(sequence, rule.maxLength)]);
  const base = minimal(sequence);
  for (const outside of [' ', '\n', '\t']) {
    candidates.add(outside + base);
    candidates.add(base + outside);
  }
  const accepts = (value: string): boolean =>
    rule.regex.test(value) && (rule.maxLength === undefined || [...value].length <= rule.maxLength);
  const all = [...candidates].toSorted((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  return { valid: all.filter(accepts), invalid: all.filter((value) => !accepts(value)) };
}

function minimal(sequence: Term[]): string {
  return sequence.map((term) => repeatAtom(term.atom, term.min)).join('');
}

function firstOf(atom: CharClass | Group): string {
  return atom.kind === 'class' ? atom.edges[0]! : minimal(atom.alternatives[0]!);
}

function repeatAtom(atom: CharClass | Group, count: number): string {
  return firstOf(atom).repeat(count);
}

/** A repetition count for "as many as allowed": the maximum, or enough to reach the length limit when unbounded. */
function longCount(term: Term, otherLength: number, maxLength: number | undefined): number {
  if (Number.isFinite(term.max)) return term.max;
  const unit = [...firstOf(term.atom)].length || 1;
  return maxLength === undefined ? term.min + 64 : Math.max(term.min, Math.floor((maxLength - otherLength) / unit));
}

/** Every variant of a sequence: one term varied at a time, the others minimal, plus every term at its longest. */
function sequenceVariants(sequence: Term[], maxLength: number | undefined): string[] {
  const parts = sequence.map((term) => repeatAtom(term.atom, term.min));
  const out: string[] = [];
  const fixedLength = (skip: number) =>
    parts.reduce((sum, part, index) => (index === skip ? sum : sum + [...part].length), 0);
  sequence.forEach((term, index) => {
    const before = parts.slice(0, index).join('');
    const after = parts.slice(index + 1).join('');
    for (const middle of termVariants(term, longCount(term, fixedLength(index), maxLength)))
      out.push(before + middle + after);
  });
  const longest = sequence.map((term, index) => repeatAtom(term.atom, longCount(term, fixedLength(index), maxLength)));
  const longestText = longest.join('');
  out.push(longestText);
  if (maxLength !== undefined) {
    // Right at the length limit and one over it, ending with characters that length counters count differently.
    for (const tail of ['', 'é', '😀', '\uFE0F'])
      for (const length of [maxLength, maxLength + 1]) {
        const stretched = stretch(sequence, length, tail);
        if (stretched !== undefined) out.push(stretched);
      }
  }
  return out;
}

const codePoints = (text: string): number => [...text].length;

/**
 * The sequence at its minimum but for its last stretchable part (an unbounded class, also inside a group), filled so
 * that the whole is `length` code points long and ends with `tail`; undefined when nothing can stretch that far.
 */
function stretch(sequence: Term[], length: number, tail: string): string | undefined {
  for (let index = sequence.length - 1; index >= 0; index--) {
    const term = sequence[index]!;
    const others = sequence.map((each, at) => (at === index ? '' : repeatAtom(each.atom, each.min)));
    const room = length - codePoints(others.join(''));
    let body: string | undefined;
    if (term.atom.kind === 'class' && !Number.isFinite(term.max)) {
      const count = room - codePoints(tail);
      if (count >= term.min && (tail === '' || term.atom.test(tail))) body = repeatAtom(term.atom, count) + tail;
    } else if (term.atom.kind === 'group' && term.max >= 1) {
      const rest = firstOf(term.atom).repeat(Math.max(term.min, 1) - 1);
      const inner = stretch(term.atom.alternatives[0]!, room - codePoints(rest), tail);
      if (inner !== undefined) body = rest + inner;
    }
    if (body !== undefined) return [...others.slice(0, index), body, ...others.slice(index + 1)].join('');
  }
  return undefined;
}

/** Variants of one term: repetition counts at and just past its bounds, and each edge or outside character in it. */
function termVariants(term: Term, longest: number): string[] {
  const { atom, min, max } = term;
  const out: string[] = [];
  const counts = new Set([min, Math.min(longest, max), min - 1, Number.isFinite(max) ? max + 1 : longest + 1]);
  if (min === 0 && max >= 1) counts.add(1);
  for (const count of counts) if (count >= 0) out.push(repeatAtom(atom, count));
  const places = Math.max(min, 1);
  const fill = firstOf(atom).repeat(places - 1);
  const atFirstAndLast = (piece: string) => [piece + fill, fill + piece];
  if (atom.kind === 'class') {
    for (const char of atom.edges) out.push(...atFirstAndLast(char));
    const outside = atom.literal
      ? [' ', '\n', atom.edges[0] === 'x' ? 'y' : 'x', atom.edges[0] === '-' ? '_' : '-']
      : probes;
    for (const char of outside) if (!atom.test(char)) out.push(...atFirstAndLast(char));
  } else {
    for (const alternative of atom.alternatives)
      for (const variant of sequenceVariants(alternative, undefined)) out.push(...atFirstAndLast(variant));
  }
  return out;
}

// A parser for the regular-expression subset the contracts use: anchors, literals and escapes, character classes
// (ranges, negation), groups with alternatives, and the quantifiers ? * + {n} {n,} {n,m}.
function parsePattern(pattern: string): Term[] {
  if (!pattern.startsWith('^') || !pattern.endsWith('$'))
    throw new Error(`edgeValues: pattern must be anchored: ${pattern}`);
  const state = { text: pattern.slice(1, -1), at: 0 };
  const alternatives = parseAlternatives(state);
  if (state.at !== state.text.length) throw new Error(`edgeValues: cannot read '${pattern}' at ${state.at + 1}`);
  return alternatives.length === 1 ? alternatives[0]! : [{ atom: { kind: 'group', alternatives }, min: 1, max: 1 }];
}

function parseAlternatives(state: { text: string; at: number }): Term[][] {
  const alternatives: Term[][] = [[]];
  while (state.at < state.text.length) {
    const char = state.text[state.at]!;
    if (char === ')') break;
    if (char === '|') {
      state.at++;
      alternatives.push([]);
      continue;
    }
    let atom: CharClass | Group;
    if (char === '(') {
      state.at++;
      if (state.text.startsWith('?:', state.at)) state.at += 2;
      atom = { kind: 'group', alternatives: parseAlternatives(state) };
      if (state.text[state.at] !== ')') throw new Error(`edgeValues: unclosed group in '${state.text}'`);
      state.at++;
    } else if (char === '[') {
      atom = parseClass(state);
    } else {
      const literal = readChar(state);
      atom = { kind: 'class', literal: true, edges: [literal], test: (c) => c === literal };
    }
    const [min, max] = parseQuantifier(state);
    alternatives.at(-1)!.push({ atom, min, max });
  }
  return alternatives;
}

const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\u0000' };

function readChar(state: { text: string; at: number }, inClass = false): string {
  const char = state.text[state.at++]!;
  if (char === '.' && !inClass) throw new Error("edgeValues: '.' is not supported; use a class");
  if (char === '\\') {
    const escaped = state.text[state.at++]!;
    if (/[dDwWsSbB]/.test(escaped)) throw new Error(`edgeValues: '\\${escaped}' is not supported; use a class`);
    return escapes[escaped] ?? escaped;
  }
  return char;
}

function parseClass(state: { text: string; at: number }): CharClass {
  state.at++; // [
  const negated = state.text[state.at] === '^';
  if (negated) state.at++;
  const ranges: [string, string][] = [];
  while (state.text[state.at] !== ']') {
    if (state.at >= state.text.length) throw new Error(`edgeValues: unclosed class in '${state.text}'`);
    const from = readChar(state, true);
    if (state.text[state.at] === '-' && state.text[state.at + 1] !== ']') {
      state.at++;
      ranges.push([from, readChar(state, true)]);
    } else ranges.push([from, from]);
  }
  state.at++; // ]
  const inRanges = (c: string) => ranges.some(([from, to]) => c >= from && c <= to && [...c].length === 1);
  if (negated) {
    const test = (c: string) => [...c].length === 1 && !inRanges(c);
    return { kind: 'class', edges: probes.filter(test), test };
  }
  const edges = [...new Set(ranges.flatMap(([from, to]) => (from === to ? [from] : [from, to])))];
  return { kind: 'class', edges, test: inRanges };
}

function parseQuantifier(state: { text: string; at: number }): [number, number] {
  const char = state.text[state.at];
  if (char === '?' || char === '*' || char === '+') {
    state.at++;
    return char === '?' ? [0, 1] : char === '*' ? [0, Infinity] : [1, Infinity];
  }
  const braces = /^\{(\d+)(,(\d*))?\}/.exec(state.text.slice(state.at));
  if (!braces) return [1, 1];
  state.at += braces[0].length;
  const min = Number(braces[1]);
  const max = braces[2] === undefined ? min : braces[3] === '' ? Infinity : Number(braces[3]);
  return [min, max];
}
