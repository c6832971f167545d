/**
 * Size-sharded JSONL output per split: data-<split>-00000.jsonl(.gz), a new shard when the current one holds
 * --shard-mb of uncompressed JSON. sha256 and sizes are computed on the bytes as they go to disk. gzip output is
 * deterministic (zlib level 6, header mtime 0).
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';

export interface ShardFile {
  path: string;
  split: string;
  records: number;
  bytes: number;
  uncompressed_bytes: number;
  sha256: string;
}

class OneShard {
  private out: WriteStream;
  private gz: Gzip | null;
  private hash: Hash = createHash('sha256');
  private bytes = 0;
  private buf: string[] = [];
  private bufLen = 0;
  records = 0;
  uncompressed = 0;

  constructor(
    readonly path: string,
    readonly name: string,
    gzip: boolean,
  ) {
    this.out = createWriteStream(path);
    this.gz = gzip ? createGzip({ level: 6 }) : null;
    if (this.gz) {
      this.gz.on('data', (c: Buffer) => {
        this.hash.update(c);
        this.bytes += c.length;
        if (!this.out.write(c)) this.gz!.pause();
      });
      this.out.on('drain', () => this.gz!.resume());
    }
  }

  async write(line: string): Promise<void> {
    this.buf.push(line);
    this.bufLen += line.length;
    this.records++;
    if (this.bufLen >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const b = Buffer.from(this.buf.join(''), 'utf8');
    this.buf = [];
    this.bufLen = 0;
    this.uncompressed += b.length;
    if (this.gz) {
      if (!this.gz.write(b)) await once(this.gz, 'drain');
    } else {
      this.hash.update(b);
      this.bytes += b.length;
      if (!this.out.write(b)) await once(this.out, 'drain');
    }
  }

  /** Uncompressed bytes so far (including the buffer). */
  size(): number {
    return this.uncompressed + this.bufLen;
  }

  async close(split: string): Promise<ShardFile> {
    await this.flush();
    if (this.gz) {
      const done = once(this.gz, 'end');
      this.gz.end();
      await done;
    }
    this.out.end();
    await once(this.out, 'finish');
    return { path: this.name, split, records: this.records, bytes: this.bytes, uncompressed_bytes: this.uncompressed, sha256: this.hash.digest('hex') };
  }

  async abort(): Promise<void> {
    this.gz?.destroy();
    this.out.destroy();
  }
}

export class SplitShardWriter {
  private current = new Map<string, OneShard>();
  private counters = new Map<string, number>();
  readonly files: ShardFile[] = [];

  constructor(
    private readonly dir: string,
    private readonly opts: { gzip: boolean; shardBytes: number },
  ) {}

  async write(split: string, line: string): Promise<void> {
    let s = this.current.get(split);
    if (s && s.size() >= this.opts.shardBytes) {
      this.files.push(await s.close(split));
      s = undefined;
    }
    if (!s) {
      const k = this.counters.get(split) ?? 0;
      this.counters.set(split, k + 1);
      const name = `data-${split}-${String(k).padStart(5, '0')}.jsonl${this.opts.gzip ? '.gz' : ''}`;
      s = new OneShard(join(this.dir, name), name, this.opts.gzip);
      this.current.set(split, s);
    }
    await s.write(line);
  }

  async close(): Promise<ShardFile[]> {
    for (const [split, s] of this.current) this.files.push(await s.close(split));
    this.current.clear();
    this.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return this.files;
  }

  async abort(): Promise<void> {
    for (const s of this.current.values()) await s.abort();
  }
}
