/**
 * Form: split the bars into bar-aligned sections (intro / A / B / bridge / outro) scaled to the
 * length, each with an intensity that drives density, dynamics and which layers play.
 */
export interface PlannedSection {
  name: string;
  startBar: number;
  bars: number;
  /** 0–1: how full and loud this section is. */
  intensity: number;
  /** Which progression of the piece this section uses (0 = verse, 1 = chorus, 2 = bridge). */
  progression: number;
}

const BODY_LABELS: readonly { name: string; intensity: number; progression: number }[] = [
  { name: 'A', intensity: 0.65, progression: 0 },
  { name: 'B', intensity: 0.9, progression: 1 },
  { name: 'A2', intensity: 0.75, progression: 0 },
  { name: 'bridge', intensity: 0.6, progression: 2 },
  { name: 'B2', intensity: 1, progression: 1 },
  { name: 'A3', intensity: 0.8, progression: 0 },
];

/** Sections covering exactly `bars` bars. Loops get no intro or outro (they must repeat). */
export function planForm(bars: number, loop: boolean): PlannedSection[] {
  if (bars <= 0) return [];
  const intro = loop ? 0 : bars >= 32 ? 4 : bars >= 8 ? 2 : 0;
  const outro = loop ? 0 : bars >= 24 ? 4 : bars >= 12 ? 2 : 0;
  const body = bars - intro - outro;
  const sections: PlannedSection[] = [];
  let bar = 0;
  if (intro) {
    sections.push({ name: 'intro', startBar: 0, bars: intro, intensity: 0.4, progression: 0 });
    bar = intro;
  }
  // Phrases of 8 bars (4 in short pieces); a remainder of 4+ bars is a phrase of its own,
  // a shorter one lengthens the last phrase.
  const phrase = body >= 16 ? 8 : 4;
  const lengths: number[] = Array.from({ length: Math.max(1, Math.floor(body / phrase)) }, () => phrase);
  const remainder = body - lengths.length * phrase;
  if (body < phrase) lengths.splice(0, lengths.length, body);
  else if (remainder >= 4 || (phrase === 4 && remainder >= 2)) lengths.push(remainder);
  else lengths[lengths.length - 1]! += remainder;
  lengths.forEach((len, i) => {
    // Past the table, alternate verse and chorus material.
    const label = BODY_LABELS[i] ?? { name: i % 2 ? `B${Math.floor(i / 2)}` : `A${Math.floor(i / 2) + 1}`, intensity: i % 2 ? 0.95 : 0.75, progression: i % 2 };
    sections.push({ name: label.name, startBar: bar, bars: len, intensity: label.intensity, progression: label.progression });
    bar += len;
  });
  if (outro) sections.push({ name: 'outro', startBar: bar, bars: outro, intensity: 0.45, progression: 0 });
  return sections;
}
