/**
 * Request bodies as Discord reads them: JSON, or multipart/form-data with `payload_json` and
 * `files[n]` parts (what @discordjs/rest sends whenever a message carries files).
 */

export interface UploadedFile {
  /** The form field, e.g. `files[0]`. */
  field: string;
  /** n of `files[n]`: what `attachments[].id` refers to. */
  index: number;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface ParsedBody {
  json: unknown;
  files: UploadedFile[];
  multipart: boolean;
}

export async function parseBody(contentType: string | undefined, raw: Buffer): Promise<ParsedBody> {
  if (raw.length === 0) return { json: undefined, files: [], multipart: false };
  if (contentType?.startsWith('multipart/form-data')) {
    // undici's (Node's fetch) spec-compliant multipart parser; no hand-rolled boundary parsing.
    const form = await new Request('http://fake.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(raw),
    }).formData();
    let json: unknown;
    const files: UploadedFile[] = [];
    for (const [field, value] of form.entries()) {
      if (field === 'payload_json' && typeof value === 'string') {
        json = JSON.parse(value);
      } else if (typeof value !== 'string') {
        const m = /^files\[(\d+)\]$/.exec(field);
        files.push({
          field,
          index: m ? Number(m[1]) : files.length,
          filename: value.name,
          contentType: value.type || 'application/octet-stream',
          data: Buffer.from(await value.arrayBuffer()),
        });
      }
    }
    return { json, files, multipart: true };
  }
  const text = raw.toString('utf8');
  return { json: contentType?.includes('json') ? JSON.parse(text) : text, files: [], multipart: false };
}
