/**
 * What each section of a score is for, read from its name (the plan names every section; the
 * composer copies the names into Score.sections):
 *
 *   family       the section's `material` letter when it carries one (plans that share a theme
 *                by letter), else the name in lower case without a trailing number or separator:
 *                "A2" → "a", "verse 2" → "verse", "B2" → "b", "chorus-3" → "chorus".
 *   frame        intro, outro, ending (the final cadence), coda, and anything named "break…":
 *                not body sections.
 *   break        a section the plan marks as a deliberate break: its family starts with "break"
 *                (e.g. "break", "break2", "breakdown"), or the section object carries
 *                `break: true`. None exist in today's plans, so nothing is excepted yet.
 *   theme        the first body section; its family is the theme family and that section is the
 *                theme's first statement.
 *   returning    every later body section of the theme family (A2, A3 after A; verse2 after verse),
 *                and any section, intros and outros included, that says it is derived from the
 *                theme: a name such as "intro(A)" / "outro(A)" (the family in brackets), or a
 *                `from: "A"` field on the section object.
 *   contrasting  every body section of another family (B, B2, bridge, chorus when the theme is
 *                the verse) that does not say it derives from the theme.
 */
import type { Score, Section } from '../../core/score.ts';

export type SectionRole = 'theme' | 'returning' | 'contrasting' | 'frame';

export interface SectionInfo {
  section: Section;
  index: number;
  family: string;
  role: SectionRole;
  isBreak: boolean;
}

const FRAME_FAMILIES = new Set(['intro', 'outro', 'ending', 'coda']);

/** "A2" → "a", "verse 2" → "verse", "intro(A)" → "intro". */
export function sectionFamily(name: string): string {
  return name
    .replace(/\(.*\)$/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]*\d+$/, '');
}

/** The family a section says it derives from: "outro(A)" → "a", or a `from` field; else null. */
function derivedFrom(section: Section): string | null {
  const bracket = /\(([^)]+)\)\s*$/.exec(section.name);
  if (bracket) return sectionFamily(bracket[1]!);
  const from = (section as Section & { from?: unknown }).from;
  return typeof from === 'string' ? sectionFamily(from) : null;
}

/** A section's family: its `material` field when it has one, else read from its name. */
export function familyOf(section: Section): string {
  const material = (section as Section & { material?: unknown }).material;
  return typeof material === 'string' && material ? sectionFamily(material) : sectionFamily(section.name);
}

export function isBreakSection(section: Section): boolean {
  return sectionFamily(section.name).startsWith('break') || (section as Section & { break?: unknown }).break === true;
}

export function classifySections(score: Pick<Score, 'sections'>): SectionInfo[] {
  const frameOf = (s: Section) => isBreakSection(s) || FRAME_FAMILIES.has(familyOf(s));
  const themeIndex = score.sections.findIndex((s) => !frameOf(s));
  const theme = themeIndex >= 0 ? familyOf(score.sections[themeIndex]!) : null;
  return score.sections.map((section, index) => {
    const family = familyOf(section);
    const frame = frameOf(section);
    let role: SectionRole;
    if (index === themeIndex) role = 'theme';
    else if (theme !== null && (derivedFrom(section) === theme || (!frame && family === theme && index > themeIndex))) role = 'returning';
    else role = frame ? 'frame' : 'contrasting';
    return { section, index, family, role, isBreak: isBreakSection(section) };
  });
}
