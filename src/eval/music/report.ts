/** The JSON and markdown of `npm run eval:music`. */
import { MEASURES, judge, type Judgement, type MeasureName, type PieceRecord } from './targets.ts';

export const MEASURE_LABELS: Record<MeasureName, { title: string; target: string }> = {
  themeReturn: { title: 'theme return', target: '≥ 50 % of returning units match the theme, every piece ≥ 45 s' },
  contrast: { title: 'contrast', target: '< 20 % of contrasting units match the theme' },
  fourOnTheFloor: { title: 'four on the floor', target: '≥ 80 % of drum bars (EDM, synthwave)' },
  noDrumKit: { title: 'no drum kit', target: 'no kit note (cinematic, classical, ambient, waltz)' },
  barLineGaps: { title: 'bar-line gaps', target: '< 2 % of bar lines (sustained accompaniment)' },
  dropouts: { title: 'audio drop-outs', target: '0 per minute' },
  leadAbove: { title: 'lead above', target: '≥ 3 semitones over the chords/pad top voice, every piece' },
  polyphony: { title: 'polyphony', target: '2.5–4.5 notes at once, every piece' },
  loudnessRange: { title: 'loudness range', target: 'LRA ≥ 5 LU and sections ≥ 3 LU apart (epic/energetic/dark, ≥ 60 s)' },
};

export interface MelodyOverlapRow {
  style: string;
  pieces: number;
  neural: number;
  rules: number;
}

export interface StyleReport {
  style: string;
  pieces: number;
  judgements: Record<MeasureName, Judgement>;
}

export function styleReports(pieces: readonly PieceRecord[], styles: readonly string[]): StyleReport[] {
  return styles.map((style) => {
    const mine = pieces.filter((p) => p.style === style);
    const judgements = {} as Record<MeasureName, Judgement>;
    for (const m of MEASURES) judgements[m] = judge(m, style, mine);
    return { style, pieces: mine.length, judgements };
  });
}

export interface MelodyReport {
  rows: MelodyOverlapRow[];
  pooled: MelodyOverlapRow;
  /** Pooled neural − rules, bootstrap 95 % interval (neural, rules and reference sets resampled). */
  difference: { point: number; lo: number; hi: number };
  reference: string;
}

export function markdownReport(opts: { title: string; command: string; generator: string; reports: readonly StyleReport[]; melody: MelodyReport | null }): string {
  const { reports } = opts;
  const lines: string[] = [`# ${opts.title}`, '', `\`${opts.command}\` — generator ${opts.generator}. Definitions: src/eval/music/*.ts (each module's comment).`, ''];
  lines.push(`| style | ${MEASURES.map((m) => MEASURE_LABELS[m].title).join(' | ')} |`, `|---|${MEASURES.map(() => '---').join('|')}|`);
  for (const r of reports) lines.push(`| ${r.style} | ${MEASURES.map((m) => r.judgements[m].verdict).join(' | ')} |`);
  const fails = reports.reduce((a, r) => a + MEASURES.filter((m) => r.judgements[m].verdict === 'FAIL').length, 0);
  const passes = reports.reduce((a, r) => a + MEASURES.filter((m) => r.judgements[m].verdict === 'pass').length, 0);
  lines.push('', `${passes} targets met, ${fails} missed (n/a: the target does not apply to the style, or no piece was eligible).`, '');
  if (opts.melody) {
    const f = (x: number) => x.toFixed(3);
    const m = opts.melody;
    lines.push('## Melody metrics against POP909 (pop-like styles)', '', `Mean overlapping area of six melody metrics (pitch-class entropy, scale consistency, groove consistency, empty-beat rate, pitch range, mean IOI) against ${m.reference}. Target: neural above rules on the mean (pooled).`, '');
    lines.push('| style | pieces | neural | rules | neural above rules |', '|---|---|---|---|---|');
    for (const r of [...m.rows, m.pooled]) lines.push(`| ${r.style} | ${r.pieces} | ${f(r.neural)} | ${f(r.rules)} | ${r.neural > r.rules ? 'pass' : 'FAIL'} |`);
    const d = m.difference;
    const sign = (x: number) => `${x >= 0 ? '+' : ''}${f(x)}`;
    lines.push('', `Pooled neural − rules: ${sign(d.point)}, bootstrap 95 % interval [${sign(d.lo)}, ${sign(d.hi)}] (the neural, rules and POP909 sets each resampled, 200 rounds). One style's row rests on its ${m.rows[0]?.pieces ?? 0} pieces and moves by a few hundredths between seed sets; the pooled row is the target.`, '');
  }
  for (const r of reports) {
    lines.push(`## ${r.style} (${r.pieces} pieces)`, '', '| measure | target | measured | verdict |', '|---|---|---|---|');
    for (const m of MEASURES) lines.push(`| ${MEASURE_LABELS[m].title} | ${MEASURE_LABELS[m].target} | ${r.judgements[m].value} | ${r.judgements[m].verdict} |`);
    lines.push('');
  }
  return lines.join('\n');
}
