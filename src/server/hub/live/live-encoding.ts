/** Text in and out of the `/live` sockets. */
import type { RawData } from 'ws';

export function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** A frame as sent, and its size: a frame shared by many viewers is measured once. */
export type Encoded = { text: string; bytes: number };

export const encode = (frame: object): Encoded => {
  const text = JSON.stringify(frame);
  return { text, bytes: Buffer.byteLength(text) };
};
