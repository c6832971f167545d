/**
 * Mono WAV writer shared by the fixture generators and the test helpers: 32-bit float (format 3) or 16-bit PCM
 * (format 1, samples scaled by 32767, rounded and clipped), 44-byte canonical header.
 */
import { writeFileSync } from 'node:fs';

/** Writes x (mono, -1..1) as a WAV at sampleRate Hz; bits 32 (float) or 16 (PCM). */
export function writeWav(path, x, sampleRate, bits = 32) {
  const width = bits / 8;
  const bytes = x.length * width;
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + bytes, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(bits === 32 ? 3 : 1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * width, 28);
  h.writeUInt16LE(width, 32);
  h.writeUInt16LE(bits, 34);
  h.write('data', 36);
  h.writeUInt32LE(bytes, 40);
  let data;
  if (bits === 32) data = Buffer.from(x.buffer, x.byteOffset, bytes);
  else {
    data = Buffer.alloc(bytes);
    for (let i = 0; i < x.length; i++) data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(x[i] * 32767))), 2 * i);
  }
  writeFileSync(path, Buffer.concat([h, data]));
}
