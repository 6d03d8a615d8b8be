import type { BatchWriteResult, MessageDocument } from '@app/mongo';

interface Waiting {
  docs: MessageDocument[];
  resolve: (r: BatchWriteResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Merges the inserts of batches that arrive together (the persister handles every partition of
 * a fetch at once) into one store write: an insert of 60 documents costs the store about half as
 * much CPU per document as five inserts of 12. Each caller gets back its own documents' outcome;
 * if the merged write fails, every caller sees the failure and retries its own batch (the unique
 * indexes make a retry safe).
 */
export class InsertCoalescer {
  private waiting: Waiting[] = [];
  private pendingDocs = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly write: (docs: MessageDocument[]) => Promise<BatchWriteResult>,
    private readonly lingerMs: number,
    private readonly maxDocs: number,
  ) {}

  insert(docs: MessageDocument[]): Promise<BatchWriteResult> {
    if (docs.length === 0) return Promise.resolve({ inserted: [], alreadyStored: [] });
    return new Promise((resolve, reject) => {
      this.waiting.push({ docs, resolve, reject });
      this.pendingDocs += docs.length;
      if (this.pendingDocs >= this.maxDocs) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.lingerMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.waiting;
    this.waiting = [];
    this.pendingDocs = 0;
    if (batch.length === 0) return;
    this.write(batch.flatMap((w) => w.docs)).then(
      ({ alreadyStored }) => {
        const refused = new Set(alreadyStored.map((d) => d._id));
        for (const w of batch) {
          w.resolve({ inserted: w.docs.filter((d) => !refused.has(d._id)), alreadyStored: w.docs.filter((d) => refused.has(d._id)) });
        }
      },
      (error: unknown) => batch.forEach((w) => w.reject(error)),
    );
  }
}
