/**
 * An edit of a piece (src/core/edit.ts) → the cheapest job that makes exactly what was asked,
 * and the words that say what changed and what was kept. Pure: no Discord, no Redis.
 *
 *  - Re-render (the same notes, nothing composed again): tempo, transposition to a key in the same
 *    mode, instruments swapped, removed or added as a layer doubling a part, drums removed, audio
 *    format, SoundFont. "tempo 82 → 70 bpm; key and melody kept".
 *  - Extend (the piece note for note, then more music): longer, and nothing else but format or font.
 *  - Compose again with the same seed ("like this but …"): mood, style, energy, a change of mode,
 *    meter, loop, drums added, shorter, or length together with a re-render change. With
 *    "another", a new seed.
 */
import { StyleCatalog, type Energy } from '../../core/catalog/index.ts';
import { isBassProgram, isPadProgram } from '../../core/catalog/instruments.ts';
import type { EditChange } from '../../core/edit.ts';
import { formatKey, parseKey } from '../../core/keys.ts';
import { checkInstrument, CompositionRequestSchema, LIMITS, type CompositionRequest } from '../../core/request.ts';
import type { KeySignature, Role } from '../../core/score.ts';
import { formatLength, rerenderRequest, scaledBpm, semitonesBetween, transposeKey } from '../../midi/transform.ts';
import { TransformSchema, type RenderSpec, type Transform } from '../../queue/jobs.ts';

export interface EditSource {
  request: CompositionRequest;
  summary: { title: string; bpm: number; durationSec: number; key: string; loop: boolean; seed: number };
  render: RenderSpec;
  /** The piece's tracks (from its MIDI file). */
  tracks: { role: Role; program: number }[];
}

interface Described {
  /** What changes, e.g. "tempo 82 → 70 bpm". */
  changed: string[];
  /** What stays, e.g. ["key", "melody"]. */
  kept: string[];
  /** Asked for but already so, or impossible here and left alone ("there is no flute to remove"). */
  notes: string[];
}

export type EditPlan =
  | ({ kind: 'rerender'; transform: Transform; request: CompositionRequest; render: RenderSpec } & Described)
  | ({ kind: 'extend'; request: CompositionRequest; render: RenderSpec } & Described)
  | ({ kind: 'compose'; request: CompositionRequest; render: RenderSpec } & Described)
  | { kind: 'refuse'; message: string };

const ENERGY_LEVELS: Energy[] = ['low', 'medium', 'high'];
type Pitched = Exclude<Role, 'drums' | 'perc'>;
const round2 = (x: number) => Math.round(x * 100) / 100;
const bpmText = (x: number) => String(Number(x.toFixed(2)));

/** "a, b and c". */
export function listAnd(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** The one line a reply shows above the result: "tempo 82 → 70 bpm; key and melody kept". */
export function editNote(plan: Described): string {
  const kept = plan.kept.length ? `${listAnd(plan.kept)} kept` : '';
  return [...plan.changed, kept, ...plan.notes].filter(Boolean).join('; ');
}

export function planEdit(source: EditSource, change: EditChange, opts: { maxDurationSec: number; randomSeed: () => number }): EditPlan {
  const s = source.summary;
  const request = source.request;
  const key: KeySignature = parseKey(s.key) ?? { tonic: 'C', mode: 'major' };
  const maxLength = Math.min(opts.maxDurationSec, LIMITS.duration.max);
  const changed: string[] = [];
  const notes: string[] = [];
  const refuse = (message: string): EditPlan => ({ kind: 'refuse', message });

  // Tempo
  let bpm: number | undefined;
  if (change.tempo) {
    const t = change.tempo;
    bpm = round2('set' in t ? t.set : 'scale' in t ? s.bpm * t.scale : s.bpm + t.delta);
    if (bpm < LIMITS.tempo.min || bpm > LIMITS.tempo.max) {
      return refuse(`That would be ${bpmText(bpm)} bpm; I write ${LIMITS.tempo.min}–${LIMITS.tempo.max} bpm (this piece is at ${bpmText(s.bpm)}).`);
    }
    if (Math.abs(bpm - s.bpm) < 0.01) {
      notes.push(`tempo is already ${bpmText(s.bpm)} bpm`);
      bpm = undefined;
    }
  }

  // Key
  let target: KeySignature = key;
  if (change.key) target = { tonic: parseKey(`${change.key.tonic} major`)?.tonic ?? change.key.tonic, mode: change.key.mode ?? key.mode } as KeySignature;
  if (change.mode) target = { ...target, mode: change.mode } as KeySignature;
  if (change.transpose) target = transposeKey(target, Math.max(-11, Math.min(11, change.transpose)));
  const modeChanged = target.mode !== key.mode;
  const keyChanged = formatKey(target) !== formatKey(key);
  if ((change.key || change.mode || change.transpose) && !keyChanged) notes.push(`it is already in ${formatKey(key)}`);
  const transpose = keyChanged && !modeChanged ? semitonesBetween(key, target) : 0;

  // Length
  let length: number | undefined;
  if (change.length) {
    const l = change.length;
    length = Math.round('set' in l ? l.set : 'scale' in l ? s.durationSec * l.scale : s.durationSec + l.delta);
    if (length < LIMITS.duration.min) return refuse(`That would last ${length} s; pieces last at least ${LIMITS.duration.min} s.`);
    if (length > maxLength) {
      if (s.durationSec >= maxLength - 1) return refuse(`It already lasts ${formatLength(s.durationSec)}, and pieces here can be up to ${maxLength} s.`);
      notes.push(`${formatLength(length)} is over the ${maxLength} s allowed here, so ${formatLength(maxLength)}`);
      length = maxLength;
    }
    if (Math.abs(length - s.durationSec) < 0.5) {
      notes.push(`it already lasts ${formatLength(s.durationSec)}`);
      length = undefined;
    }
  }

  // Instruments and drums, as a re-render would do them
  const pitched = source.tracks.filter((t): t is { role: Pitched; program: number } => t.role !== 'drums' && t.role !== 'perc');
  const hasDrums = source.tracks.some((t) => t.role === 'drums' || t.role === 'perc');
  const programs: Partial<Record<Pitched, number>> = {};
  const drop = new Set<Role>();
  const layers: { role: Pitched; program: number }[] = [];
  const instrumentWords: string[] = [];
  const resolve = (asked: string) => {
    const c = checkInstrument(asked);
    return c.ok ? c.value : null;
  };
  const holding = (program: number) => {
    const exact = pitched.filter((t) => t.program === program);
    return exact.length ? exact : pitched.filter((t) => t.program >> 3 === program >> 3);
  };
  for (const asked of change.remove ?? []) {
    const inst = resolve(asked);
    const found = inst ? holding(inst.program) : [];
    if (!found.length) notes.push(`there is no ${asked} in it to remove`);
    for (const t of found) drop.add(t.role);
    if (found.length) instrumentWords.push(`${asked} removed`);
  }
  for (const sw of change.swap ?? []) {
    const to = resolve(sw.to);
    if (!to) continue;
    const from = sw.from ? resolve(sw.from) : null;
    const found = from ? holding(from.program) : pitched.filter((t) => t.role === 'lead');
    if (!found.length) {
      notes.push(sw.from ? `there is no ${sw.from} in it to swap` : 'it has no lead to put on another instrument');
      continue;
    }
    for (const t of found) programs[t.role] = to.program;
    instrumentWords.push(sw.from ? `${sw.from} → ${sw.to}` : `lead on ${sw.to}`);
  }
  for (const asked of change.add ?? []) {
    const inst = resolve(asked);
    if (!inst) continue;
    if (pitched.some((t) => t.program === inst.program) || Object.values(programs).includes(inst.program)) {
      notes.push(`it already has ${asked}`);
      continue;
    }
    const role: Pitched = isBassProgram(inst.program) ? 'bass' : isPadProgram(inst.program) && pitched.some((t) => t.role === 'harmony') ? 'harmony' : 'lead';
    if (layers.length < 3 && pitched.some((t) => t.role === role)) {
      layers.push({ role, program: inst.program });
      instrumentWords.push(`${asked} added (doubling the ${role === 'harmony' ? 'chords' : role})`);
    }
  }
  let drumsOn = false;
  if (change.drums === false) {
    if (!hasDrums) notes.push('it has no drums already');
    else {
      for (const t of source.tracks) if (t.role === 'drums' || t.role === 'perc') drop.add(t.role);
      instrumentWords.push('drums removed');
    }
  } else if (change.drums === true) {
    if (hasDrums) notes.push('it has drums already');
    else drumsOn = true;
  }
  if (pitched.length && pitched.every((t) => drop.has(t.role))) return refuse('That would leave no instrument playing. Name one to swap instead, e.g. "piano instead of guitar".');

  // Attributes that need composing again
  const next: CompositionRequest = { ...request };
  const words: string[] = [];
  if (change.style && change.style !== request.style) {
    next.style = change.style;
    words.push(`style ${request.style} → ${change.style}`);
  }
  if (change.mood && change.mood !== request.mood) {
    next.mood = change.mood;
    words.push(`mood ${request.mood} → ${change.mood}`);
  }
  if (change.energy) {
    const now = request.energy ?? StyleCatalog.mood(next.mood).energy;
    const i = ENERGY_LEVELS.indexOf(now);
    const wanted = change.energy === 'up' ? ENERGY_LEVELS[Math.min(2, i + 1)]! : change.energy === 'down' ? ENERGY_LEVELS[Math.max(0, i - 1)]! : change.energy;
    if (wanted === now) notes.push(`energy is already ${now}`);
    else {
      next.energy = wanted;
      words.push(`energy ${now} → ${wanted}`);
    }
  }
  if (change.meter && change.meter !== (request.meter ?? '')) {
    const meter = CompositionRequestSchema.shape.meter.safeParse(change.meter);
    if (meter.success && meter.data) {
      next.meter = meter.data;
      words.push(`meter ${change.meter}`);
    }
  }
  if (change.loop !== undefined && change.loop !== s.loop) {
    next.loop = change.loop;
    words.push(change.loop ? 'now a seamless loop' : 'now with an ending');
  }
  if (drumsOn) {
    const feel = StyleCatalog.style(next.style).drumFeel;
    if (feel === 'none' || feel === 'cinematic') return refuse(`${StyleCatalog.style(next.style).name} pieces are written without a drum kit. Try drums with another style, e.g. "as lofi with drums".`);
    next.drums = true;
    words.push('drums added');
  }
  if (modeChanged) words.push(`key ${formatKey(key)} → ${formatKey(target)}`);
  const newSeed = change.newSeed === true;
  if (newSeed) {
    let seed = opts.randomSeed();
    if (seed === request.seed) seed = (seed + 1) % (LIMITS.seed.max + 1);
    next.seed = seed;
  }

  const render: RenderSpec = { format: change.format ?? source.render.format, ...((change.soundfont ?? source.render.soundfont) ? { soundfont: change.soundfont ?? source.render.soundfont } : {}) };
  const renderWords: string[] = [];
  if (render.format !== source.render.format) renderWords.push(`format ${source.render.format} → ${render.format}`);
  if ((render.soundfont ?? 'fluidr3') !== (source.render.soundfont ?? 'fluidr3')) renderWords.push(`SoundFont ${source.render.soundfont ?? 'fluidr3'} → ${render.soundfont}`);
  if (change.format && render.format === source.render.format) notes.push(`it is already ${render.format}`);

  const rerenderChanges = bpm !== undefined || transpose !== 0 || Object.keys(programs).length > 0 || drop.size > 0 || layers.length > 0;
  const composeNeeded = words.length > 0 || newSeed || (length !== undefined && (length < s.durationSec || rerenderChanges));

  if (composeNeeded) {
    // Every change goes into the request; the instruments become the request's list.
    if (bpm !== undefined) next.tempo = bpm;
    if (keyChanged) next.key = target as CompositionRequest["key"];
    if (length !== undefined) next.durationSec = length;
    let list = [...request.instruments];
    for (const asked of change.remove ?? []) {
      const inst = resolve(asked);
      if (inst) list = list.filter((i) => i.program !== inst.program);
    }
    for (const sw of change.swap ?? []) {
      const to = resolve(sw.to);
      const from = sw.from ? resolve(sw.from) : null;
      if (!to) continue;
      list = from ? list.filter((i) => i.program !== from.program) : list.slice(1);
      list.unshift(to);
    }
    for (const asked of change.add ?? []) {
      const inst = resolve(asked);
      if (inst && !list.some((i) => i.program === inst.program)) list.push(inst);
    }
    next.instruments = list.slice(0, LIMITS.instruments);
    if (change.drums === false && hasDrums) next.drums = false;
    const parsed = CompositionRequestSchema.safeParse(next);
    if (!parsed.success) return refuse("I can't make that change to this piece.");
    const all = [
      ...words,
      ...(bpm !== undefined ? [`tempo ${bpmText(s.bpm)} → ${bpmText(bpm)} bpm`] : []),
      ...(keyChanged && !modeChanged ? [`key ${formatKey(key)} → ${formatKey(target)}`] : []),
      ...(length !== undefined ? [`length ${formatLength(s.durationSec)} → ${formatLength(length)}`] : []),
      ...instrumentWords,
      ...renderWords,
    ];
    const kept: string[] = [];
    if (newSeed) all.unshift(`a new piece (seed ${request.seed} → ${next.seed})`);
    else kept.push(`seed ${request.seed}`);
    if (!change.style) kept.push('style');
    if (!change.mood) kept.push('mood');
    if (length === undefined) kept.push('length');
    return { kind: 'compose', request: parsed.data, render, changed: all, kept, notes };
  }

  if (length !== undefined) {
    // Longer, and nothing else that touches the notes: extend.
    const extended = CompositionRequestSchema.parse({ ...request, durationSec: length, loop: false });
    return { kind: 'extend', request: extended, render, changed: [`length ${formatLength(s.durationSec)} → ${formatLength(length)}`, ...renderWords], kept: [`the first ${formatLength(s.durationSec)} note for note`], notes };
  }

  if (!rerenderChanges && !renderWords.length) {
    return refuse(notes.length ? `Nothing to change: ${notes.join('; ')}.` : 'Nothing to change.');
  }
  const transform = TransformSchema.parse({
    tempoScale: bpm !== undefined ? bpm / s.bpm : 1,
    transpose,
    ...(Object.keys(programs).length ? { programs } : {}),
    ...(drop.size ? { drop: [...drop] } : {}),
    ...(layers.length ? { layers } : {}),
  });
  let rerendered: CompositionRequest;
  try {
    rerendered = rerenderRequest(request, { bpm: s.bpm, durationSec: s.durationSec, key }, transform);
  } catch (error) {
    if (error instanceof RangeError) return refuse(`I can't re-render it like that: ${error.message}.`);
    throw error;
  }
  if (rerendered.durationSec > maxLength + 0.5) {
    return refuse(`At ${bpmText(bpm ?? s.bpm)} bpm it would last ${formatLength(rerendered.durationSec)}, over the ${maxLength} s allowed here.`);
  }
  const newBpm = scaledBpm(s.bpm, transform.tempoScale, s.loop);
  const all = [
    ...(bpm !== undefined ? [`tempo ${bpmText(s.bpm)} → ${bpmText(newBpm)} bpm (length ${formatLength(s.durationSec)} → ${formatLength(rerendered.durationSec)})`] : []),
    ...(transpose ? [`key ${formatKey(key)} → ${formatKey(target)}`] : []),
    ...instrumentWords,
    ...renderWords,
  ];
  const kept = [...(bpm === undefined ? ['tempo'] : []), ...(transpose === 0 ? ['key'] : []), 'melody'];
  return { kind: 'rerender', transform, request: rerendered, render, changed: all, kept, notes };
}
