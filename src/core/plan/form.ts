/**
 * Form: split the bars into bar-aligned sections following one of the style's forms
 * (src/core/catalog/forms.ts), scaled to the length. Sections with the same `material` letter
 * carry the same theme (the first states it, the others return to it); different letters contrast.
 * Each section has an intensity (quiet intro, build, climax, release) the arrangement follows.
 */
import { FORMS, type FormFamily, type FormId, type SectionKind } from '../catalog/forms.ts';
import type { Rng } from '../rng.ts';

export interface PlannedSection {
  /** Display name: the material letter and its appearance ("A", "B", "A2"), or intro/outro/break. */
  name: string;
  kind: SectionKind;
  startBar: number;
  bars: number;
  /** 0–1: how full and loud this section is. */
  intensity: number;
  /** Which progression of the piece this section uses (index into the plan's progressions). */
  progression: number;
  /** Melody material: sections with the same letter share a theme; null for intro/outro/break. */
  material: string | null;
  /** 1 for the first statement of its material, 2 for its first return, … (0 without material). */
  appearance: number;
  /** How much a return varies its first statement (0 = exact, 1 = new); 0 for first statements. */
  variation: number;
  /** Melody density factor and register shift (semitones) for this section's material. */
  density: number;
  register: number;
  /** A deliberate break: the band stops (measures of continuity skip it). */
  break: boolean;
}

export interface FormOptions {
  /** The style's forms; the seed picks one. Default: verse-chorus. */
  forms?: readonly FormId[];
  rng?: Rng;
}

/** Largest plan length every family lists. */
const MAX_SECTIONS = 9;

/** Sections covering exactly `bars` bars. Loops get no intro or outro (they must repeat). */
export function planForm(bars: number, loop: boolean, opts: FormOptions = {}): PlannedSection[] {
  if (bars <= 0) return [];
  const forms = opts.forms?.length ? opts.forms : (['verse-chorus'] as const);
  const family = FORMS[opts.rng ? opts.rng.pick(forms) : forms[0]!];
  let intro = loop ? 0 : bars >= 32 ? 4 : bars >= 10 ? 2 : 0;
  let outro = loop ? 0 : bars >= 24 ? 4 : bars >= 14 ? 2 : 0;
  // Keep room for a statement, a contrast and a return of four bars each.
  while (bars - intro - outro < 12 && (intro || outro)) {
    if (intro >= outro && intro) intro -= 2;
    else outro -= 2;
  }
  const body = bars - intro - outro;
  const sections: PlannedSection[] = [];
  let bar = 0;
  if (intro) {
    sections.push(frame('intro', 0, intro, 0.35));
    bar = intro;
  }
  for (const s of bodySections(family, body, opts.rng)) {
    sections.push({ ...s, startBar: bar });
    bar += s.bars;
  }
  if (outro) sections.push(frame('outro', bar, outro, 0.4));
  return sections;
}

function frame(kind: 'intro' | 'outro', startBar: number, bars: number, intensity: number): PlannedSection {
  return { name: kind, kind, startBar, bars, intensity, progression: 0, material: null, appearance: 0, variation: 0, density: 1, register: 0, break: false };
}

/**
 * The body: phrases of 4 bars in short pieces, 8 in longer ones and 16 in long ones, so a plan
 * has at most MAX_SECTIONS sections; the remainder lengthens contrasting sections.
 */
function bodySections(family: FormFamily, body: number, rng: Rng | undefined): Omit<PlannedSection, 'startBar'>[] {
  if (body < 4) return [bodySection(family, 'A', 1, body)];
  const phrase = body < 40 ? 4 : body < 8 * (MAX_SECTIONS + 1) ? 8 : 16;
  const whole = Math.max(1, Math.min(MAX_SECTIONS, Math.floor(body / phrase)));
  let remainder = body - phrase * whole;
  // In short pieces a remainder of two bars or more is a short section of its own.
  const extra = phrase === 4 && remainder >= 2 && whole < MAX_SECTIONS ? remainder : 0;
  const count = whole + (extra ? 1 : 0);
  remainder -= extra;
  const options = family.plans[count] ?? family.plans[1]!;
  const letters = [...(rng ? rng.pick(options) : options[0]!)];
  // The theme is the first letter (a build-drop plan may open on the build): its returns keep
  // whole phrases, since a return needs the theme's four-bar units.
  const theme = letters[0]!;
  // The short one is new material.
  const shortAt = letters.map((l) => l !== theme).lastIndexOf(true);
  const lengths = letters.map((_, i) => (extra && i === (shortAt < 0 ? letters.length - 1 : shortAt) ? extra : phrase));
  // Spread the remainder over the contrasting sections (new material takes any length), else the returns.
  const contrast = letters.flatMap((l, i) => (l !== theme ? [i] : []));
  const takers = contrast.length ? contrast : letters.flatMap((_, i) => (i > 0 ? [i] : [0]));
  takers.forEach((index, k) => {
    lengths[index]! += Math.floor(remainder / takers.length) + (k < remainder % takers.length ? 1 : 0);
  });
  const seen = new Map<string, number>();
  const out: Omit<PlannedSection, 'startBar'>[] = [];
  letters.forEach((letter, i) => {
    const appearance = (seen.get(letter) ?? 0) + 1;
    seen.set(letter, appearance);
    let bars = lengths[i]!;
    // A one-bar break before a returning drop, taken from the section before it, unless that is
    // a return of the theme with no bar to spare; then from the drop itself when it can spare one.
    const prev = out[out.length - 1];
    if (family.breakBefore === letter && appearance > 1 && prev && !prev.break) {
      const prevCanSpare = prev.bars >= 4 && !(prev.material === theme && prev.bars - 1 < 4);
      const dropCanSpare = letter !== theme && bars >= 5;
      if (prevCanSpare || dropCanSpare) {
        if (prevCanSpare) prev.bars -= 1;
        else bars -= 1;
        out.push({ ...frame('intro', 0, 1, 0.3), name: 'break', kind: 'break', break: true });
      }
    }
    out.push(bodySection(family, letter, appearance, bars));
  });
  return out;
}

function bodySection(family: FormFamily, letter: string, appearance: number, bars: number): Omit<PlannedSection, 'startBar'> {
  const role = family.roles[letter] ?? family.roles.A!;
  const variation = appearance === 1 ? 0 : (family.returnVariation[Math.min(appearance - 2, family.returnVariation.length - 1)] ?? 0.15);
  return {
    name: appearance === 1 ? letter : `${letter}${appearance}`,
    kind: role.kind,
    bars,
    intensity: Math.min(1, role.intensity + family.climb * (appearance - 1)),
    progression: role.progression,
    material: letter,
    appearance,
    variation,
    density: role.density,
    register: role.register,
    break: false,
  };
}
