/** The two ways rendering fails: a tool is not installed, or a tool ran and failed. */

const SETUP_HINT = 'Run `bash scripts/setup.sh` to install everything Tunesmith needs.';

export interface MissingThing {
  /** What is missing, e.g. "fluidsynth" or "SoundFont /usr/share/sounds/sf2/FluidR3_GM.sf2". */
  what: string;
  /** Where we looked, or why it was rejected. */
  detail: string;
  /** The Debian package that provides it, when there is one. */
  debianPackage?: string;
}

/** A required program or SoundFont is absent; the message says how to install it. */
export class MissingToolError extends Error {
  readonly missing: MissingThing[];
  constructor(missing: MissingThing[]) {
    const lines = missing.map((m) => {
      const pkg = m.debianPackage ? ` Install the Debian package \`${m.debianPackage}\` (apt-get install ${m.debianPackage}).` : '';
      return `- ${m.what} is missing: ${m.detail}.${pkg}`;
    });
    super(`Tunesmith cannot render audio:\n${lines.join('\n')}\n${SETUP_HINT}`);
    this.name = 'MissingToolError';
    this.missing = missing;
  }
}

/** fluidsynth or ffmpeg failed (or timed out); `stderrTail` holds the last lines it printed. */
export class RenderError extends Error {
  readonly tool: string;
  readonly stderrTail: string;
  constructor(tool: string, reason: string, stderrTail = '', options?: { cause?: unknown }) {
    const tail = stderrTail.trim();
    super(`${tool} failed: ${reason}${tail ? `\n--- ${tool} stderr (last lines) ---\n${tail}` : ''}`, options);
    this.name = 'RenderError';
    this.tool = tool;
    this.stderrTail = tail;
  }
}

/** Keeps the last `maxLines` lines of a process's stderr for error messages. */
export class StderrTail {
  private text = '';
  constructor(private readonly maxLines = 20) {}
  push(chunk: Buffer | string): void {
    this.text += chunk.toString();
    const lines = this.text.split('\n');
    if (lines.length > this.maxLines * 2) this.text = lines.slice(-this.maxLines - 1).join('\n');
  }
  toString(): string {
    return this.text.split('\n').slice(-this.maxLines - 1).join('\n').trim();
  }
}
