/**
 * A request's JSON body, for the API's few writes (POST /api/silences): bounded, so a client
 * cannot make the hub buffer without end, and refused with a code when it is not JSON — never
 * read as an empty object.
 */
import type { IncomingMessage } from 'node:http';
import { PulseError } from '../../protocol/errors.ts';

export const maxJsonBodyBytes = 16 * 1024;

export function readJsonBody(req: IncomingMessage, maxBytes = maxJsonBodyBytes): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
      req.resume();
      return reject(new PulseError('TOO_LARGE', `a request body holds at most ${maxBytes} bytes`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes && !refused) {
        refused = true;
        reject(new PulseError('TOO_LARGE', `a request body holds at most ${maxBytes} bytes`));
      }
      if (!refused) chunks.push(chunk);
    });
    req.on('error', () => reject(new PulseError('BAD_REQUEST', 'the request body was cut short')));
    req.on('end', () => {
      if (refused) return;
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new PulseError('BAD_REQUEST', text.trim() === '' ? 'a JSON body is required' : 'the body is not JSON'));
      }
    });
  });
}
