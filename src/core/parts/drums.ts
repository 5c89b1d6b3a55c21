/**
 * Drums on the GM kit (channel 10), the pattern library for styles whose drums the Groove MIDI data
 * set does not cover (see the catalog's grooveStyles): one groove per drum feel, thinned in quiet
 * sections (the feel's core stays: four-on-the-floor keeps its kick), a crash at section starts, a
 * fill into the next section, and in dance feels a snare roll and a one-beat break before a drop.
 * Pattern strings: one char per sixteenth; X accent, x normal, o soft, g ghost, . rest.
 */
import type { DrumFeel } from '../catalog/styles.ts';
import type { Plan } from '../plan/plan.ts';
import type { Rng } from '../rng.ts';
import type { ScoreNote } from '../score.ts';
import { STEP, clampVelocity, gridNote, intensityAt, stepsPerBar } from './context.ts';

export const GM = {
  kick: 36, rim: 37, snare: 38, clap: 39, electricSnare: 40, floorTom: 41, closedHat: 42, lowTom: 45, pedalHat: 44,
  openHat: 46, midTom: 47, crash: 49, highTom: 50, ride: 51, tambourine: 54, shaker: 70,
} as const;

type Groove = Partial<Record<keyof typeof GM, string>>;

const GROOVES_16: Partial<Record<DrumFeel, Groove>> = {
  'four-on-floor': { kick: 'X...X...X...X...', clap: '....x.......x...', openHat: '..x...x...x...x.', closedHat: 'o.o.o.o.o.o.o.o.', shaker: '.o.o.o.o.o.o.o.o' },
  'boom-bap': { kick: 'x.........x.o...', snare: '....X.......X...', closedHat: 'x.o.x.o.x.o.x.oo' },
  halftime: { kick: 'x......x..x.....', snare: '........X.......', closedHat: 'xoxoxoxoxoxoxoxo' },
  rock: { kick: 'x.....x.x.......', snare: '....X.......X...', closedHat: 'x.x.x.x.x.x.x.x.' },
  funk: { kick: 'x..x..x...x..x..', snare: '....X..g.g..X..g', closedHat: 'xoxoxoxoxoxoxoxo' },
  'jazz-swing': { ride: 'x...x.x.x...x.x.', pedalHat: '....x.......x...', kick: 'g...g...g...g...', snare: '......g.......g.' },
  bossa: { kick: 'x..xx..xx..xx..x', rim: 'x..x..x...x..x..', closedHat: 'o.o.o.o.o.o.o.o.' },
  // Noise-channel percussion: a tight electric snare and sixteenth hats, no cymbals in the beat.
  chiptune: { kick: 'x.....x.x.......', electricSnare: '....x.......x...', closedHat: 'xoooxoooxoooxooo' },
  synthwave: { kick: 'x...x...x...x...', snare: '....X.......X...', closedHat: 'x.x.x.x.x.x.x.x.' },
  folk: { kick: 'x.......x.......', snare: '....o.......o...', tambourine: '..x...x...x...x.' },
};

/** 12-step bars: 3/4 (sixteenths) and 6/8 (eighths are two steps). */
const GROOVES_12: Record<string, Groove> = {
  '3/4': { kick: 'x...........', snare: '....o...o...', closedHat: 'x.o.x.o.x.o.' },
  '6/8': { kick: 'x.....o.....', snare: '......x.....', closedHat: 'x.o.o.x.o.o.' },
  waltz: { kick: 'o...........', closedHat: '....o...o...' },
  'jazz-swing': { ride: 'x...x.x.x...', pedalHat: '....x...x...', kick: 'g...........' },
};

/** What a quiet section keeps of each feel: time-keepers, plus the kick where it is the feel itself. */
const CORE: Partial<Record<DrumFeel, ReadonlySet<string>>> = {
  'four-on-floor': new Set(['kick', 'closedHat']),
  synthwave: new Set(['kick', 'closedHat']),
};
const TIMEKEEPERS: ReadonlySet<string> = new Set(['closedHat', 'ride', 'shaker', 'pedalHat']);
/** Feels that build into a drop: a snare roll over the last bar and a beat of silence before it. */
const BUILDS: ReadonlySet<DrumFeel> = new Set(['four-on-floor', 'synthwave']);

const VELOCITY: Record<string, number> = { X: 112, x: 92, o: 64, g: 34 };

function grooveFor(plan: Plan): Groove | null {
  const feel = plan.style.drumFeel;
  if (feel === 'none' || feel === 'cinematic') return null; // cinematic percussion is timpani (perc.ts)
  const steps = stepsPerBar(plan);
  if (steps === 16 && GROOVES_16[feel]) return GROOVES_16[feel];
  const meter = `${plan.meter.numerator}/${plan.meter.denominator}`;
  return GROOVES_12[feel] ?? GROOVES_12[meter] ?? GROOVES_12['3/4']!;
}

const TIGHT = new Set(['edm', 'chiptune', 'synthwave']);

export function writeDrums(plan: Plan, rng: Rng): ScoreNote[] {
  const groove = grooveFor(plan);
  if (!groove) return [];
  const notes: ScoreNote[] = [];
  const steps = stepsPerBar(plan);
  const tight = TIGHT.has(plan.style.id);
  const hit = (tick: number, drum: number, velocity: number) => {
    const jitter = tight ? 0 : rng.int(-6, 6);
    notes.push(gridNote(plan, Math.max(0, tick + jitter), STEP / 2, drum, clampVelocity(velocity + rng.int(-6, 6))));
  };

  const core = CORE[plan.style.drumFeel];
  plan.sections.forEach((section, index) => {
    const next = plan.sections[index + 1];
    const drop = BUILDS.has(plan.style.drumFeel) && next !== undefined && next.intensity >= section.intensity + 0.15;
    if (section.break) return; // the band stops (form.ts)
    for (let b = 0; b < section.bars; b++) {
      const bar = section.startBar + b;
      const barStart = bar * plan.barTicks;
      const intensity = intensityAt(plan, barStart);
      const isLastBar = b === section.bars - 1 && section.bars >= 2 && (index < plan.sections.length - 1 || plan.request.loop);
      const isBuildBar = isLastBar && drop && steps === 16;
      const isFillBar = isLastBar && !isBuildBar;
      const fillFrom = isFillBar ? steps - (intensity > 0.8 ? steps / 2 : steps / 4) : isBuildBar ? steps - 4 : steps;
      for (const [name, pattern] of Object.entries(groove) as [keyof typeof GM, string][]) {
        const quiet = intensity < 0.45;
        const kept = core?.has(name) || TIMEKEEPERS.has(name);
        // Quiet sections keep the feel's core and time-keeping, and otherwise the downbeat kick.
        if (quiet && !kept && name !== 'kick') continue;
        if (isBuildBar && name !== 'kick') continue;
        // A dance feel's kick keeps every beat through its fills: the floor never drops out of the groove.
        const until = isFillBar && name === 'kick' && BUILDS.has(plan.style.drumFeel) ? steps : Math.min(steps, fillFrom);
        for (let s = 0; s < until; s++) {
          const ch = pattern[s % pattern.length] ?? '.';
          if (ch === '.') continue;
          if (quiet && name === 'kick' && !kept && s !== 0) continue;
          if (ch === 'g' && intensity < 0.6) continue;
          const loudness = (VELOCITY[ch] ?? 80) * (0.75 + intensity * 0.3);
          hit(barStart + s * STEP, GM[name], loudness);
        }
      }
      if (b === 0 && (section.name !== 'intro' || intensity > 0.6) && intensity >= 0.5) hit(barStart, GM.crash, 100 * intensity);
      if (isFillBar) writeFill(plan, rng, barStart, fillFrom, steps, intensity, hit);
      if (isBuildBar) writeSnareRoll(barStart, steps - 4, hit);
    }
  });
  return notes;
}

/** A snare roll up to the break: eighths, then sixteenths, rising in velocity. */
function writeSnareRoll(barStart: number, until: number, hit: (tick: number, drum: number, velocity: number) => void): void {
  for (let s = 0; s < until; s += s < until / 2 ? 2 : 1) hit(barStart + s * STEP, GM.snare, 50 + (60 * s) / until);
}

function writeFill(plan: Plan, rng: Rng, barStart: number, from: number, steps: number, intensity: number, hit: (tick: number, drum: number, velocity: number) => void): void {
  const toms = [GM.highTom, GM.midTom, GM.lowTom, GM.floorTom];
  const span = steps - from;
  const unit = plan.style.swing >= 0.25 || span > 6 ? 2 : 1;
  for (let s = from, i = 0; s < steps; s += unit, i++) {
    const drum = rng.chance(0.5) ? GM.snare : toms[Math.min(toms.length - 1, Math.floor((i * toms.length * unit) / span))]!;
    hit(barStart + s * STEP, drum, 70 + (30 * (s - from)) / span * intensity);
  }
  if (!BUILDS.has(plan.style.drumFeel)) hit(barStart + from * STEP, GM.kick, 90);
}
